package dev.skirmish.core.transport;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.ThreadingMode;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.test.UdpTestClient;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.core.worker.DatagramHandler;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The I/O thread's handshake hook: only handshake types reach the gate; the gate may answer (never with more bytes
 * than it received), route to any worker, or drop; a throwing gate costs only its datagram.
 */
class HandshakeGateTest
{
    private static ByteBuffer datagram(final PacketType type, final int sessionId, final int length, final int marker)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putShort((short)PacketHeader.MAGIC).put((byte)PacketHeader.VERSION).put((byte)type.code())
            .putInt(sessionId);
        buffer.put(PacketHeader.LENGTH, (byte)marker);
        return buffer.clear();
    }

    private SkirmishContext context(final HandshakeGate gate, final ConcurrentLinkedQueue<String> seenByWorkers)
    {
        return new SkirmishContext()
            .bindAddress("127.0.0.1")
            .port(0)
            .workers(2)
            .threadingMode(ThreadingMode.INVOKER)
            .handshakeGateFactory((k, counters, workers) -> gate)
            .handlerFactory((w, outbound) -> new DatagramHandler()
            {
                @Override
                public void onDatagram(
                    final int ioThread, final ByteBuf buf, final InetSocketAddress sender, final long nowNs)
                {
                    seenByWorkers.add(w + ":" + PacketHeader.typeCode(buf) + ":" +
                        buf.getByte(buf.readerIndex() + PacketHeader.LENGTH));
                }
            });
    }

    @Test
    void shouldAnswerRouteOrDropHandshakesAndNeverAmplify() throws Exception
    {
        final AtomicInteger gateCalls = new AtomicInteger();
        final HandshakeGate gate = (datagram, sender, replies) ->
        {
            gateCalls.incrementAndGet();
            final int marker = datagram.getByte(datagram.readerIndex() + PacketHeader.LENGTH);
            switch (marker)
            {
                case 1: // answer with exactly as many bytes as received: sent
                {
                    final ByteBuf reply = replies.claim();
                    reply.writeBytes(datagram, datagram.readerIndex(), datagram.readableBytes());
                    replies.send();
                    return HandshakeGate.CONSUMED;
                }
                case 2: // answer with one byte more than received: refused
                {
                    final ByteBuf reply = replies.claim();
                    reply.writeZero(datagram.readableBytes() + 1);
                    replies.send();
                    return HandshakeGate.CONSUMED;
                }
                case 3:
                    return 1;
                case 4:
                    throw new IllegalStateException("gate bug, on purpose");
                case 5: // two replies whose sum exceeds the request: the second is refused
                {
                    ByteBuf reply = replies.claim();
                    reply.writeZero(datagram.readableBytes() - 10);
                    replies.send();
                    reply = replies.claim();
                    reply.writeZero(11);
                    replies.send();
                    return HandshakeGate.CONSUMED;
                }
                default:
                    return 99; // out of range: dropped
            }
        };
        final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        try (SkirmishNode node = SkirmishNode.launch(context(gate, seen));
            UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", node.port())))
        {
            client.send(datagram(PacketType.CONNECT_REQUEST, 0, 100, 1));
            final ByteBuffer echoed = client.receive(5000);
            assertNotNull(echoed);
            assertEquals(100, echoed.remaining());

            client.send(datagram(PacketType.CONNECT_REQUEST, 0, 100, 2));
            client.send(datagram(PacketType.CHALLENGE_RESPONSE, 0, 100, 3));
            client.send(datagram(PacketType.CONNECT_REQUEST, 0, 100, 4));
            client.send(datagram(PacketType.CONNECT_REQUEST, 0, 100, 5));
            client.send(datagram(PacketType.CONNECT_REQUEST, 0, 100, 6));
            client.send(datagram(PacketType.DATA, 2, 40, 7)); // not a handshake type: routed by session id
            Await.until("all read", () -> node.counters().get(Counter.DATAGRAMS_IN) == 7);

            final ByteBuffer partial = client.receive(5000);
            assertNotNull(partial);
            assertEquals(90, partial.remaining(), "first reply of marker 5 fits");
            assertNull(client.receive(200), "oversized replies were not sent");
            assertEquals(2, node.counters().get(Counter.AMPLIFICATION_LIMITED));
            assertEquals(1, node.counters().get(Counter.WORKER_ERRORS), "the gate's exception was counted");
            assertEquals(6, gateCalls.get(), "DATA never reaches the gate");

            node.worker(0).doWork();
            node.worker(1).doWork();
            assertEquals(
                java.util.Set.of("1:" + PacketType.CHALLENGE_RESPONSE.code() + ":3",
                    "0:" + PacketType.DATA.code() + ":7"),
                java.util.Set.copyOf(seen));
            assertEquals(190, node.counters().get(Counter.BYTES_OUT));
        }
    }
}
