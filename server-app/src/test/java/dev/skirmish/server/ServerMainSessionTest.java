package dev.skirmish.server;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.channel.BodyDecoder;
import dev.skirmish.session.channel.BodyEncoder;
import dev.skirmish.session.channel.ChannelEndpointConfig;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.protect.ReplayWindow;
import dev.skirmish.session.token.ConnectToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./skirmish server --mode session} with its defaults (development key, wildcard bind) against a hand-rolled
 * client over real UDP with a token from {@code ./skirmish token} with its defaults: connect request, challenge,
 * challenge response, the server's first keepalive, then one DATA payload echoed by {@link SessionEchoListener}.
 */
class ServerMainSessionTest
{
    private static final int MAX_DATAGRAM = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
    private static final int RECEIVE_TIMEOUT_MS = 100;

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(capturedErr, true, StandardCharsets.UTF_8);

    @Test
    void shouldCompleteHandshakeAndEchoPayloadInSessionMode() throws Exception
    {
        final int port;
        try (DatagramSocket probe = new DatagramSocket(0))
        {
            port = probe.getLocalPort();
        }
        final InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        final CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ServerMain.run(out, err, "--mode=session",
            "--port=" + port, "--duration=3s", "--stats-interval=0s", "--metrics-port=0"));

        final ByteArrayOutputStream tokenOut = new ByteArrayOutputStream();
        assertEquals(0, TokenMain.run(new PrintStream(tokenOut, true, StandardCharsets.UTF_8), err,
            "--client-id=42", "--room=7", "--server=127.0.0.1:" + port));
        final ConnectToken token = ConnectToken.parse(
            HexFormat.of().parseHex(tokenOut.toString(StandardCharsets.UTF_8).trim()));
        final byte[] serverPart = new byte[HandshakeDescriptor.CONNECT_REQUEST_LENGTH];
        final int serverPartLength = token.getServerPart(serverPart, 0);
        final byte[] tag = Arrays.copyOfRange(
            serverPart, HandshakeDescriptor.TAG_IN_SERVER_PART_OFFSET, serverPartLength);
        final PacketProtector sender = PacketProtector.forSending(
            AeadSuite.DEFAULT, token.clientToServerKey(), MAX_DATAGRAM);
        final PacketProtector receiver = PacketProtector.forReceiving(
            AeadSuite.DEFAULT, token.serverToClientKey(), MAX_DATAGRAM, new ReplayWindow());
        final byte[] payload = "hello session".getBytes(StandardCharsets.US_ASCII);

        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
            final byte[] connectRequest = new byte[HandshakeDescriptor.CONNECT_REQUEST_LENGTH];
            writeHeader(connectRequest, PacketType.CONNECT_REQUEST);
            System.arraycopy(serverPart, 0, connectRequest, HandshakeDescriptor.REQUEST_TOKEN_OFFSET, serverPartLength);

            // The server may still be starting: resend like a client until the challenge arrives.
            byte[] challenge = null;
            for (int i = 0; i < 50 && null == challenge; i++)
            {
                socket.send(new DatagramPacket(connectRequest, connectRequest.length, server));
                challenge = receive(socket, PacketType.CHALLENGE);
            }
            assertTrue(null != challenge, "challenge within 5 s: " + stdout() + stderr());
            assertEquals(HandshakeDescriptor.CHALLENGE_LENGTH, challenge.length);
            assertArrayEquals(tag, Arrays.copyOfRange(challenge, HandshakeDescriptor.CHALLENGE_TAG_OFFSET,
                HandshakeDescriptor.CHALLENGE_COOKIE_OFFSET));

            final byte[] response = new byte[HandshakeDescriptor.CHALLENGE_RESPONSE_LENGTH];
            writeHeader(response, PacketType.CHALLENGE_RESPONSE);
            System.arraycopy(challenge, HandshakeDescriptor.CHALLENGE_COOKIE_OFFSET, response,
                HandshakeDescriptor.RESPONSE_COOKIE_OFFSET, ChallengeCookieDescriptor.COOKIE_LENGTH);
            System.arraycopy(serverPart, 0, response, HandshakeDescriptor.RESPONSE_TOKEN_OFFSET, serverPartLength);
            byte[] keepalive = null;
            for (int i = 0; i < 20 && null == keepalive; i++)
            {
                socket.send(new DatagramPacket(response, response.length, server));
                keepalive = receive(socket, PacketType.KEEPALIVE);
            }
            assertTrue(null != keepalive, "keepalive after the challenge response: " + stdout() + stderr());
            final int sessionId = (int)littleEndianU32(keepalive, PacketHeader.SESSION_ID_OFFSET);
            assertNotEquals(0, sessionId);
            assertEquals(0, open(receiver, keepalive).length, "keepalive authentic and empty");

