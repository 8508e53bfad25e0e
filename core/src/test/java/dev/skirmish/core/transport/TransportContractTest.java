package dev.skirmish.core.transport;

import dev.skirmish.core.IoMode;
import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.test.UdpTestClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every transport implementation meets, run against epoll and NIO over IPv4 and IPv6 loopback with
 * real sockets and real threads.
 */
class TransportContractTest
{
    static Stream<Arguments> transports()
    {
        return Stream.of(
            Arguments.of(TransportKind.EPOLL, "127.0.0.1"),
            Arguments.of(TransportKind.EPOLL, "::1"),
            Arguments.of(TransportKind.NIO, "127.0.0.1"),
            Arguments.of(TransportKind.NIO, "::1"));
    }

    private static SkirmishNode launch(final TransportKind kind, final String address, final IoMode mode)
        throws InterruptedException
    {
        final SkirmishContext ctx = new SkirmishContext()
            .transport(kind)
            .bindAddress(address)
            .port(0)
            .workers(2)
            .ioMode(mode);
        return SkirmishNode.launch(ctx);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transports")
    void shouldEchoEveryDatagramThroughWorkers(final TransportKind kind, final String address) throws Exception
    {
        try (SkirmishNode node = launch(kind, address, IoMode.WORKERS))
        {
            assertEquals(kind, node.transportKind());
            final InetSocketAddress server = new InetSocketAddress(address, node.port());
            final int clients = 4;
            final int perClient = 50;
            for (int c = 0; c < clients; c++)
            {
                try (UdpTestClient client = new UdpTestClient(server))
                {
                    for (int i = 0; i < perClient; i++)
                    {
                        final ByteBuffer request = UdpTestClient.echoDatagram(c, i, 8 + c * 100);
                        client.send(request);
                        final ByteBuffer reply = client.receive(2000);
                        assertNotNull(reply, "no echo for client " + c + " datagram " + i);
                        assertEquals(request, reply, "echo must be byte-exact");
                    }
                }
            }

            final int total = clients * perClient;
            // The worker adds to WORKER_DATAGRAMS after its drain loop, possibly after the replies went out.
            Await.until("counters settle", () -> node.counters().get(Counter.DATAGRAMS_OUT) == total &&
                node.counters().get(Counter.WORKER_DATAGRAMS) == total);
            assertEquals(total, node.counters().get(Counter.DATAGRAMS_IN));
            assertEquals(total, node.counters().get(Counter.WORKER_DATAGRAMS));
            // Session ids 0..3 over 2 workers: both shards got exactly their half.
            for (final CounterSet set : node.counters().sets())
            {
                if (set.owner().startsWith("worker-"))
                {
                    assertEquals(total / 2, set.get(Counter.WORKER_DATAGRAMS), set.owner());
                }
            }
            assertEquals(node.counters().get(Counter.BYTES_IN), node.counters().get(Counter.BYTES_OUT));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transports")
    void shouldDropAndCountEveryInvalidHeaderCause(final TransportKind kind, final String address) throws Exception
    {
        try (SkirmishNode node = launch(kind, address, IoMode.WORKERS);
            UdpTestClient client = new UdpTestClient(new InetSocketAddress(address, node.port())))
        {
            final ByteBuffer valid = UdpTestClient.echoDatagram(1, 99, 16);
            final ByteBuffer tooShort = ByteBuffer.wrap(new byte[] {0x53, 0x4B, 1, 1, 0, 0, 0});
            final ByteBuffer tooLong = UdpTestClient.echoDatagram(1, 1, SkirmishContext.MAX_DATAGRAM_LENGTH_DEFAULT);
            final ByteBuffer badMagic = withByte(valid, 0, 0x00);
            final ByteBuffer badVersion = withByte(valid, 2, 0x02);
            final ByteBuffer badType = withByte(valid, 3, 0x7F);
            final ByteBuffer empty = ByteBuffer.allocate(0);

            for (final ByteBuffer bad : new ByteBuffer[] {tooShort, tooLong, badMagic, badVersion, badType, empty})
            {
                client.send(bad);
                client.send(valid);
            }

            for (int i = 0; i < 6; i++)
            {
                assertEquals(valid, client.receive(2000), "valid datagram " + i + " must still be echoed");
            }
            assertNull(client.receive(100), "invalid datagrams must get no reply");

            Await.until(java.time.Duration.ofSeconds(5), () -> "drops counted:\n" + node.counters().dump(),
                () -> node.counters().get(Counter.DATAGRAMS_IN) == 12);
            assertEquals(2, node.counters().get(Counter.DROP_TOO_SHORT), "7-byte and empty datagrams");
            assertEquals(1, node.counters().get(Counter.DROP_TOO_LONG));
            assertEquals(1, node.counters().get(Counter.DROP_BAD_MAGIC));
            assertEquals(1, node.counters().get(Counter.DROP_BAD_VERSION));
            assertEquals(1, node.counters().get(Counter.DROP_BAD_TYPE));
            Await.until("worker count settles", () -> node.counters().get(Counter.WORKER_DATAGRAMS) == 6);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transports")
    void shouldEchoOnIoThreadInRawEchoMode(final TransportKind kind, final String address) throws Exception
    {
        try (SkirmishNode node = launch(kind, address, IoMode.RAW_ECHO);
            UdpTestClient client = new UdpTestClient(new InetSocketAddress(address, node.port())))
        {
            assertEquals(0, node.workerCount());
            for (int i = 0; i < 20; i++)
            {
                final ByteBuffer request = UdpTestClient.echoDatagram(i, i, 64);
                client.send(request);
                assertEquals(request, client.receive(2000));
            }
            client.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            Await.until("bad datagram counted", () -> node.counters().get(Counter.DROP_TOO_SHORT) == 1);
            assertEquals(20, node.counters().get(Counter.DATAGRAMS_OUT));
            assertEquals(0, node.counters().get(Counter.WORKER_DATAGRAMS));
        }
    }

    private static ByteBuffer withByte(final ByteBuffer source, final int index, final int value)
    {
        final ByteBuffer copy = ByteBuffer.allocate(source.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(source.duplicate()).flip();
        copy.put(index, (byte)value);
        assertTrue(copy.remaining() > index);
        return copy;
    }
}
