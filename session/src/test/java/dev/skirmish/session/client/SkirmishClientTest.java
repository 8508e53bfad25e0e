package dev.skirmish.session.client;

import dev.skirmish.core.wire.HeaderCheck;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.DenyReason;
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
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.skirmish.session.client.ClientFixtures.CapturingSender;
import static dev.skirmish.session.client.ClientFixtures.MAX;
import static dev.skirmish.session.client.ClientFixtures.NOW_MS;
import static dev.skirmish.session.client.ClientFixtures.RecordingListener;
import static dev.skirmish.session.client.ClientFixtures.TIMEOUT_SECONDS;
import static dev.skirmish.session.client.ClientFixtures.bytes;
import static dev.skirmish.session.client.ClientFixtures.cookie;
import static dev.skirmish.session.client.ClientFixtures.isZero;
import static dev.skirmish.session.client.ClientFixtures.payload;
import static dev.skirmish.session.client.ClientFixtures.serverPart;
import static dev.skirmish.session.client.ClientFixtures.type;
import static dev.skirmish.session.handshake.HandshakeDescriptor.CHALLENGE_RESPONSE_LENGTH;
import static dev.skirmish.session.handshake.HandshakeDescriptor.CONNECT_REQUEST_LENGTH;
import static dev.skirmish.session.handshake.HandshakeDescriptor.REQUEST_TOKEN_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.RESPONSE_COOKIE_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.RESPONSE_TOKEN_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_PART_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Drives one client by hand, the test playing the server: handshake, protection, timers, disconnects. Time is
 * passed in; nothing sleeps.
 */
class SkirmishClientTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long T0 = 7_000 * MS;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    private static final long RESEND_NS = 100 * MS;
    private static final int SESSION_ID = 42;
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 40000);

    private final ConnectToken token = ClientFixtures.token(SERVER);
    private final byte[] tag = ClientFixtures.tag(token);
    private final CapturingSender sender = new CapturingSender();
    private final RecordingListener listener = new RecordingListener();
    private final List<ByteBuf> buffers = new ArrayList<>();
    private final PacketProtector serverSealer =
        PacketProtector.forSending(AeadSuite.DEFAULT, token.serverToClientKey(), MAX);
    private final PacketProtector serverOpener =
        PacketProtector.forReceiving(AeadSuite.DEFAULT, token.clientToServerKey(), MAX, new ReplayWindow());
    private SkirmishClient client = new SkirmishClient(new ClientConfig(), listener, sender);

    @AfterEach
    void releaseBuffers()
    {
        client.close();
        sender.discardAll();
        for (final ByteBuf buffer : buffers)
        {
            if (buffer.refCnt() > 0)
            {
                buffer.release();
            }
        }
        sender.assertAllReleased();
    }

    @Test
    void shouldSendConnectRequestOf1200BytesWithServerPartAndZeroPadding()
    {
        client.connect(token, T0, NOW_MS);

        assertEquals(SessionState.CONNECTING, client.state());
        final ByteBuf request = sender.take();
        try
        {
            assertEquals(CONNECT_REQUEST_LENGTH, request.readableBytes());
            assertEquals(HeaderCheck.VALID, HeaderCheck.validate(request, MAX));
            assertEquals(PacketType.CONNECT_REQUEST, type(request));
            assertEquals(0, PacketHeader.sessionId(request));
            assertEquals(8, REQUEST_TOKEN_OFFSET);
            assertEquals(1060, SERVER_PART_LENGTH);
            assertArrayEquals(serverPart(token), bytes(request, REQUEST_TOKEN_OFFSET, SERVER_PART_LENGTH));
            final int padding = REQUEST_TOKEN_OFFSET + SERVER_PART_LENGTH;
            assertTrue(isZero(request, padding, CONNECT_REQUEST_LENGTH - padding));
        }
        finally
        {
            request.release();
        }
        assertNull(sender.poll());
        assertEquals(1, client.packetsSent());
    }

    @Test
    void shouldResendConnectRequestEveryResendIntervalAndNotBefore()
    {
        client.connect(token, T0, NOW_MS);
        sender.take().release();

        assertEquals(0, client.doWork(T0 + RESEND_NS - 1, NOW_MS));
        assertNull(sender.poll());
        assertEquals(1, client.doWork(T0 + RESEND_NS, NOW_MS));
        assertRequest(PacketType.CONNECT_REQUEST);
        assertEquals(0, client.doWork(T0 + 2 * RESEND_NS - 1, NOW_MS));
        assertNull(sender.poll());
        assertEquals(1, client.doWork(T0 + 2 * RESEND_NS, NOW_MS));
        assertRequest(PacketType.CONNECT_REQUEST);
    }

    @Test
    void shouldAnswerChallengeWithResponseEchoingCookieAndToken()
    {
        client.connect(token, T0, NOW_MS);
        sender.take().release();

        final byte[] cookie = cookie(0x70);
        client.onDatagram(challenge(tag, cookie), T0 + 10 * MS);

        assertTrue(client.isChallenged());
        assertResponse(cookie);
        assertNull(sender.poll());

        assertEquals(0, client.doWork(T0 + 10 * MS + RESEND_NS - 1, NOW_MS));
        assertEquals(1, client.doWork(T0 + 10 * MS + RESEND_NS, NOW_MS));
        assertResponse(cookie);
        assertEquals(0, client.droppedPackets());
    }

    @Test
    void shouldIgnoreChallengeWithAnotherTokensTag()
    {
        client.connect(token, T0, NOW_MS);
        sender.take().release();

        final byte[] wrongTag = tag.clone();
        wrongTag[15] ^= 1;
        client.onDatagram(challenge(wrongTag, cookie(0x70)), T0 + 10 * MS);

        assertFalse(client.isChallenged());
        assertNull(sender.poll());
        assertEquals(1, client.wrongTagPackets());
        assertEquals(1, client.droppedPackets());
        client.doWork(T0 + RESEND_NS, NOW_MS);
        assertRequest(PacketType.CONNECT_REQUEST);
    }

    @Test
    void shouldDropChallengeOfWrongLengthOrWithSessionId()
    {
        client.connect(token, T0, NOW_MS);
        sender.take().release();

        final ByteBuf longer = challenge(tag, cookie(0x70));
        longer.writeByte(0);
        client.onDatagram(longer, T0 + MS);
        final ByteBuf withSessionId = challenge(tag, cookie(0x70));
        withSessionId.setIntLE(PacketHeader.SESSION_ID_OFFSET, 9);
        client.onDatagram(withSessionId, T0 + MS);

        assertFalse(client.isChallenged());
        assertEquals(2, client.malformedPackets());
        assertNull(sender.poll());
    }

    @Test
    void shouldResendChallengeResponseWithLatestCookie()
    {
        client.connect(token, T0, NOW_MS);
        sender.take().release();
        final byte[] first = cookie(0x10);
        final byte[] second = cookie(0x50);

        client.onDatagram(challenge(tag, first), T0 + MS);
        assertResponse(first);
        client.onDatagram(challenge(tag, second), T0 + 2 * MS);
        assertNull(sender.poll(), "a newer challenge waits for the next resend");

        client.doWork(T0 + MS + RESEND_NS, NOW_MS);
        assertResponse(second);
    }

    @Test
    void shouldConnectOnFirstAuthenticKeepaliveAndCarryItsSessionIdFromThen()
    {
        challenged();

        client.onDatagram(serverPacket(PacketType.KEEPALIVE, SESSION_ID, new byte[0]), T0 + 20 * MS);

        assertEquals(SessionState.CONNECTED, client.state());
        assertEquals(SESSION_ID, client.sessionId());
        assertEquals(T0 + 20 * MS, client.connectedAtNs());
        assertEquals(1, listener.connected);
        assertEquals(DisconnectReason.NONE, client.disconnectReason());

        final ByteBuf confirmation = sender.take();
        try
        {
            assertEquals(PacketType.KEEPALIVE, type(confirmation));
            assertEquals(SESSION_ID, PacketHeader.sessionId(confirmation));
            assertEquals(ProtectResult.OK, serverOpener.open(confirmation));
            assertEquals(ProtectedPacketDescriptor.PAYLOAD_OFFSET, confirmation.readableBytes());
        }
        finally
        {
            confirmation.release();
        }
    }

    @Test
    void shouldConnectOnFirstAuthenticDataAndDeliverItAfterConnected()
    {
        challenged();
        final byte[] payload = "first".getBytes(StandardCharsets.US_ASCII);

        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, payload), T0 + 20 * MS);

        assertEquals(SessionState.CONNECTED, client.state());
        assertEquals(List.of("connected", "payload"), listener.events);
        assertArrayEquals(payload, listener.payloads.get(0));
    }

    @Test
    void shouldNotTakeProtectedPacketsBeforeTheChallenge()
    {
        client.connect(token, T0, NOW_MS);
        sender.take().release();

        client.onDatagram(serverPacket(PacketType.KEEPALIVE, SESSION_ID, new byte[0]), T0 + MS);

        assertEquals(SessionState.CONNECTING, client.state());
        assertEquals(1, client.unexpectedPackets());
        assertNull(sender.poll());
    }

    @Test
    void shouldNotConnectOnKeepaliveSealedWithAnotherKey()
    {
        challenged();
        final PacketProtector forger =
            PacketProtector.forSending(AeadSuite.DEFAULT, token.clientToServerKey(), MAX);

        client.onDatagram(sealed(forger, PacketType.KEEPALIVE, SESSION_ID, new byte[0]), T0 + MS);

        assertEquals(SessionState.CONNECTING, client.state());
        assertEquals(1, client.authFailures());
        assertEquals(0, client.packetsReceived());
    }

    @Test
    void shouldRoundTripDataBothWays()
    {
        connected();
        final byte[] up = "hello server".getBytes(StandardCharsets.US_ASCII);

        assertTrue(client.send(up, 0, up.length));
        assertArrayEquals(up, openFromClient(PacketType.DATA));

        final ByteBuf heap = track(Unpooled.wrappedBuffer(new byte[]{9, 1, 2, 3, 9}));
        assertTrue(client.send(heap, 1, 3));
        assertArrayEquals(new byte[]{1, 2, 3}, openFromClient(PacketType.DATA));
        assertEquals(0, heap.readerIndex());

        final byte[] down = "hello client".getBytes(StandardCharsets.US_ASCII);
        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, down), T0 + 30 * MS);
        assertEquals(1, listener.payloads.size());
        assertArrayEquals(down, listener.payloads.get(0));
        assertEquals(1, client.payloadsReceived());
    }

    @Test
    void shouldSendFromAgronaBuffersOnAndOffHeap()
    {
        assumeTrue(agronaBuffersUsable(),
            "Agrona 2 buffers need --add-exports java.base/jdk.internal.misc=ALL-UNNAMED, which the build does not set");
        connected();

        final UnsafeBuffer onHeap = new UnsafeBuffer(new byte[]{3, 4, 5, 6, 7}, 1, 4);
        assertTrue(client.send(onHeap, 1, 2));
        assertArrayEquals(new byte[]{5, 6}, openFromClient(PacketType.DATA));

        final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
        offHeap.putLong(8, 0x0102030405060708L);
        assertTrue(client.send(offHeap, 8, 8));
        final byte[] expected = new byte[8];
        offHeap.getBytes(8, expected);
        assertArrayEquals(expected, openFromClient(PacketType.DATA));
    }

    @Test
    void shouldSendLargestPayloadAndRejectLengthsOutOfRange()
    {
        connected();
        final byte[] largest = new byte[MAX - ProtectedPacketDescriptor.MIN_LENGTH];
        largest[largest.length - 1] = 7;

        assertTrue(client.send(largest, 0, largest.length));
        final ByteBuf packet = sender.take();
        assertEquals(MAX, packet.readableBytes());
        packet.release();

        assertThrows(IllegalArgumentException.class, () -> client.send(new byte[0], 0, 0));
        assertThrows(IllegalArgumentException.class, () -> client.send(new byte[MAX], 0, largest.length + 1));
        assertThrows(IndexOutOfBoundsException.class, () -> client.send(new byte[4], 2, 4));
    }

    @Test
    void shouldReturnFalseFromSendWhenNotConnected()
    {
        final byte[] payload = {1};
        assertFalse(client.send(payload, 0, 1));

        client.connect(token, T0, NOW_MS);
        sender.take().release();
        assertFalse(client.send(payload, 0, 1));
        assertNull(sender.poll());
    }

    @Test
    void shouldDropReplayedServerPacket()
    {
        connected();
        final ByteBuf packet = serverPacket(PacketType.DATA, SESSION_ID, new byte[]{1, 2, 3});
        final ByteBuf replay = track(packet.copy());

        client.onDatagram(packet, T0 + 30 * MS);
        client.onDatagram(replay, T0 + 31 * MS);

        assertEquals(1, listener.payloads.size());
        assertEquals(1, client.replays());
        assertEquals(1, client.droppedPackets());
        assertEquals(SessionState.CONNECTED, client.state());
    }

    @Test
    void shouldCountCorruptedPacketAsAuthFailureWithoutChangingState()
    {
        connected();
        final long lastReceiveNs = client.lastReceiveNs();
        final ByteBuf packet = serverPacket(PacketType.DATA, SESSION_ID, new byte[]{1, 2, 3});
        final ByteBuf genuine = track(packet.copy());
        final int index = ProtectedPacketDescriptor.PAYLOAD_OFFSET + 1;
        packet.setByte(index, packet.getByte(index) ^ 0x01);

        client.onDatagram(packet, T0 + 40 * MS);

        assertEquals(1, client.authFailures());
        assertEquals(0, listener.payloads.size());
        assertEquals(lastReceiveNs, client.lastReceiveNs());
        assertEquals(SessionState.CONNECTED, client.state());

        client.onDatagram(genuine, T0 + 41 * MS);
        assertEquals(1, listener.payloads.size(), "the genuine packet with that sequence number still opens");
    }

    @Test
    void shouldCloseAfterMoreThanMaxAuthFailuresAndTellTheServer()
    {
        client = new SkirmishClient(new ClientConfig().maxAuthFailures(2), listener, sender);
        connected();

        for (int i = 0; i < 3; i++)
        {
            assertEquals(SessionState.CONNECTED, client.state());
            final ByteBuf packet = serverPacket(PacketType.KEEPALIVE, SESSION_ID, new byte[0]);
            packet.setByte(packet.writerIndex() - 1, packet.getByte(packet.writerIndex() - 1) ^ 0x80);
            client.onDatagram(packet, T0 + 40 * MS);
        }

        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.AUTH_FAILURES, client.disconnectReason());
        assertEquals(List.of(DisconnectReason.AUTH_FAILURES), listener.reasons);
        assertDisconnects(10, DisconnectReason.AUTH_FAILURES);
    }

    @Test
    void shouldDropProtectedPacketOfAnotherSession()
    {
        connected();

        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID + 1, new byte[]{1}), T0 + 30 * MS);
        client.onDatagram(serverPacket(PacketType.DATA, 0, new byte[]{1}), T0 + 30 * MS);

        assertEquals(2, client.wrongSessionPackets());
        assertEquals(0, client.authFailures());
        assertEquals(0, listener.payloads.size());
    }

    @Test
    void shouldDropEmptyDataAndKeepaliveWithPayloadAsProtocolErrors()
    {
        connected();

        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, new byte[0]), T0 + 30 * MS);
        client.onDatagram(serverPacket(PacketType.KEEPALIVE, SESSION_ID, new byte[]{1}), T0 + 30 * MS);

        assertEquals(2, client.protocolErrors());
        assertEquals(0, listener.payloads.size());
        assertEquals(SessionState.CONNECTED, client.state());
    }

    @Test
    void shouldAnswerPathChallengeWithTheSameEightBytes()
    {
        connected();
        final byte[] challenge = {(byte)0x90, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, (byte)0xF7};

        client.onDatagram(serverPacket(PacketType.PATH_CHALLENGE, SESSION_ID, challenge), T0 + 30 * MS);

        assertArrayEquals(challenge, openFromClient(PacketType.PATH_RESPONSE));
        assertNull(sender.poll());

        client.onDatagram(serverPacket(PacketType.PATH_CHALLENGE, SESSION_ID, new byte[7]), T0 + 31 * MS);
        assertNull(sender.poll());
        assertEquals(1, client.protocolErrors());
    }

    @Test
    void shouldCloseWithTheReasonOfAServerDisconnect()
    {
        connected();

        client.onDatagram(
            serverPacket(PacketType.DISCONNECT, SESSION_ID, new byte[]{(byte)DisconnectReason.KICKED.code()}),
            T0 + 30 * MS);

        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.KICKED, client.disconnectReason());
        assertEquals(List.of(DisconnectReason.KICKED), listener.reasons);
        assertNull(sender.poll());
        assertEquals(0, client.doWork(T0 + TIMEOUT_NS * 2, NOW_MS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00", "63", "0101"})
    void shouldCloseWithProtocolErrorOnMalformedDisconnect(final String payloadHex)
    {
        connected();

        client.onDatagram(serverPacket(PacketType.DISCONNECT, SESSION_ID, hex(payloadHex)), T0 + 30 * MS);

        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.PROTOCOL_ERROR, client.disconnectReason());
    }

    @Test
    void shouldTimeOutExactlyAtTheTokenTimeoutAfterTheLastAuthenticPacket()
    {
        final long connectedNs = connected();

        for (long nowNs = connectedNs; nowNs < connectedNs + TIMEOUT_NS; nowNs += 50 * MS)
        {
            client.doWork(nowNs, NOW_MS);
        }
        client.doWork(connectedNs + TIMEOUT_NS - 1, NOW_MS);
        assertEquals(SessionState.CONNECTED, client.state());

        final long lastPacketNs = connectedNs + TIMEOUT_NS - 1;
        client.onDatagram(serverPacket(PacketType.KEEPALIVE, SESSION_ID, new byte[0]), lastPacketNs);
        client.doWork(connectedNs + TIMEOUT_NS, NOW_MS);
        client.doWork(lastPacketNs + TIMEOUT_NS - 1, NOW_MS);
        assertEquals(SessionState.CONNECTED, client.state());
        assertEquals(List.of(), listener.reasons);

        assertEquals(1, client.doWork(lastPacketNs + TIMEOUT_NS, NOW_MS));
        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.TIMEOUT, client.disconnectReason());
        assertEquals(List.of(DisconnectReason.TIMEOUT), listener.reasons);
    }

    @Test
    void shouldSendKeepaliveWhenNothingWasSentForTheKeepaliveInterval()
    {
        final long connectedNs = connected();

        assertEquals(0, client.doWork(connectedNs + 100 * MS - 1, NOW_MS));
        assertNull(sender.poll());
        assertEquals(1, client.doWork(connectedNs + 100 * MS, NOW_MS));
        assertArrayEquals(new byte[0], openFromClient(PacketType.KEEPALIVE));

        assertEquals(0, client.doWork(connectedNs + 150 * MS, NOW_MS));
        assertTrue(client.send(new byte[]{1}, 0, 1));
        sender.take().release();
        assertEquals(0, client.doWork(connectedNs + 250 * MS - 1, NOW_MS), "a DATA counts as sending");
        assertEquals(1, client.doWork(connectedNs + 250 * MS, NOW_MS));
        assertArrayEquals(new byte[0], openFromClient(PacketType.KEEPALIVE));
    }

    @Test
    void shouldFailWithConnectTimeoutAtTheTokenTimeout()
    {
        client.connect(token, T0, NOW_MS);
        client.onDatagram(challenge(tag, cookie(1)), T0 + MS);

        for (long nowNs = T0; nowNs < T0 + TIMEOUT_NS; nowNs += 50 * MS)
        {
            client.doWork(nowNs, NOW_MS);
        }
        client.doWork(T0 + TIMEOUT_NS - 1, NOW_MS);
        assertEquals(SessionState.CONNECTING, client.state());
        sender.discardAll();

        assertEquals(1, client.doWork(T0 + TIMEOUT_NS, NOW_MS));
        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.CONNECT_TIMEOUT, client.disconnectReason());
        assertEquals(List.of(DisconnectReason.CONNECT_TIMEOUT), listener.reasons);
        assertNull(sender.poll());
    }

    @Test
    void shouldFailWithConfiguredConnectTimeout()
    {
        client = new SkirmishClient(new ClientConfig().connectTimeoutNs(250 * MS), listener, sender);
        client.connect(token, T0, NOW_MS);

        client.doWork(T0 + 250 * MS - 1, NOW_MS);
        assertEquals(SessionState.CONNECTING, client.state());
        client.doWork(T0 + 250 * MS, NOW_MS);
        assertEquals(DisconnectReason.CONNECT_TIMEOUT, client.disconnectReason());
    }

    @Test
    void shouldFailWithTokenExpiredWhenTheExpireTimePassesFirst()
    {
        client.connect(token, T0, NOW_MS);

        client.doWork(T0 + MS, token.expireTimeMs());
        assertEquals(SessionState.CONNECTING, client.state());
        client.doWork(T0 + 2 * MS, token.expireTimeMs() + 1);
        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.TOKEN_EXPIRED, client.disconnectReason());
        assertEquals(List.of(DisconnectReason.TOKEN_EXPIRED), listener.reasons);
    }

    @Test
    void shouldCloseAtOnceOnConnectWithAnExpiredToken()
    {
        client.connect(token, T0, token.expireTimeMs() + 1);

        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.TOKEN_EXPIRED, client.disconnectReason());
        assertNull(sender.poll());
    }

    @Test
    void shouldCloseWhenDeniedWithOurTag()
    {
        client.connect(token, T0, NOW_MS);
        sender.take().release();

        client.onDatagram(denied(tag, DenyReason.SERVER_FULL.code()), T0 + MS);

        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.DENIED, client.disconnectReason());
        assertEquals(DenyReason.SERVER_FULL, client.denyReason());
        assertEquals(List.of(DisconnectReason.DENIED), listener.reasons);
        assertEquals(0, client.doWork(T0 + RESEND_NS, NOW_MS));
        assertNull(sender.poll());
    }

    @Test
    void shouldCloseWhenDeniedInTheResponsePhase()
    {
        challenged();

        client.onDatagram(denied(tag, DenyReason.CLIENT_ALREADY_CONNECTED.code()), T0 + 20 * MS);

        assertEquals(DisconnectReason.DENIED, client.disconnectReason());
        assertEquals(DenyReason.CLIENT_ALREADY_CONNECTED, client.denyReason());
    }

    @Test
    void shouldIgnoreDeniedWithAnotherTokensTag()
    {
        client.connect(token, T0, NOW_MS);
        sender.take().release();
        final byte[] wrongTag = tag.clone();
        wrongTag[0] ^= 0x40;

        client.onDatagram(denied(wrongTag, DenyReason.SERVER_FULL.code()), T0 + MS);

        assertEquals(SessionState.CONNECTING, client.state());
        assertNull(client.denyReason());
        assertEquals(1, client.wrongTagPackets());
        assertEquals(List.of(), listener.reasons);
    }

    @Test
    void shouldIgnoreHandshakePacketsOnceConnected()
    {
        connected();

        client.onDatagram(challenge(tag, cookie(3)), T0 + 30 * MS);
        client.onDatagram(denied(tag, DenyReason.SERVER_FULL.code()), T0 + 30 * MS);

        assertEquals(SessionState.CONNECTED, client.state());
        assertEquals(2, client.unexpectedPackets());
        assertNull(sender.poll());
    }

    @Test
    void shouldSendRedundantDisconnectsAndClose()
    {
        final long connectedNs = connected();

        client.disconnect(connectedNs + MS);

        assertDisconnects(10, DisconnectReason.CLIENT_REQUEST);
        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.CLIENT_REQUEST, client.disconnectReason());
        assertEquals(List.of(DisconnectReason.CLIENT_REQUEST), listener.reasons);

        assertFalse(client.send(new byte[]{1}, 0, 1));
        assertEquals(0, client.doWork(connectedNs + TIMEOUT_NS, NOW_MS));
        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, new byte[]{1}), connectedNs + 2 * MS);
        assertEquals(0, listener.payloads.size());
        client.disconnect(connectedNs + 3 * MS);
        assertEquals(1, listener.reasons.size());
        assertNull(sender.poll());
    }

    @Test
    void shouldCloseWithoutSendingWhenDisconnectingWhileConnecting()
    {
        challenged();

        client.disconnect(T0 + 20 * MS);

        assertEquals(DisconnectReason.CLIENT_REQUEST, client.disconnectReason());
        assertNull(sender.poll());
    }

    @Test
    void shouldConnectAgainAfterClosedAndRefuseOnceClosedForGood()
    {
        assertThrows(NullPointerException.class, () -> client.connect(null, T0, NOW_MS));
        client.connect(token, T0, NOW_MS);
        assertThrows(IllegalStateException.class, () -> client.connect(token, T0, NOW_MS));
        client.disconnect(T0 + MS);
        sender.discardAll();

        client.connect(token, T0 + 2 * MS, NOW_MS);
        assertEquals(SessionState.CONNECTING, client.state());
        assertEquals(DisconnectReason.NONE, client.disconnectReason());
        assertEquals(1, client.packetsSent());
        assertRequest(PacketType.CONNECT_REQUEST);

        client.close();
        assertEquals(DisconnectReason.CLOSED_LOCALLY, client.disconnectReason());
        assertThrows(IllegalStateException.class, () -> client.connect(token, T0, NOW_MS));
    }

    @Test
    void shouldCountSendFailuresAndRetryAtTheNextResend()
    {
        sender.exhausted = true;
        client.connect(token, T0, NOW_MS);
        assertEquals(1, client.sendFailures());
        assertEquals(0, client.packetsSent());

        sender.exhausted = false;
        sender.refuse = true;
        client.doWork(T0 + RESEND_NS, NOW_MS);
        assertEquals(2, client.sendFailures());

        sender.refuse = false;
        client.doWork(T0 + RESEND_NS + 1, NOW_MS);
        assertRequest(PacketType.CONNECT_REQUEST);
        assertEquals(1, client.packetsSent());
    }

    @Test
    void shouldDropWhatTheServerNeverSends()
    {
        connected();

        for (final PacketType type : new PacketType[]{
            PacketType.ECHO, PacketType.CONNECT_REQUEST, PacketType.CHALLENGE_RESPONSE, PacketType.PATH_RESPONSE})
        {
            final ByteBuf packet = track(PooledByteBufAllocator.DEFAULT.directBuffer(64));
            PacketHeader.write(packet, type, SESSION_ID);
            packet.writeZero(40);
            client.onDatagram(packet, T0 + 30 * MS);
        }
        final ByteBuf badVersion = serverPacket(PacketType.DATA, SESSION_ID, new byte[]{1});
        badVersion.setByte(PacketHeader.VERSION_OFFSET, 2);
        client.onDatagram(badVersion, T0 + 30 * MS);

        assertEquals(4, client.unexpectedPackets());
        assertEquals(1, client.malformedPackets());
        assertEquals(5, client.droppedPackets());
        assertEquals(0, listener.payloads.size());
    }

    @Test
    void shouldNotDeliverAfterTheListenerDisconnectsOnConnected()
    {
        final RecordingListener disconnecting = new RecordingListener()
        {
            @Override
            public void onConnected(final SkirmishClient c)
            {
                super.onConnected(c);
                c.disconnect(T0 + 20 * MS);
            }
        };
        client = new SkirmishClient(new ClientConfig(), disconnecting, sender);
        client.connect(token, T0, NOW_MS);
        client.onDatagram(challenge(tag, cookie(1)), T0 + MS);
        sender.discardAll();

        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, new byte[]{5}), T0 + 20 * MS);

        assertEquals(List.of("connected", "disconnected CLIENT_REQUEST"), disconnecting.events);
        assertEquals(SessionState.CLOSED, client.state());
        assertArrayEquals(new byte[0], openFromClient(PacketType.KEEPALIVE), "the confirming keepalive goes first");
        assertDisconnects(10, DisconnectReason.CLIENT_REQUEST);
    }

    private long connected()
    {
        challenged();
        final long nowNs = T0 + 20 * MS;
        client.onDatagram(serverPacket(PacketType.KEEPALIVE, SESSION_ID, new byte[0]), nowNs);
        assertEquals(SessionState.CONNECTED, client.state());
        assertArrayEquals(new byte[0], openFromClient(PacketType.KEEPALIVE));
        assertNull(sender.poll());
        return nowNs;
    }

    private void challenged()
    {
        client.connect(token, T0, NOW_MS);
        sender.take().release();
        client.onDatagram(challenge(tag, cookie(0x30)), T0 + 10 * MS);
        sender.take().release();
        assertTrue(client.isChallenged());
    }

    private void assertRequest(final PacketType type)
    {
        final ByteBuf request = sender.take();
        try
        {
            assertEquals(type, type(request));
            assertEquals(CONNECT_REQUEST_LENGTH, request.readableBytes());
        }
        finally
        {
            request.release();
        }
    }

    private void assertResponse(final byte[] cookie)
    {
        final ByteBuf response = sender.take();
        try
        {
            assertEquals(CHALLENGE_RESPONSE_LENGTH, response.readableBytes());
            assertEquals(HeaderCheck.VALID, HeaderCheck.validate(response, MAX));
            assertEquals(PacketType.CHALLENGE_RESPONSE, type(response));
            assertEquals(0, PacketHeader.sessionId(response));
            assertArrayEquals(cookie, bytes(response, RESPONSE_COOKIE_OFFSET, cookie.length));
            assertArrayEquals(serverPart(token), bytes(response, RESPONSE_TOKEN_OFFSET, SERVER_PART_LENGTH));
            final int padding = RESPONSE_TOKEN_OFFSET + SERVER_PART_LENGTH;
            assertTrue(isZero(response, padding, CHALLENGE_RESPONSE_LENGTH - padding));
        }
        finally
        {
            response.release();
        }
    }

    private void assertDisconnects(final int count, final DisconnectReason reason)
    {
        for (int i = 0; i < count; i++)
        {
            // opening each one also proves every DISCONNECT has its own sequence number (a repeat fails as REPLAY)
            assertArrayEquals(new byte[]{(byte)reason.code()}, openFromClient(PacketType.DISCONNECT));
        }
        assertNull(sender.poll());
    }

    private byte[] openFromClient(final PacketType expectedType)
    {
        final ByteBuf packet = sender.take();
        try
        {
            assertEquals(expectedType, type(packet));
            assertEquals(SESSION_ID, PacketHeader.sessionId(packet));
            final int result = serverOpener.open(packet);
            assertEquals(ProtectResult.OK, result, ProtectResult.name(result));
            return payload(packet);
        }
        finally
        {
            packet.release();
        }
    }

    private ByteBuf challenge(final byte[] tokenTag, final byte[] cookie)
    {
        final ByteBuf buffer = track(PooledByteBufAllocator.DEFAULT.directBuffer(64));
        ClientFixtures.writeChallenge(buffer, tokenTag, cookie);
        assertEquals(HandshakeDescriptor.CHALLENGE_LENGTH, buffer.readableBytes());
        return buffer;
    }

    private ByteBuf denied(final byte[] tokenTag, final int reasonCode)
    {
        final ByteBuf buffer = track(PooledByteBufAllocator.DEFAULT.directBuffer(64));
        ClientFixtures.writeDenied(buffer, tokenTag, reasonCode);
        assertEquals(HandshakeDescriptor.DENIED_LENGTH, buffer.readableBytes());
        return buffer;
    }

    private ByteBuf serverPacket(final PacketType type, final int sessionId, final byte[] payload)
    {
        return sealed(serverSealer, type, sessionId, payload);
    }

    private ByteBuf sealed(
        final PacketProtector sealer, final PacketType type, final int sessionId, final byte[] payload)
    {
        final ByteBuf buffer = track(PooledByteBufAllocator.DEFAULT.directBuffer(MAX));
        PacketHeader.write(buffer, type, sessionId);
        buffer.writeZero(ProtectedPacketDescriptor.SEQUENCE_LENGTH);
        buffer.writeBytes(payload);
        assertEquals(ProtectResult.OK, sealer.seal(buffer));
        return buffer;
    }

    private static boolean agronaBuffersUsable()
    {
        try
        {
            return 0 == new UnsafeBuffer(new byte[1]).getByte(0);
        }
        catch (final LinkageError ex)
        {
            return false;
        }
    }

    private ByteBuf track(final ByteBuf buffer)
    {
        buffers.add(buffer);
        return buffer;
    }

    private static byte[] hex(final String hex)
    {
        return java.util.HexFormat.of().parseHex(hex);
    }
}