            final ByteBuf data = Unpooled.buffer(MAX_DATAGRAM, MAX_DATAGRAM);
            PacketHeader.write(data, PacketType.DATA, sessionId);
            data.writeZero(ProtectedPacketDescriptor.SEQUENCE_LENGTH);
            // the DATA payload is a channel body: one whole frame on channel 0 (unreliable), no ack
            final BodyEncoder encoder = new BodyEncoder();
            encoder.begin(data, ChannelEndpointConfig.PATH_PAYLOAD_BYTES_DEFAULT);
            encoder.frame(0, 0, Unpooled.wrappedBuffer(payload), 0, payload.length);
            assertEquals(ProtectResult.OK, sender.seal(data));
            final byte[] sealed = new byte[data.readableBytes()];
            data.readBytes(sealed);
            data.release();
            socket.send(new DatagramPacket(sealed, sealed.length, server));

            byte[] echoed = null;
            for (int i = 0; i < 20 && null == echoed; i++)
            {
                final byte[] packet = receive(socket, PacketType.DATA);
                echoed = null == packet ? null : firstMessage(open(receiver, packet)); // null for an ack-only body
            }
            assertTrue(null != echoed, "echoed payload: " + stdout() + stderr());
            assertArrayEquals(payload, echoed);
        }

        assertEquals(0, exit.get(10, TimeUnit.SECONDS), stderr());
        final String output = stdout();
        assertTrue(output.contains("session listener (echo):\n  connected 1\n  payloads_echoed 1\n"), output);
        assertTrue(output.contains("  closed_server_shutdown 1\n"), output);
    }

    private static void writeHeader(final byte[] packet, final PacketType type)
    {
        final ByteBuf buffer = Unpooled.wrappedBuffer(packet);
        buffer.writerIndex(0);
        PacketHeader.write(buffer, type, 0);
    }

    /** The next datagram of that type, or null after the receive timeout; other types are skipped. */
    private static byte[] receive(final DatagramSocket socket, final PacketType type) throws Exception
    {
        final byte[] bytes = new byte[MAX_DATAGRAM];
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECEIVE_TIMEOUT_MS);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final DatagramPacket packet = new DatagramPacket(bytes, bytes.length);
            try
            {
                socket.receive(packet);
            }
            catch (final SocketTimeoutException ex)
            {
                return null;
            }
            if (packet.getLength() > PacketHeader.TYPE_OFFSET &&
                (bytes[PacketHeader.TYPE_OFFSET] & 0xFF) == type.code())
            {
                return Arrays.copyOf(bytes, packet.getLength());
            }
        }
        return null;
    }

    /** The data of the first whole frame of a DATA body, or null when it has none (an ack-only body). */
    private static byte[] firstMessage(final byte[] body)
    {
        final ByteBuf buffer = Unpooled.wrappedBuffer(body);
        final BodyDecoder decoder = new BodyDecoder();
        assertEquals(BodyDecoder.OK, decoder.wrap(buffer, 0, body.length, 4, 256));
        if (!decoder.nextFrame())
        {
            return null;
        }
        final byte[] data = new byte[decoder.dataLength()];
        buffer.getBytes(decoder.dataOffset(), data);
        return data;
    }

    private static byte[] open(final PacketProtector receiver, final byte[] sealed)
    {
        final ByteBuf buffer = Unpooled.wrappedBuffer(sealed.clone());
        assertEquals(ProtectResult.OK, receiver.open(buffer));
        buffer.skipBytes(ProtectedPacketDescriptor.PAYLOAD_OFFSET);
        final byte[] plaintext = new byte[buffer.readableBytes()];
        buffer.readBytes(plaintext);
        return plaintext;
    }

    private static long littleEndianU32(final byte[] bytes, final int offset)
    {
        return (bytes[offset] & 0xFFL) | (bytes[offset + 1] & 0xFFL) << 8 | (bytes[offset + 2] & 0xFFL) << 16 |
            (bytes[offset + 3] & 0xFFL) << 24;
    }

    private String stdout()
    {
        return captured.toString(StandardCharsets.UTF_8);
    }

    private String stderr()
    {
        return capturedErr.toString(StandardCharsets.UTF_8);
    }
}
