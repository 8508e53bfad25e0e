package dev.skirmish.session.client;

import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.channel.Bodies;
import dev.skirmish.session.channel.BodyDescriptor;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.protect.ReplayWindow;
import dev.skirmish.session.token.ConnectToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.skirmish.session.client.ClientFixtures.MAX;
import static dev.skirmish.session.client.ClientFixtures.cookie;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A {@link ClientGroup} against a JDK datagram channel on loopback playing the server by hand: the connect request
 * arrives, a rebind moves the client to a new port, the handshake completes over real sockets, messages go both ways
 * (the client acknowledges the server's), and closing the group sends the DISCONNECTs. Every wait is a bounded
 * blocking receive; nothing sleeps.
 */
class ClientGroupTest
{
    private static final long RECEIVE_TIMEOUT_MS = 5_000;
    private static final int SESSION_ID = 42;
    private static final int UNRELIABLE = 0;

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"NIO", "EPOLL"})
    void shouldConnectOverRealSocketsAndMoveToANewPortOnRebind(final TransportKind kind) throws Exception
    {
        assumeTrue(kind != TransportKind.EPOLL || Epoll.isAvailable(), "epoll unavailable");
        try (FakeServer server = new FakeServer())
        {
            final ConnectToken token = ClientFixtures.token(server.address, System.currentTimeMillis());
            final ServerKeys keys = new ServerKeys(token);
            final CountDownLatch connected = new CountDownLatch(1);
            final CountDownLatch disconnected = new CountDownLatch(1);
            final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
            final ClientListener listener = new ClientListener()
            {
                @Override
                public void onConnected(final SkirmishClient client)
                {
                    connected.countDown();
                }

                @Override
                public void onMessage(
                    final SkirmishClient client, final int channel, final ByteBuf buffer, final int offset,
                    final int length)
                {
                    messages.add(ByteBufUtil.getBytes(buffer, offset, length));
                }

                @Override
                public void onDisconnected(final SkirmishClient client, final DisconnectReason reason)
                {
                    disconnected.countDown();
                }
            };
            final ClientHandle handle;
            final ClientGroup group = new ClientGroup(2, kind, new ClientConfig());
            try
            {
                assertEquals(kind, group.kind());
                handle = group.open(token, server.address, listener);
                assertEquals(1, group.clientCount());
                final InetSocketAddress first = handle.localAddress();
                assertNotNull(first);
                assertEquals(SessionState.CONNECTING, handle.state());

                final Datagram request = server.receive(PacketType.CONNECT_REQUEST, first.getPort());
                assertEquals(HandshakeDescriptor.CONNECT_REQUEST_LENGTH, request.bytes.length);

                final InetSocketAddress second = handle.rebind().get(RECEIVE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertNotEquals(first.getPort(), second.getPort());
                assertEquals(second, handle.localAddress());
                assertEquals(1, handle.rebinds());
                final Datagram resent = server.receive(PacketType.CONNECT_REQUEST, second.getPort());
                assertEquals(HandshakeDescriptor.CONNECT_REQUEST_LENGTH, resent.bytes.length);

                final byte[] cookie = cookie(0x21);
                server.sendChallenge(ClientFixtures.tag(token), cookie, resent.source);
                final Datagram response = server.receive(PacketType.CHALLENGE_RESPONSE, second.getPort());
                assertArrayEquals(cookie, Arrays.copyOfRange(response.bytes,
                    HandshakeDescriptor.RESPONSE_COOKIE_OFFSET,
                    HandshakeDescriptor.RESPONSE_COOKIE_OFFSET + cookie.length));

                server.sendProtected(keys, PacketType.KEEPALIVE, new byte[0], response.source);
                assertTrue(connected.await(RECEIVE_TIMEOUT_MS, TimeUnit.MILLISECONDS), "not connected");
                assertEquals(SessionState.CONNECTED, handle.state());
                assertArrayEquals(new byte[0],
                    keys.open(server.receive(PacketType.KEEPALIVE, second.getPort()), SESSION_ID));

                final byte[] payload = "from another thread".getBytes(StandardCharsets.US_ASCII);
                assertTrue(handle.send(UNRELIABLE, payload));
                assertArrayEquals(payload, Bodies.single(server.receiveMessageBody(keys, second.getPort())));

                final byte[] down = "to the client".getBytes(StandardCharsets.US_ASCII);
                final long downSequence = keys.sealer.nextSequence();
                server.sendProtected(keys, PacketType.DATA, Bodies.message(down), response.source);
                assertArrayEquals(down, messages.poll(RECEIVE_TIMEOUT_MS, TimeUnit.MILLISECONDS), "not delivered");
                assertEquals(downSequence, server.receiveAck(keys, second.getPort()), "not acknowledged");
            }
            finally
            {
                group.close();
            }

            assertTrue(disconnected.await(RECEIVE_TIMEOUT_MS, TimeUnit.MILLISECONDS));
            assertEquals(SessionState.CLOSED, handle.state());
            assertEquals(0, group.clientCount());
            assertEquals(0, handle.errors());
            final byte[] reason = {(byte)DisconnectReason.CLIENT_REQUEST.code()};
            assertArrayEquals(reason, keys.open(server.receive(PacketType.DISCONNECT, -1), SESSION_ID));
        }
    }

    /** A received datagram: its bytes and where it came from. */
    private static final class Datagram
    {
        final byte[] bytes;
        final InetSocketAddress source;

        Datagram(final byte[] bytes, final InetSocketAddress source)
        {
            this.bytes = bytes;
            this.source = source;
        }
    }

    /** The server's two protectors, over JDK ByteBuffers. */
    private static final class ServerKeys
    {
        final PacketProtector sealer;
        final PacketProtector opener;

        ServerKeys(final ConnectToken token)
        {
            sealer = PacketProtector.forSending(AeadSuite.DEFAULT, token.serverToClientKey(), MAX);
            opener = PacketProtector.forReceiving(
                AeadSuite.DEFAULT, token.clientToServerKey(), MAX, new ReplayWindow());
        }

        /** Opens a client packet of the session; returns its payload. */
        byte[] open(final Datagram datagram, final int sessionId)
        {
            final ByteBuffer packet = ByteBuffer.wrap(datagram.bytes).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(sessionId, packet.getInt(PacketHeader.SESSION_ID_OFFSET));
            final int result = opener.open(packet);
            assertEquals(ProtectResult.OK, result, ProtectResult.name(result));
            final byte[] payload = new byte[packet.limit() - ProtectedPacketDescriptor.PAYLOAD_OFFSET];
            packet.get(ProtectedPacketDescriptor.PAYLOAD_OFFSET, payload);
            return payload;
        }
    }

    /** A JDK datagram channel on 127.0.0.1 with bounded receives. */
    private static final class FakeServer implements AutoCloseable
    {
        final DatagramChannel channel;
        final Selector selector;
        final InetSocketAddress address;
        final ByteBuffer receiveBuffer = ByteBuffer.allocate(MAX + 1);

        FakeServer() throws IOException
        {
            channel = DatagramChannel.open(StandardProtocolFamily.INET);
            channel.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            address = (InetSocketAddress)channel.getLocalAddress();
        }

        /**
         * The next datagram of a type from a port (-1: any), skipping others (e.g. resends from the old port).
         */
        Datagram receive(final PacketType type, final int fromPort) throws IOException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECEIVE_TIMEOUT_MS);
            while (true)
            {
                final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
                if (remainingMs <= 0)
                {
                    throw new AssertionError("no " + type + " from port " + fromPort + " within " +
                        RECEIVE_TIMEOUT_MS + " ms");
                }
                selector.select(remainingMs);
                selector.selectedKeys().clear();
                SocketAddress source;
                while (null != (source = receiveOne()))
                {
                    final InetSocketAddress from = (InetSocketAddress)source;
                    final byte[] bytes = new byte[receiveBuffer.remaining()];
                    receiveBuffer.get(bytes);
                    if (bytes.length >= PacketHeader.LENGTH &&
                        type.code() == (bytes[PacketHeader.TYPE_OFFSET] & 0xFF) &&
                        (fromPort < 0 || from.getPort() == fromPort))
                    {
                        return new Datagram(bytes, from);
                    }
                }
            }
        }

        /**
         * The body of the next DATA from a port that carries messages, skipping ack-only ones.
         */
        byte[] receiveMessageBody(final ServerKeys keys, final int fromPort) throws IOException
        {
            while (true)
            {
                final byte[] body = keys.open(receive(PacketType.DATA, fromPort), SESSION_ID);
                if (!Bodies.messages(body).isEmpty())
                {
                    return body;
                }
            }
        }

        /**
         * The largest packet number acknowledged by the next DATA from a port that carries an ack.
         */
        long receiveAck(final ServerKeys keys, final int fromPort) throws IOException
        {
            while (true)
            {
                final byte[] body = keys.open(receive(PacketType.DATA, fromPort), SESSION_ID);
                if (0 != (body[BodyDescriptor.FLAGS_OFFSET] & BodyDescriptor.FLAG_ACK))
                {
                    // the largest acked packet number follows the flags byte
                    return ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN)
                        .getLong(BodyDescriptor.FLAGS_OFFSET + 1);
                }
            }
        }

        private SocketAddress receiveOne() throws IOException
        {
            receiveBuffer.clear();
            final SocketAddress source = channel.receive(receiveBuffer);
            receiveBuffer.flip();
            return source;
        }

        void sendChallenge(final byte[] tag, final byte[] cookie, final InetSocketAddress to) throws IOException
        {
            final ByteBuffer packet = header(PacketType.CHALLENGE, 0, HandshakeDescriptor.CHALLENGE_LENGTH);
            packet.put(tag).put(cookie).flip();
            channel.send(packet, to);
        }

        void sendProtected(
            final ServerKeys keys, final PacketType type, final byte[] payload, final InetSocketAddress to)
            throws IOException
        {
            final ByteBuffer packet = header(type, SESSION_ID, MAX);
            packet.putLong(0).put(payload).flip();
            assertEquals(ProtectResult.OK, keys.sealer.seal(packet));
            channel.send(packet, to);
        }

        private static ByteBuffer header(final PacketType type, final int sessionId, final int capacity)
        {
            final ByteBuffer packet = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
            packet.putShort((short)PacketHeader.MAGIC).put((byte)PacketHeader.VERSION).put((byte)type.code())
                .putInt(sessionId);
            return packet;
        }

        @Override
        public void close() throws IOException
        {
            selector.close();
            channel.close();
        }
    }
}
