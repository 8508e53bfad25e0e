package dev.skirmish.core.worker;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.ThreadingMode;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.test.UdpTestClient;
import dev.skirmish.core.transport.TransportKind;
import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Workers in invoker mode: no worker thread runs; the test drives {@code doWork()} with a fake clock, while the
 * I/O thread and sockets are real.
 */
class WorkerInvokerTest
{
    private final CachedNanoClock clock = new CachedNanoClock();

    private SkirmishContext context()
    {
        return new SkirmishContext()
            .transport(TransportKind.AUTO)
            .bindAddress("127.0.0.1")
            .port(0)
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock);
    }

    @Test
    void shouldDropAndCountWhenInboundQueueIsFull() throws Exception
    {
        try (SkirmishNode node = SkirmishNode.launch(context().inboundQueueCapacity(4));
            UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", node.port())))
        {
            for (int i = 0; i < 10; i++)
            {
                client.send(UdpTestClient.echoDatagram(0, i, 16));
            }
            // Wait for the I/O thread to have offered all 10, not just counted them: otherwise the last one could
            // still be offered while doWork() below makes room, and be queued instead of dropped.
            Await.until(java.time.Duration.ofSeconds(10), () -> "6 dropped:\n" + node.counters().dump(),
                () -> node.counters().get(Counter.DROP_INBOUND_QUEUE_FULL) == 6);
            assertEquals(10, node.counters().get(Counter.DATAGRAMS_IN));

            assertEquals(4, node.worker(0).doWork(), "the 4 queued datagrams are the work");
            for (int i = 0; i < 4; i++)
            {
                final ByteBuffer reply = client.receive(2000);
                assertNotNull(reply);
                assertEquals(i, reply.getLong(8), "the first 4 were kept, in order");
            }
            assertNull(client.receive(100));
            assertEquals(0, node.worker(0).doWork());
        }
    }

    @Test
    void shouldPassTheFakeClockDownAndMeasureDutyCyclesWithIt() throws Exception
    {
        final List<Long> seenNs = new ArrayList<>();
        final SkirmishContext ctx = context().handlerFactory((w, outbound) -> new DatagramHandler()
        {
            @Override
            public void onDatagram(
                final int ioThread, final ByteBuf datagram, final InetSocketAddress sender, final long nowNs)
            {
                seenNs.add(nowNs);
            }

            @Override
            public int doWork(final long nowNs)
            {
                seenNs.add(-nowNs);
                return 0;
            }
        });
        try (SkirmishNode node = SkirmishNode.launch(ctx);
            UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", node.port())))
        {
            final WorkerAgent worker = node.worker(0);
            clock.update(1_000);
            worker.onStart();
            client.send(UdpTestClient.echoDatagram(0, 1, 16));
            Await.until("received", () -> worker.hasInbound());

            assertEquals(1, worker.doWork());
            assertEquals(List.of(1_000L, -1_000L), seenNs, "datagram then timers, both at the cycle's time");

            clock.advance(5_000_000);
            assertEquals(0, worker.doWork());
            assertEquals(5_000_000, node.counters().get(Counter.WORKER_DUTY_CYCLE_MAX_NS),
                "the cycle that did work lasted until the next cycle, by the fake clock");
            assertEquals(1, node.counters().get(Counter.WORKER_DUTY_CYCLES));

            clock.advance(60_000_000);
            assertEquals(0, worker.doWork());
            assertEquals(5_000_000, node.counters().get(Counter.WORKER_DUTY_CYCLE_MAX_NS),
                "idle gaps are not duty cycles");
        }
    }

    @Test
    void shouldContainHandlerExceptionsToTheirDatagram() throws Exception
    {
        final SkirmishContext ctx = context().handlerFactory((w, outbound) -> new DatagramHandler()
        {
            @Override
            public void onDatagram(
                final int ioThread, final ByteBuf datagram, final InetSocketAddress sender, final long nowNs)
            {
                // Claim first, then fail: the claimed slot must not be lost.
                final ByteBuf reply = outbound.claim(ioThread);
                if (datagram.getLongLE(datagram.readerIndex() + 8) == 2)
                {
                    throw new IllegalStateException("boom from a bad datagram (expected by this test)");
                }
                reply.writeBytes(datagram, datagram.readerIndex(), datagram.readableBytes());
                outbound.commit(sender);
            }
        }).errorHandler((ex) -> { }).outboundQueueCapacity(2);
        try (SkirmishNode node = SkirmishNode.launch(ctx);
            UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", node.port())))
        {
            for (int i = 1; i <= 3; i++)
            {
                client.send(UdpTestClient.echoDatagram(0, i, 16));
            }
            // DATAGRAMS_IN is counted before the hand-off, so drive the worker until it has seen all three.
            final int[] processed = new int[1];
            Await.until("3 processed", () -> (processed[0] += node.worker(0).doWork()) >= 3);
            assertEquals(3, processed[0]);
            assertEquals(1, client.receive(2000).getLong(8));
            assertEquals(3, client.receive(2000).getLong(8));
            assertEquals(1, node.counters().get(Counter.WORKER_ERRORS));

            // With only 2 slots, a lost slot would show as drops now: the aborted claim was kept.
            for (int round = 0; round < 5; round++)
            {
                client.send(UdpTestClient.echoDatagram(0, 10 + round, 16));
                Await.until("received", () -> node.worker(0).hasInbound());
                assertEquals(1, node.worker(0).doWork());
                assertEquals(10 + round, client.receive(2000).getLong(8));
            }
            assertEquals(0, node.counters().get(Counter.DROP_OUTBOUND_QUEUE_FULL));
        }
    }
}
