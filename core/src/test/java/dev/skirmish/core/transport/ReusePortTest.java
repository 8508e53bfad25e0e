package dev.skirmish.core.transport;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.test.UdpTestClient;
import dev.skirmish.core.worker.DatagramHandler;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two I/O threads, two sockets on one port with SO_REUSEPORT: the kernel spreads client flows over both sockets
 * and every datagram reaches the workers exactly once.
 */
class ReusePortTest
{
    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"EPOLL", "NIO"})
    void shouldDeliverEveryDatagramExactlyOnceAcrossSockets(final TransportKind kind) throws Exception
    {
        final int clients = 32;
        final int perClient = 100;
        final AtomicIntegerArray seen = new AtomicIntegerArray(clients * perClient);
        final SkirmishContext ctx = new SkirmishContext()
            .transport(kind)
            .bindAddress("127.0.0.1")
            .port(0)
            .ioThreads(2)
            .workers(2)
            .handlerFactory((w, outbound) -> new DatagramHandler()
            {
                @Override
                public void onDatagram(
                    final int ioThread, final ByteBuf datagram, final InetSocketAddress sender, final long nowNs)
                {
                    final int client = datagram.getIntLE(datagram.readerIndex() + 4);
                    final int sequence = (int)datagram.getLongLE(datagram.readerIndex() + 8);
                    seen.incrementAndGet(client * perClient + sequence);
                }
            });

        try (SkirmishNode node = SkirmishNode.launch(ctx))
        {
            final List<UdpTestClient> sockets = new ArrayList<>();
            try
            {
                for (int c = 0; c < clients; c++)
                {
                    sockets.add(new UdpTestClient(new InetSocketAddress("127.0.0.1", node.port())));
                }
                for (int i = 0; i < perClient; i++)
                {
                    for (int c = 0; c < clients; c++)
                    {
                        sockets.get(c).send(UdpTestClient.echoDatagram(c, i, 16));
                    }
                    if (i % 10 == 9)
                    {
                        // Pace a little so socket buffers never overflow on a loaded machine.
                        final int expected = clients * (i + 1);
                        Await.until("delivered " + expected,
                            () -> node.counters().get(Counter.WORKER_DATAGRAMS) >= expected);
                    }
                }
            }
            finally
            {
                for (final UdpTestClient socket : sockets)
                {
                    socket.close();
                }
            }

            Await.until("all delivered", () -> node.counters().get(Counter.WORKER_DATAGRAMS) == clients * perClient);
            for (int i = 0; i < seen.length(); i++)
            {
                assertEquals(1, seen.get(i), "datagram " + i + " delivered once");
            }
            int socketsUsed = 0;
            for (final CounterSet set : node.counters().sets())
            {
                if (set.owner().startsWith("io-") && set.get(Counter.DATAGRAMS_IN) > 0)
                {
                    socketsUsed++;
                }
            }
            assertEquals(2, socketsUsed, "32 flows hash onto both sockets (chance of one: 2^-31)");
            assertTrue(node.counters().get(Counter.DROP_INBOUND_QUEUE_FULL) == 0);
        }
    }
}
