package dev.skirmish.session.client;

import dev.skirmish.core.wire.HeaderCheck;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.channel.Bodies;
import dev.skirmish.session.channel.BodyEncoder;
import dev.skirmish.session.channel.ChannelEndpointConfig;
import dev.skirmish.session.channel.recovery.RttEstimator;
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
 * Drives one client by hand, the test playing the server: handshake, protection, channel bodies (queue, flush,
 * aggregation, loss recovery, malformed bodies), timers, disconnects. Time is
 * passed in; nothing sleeps.
 */
class SkirmishClientTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long T0 = 7_000 * MS;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    private static final long RESEND_NS = 100 * MS;
    private static final int SESSION_ID = 42;
    private static final int UNRELIABLE = 0;
    private static final int UNRELIABLE_SEQUENCED = 1;
    private static final int RELIABLE_ORDERED = 2;
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

        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, Bodies.message(payload)), T0 + 20 * MS);

        assertEquals(SessionState.CONNECTED, client.state());
        assertEquals(List.of("connected", "payload"), listener.events);
        assertArrayEquals(payload, listener.payloads.get(0));
        assertEquals(1, client.messagesReceived());
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

        assertTrue(client.send(UNRELIABLE, up, 0, up.length));
        assertNull(sender.poll(), "send queues; flush sends");
        assertEquals(1, client.flush(T0 + 21 * MS));
        assertArrayEquals(up, Bodies.single(openFromClient(PacketType.DATA)));

        final ByteBuf heap = track(Unpooled.wrappedBuffer(new byte[]{9, 1, 2, 3, 9}));
        assertTrue(client.send(UNRELIABLE, heap, 1, 3));
        assertEquals(1, client.flush(T0 + 22 * MS));
        assertArrayEquals(new byte[]{1, 2, 3}, Bodies.single(openFromClient(PacketType.DATA)));
        assertEquals(0, heap.readerIndex());

        final byte[] down = "hello client".getBytes(StandardCharsets.US_ASCII);
        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, Bodies.message(down)), T0 + 30 * MS);
        assertEquals(1, listener.payloads.size());
        assertArrayEquals(down, listener.payloads.get(0));
        assertEquals(1, client.payloadsReceived());
        assertEquals(1, client.messagesReceived());
        assertEquals(2, client.stats().packetsOut());
        assertEquals(1, client.stats().packetsIn());
    }

    @Test
    void shouldSendFromAgronaBuffersOnAndOffHeap()
    {
        assumeTrue(agronaBuffersUsable(),
            "Agrona 2 buffers need --add-exports java.base/jdk.internal.misc=ALL-UNNAMED, which the build does not set");
        connected();

        final UnsafeBuffer onHeap = new UnsafeBuffer(new byte[]{3, 4, 5, 6, 7}, 1, 4);
        assertTrue(client.send(UNRELIABLE, onHeap, 1, 2));
        assertEquals(1, client.flush(T0 + 21 * MS));
        assertArrayEquals(new byte[]{5, 6}, Bodies.single(openFromClient(PacketType.DATA)));

        final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
        offHeap.putLong(8, 0x0102030405060708L);
        assertTrue(client.send(UNRELIABLE, offHeap, 8, 8));
        assertEquals(1, client.flush(T0 + 22 * MS));
        final byte[] expected = new byte[8];
        offHeap.getBytes(8, expected);
        assertArrayEquals(expected, Bodies.single(openFromClient(PacketType.DATA)));
    }

    @Test
    void shouldSendLargestWholeMessageBesideAnAckAndRejectLengthsOutOfRange()
    {
        connected();
        final ChannelEndpointConfig channels = new ClientConfig().channels();
        // a message from the server makes the next packet carry an ack: the largest whole message fits beside it
        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, Bodies.message(new byte[]{1})), T0 + 21 * MS);
        final byte[] largest = new byte[client.maxWholeMessageBytes()];
        largest[largest.length - 1] = 7;

        assertTrue(client.send(UNRELIABLE, largest, 0, largest.length));
        assertEquals(1, client.flush(T0 + 22 * MS));
        final byte[] body = openFromClient(PacketType.DATA);
        assertNull(sender.poll());
        assertEquals(channels.pathPayloadBytes(), body.length, "ack and largest message fill the path payload");
        assertTrue(body.length <= client.maxPayloadLength());
        assertArrayEquals(largest, Bodies.single(body));

        final int maxMessage = channels.maxMessageBytes();
        assertTrue(client.send(RELIABLE_ORDERED, new byte[maxMessage], 0, maxMessage));
        assertThrows(IllegalArgumentException.class, () -> client.send(UNRELIABLE, new byte[0], 0, 0));
        assertThrows(IllegalArgumentException.class,
            () -> client.send(RELIABLE_ORDERED, new byte[maxMessage + 1], 0, maxMessage + 1));
        assertThrows(IllegalArgumentException.class, () -> client.send(-1, new byte[1], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> client.send(client.channelCount(), new byte[1], 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> client.send(UNRELIABLE, new byte[4], 2, 4));
        assertThrows(IndexOutOfBoundsException.class,
            () -> client.send(UNRELIABLE, track(Unpooled.buffer(4)), 2, 4));
        assertEquals(2, client.stats().messagesQueued());
    }

    @Test
    void shouldRefuseAnUnreliableMessageLargerThanOnePacketAtSendTime()
    {
        connected();
        final int tooLarge = client.maxWholeMessageBytes() + 1;
        final byte[] message = new byte[tooLarge];
        final ByteBuf buffer = track(Unpooled.wrappedBuffer(message));

        for (final int channel : new int[]{UNRELIABLE, UNRELIABLE_SEQUENCED})
        {
            assertThrows(IllegalArgumentException.class, () -> client.send(channel, message, 0, tooLarge));
            assertThrows(IllegalArgumentException.class, () -> client.send(channel, buffer, 0, tooLarge));
            assertThrows(IllegalArgumentException.class, () -> client.claim(channel, tooLarge));
        }
        assertEquals(0, client.stats().messagesQueued());
        assertEquals(0, client.stats().sendQueueFull());
        assertEquals(0, client.flush(T0 + 21 * MS));
        assertNull(sender.poll());

        assertTrue(client.send(RELIABLE_ORDERED, message, 0, tooLarge), "a reliable channel fragments it instead");
        assertEquals(1, client.stats().messagesQueued());
    }

    @Test
    void shouldAggregateMessagesQueuedBeforeOneFlushIntoOnePacket()
    {
        final long connectedNs = connected();
        final byte[][] messages = {{1}, {2, 2}, {3, 3, 3}, {4, 4, 4, 4}, {5, 5, 5, 5, 5}};

        assertTrue(client.send(UNRELIABLE, messages[0], 0, messages[0].length));
        assertTrue(client.send(UNRELIABLE, messages[1], 0, messages[1].length));
        assertTrue(client.send(UNRELIABLE, track(Unpooled.wrappedBuffer(messages[2])), 0, messages[2].length));
        final int at = client.claim(UNRELIABLE, messages[3].length);
        assertTrue(at >= 0);
        client.claimBuffer().setBytes(at, messages[3]);
        assertTrue(client.send(RELIABLE_ORDERED, messages[4], 0, messages[4].length));
        assertNull(sender.poll(), "nothing leaves before the flush");

        assertEquals(1, client.flush(connectedNs + MS));

        final List<byte[]> sent = Bodies.messages(openFromClient(PacketType.DATA));
        assertNull(sender.poll(), "one packet");
        assertEquals(messages.length, sent.size());
        for (int i = 0; i < messages.length; i++)
        {
            assertArrayEquals(messages[i], sent.get(i), "message " + i + " (channels in priority order)");
        }
        assertEquals(1, client.stats().packetsOut());
        assertEquals(0, client.flush(connectedNs + 2 * MS));
    }

    @Test
    void shouldResendAReliableMessageAfterThePtoUntilAnAckForItArrives()
    {
        final long connectedNs = connected();
        final byte[] message = "must arrive".getBytes(StandardCharsets.US_ASCII);
        final long sentNs = connectedNs + MS;

        assertTrue(client.send(RELIABLE_ORDERED, message, 0, message.length));
        assertEquals(1, client.flush(sentNs));
        final List<SentData> first = sentData();
        assertEquals(1, first.size());
        assertArrayEquals(message, Bodies.single(first.get(0).body));

        final long ptoNs = ptoNs();
        client.doWork(sentNs + ptoNs - 1, NOW_MS);
        assertEquals(List.of(), sentData(), "no ack yet, but the PTO has not run out");
        client.doWork(sentNs + ptoNs, NOW_MS);
        final List<SentData> resent = sentData();
        assertEquals(1, resent.size(), "the packet is deemed lost: a probe carries the message again");
        assertArrayEquals(message, Bodies.single(resent.get(0).body));
        assertEquals(1, client.stats().resends());

        // the server acknowledges both packets that carried it
        final long largest = resent.get(0).sequence;
        final long ackNs = sentNs + ptoNs + 10 * MS;
        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID,
            ackBody(largest, 1L << (largest - 1 - first.get(0).sequence))), ackNs);

        assertEquals(0, client.protocolErrors());
        assertEquals(0, client.stats().bytesInFlight());
        for (long nowNs = ackNs; nowNs <= ackNs + 4 * ptoNs; nowNs += 10 * MS)
        {
            client.doWork(nowNs, NOW_MS);
            assertEquals(List.of(), sentData(), "acknowledged: never sent again");
        }
        assertEquals(1, client.stats().resends());
        assertEquals(SessionState.CONNECTED, client.state());
    }

    @Test
    void shouldNotResendAReliableMessageAckedBeforeThePto()
    {
        final long connectedNs = connected();
        final byte[] message = {7, 7, 7};
        final long sentNs = connectedNs + MS;
        assertTrue(client.send(RELIABLE_ORDERED, message, 0, message.length));
        assertEquals(1, client.flush(sentNs));
        final List<SentData> sent = sentData();
        assertEquals(1, sent.size());

        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, ackBody(sent.get(0).sequence, 0)),
            sentNs + 30 * MS);

        final long ptoNs = ptoNs();
        for (long nowNs = sentNs + 30 * MS; nowNs <= sentNs + 4 * ptoNs; nowNs += 10 * MS)
        {
            client.doWork(nowNs, NOW_MS);
            assertEquals(List.of(), sentData(), "acknowledged: never sent again");
        }
        assertEquals(0, client.stats().resends());
        assertEquals(0, client.stats().bytesInFlight());
    }

    @Test
    void shouldReturnFalseFromSendWhenNotConnected()
    {
        final byte[] payload = {1};
        assertFalse(client.send(UNRELIABLE, payload, 0, 1));
        assertEquals(-1, client.claim(UNRELIABLE, 1));
        assertEquals(0, client.flush(T0));

        client.connect(token, T0, NOW_MS);
        sender.take().release();
        assertFalse(client.send(UNRELIABLE, payload, 0, 1));
        assertFalse(client.send(RELIABLE_ORDERED, payload, 0, 1));
        assertEquals(0, client.flush(T0 + MS));
        assertNull(sender.poll());
        assertEquals(0, client.stats().messagesQueued());
    }

    @Test
    void shouldReturnFalseFromSendWhenTheSendQueueIsFull()
    {
        final int capacity = 16;
        client = new SkirmishClient(
            new ClientConfig().channels(new ChannelEndpointConfig().sendQueueMessages(capacity)), listener, sender);
        final long connectedNs = connected();
        final byte[] payload = {1};

        for (int i = 0; i < capacity; i++)
        {
            assertTrue(client.send(UNRELIABLE, payload, 0, 1), "message " + i);
        }
        assertFalse(client.send(UNRELIABLE, payload, 0, 1));
        assertEquals(-1, client.claim(UNRELIABLE, 1));
        assertEquals(2, client.stats().sendQueueFull());

        assertEquals(1, client.flush(connectedNs + MS));
        assertEquals(capacity, Bodies.messages(openFromClient(PacketType.DATA)).size());
        assertTrue(client.send(UNRELIABLE, payload, 0, 1), "sent unreliable messages leave the queue");
    }

    @Test
    void shouldDropReplayedServerPacket()
    {
        connected();
        final ByteBuf packet = serverPacket(PacketType.DATA, SESSION_ID, Bodies.message(new byte[]{1, 2, 3}));
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
        final ByteBuf packet = serverPacket(PacketType.DATA, SESSION_ID, Bodies.message(new byte[]{1, 2, 3}));
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

        final byte[] body = Bodies.message(new byte[]{1});
        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID + 1, body), T0 + 30 * MS);
        client.onDatagram(serverPacket(PacketType.DATA, 0, body), T0 + 30 * MS);

        assertEquals(2, client.wrongSessionPackets());
        assertEquals(0, client.authFailures());
        assertEquals(0, listener.payloads.size());
    }

    @Test
    void shouldDropEmptyOrMalformedDataAndKeepaliveWithPayloadAsProtocolErrors()
    {
        connected();
        final byte[][] malformed = {
            {},                              // empty
            {0x02},                          // unknown flag
            {0x01, 1, 2, 3},                 // ack cut short
            {0x00, 0x00, 0x00},              // frame header cut short
            {0x00, 0x07, 0, 0, 1, 0, 9},     // channel 7 of 4
            {0x00, 0x00, 0, 0, 0, 0},        // empty frame
            {0x00, 0x00, 0, 0, 5, 0, 9},     // frame longer than the body
            {0x00, 0x00, 0, 0, 1, 0, 9, 0},  // a good frame, then one cut short: rejected as a unit
        };

        for (final byte[] body : malformed)
        {
            client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, body), T0 + 30 * MS);
        }
        client.onDatagram(serverPacket(PacketType.KEEPALIVE, SESSION_ID, new byte[]{1}), T0 + 30 * MS);

        assertEquals(malformed.length + 1, client.protocolErrors());
        assertEquals(malformed.length + 1, client.droppedPackets());
        assertEquals(0, listener.payloads.size());
        assertEquals(0, client.messagesReceived());
        assertEquals(SessionState.CONNECTED, client.state());
        assertEquals(0, client.flush(T0 + 100 * MS), "a dropped body is not acknowledged");
        assertNull(sender.poll());

        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, Bodies.message(new byte[]{9})), T0 + 31 * MS);
        assertEquals(1, listener.payloads.size(), "the session goes on");
    }

    @Test
    void shouldCloseWithProtocolErrorWhenAFrameBreaksTheChannelContract()
    {
        connected();
        final int window = new ClientConfig().channels().receiveConfig().window();

        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID,
            Bodies.message(RELIABLE_ORDERED, window, new byte[]{1})), T0 + 30 * MS);

        assertEquals(SessionState.CLOSED, client.state());
        assertEquals(DisconnectReason.PROTOCOL_ERROR, client.disconnectReason());
        assertEquals(List.of(DisconnectReason.PROTOCOL_ERROR), listener.reasons);
        assertEquals(1, client.protocolErrors());
        assertEquals(0, listener.payloads.size());
        assertDisconnects(10, DisconnectReason.PROTOCOL_ERROR);
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
        assertTrue(client.send(UNRELIABLE, new byte[]{1}, 0, 1));
        assertEquals(1, client.flush(connectedNs + 150 * MS));
        assertArrayEquals(new byte[]{1}, Bodies.single(openFromClient(PacketType.DATA)));
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

        assertFalse(client.send(UNRELIABLE, new byte[]{1}, 0, 1));
        assertEquals(0, client.flush(connectedNs + 2 * MS));
        assertEquals(0, client.doWork(connectedNs + TIMEOUT_NS, NOW_MS));
        client.onDatagram(
            serverPacket(PacketType.DATA, SESSION_ID, Bodies.message(new byte[]{1})), connectedNs + 2 * MS);
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
        final ByteBuf badVersion = serverPacket(PacketType.DATA, SESSION_ID, Bodies.message(new byte[]{1}));
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

        client.onDatagram(serverPacket(PacketType.DATA, SESSION_ID, Bodies.message(new byte[]{5})), T0 + 20 * MS);

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

    /**
     * The DATA packets the client sent since the last call, opened (KEEPALIVEs are skipped).
     */
    private List<SentData> sentData()
    {
        final List<SentData> data = new ArrayList<>();
        ByteBuf packet;
        while (null != (packet = sender.poll()))
        {
            try
            {
                if (PacketType.DATA == type(packet))
                {
                    final int result = serverOpener.open(packet);
                    assertEquals(ProtectResult.OK, result, ProtectResult.name(result));
                    data.add(new SentData(serverOpener.lastOpenedSequence(), payload(packet)));
                }
                else
                {
                    assertEquals(PacketType.KEEPALIVE, type(packet));
                }
            }
            finally
            {
                packet.release();
            }
        }
        return data;
    }

    /**
     * The probe timeout of a client without an RTT sample yet: smoothed RTT + 4 RTT variation + the peer's max ack
     * delay.
     */
    private long ptoNs()
    {
        return client.stats().srttNs() + Math.max(4 * client.stats().rttVarNs(), RttEstimator.GRANULARITY_NS) +
            new ClientConfig().channels().recoveryConfig().peerMaxAckDelayNs();
    }

    /** An ack-only body from the server. */
    private static byte[] ackBody(final long largestAcked, final long ackBits)
    {
        final ByteBuf buffer = Unpooled.buffer(BodyEncoder.ackOverhead());
        final BodyEncoder encoder = new BodyEncoder();
        encoder.begin(buffer, ChannelEndpointConfig.PATH_PAYLOAD_BYTES_DEFAULT);
        encoder.ack(largestAcked, ackBits, 0);
        final byte[] body = new byte[encoder.length()];
        buffer.getBytes(0, body);
        return body;
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

    /** A DATA packet the client sent: its AEAD sequence (the channel layer's packet number) and its body. */
    private record SentData(long sequence, byte[] body)
    {
    }
}
