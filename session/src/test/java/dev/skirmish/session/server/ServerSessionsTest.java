package dev.skirmish.session.server;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.channel.Bodies;
import dev.skirmish.session.channel.BodyDecoder;
import dev.skirmish.session.channel.BodyDescriptor;
import dev.skirmish.session.channel.ChannelMode;
import dev.skirmish.session.handshake.DenyReason;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.protect.ReplayWindow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker side of sessions, driven like a worker in invoker mode: datagrams routed as the I/O thread routes them
 * (through the real gate for handshake types), sending through a real {@link dev.skirmish.core.worker.Outbound}
 * over a {@link dev.skirmish.core.handoff.Handoff}, and virtual clocks. Every packet the server sends is opened
 * with the client's key, so what is asserted is what a client would see. DATA packets carry channel bodies both ways:
 * the test client builds them with {@link Bodies} (one frame on the default table's channel 0, UNRELIABLE, unless
 * said otherwise) and reads the server's back the same way; the server's leave with the worker's duty cycle.
 */
class ServerSessionsTest
{
    private static final InetSocketAddress A = ServerTestFixtures.ipv4(198, 51, 100, 1, 50_000);
    private static final InetSocketAddress B = ServerTestFixtures.ipv4(203, 0, 113, 2, 50_001);
    private static final InetSocketAddress C = ServerTestFixtures.ipv4(203, 0, 113, 3, 50_002);
    private static final InetSocketAddress D = ServerTestFixtures.ipv4(192, 0, 2, 99, 6_666);
    private static final byte[] EMPTY = new byte[0];
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Channel 2 of the default table. */
    private static final int RELIABLE_ORDERED = 2;

    private ServerHarness harness;

    @BeforeEach
    void setUp()
    {
        harness = ServerHarness.oneWorker(21);
    }

    @AfterEach
    void tearDown()
    {
        harness.close();
    }

    @Test
    void shouldAllocateASessionOnAValidChallengeResponseAndSendAKeepalive()
    {
        final TestClient client = harness.newClient(7, 3, A);
        final byte[] cookie = harness.cookieFor(client);

        assertEquals(0, harness.route(client.challengeResponse(cookie), A));

        assertEquals(1, harness.counter(Counter.SESSIONS_OPENED));
        final List<ServerHarness.Sent> sent = harness.drain();
        assertEquals(1, sent.size(), sent.toString());
        final byte[] keepalive = sent.get(0).bytes();
        assertEquals(A, sent.get(0).recipient());
        assertEquals(PacketType.KEEPALIVE.code(), sent.get(0).type());
        assertEquals(ProtectedPacketDescriptor.MIN_LENGTH, keepalive.length);
        assertNotEquals(0, sent.get(0).sessionId());

        final PacketProtector wrongDirection = PacketProtector.forReceiving(harness.config().aeadSuite(),
            client.token().clientToServerKey(), ServerTestFixtures.MAX_DATAGRAM_LENGTH, new ReplayWindow());
        final ByteBuf copy = Unpooled.wrappedBuffer(keepalive.clone());
        assertEquals(ProtectResult.name(ProtectResult.AUTH_FAILED), ProtectResult.name(wrongDirection.open(copy)),
            "sealed with the server-to-client key, not the other one");
        copy.release();

        final TestClient.Opened opened = client.open(keepalive);
        assertTrue(opened.ok());
        assertEquals(0, opened.payload().length);

        final ServerSession session = harness.sessions(0).session(opened.sessionId());
        assertNotNull(session);
        assertEquals(SessionState.CONNECTING, session.state());
        assertEquals(7, session.clientId());
        assertEquals(3, session.roomId());
        assertEquals(A, session.remoteAddress());
        assertRegistry(1, 1, 1, 1);
    }

    @Test
    void shouldResendTheKeepaliveForARepeatedResponseWithoutASecondSession()
    {
        final TestClient client = harness.newClient(7, 3, A);
        final byte[] response = client.challengeResponse(harness.cookieFor(client));
        harness.route(response, A);
        final TestClient.Opened first = client.open(harness.drain().get(0).bytes());

        harness.advanceNs(100 * MS);
        assertEquals(0, harness.route(response, A));

        final List<ServerHarness.Sent> sent = harness.drain();
        assertEquals(1, sent.size(), sent.toString());
        assertEquals(PacketType.KEEPALIVE.code(), sent.get(0).type());
        assertEquals(A, sent.get(0).recipient());
        final TestClient.Opened again = client.open(sent.get(0).bytes());
        assertTrue(again.ok(), "a new packet, not a copy: " + ProtectResult.name(again.result()));
        assertEquals(first.sessionId(), again.sessionId());
        assertEquals(1, harness.counter(Counter.SESSIONS_OPENED));
        assertEquals(1, harness.sessionCount());
        assertRegistry(1, 1, 1, 1);
    }

    @Test
    void shouldRefuseATokenReusedFromAnotherAddress()
    {
        final TestClient client = harness.newClient(7, 3, A);
        final TestClient thief = new TestClient(harness.config().aeadSuite(), client.token(), B);
        final byte[] responseA = client.challengeResponse(harness.cookieFor(client));
        // Both get a cookie while no session exists yet (a captured request replayed from B, racing A).
        final byte[] responseB = thief.challengeResponse(harness.cookieFor(thief));
        harness.connect(client);
        harness.send(client, PacketType.KEEPALIVE, EMPTY);

        // While A holds its session, the client id check (before the token check) answers B.
        assertEquals(0, harness.route(responseB, B));
        assertDenied(harness.drain(), B, client.tag(), DenyReason.CLIENT_ALREADY_CONNECTED);
        assertEquals(1, harness.counter(Counter.TOKEN_CLIENT_CONNECTED));
        assertEquals(A, harness.session(client).remoteAddress());

        // Once the session is gone, the token is still remembered as used from A.
        harness.send(client, PacketType.DISCONNECT, new byte[]{(byte)DisconnectReason.CLIENT_REQUEST.code()});
        assertRegistry(0, 0, 0, 1);

        assertEquals(0, harness.route(responseB, B));
        assertEquals(1, harness.counter(Counter.TOKEN_REUSED));
        assertTrue(harness.drain().isEmpty(), "a reused token is told nothing");
        assertEquals(HandshakeGate.CONSUMED, harness.route(thief.connectRequest(), B));
        assertEquals(0, harness.replies().lastCall().size(), "nor by the gate");
        assertEquals(2, harness.counter(Counter.TOKEN_REUSED));
        assertEquals(1, harness.counter(Counter.SESSIONS_OPENED));
        assertRegistry(0, 0, 0, 1);

        // The owner may come back from its own address with the same unexpired token.
        assertEquals(0, harness.route(responseA, A));
        assertEquals(2, harness.counter(Counter.SESSIONS_OPENED));
        assertEquals(A, harness.drain().get(0).recipient());
    }

    @Test
    void shouldDenyASecondTokenForAConnectedClientId()
    {
        final TestClient first = harness.newClient(7, 3, A);
        final TestClient second = harness.newClient(7, 3, B);
        final TestClient secondFromA = new TestClient(harness.config().aeadSuite(), second.token(), A);
        final byte[] secondResponse = second.challengeResponse(harness.cookieFor(second));
        final byte[] secondResponseFromA = secondFromA.challengeResponse(harness.cookieFor(secondFromA));
        harness.connect(first);

        assertEquals(HandshakeGate.CONSUMED, harness.route(second.connectRequest(), B));
        assertEquals(1, harness.replies().lastCall().size());
        assertDenied(harness.replies().lastCall(), second.tag(), DenyReason.CLIENT_ALREADY_CONNECTED);

        assertEquals(0, harness.route(secondResponse, B));
        assertDenied(harness.drain(), B, second.tag(), DenyReason.CLIENT_ALREADY_CONNECTED);
        assertEquals(0, harness.route(secondResponseFromA, A));
        assertDenied(harness.drain(), A, second.tag(), DenyReason.CLIENT_ALREADY_CONNECTED);

        assertEquals(3, harness.counter(Counter.TOKEN_CLIENT_CONNECTED));
        assertEquals(1, harness.counter(Counter.SESSIONS_OPENED));
        assertRegistry(1, 1, 1, 1);
    }

    @Test
    void shouldDenyServerFullAboveMaxSessions()
    {
        try (ServerHarness two = new ServerHarness(ServerTestFixtures.config().maxSessions(2), 1, 22))
        {
            final TestClient third = two.newClient(3, 1, C);
            final byte[] thirdResponse = third.challengeResponse(two.cookieFor(third));
            final TestClient first = two.connect(1, 1, A);
            two.connect(2, 1, B);

            assertEquals(HandshakeGate.CONSUMED, two.route(third.connectRequest(), C));
            assertDenied(two.replies().lastCall(), third.tag(), DenyReason.SERVER_FULL);
            assertEquals(0, two.route(thirdResponse, C));
            assertDenied(two.drain(), C, third.tag(), DenyReason.SERVER_FULL);

            assertEquals(2, two.counter(Counter.DENIED_SERVER_FULL));
            assertEquals(2, two.sessionCount());
            assertEquals(2, two.registry().sessionCount(), two.registryState());
            assertEquals(2, two.registry().pendingCount(), two.registryState());

            two.send(first, PacketType.DISCONNECT, new byte[]{(byte)DisconnectReason.CLIENT_REQUEST.code()});
            two.connect(third);
            assertEquals(2, two.sessionCount());
            assertEquals(3, two.counter(Counter.SESSIONS_OPENED));
        }
    }

    @Test
    void shouldDenyServerBusyAboveMaxPendingSessions()
    {
        try (ServerHarness one = new ServerHarness(ServerTestFixtures.config().maxPendingSessions(1), 1, 23))
        {
            final TestClient first = one.connect(1, 1, A);
            final TestClient second = one.newClient(2, 1, B);
            final byte[] secondResponse = second.challengeResponse(one.cookieFor(second));

            assertEquals(0, one.route(secondResponse, B));
            assertDenied(one.drain(), B, second.tag(), DenyReason.SERVER_BUSY);
            assertEquals(1, one.counter(Counter.DENIED_PENDING_FULL));
            assertEquals(1, one.sessionCount());

            // The first client confirms: no longer pending, so the second one's resend gets through.
            one.send(first, PacketType.KEEPALIVE, EMPTY);
            assertEquals(0, one.registry().pendingCount());
            assertEquals(0, one.route(secondResponse, B));
            final List<ServerHarness.Sent> sent = one.drain();
            assertEquals(1, sent.size());
            assertEquals(PacketType.KEEPALIVE.code(), sent.get(0).type());
            assertEquals(2, one.sessionCount());
            assertEquals(1, one.registry().pendingCount());
        }
    }

    @Test
    void shouldConfirmTheSessionAndDeliverPayloadsOnTheFirstAuthenticPacket()
    {
        final TestClient client = harness.connect(7, 3, A);
        final ServerSession session = harness.session(client);
        assertEquals(SessionState.CONNECTING, session.state());

        harness.send(client, PacketType.DATA, Bodies.message(bytes("hello")));

        assertEquals(SessionState.CONNECTED, session.state());
        assertEquals(List.of(session), harness.listener().connected());
        assertEquals(1, harness.listener().payloads().size());
        assertArrayEquals(bytes("hello"), harness.listener().payloads().get(0).bytes());
        assertEquals(Bodies.UNRELIABLE_CHANNEL, harness.listener().payloads().get(0).channel());
        assertSame(session, harness.listener().payloads().get(0).session());
        assertEquals(1, harness.counter(Counter.SESSION_PAYLOADS_IN));
        assertEquals(1, harness.counter(Counter.CHANNEL_MESSAGES_IN));
        assertRegistry(1, 0, 1, 1);

        // One frame filling the largest DATA packet the server accepts.
        final int maxPayload = harness.sessions(0).maxPayloadLength();
        final byte[] largest = new byte[maxPayload - 1 - BodyDescriptor.FRAME_HEADER_LENGTH];
        new Random(5).nextBytes(largest);
        final byte[] largestBody = Bodies.message(largest);
        assertEquals(maxPayload, largestBody.length);
        assertEquals(ServerTestFixtures.MAX_DATAGRAM_LENGTH, harness.send(client, PacketType.DATA, largestBody).length);
        assertArrayEquals(largest, harness.listener().payloads().get(1).bytes());

        harness.send(client, PacketType.DATA, EMPTY);
        assertEquals(1, harness.counter(Counter.CHANNEL_MALFORMED), "an empty DATA is a malformed body");
        harness.send(client, PacketType.DATA, new byte[]{0x02});
        assertEquals(2, harness.counter(Counter.CHANNEL_MALFORMED), "unknown flag bits");
        final byte[] hello = Bodies.message(bytes("hello"));
        harness.send(client, PacketType.DATA, Arrays.copyOf(hello, hello.length - 1));
        assertEquals(3, harness.counter(Counter.CHANNEL_MALFORMED), "a frame longer than the body");
        assertEquals(0, harness.counter(Counter.SESSION_PROTOCOL_ERRORS));
        assertEquals(0, harness.counter(Counter.CHANNEL_PROTOCOL_VIOLATIONS));
        assertEquals(2, harness.listener().payloads().size(), "nothing of a malformed body is delivered");
        assertEquals(5, harness.counter(Counter.SESSION_PAYLOADS_IN), "DATA packets, malformed ones included");
        assertEquals(SessionState.CONNECTED, session.state(), "a malformed body costs only itself");

        assertTrue(session.send(0, bytes("world"), 0, 5));
        assertTrue(harness.drain().isEmpty(), "queued: it leaves with the worker's flush");
        harness.doWork();
        final List<ServerHarness.Sent> sent = harness.drain();
        assertEquals(1, sent.size(), sent.toString());
        assertEquals(A, sent.get(0).recipient());
        assertEquals(PacketType.DATA.code(), sent.get(0).type());
        assertArrayEquals(bytes("world"), Bodies.single(client.open(sent.get(0).bytes()).payload()));
        assertEquals(1, harness.counter(Counter.SESSION_PAYLOADS_OUT));
        assertEquals(1, harness.counter(Counter.CHANNEL_MESSAGES_OUT));
        assertEquals(1, session.messagesOut());
        assertEquals(2, session.messagesIn());
    }

    @Test
    void shouldAllocateEachSessionOnTheWorkerOfItsRoom()
    {
        final int workers = 3;
        try (ServerHarness three = new ServerHarness(ServerTestFixtures.config(), workers, 24))
        {
            for (int room = 0; room < 6; room++)
            {
                final TestClient client = three.connect(100 + room, room, ServerTestFixtures.ipv4(10, 0, 0, room, 1));
                final int worker = room % workers;
                assertEquals(worker, Integer.remainderUnsigned(client.sessionId(), workers), "room " + room);
                assertNotNull(three.sessions(worker).session(client.sessionId()));

                final byte[] data = client.seal(PacketType.DATA, Bodies.message(new byte[]{(byte)room}));
                assertEquals(worker, three.route(data, client.address()));
            }
            assertEquals(6, three.listener().payloads().size());
            assertEquals(6, three.listener().connected().size());
        }
    }

    @Test
    void shouldDeliverNoReplayedPacket()
    {
        final long seed = 0xBADC0FFEEL;
        final Random random = new Random(seed);
        final TestClient client = harness.connect(7, 3, A);
        final ServerSession session = harness.session(client);
        final List<byte[]> recorded = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            recorded.add(harness.send(client, PacketType.DATA, Bodies.message(intBytes(i))));
        }
        assertEquals(100, harness.listener().payloads().size());
        for (int i = 0; i < 100; i++)
        {
            assertArrayEquals(intBytes(i), harness.listener().payloads().get(i).bytes());
        }

        replay(recorded);
        assertEquals(100, harness.counter(Counter.REPLAYS), "seed=" + seed);

        for (int round = 0; round < 10; round++)
        {
            harness.advanceNs(100 * MS);
            harness.send(client, PacketType.KEEPALIVE, EMPTY);
            harness.doWork();
            replay(recorded);
        }
        assertEquals(1_100, harness.counter(Counter.REPLAYS), "seed=" + seed);

        final List<byte[]> shuffled = new ArrayList<>(recorded);
        Collections.shuffle(shuffled, random);
        replay(shuffled);
        assertEquals(1_200, harness.counter(Counter.REPLAYS), "seed=" + seed);

        // Pushed out of the 1024-packet window: too old, counted the same.
        for (int i = 0; i < 1_100; i++)
        {
            harness.send(client, PacketType.KEEPALIVE, EMPTY);
        }
        replay(shuffled);
        assertEquals(1_300, harness.counter(Counter.REPLAYS), "seed=" + seed);

        assertEquals(100, harness.listener().payloads().size(), "seed=" + seed + ": no replay delivered");
        assertEquals(1_300, session.replays());
        assertEquals(0, harness.counter(Counter.AUTH_FAILURES));
        assertEquals(SessionState.CONNECTED, session.state());
        assertTrue(harness.drain().stream().allMatch(s -> s.recipient().equals(A)));
    }

    private void replay(final List<byte[]> packets)
    {
        for (final byte[] packet : packets)
        {
            harness.route(packet, A);
        }
    }

    @Test
    void shouldDeliverAReliableOrderedMessageOnceWhenResentUnderANewPacketNumberAndAckBoth()
    {
        final TestClient client = harness.connect(7, 3, A);
        final ServerSession session = harness.session(client);
        assertEquals(ChannelMode.RELIABLE_ORDERED, session.channels.mode(RELIABLE_ORDERED));
        final byte[] body = Bodies.message(RELIABLE_ORDERED, 0, bytes("spawn"));

        final long first = client.nextSequence();
        harness.send(client, PacketType.DATA, body);
        final long resent = client.nextSequence();
        harness.send(client, PacketType.DATA, body); // the client's resend: the same frame in a new packet
        assertEquals(first + 1, resent);

        assertEquals(1, harness.listener().payloads().size(), "delivered once");
        assertArrayEquals(bytes("spawn"), harness.listener().payloads().get(0).bytes());
        assertEquals(RELIABLE_ORDERED, harness.listener().payloads().get(0).channel());
        assertEquals(0, harness.counter(Counter.REPLAYS), "a new packet number, not a replay");
        assertEquals(2, harness.counter(Counter.SESSION_PAYLOADS_IN));
        assertEquals(1, harness.counter(Counter.CHANNEL_MESSAGES_IN));
        assertEquals(1, session.messagesIn());
        assertEquals(SessionState.CONNECTED, session.state());

        harness.doWork();
        final List<ServerHarness.Sent> sent = harness.drain();
        assertEquals(1, sent.size(), "two ack-eliciting packets: the ack goes at once, " + sent);
        assertEquals(PacketType.DATA.code(), sent.get(0).type());
        assertEquals(A, sent.get(0).recipient());
        final byte[] reply = client.open(sent.get(0).bytes()).payload();
        final ByteBuf replyBuffer = Unpooled.wrappedBuffer(reply);
        final BodyDecoder decoder = new BodyDecoder();
        assertEquals(BodyDecoder.OK, decoder.wrap(replyBuffer, 0, reply.length, session.channelCount(), 2));
        assertTrue(decoder.hasAck());
        assertEquals(resent, decoder.largestAcked(), "the resend's packet number");
        assertEquals(1L, decoder.ackBits() & 1L, "and the first copy's, just below it");
        assertFalse(decoder.nextFrame(), "ack only: the server had nothing to send");
        replyBuffer.release();
        assertEquals(1, harness.counter(Counter.SESSION_PAYLOADS_OUT));
    }

    @Test
    void shouldCountForgeriesAndCloseTheSessionAboveMaxAuthFailures()
    {
        final long seed = 0xF0F0_1234L;
        final Random random = new Random(seed);
        final TestClient client = harness.connect(7, 3, A);
        harness.send(client, PacketType.KEEPALIVE, EMPTY);
        final ServerSession session = harness.session(client);
        final int limit = harness.config().maxAuthFailures();
        harness.drain();

        for (int i = 0; i < limit; i++)
        {
            harness.route(forgery(random, client.sessionId()), A);
            assertEquals(i + 1, harness.counter(Counter.AUTH_FAILURES), "seed=" + seed + " forgery " + i);
            assertEquals(SessionState.CONNECTED, session.state(), "seed=" + seed + " forgery " + i);
        }
        assertTrue(harness.drain().isEmpty(), "seed=" + seed + ": forgeries are not answered");
        harness.send(client, PacketType.DATA, Bodies.message(bytes("still here")));
        assertEquals(1, harness.listener().payloads().size(), "seed=" + seed);

        harness.route(forgery(random, client.sessionId()), A);

        assertEquals(SessionState.CLOSED, session.state(), "seed=" + seed);
        assertEquals(DisconnectReason.AUTH_FAILURES, session.disconnectReason());
        assertEquals(1, harness.counter(Counter.AUTH_FAILURE_LIMIT));
        assertEquals(1, harness.listener().closed().size());
        assertEquals(DisconnectReason.AUTH_FAILURES, harness.listener().closed().get(0).reason());
        final List<ServerHarness.Sent> sent = harness.drain();
        assertEquals(harness.config().disconnectRedundancy(), sent.size(), sent.toString());
        for (final ServerHarness.Sent disconnect : sent)
        {
            assertEquals(A, disconnect.recipient());
            final TestClient.Opened opened = client.open(disconnect.bytes());
            assertTrue(opened.ok());
            assertEquals(PacketType.DISCONNECT.code(), opened.type());
            assertArrayEquals(new byte[]{(byte)DisconnectReason.AUTH_FAILURES.code()}, opened.payload());
        }
        assertRegistry(0, 0, 0, 1);

        harness.route(forgery(random, client.sessionId()), A);
        assertEquals(1, harness.counter(Counter.UNKNOWN_SESSION));
    }

    private static byte[] forgery(final Random random, final int sessionId)
    {
        final PacketType[] types = {PacketType.DATA, PacketType.KEEPALIVE, PacketType.DISCONNECT,
            PacketType.PATH_RESPONSE};
        final byte[] packet = new byte[8 + random.nextInt(ServerTestFixtures.MAX_DATAGRAM_LENGTH - 8 + 1)];
        random.nextBytes(packet);
        ServerTestFixtures.writeHeader(packet, types[random.nextInt(types.length)].code(), sessionId);
        return packet;
    }

    @Test
    void shouldRejectEverySingleBitFlipOfAGenuinePacket()
    {
        try (ServerHarness lenient = new ServerHarness(ServerTestFixtures.config().maxAuthFailures(100_000), 1, 25))
        {
            final TestClient client = lenient.connect(7, 3, A);
            lenient.send(client, PacketType.KEEPALIVE, EMPTY);
            final ServerSession session = lenient.session(client);
            final byte[] genuine = client.seal(PacketType.DATA, Bodies.message(intBytes(42)));
            lenient.drain();

            for (int bit = 0; bit < genuine.length * Byte.SIZE; bit++)
            {
                final byte[] flipped = genuine.clone();
                flipped[bit / Byte.SIZE] ^= (byte)(1 << (bit % Byte.SIZE));

                lenient.route(flipped, A);

                assertEquals(0, lenient.listener().payloads().size(), "bit " + bit + " delivered");
                assertEquals(SessionState.CONNECTED, session.state(), "bit " + bit);
                assertTrue(lenient.drain().isEmpty(), "bit " + bit + " answered");
                assertEquals(0, lenient.replies().callBytes(), "bit " + bit + " answered by the gate");
            }
            assertTrue(lenient.counter(Counter.AUTH_FAILURES) > genuine.length * 6L);
            assertEquals(0, lenient.counter(Counter.SESSIONS_CLOSED));

            lenient.route(genuine, A);
            assertEquals(1, lenient.listener().payloads().size(), "the genuine packet is not spoilt by its forgeries");
            assertArrayEquals(intBytes(42), lenient.listener().payloads().get(0).bytes());
        }
    }

    @Test
    void shouldCloseASilentPeerWithinOneTimerTickOfItsTimeout()
    {
        final TestClient client = harness.connect(7, 3, A);
        harness.send(client, PacketType.KEEPALIVE, EMPTY);
        final long lastHeardNs = harness.nanoClock().nanoTime();
        final long deadlineNs = lastHeardNs + TimeUnit.SECONDS.toNanos(ServerTestFixtures.TIMEOUT_SECONDS);

        final long closedNs = stepUntilClosed(deadlineNs);

        final long tickNs = harness.config().timerTickNs();
        assertTrue(closedNs >= deadlineNs && closedNs <= deadlineNs + tickNs,
            "closed at T" + signedMs(closedNs - deadlineNs) + ", want [T, T + " + tickNs / MS + " ms]");
        assertEquals(1, harness.listener().closed().size());
        assertEquals(DisconnectReason.TIMEOUT, harness.listener().closed().get(0).reason());
        assertEquals(1, harness.counter(Counter.SESSION_TIMEOUTS));
        assertRegistry(0, 0, 0, 1);
    }

    @Test
    void shouldCloseAnUnconfirmedSessionAtItsTimeoutAndReleaseItsPendingSlot()
    {
        harness.connect(7, 3, A);
        assertEquals(1, harness.registry().pendingCount());
        final long deadlineNs = harness.nanoClock().nanoTime() +
            TimeUnit.SECONDS.toNanos(ServerTestFixtures.TIMEOUT_SECONDS);

        final long closedNs = stepUntilClosed(deadlineNs);

        assertTrue(closedNs >= deadlineNs && closedNs <= deadlineNs + harness.config().timerTickNs(),
            "closed at T" + signedMs(closedNs - deadlineNs));
        assertEquals(DisconnectReason.TIMEOUT, harness.listener().closed().get(0).reason());
        assertRegistry(0, 0, 0, 1);
    }

    /**
     * Step 10 ms at a time to 50 ms before the deadline, then 1 ms at a time, calling doWork and draining.
     *
     * @return the clock at the doWork that closed the session.
     */
    private long stepUntilClosed(final long deadlineNs)
    {
        for (int step = 0; step < 10_000 && harness.nanoClock().nanoTime() + 10 * MS < deadlineNs - 50 * MS; step++)
        {
            harness.advanceNs(10 * MS);
            harness.doWork();
            assertNoDisconnect(harness.drain());
            assertEquals(1, harness.sessionCount(), "closed early, at T" + signedMs(harness.nanoClock().nanoTime() -
                deadlineNs));
        }
        for (int step = 0; step < 200; step++)
        {
            harness.advanceNs(MS);
            harness.doWork();
            assertNoDisconnect(harness.drain());
            if (0 == harness.sessionCount())
            {
                return harness.nanoClock().nanoTime();
            }
        }
        throw new AssertionError("still open at T" + signedMs(harness.nanoClock().nanoTime() - deadlineNs));
    }

    private static void assertNoDisconnect(final List<ServerHarness.Sent> sent)
    {
        for (final ServerHarness.Sent packet : sent)
        {
            assertEquals(PacketType.KEEPALIVE.code(), packet.type(), "a timeout is not announced: " + packet);
        }
    }

    @Test
    void shouldTellTheListenerWhenTheSessionClosed()
    {
        final TestClient client = harness.connect(7, 3, A);
        harness.send(client, PacketType.KEEPALIVE, EMPTY);
        harness.advanceNs(TimeUnit.SECONDS.toNanos(1));

        harness.send(client, PacketType.DISCONNECT, new byte[]{(byte)DisconnectReason.CLIENT_REQUEST.code()});

        assertEquals(harness.nanoClock().nanoTime(), harness.listener().closed().get(0).nowNs());
    }

    @Test
    void shouldKeepAKeepaliveOnlyPeerForAnHourAndKeepaliveItAtTenHertz()
    {
        final TestClient client = harness.connect(7, 3, A);
        final ServerSession session = harness.session(client);
        final int steps = 36_000;
        int serverKeepalives = 0;
        int maxPerStep = 0;

        for (int step = 0; step < steps; step++)
        {
            harness.advanceNs(100 * MS);
            harness.send(client, PacketType.KEEPALIVE, EMPTY);
            harness.doWork();
            final List<ServerHarness.Sent> sent = harness.drain();
            for (final ServerHarness.Sent packet : sent)
            {
                final TestClient.Opened opened = client.open(packet.bytes());
                assertTrue(opened.ok() && opened.type() == PacketType.KEEPALIVE.code() &&
                    opened.payload().length == 0 && packet.recipient().equals(A), "step " + step + ": " + packet);
            }
            serverKeepalives += sent.size();
            maxPerStep = Math.max(maxPerStep, sent.size());
        }

        assertEquals(SessionState.CONNECTED, session.state());
        assertEquals(0, harness.listener().closed().size());
        assertEquals(0, harness.counter(Counter.SESSION_TIMEOUTS));
        assertEquals(1, maxPerStep);
        assertTrue(serverKeepalives >= steps - 1 && serverKeepalives <= steps,
            serverKeepalives + " keepalives in an hour, want 10 Hz");
        assertEquals(serverKeepalives, harness.counter(Counter.KEEPALIVES_SENT));
        assertEquals(steps, session.receiveProtector.lastOpenedSequence() + 1);
    }

    @Test
    void shouldKeepaliveOnlyWhenTheServerSendsNothingElse()
    {
        final TestClient client = harness.connect(7, 3, A);
        harness.send(client, PacketType.KEEPALIVE, EMPTY);
        final ServerSession session = harness.session(client);
        int keepalives = 0;

        for (int step = 0; step < 1_000; step++)
        {
            harness.advanceNs(10 * MS);
            if (step % 5 == 0)
            {
                harness.send(client, PacketType.KEEPALIVE, EMPTY);
                assertTrue(session.send(0, intBytes(step), 0, Integer.BYTES));
            }
            harness.doWork();
            for (final ServerHarness.Sent packet : harness.drain())
            {
                keepalives += packet.type() == PacketType.KEEPALIVE.code() ? 1 : 0;
            }
        }

        assertEquals(0, keepalives, "a session sending every 50 ms needs no keepalive");
    }

    @Test
    void shouldCloseOnAClientDisconnect()
    {
        final TestClient client = harness.connect(7, 3, A);
        harness.send(client, PacketType.DATA, Bodies.message(bytes("bye")));
        final ServerSession session = harness.session(client);
        harness.drain();

        harness.send(client, PacketType.DISCONNECT, new byte[]{(byte)DisconnectReason.CLIENT_REQUEST.code()});

        assertEquals(SessionState.CLOSED, session.state());
        assertEquals(DisconnectReason.CLIENT_REQUEST, session.disconnectReason());
        assertEquals(DisconnectReason.CLIENT_REQUEST, harness.listener().closed().get(0).reason());
        assertEquals(0, harness.sessionCount());
        assertNull(harness.sessions(0).session(client.sessionId()));
        assertTrue(harness.drain().isEmpty(), "the client asked: nothing to tell it");
        assertEquals(1, harness.counter(Counter.SESSIONS_CLOSED));
        assertRegistry(0, 0, 0, 1);
    }

    @Test
    void shouldCloseWithProtocolErrorOnAMalformedDisconnect()
    {
        final TestClient first = harness.connect(1, 3, A);
        final TestClient second = harness.connect(2, 3, B);
        final TestClient third = harness.connect(3, 3, C);

        harness.send(first, PacketType.DISCONNECT, EMPTY);
        harness.send(second, PacketType.DISCONNECT, new byte[]{(byte)200});
        harness.send(third, PacketType.DISCONNECT, new byte[]{1, 1});

        assertEquals(3, harness.listener().closed().size());
        for (final RecordingListener.Closed closed : harness.listener().closed())
        {
            assertEquals(DisconnectReason.PROTOCOL_ERROR, closed.reason());
        }
        assertRegistry(0, 0, 0, 3);
    }

    @Test
    void shouldCloseWithProtocolErrorOnAFrameBreakingTheChannelContract()
    {
        final TestClient client = harness.connect(7, 3, A);
        harness.send(client, PacketType.KEEPALIVE, EMPTY);
        final ServerSession session = harness.session(client);
        harness.drain();
        final int window = harness.config().channels().receiveConfig().window();

        // A conforming sender never sends a reliable sequence a whole window ahead of what the receiver has.
        harness.send(client, PacketType.DATA, Bodies.message(RELIABLE_ORDERED, window, bytes("ahead")));

        assertEquals(SessionState.CLOSED, session.state());
        assertEquals(DisconnectReason.PROTOCOL_ERROR, session.disconnectReason());
        assertEquals(1, harness.counter(Counter.CHANNEL_PROTOCOL_VIOLATIONS));
        assertEquals(0, harness.counter(Counter.CHANNEL_MALFORMED));
        assertEquals(0, harness.listener().payloads().size());
        assertEquals(DisconnectReason.PROTOCOL_ERROR, harness.listener().closed().get(0).reason());
        final List<ServerHarness.Sent> sent = harness.drain();
        assertEquals(harness.config().disconnectRedundancy(), sent.size(), sent.toString());
        for (final ServerHarness.Sent disconnect : sent)
        {
            final TestClient.Opened opened = client.open(disconnect.bytes());
            assertTrue(opened.ok());
            assertEquals(PacketType.DISCONNECT.code(), opened.type());
            assertArrayEquals(new byte[]{(byte)DisconnectReason.PROTOCOL_ERROR.code()}, opened.payload());
        }
        assertRegistry(0, 0, 0, 1);
    }

    @Test
    void shouldMigrateOnlyAfterAValidatedPathResponseFromTheNewAddress()
    {
        final Traffic traffic = new Traffic();
        final TestClient client = harness.connect(7, 3, A);
        harness.send(client, PacketType.KEEPALIVE, EMPTY);
        final ServerSession session = harness.session(client);
        harness.drain();

        client.address(B);
        traffic.send(client, PacketType.DATA, Bodies.message(new byte[]{1}));
        assertEquals(1, harness.listener().payloads().size(), "an authentic packet is delivered from anywhere");
        assertTrue(traffic.drain().isEmpty(), "39 B received from B: a 40 B path challenge would amplify");
        assertEquals(1, harness.counter(Counter.AMPLIFICATION_LIMITED));
        assertEquals(A, session.remoteAddress());

        traffic.send(client, PacketType.DATA, Bodies.message(new byte[]{2}));
        final List<ServerHarness.Sent> challenges = traffic.drain();
        assertEquals(1, challenges.size(), challenges.toString());
        assertEquals(B, challenges.get(0).recipient());
        final TestClient.Opened challenge = client.open(challenges.get(0).bytes());
        assertTrue(challenge.ok());
        assertEquals(PacketType.PATH_CHALLENGE.code(), challenge.type());
        assertEquals(8, challenge.payload().length);
        assertEquals(1, harness.counter(Counter.PATH_CHALLENGES_SENT));
        assertEquals(A, session.remoteAddress(), "not before the path is validated");

        // Meanwhile packets go to the new address while that stays within the bytes received from it (78 B in,
        // 40 B out: a 60 B DATA with an ack and the message does not fit), else to the old one.
        assertTrue(session.send(0, bytes("to A"), 0, 4));
        harness.doWork();
        final List<ServerHarness.Sent> toOld = traffic.drain();
        assertEquals(1, toOld.size(), toOld.toString());
        assertEquals(A, toOld.get(0).recipient(), "beyond the 1x budget of B");
        assertEquals(60, toOld.get(0).bytes().length);
        assertEquals(List.of("to A"), texts(client.open(toOld.get(0).bytes()).messages()));
        traffic.send(client, PacketType.DATA, Bodies.message(new byte[]{3}));
        harness.advanceNs(100 * MS);
        harness.doWork();
        final List<ServerHarness.Sent> toNew = traffic.drain();
        assertEquals(2, toNew.size(), toNew.toString());
        assertEquals(PacketType.KEEPALIVE.code(), toNew.get(0).type());
        assertEquals(B, toNew.get(0).recipient(), "117 B in, 40 B out: a 32 B keepalive fits the budget of B");
        assertTrue(client.open(toNew.get(0).bytes()).ok());
        assertEquals(PacketType.DATA.code(), toNew.get(1).type());
        assertEquals(A, toNew.get(1).recipient(), "117 B in, 72 B out: the 51 B ack of {3} does not fit");
        assertEquals(51, toNew.get(1).bytes().length);
        assertTrue(client.open(toNew.get(1).bytes()).messages().isEmpty(), "ack only");
        assertEquals(A, session.remoteAddress());

        traffic.send(client, PacketType.PATH_RESPONSE, challenge.payload());
        // Whatever this last packet from B triggered was sent before the move, within the budget.
        traffic.drain();

        assertEquals(B, session.remoteAddress());
        assertEquals(1, session.migrations());
        assertEquals(1, harness.counter(Counter.MIGRATIONS));
        assertEquals(3, harness.listener().payloads().size());
        assertEquals(112, traffic.sentBeforeValidation(B), "two path challenges and a keepalive, within 157 B");
        for (int i = 0; i < 20; i++)
        {
            assertTrue(session.send(0, bytes("to B"), 0, 4));
        }
        harness.doWork();
        final List<ServerHarness.Sent> validated = harness.drain();
        assertEquals(1, validated.size(), "messages queued in one cycle share a packet: " + validated);
        assertEquals(B, validated.get(0).recipient(), "no budget once validated");
        assertEquals(Collections.nCopies(20, "to B"), texts(client.open(validated.get(0).bytes()).messages()));
    }

    @Test
    void shouldNotMigrateOnAWrongOrMisdirectedPathResponse()
    {
        final Traffic traffic = new Traffic();
        final TestClient client = harness.connect(7, 3, A);
        harness.send(client, PacketType.KEEPALIVE, EMPTY);
        final ServerSession session = harness.session(client);
        harness.drain();
        client.address(B);
        traffic.send(client, PacketType.DATA, Bodies.message(new byte[]{1}));
        traffic.send(client, PacketType.DATA, Bodies.message(new byte[]{2}));
        final byte[] data = client.open(traffic.drain().get(0).bytes()).payload();
        assertEquals(8, data.length);

        final byte[] wrong = data.clone();
        wrong[7] ^= 1;
        traffic.send(client, PacketType.PATH_RESPONSE, wrong);
        traffic.send(client, PacketType.PATH_RESPONSE, Arrays.copyOf(data, 7));
        traffic.send(client, PacketType.PATH_RESPONSE, Arrays.copyOf(data, 9));
        assertEquals(2, harness.counter(Counter.SESSION_PROTOCOL_ERRORS), "path responses of the wrong size");
        client.address(C);
        traffic.send(client, PacketType.PATH_RESPONSE, data);
        client.address(A);
        traffic.send(client, PacketType.PATH_RESPONSE, data);

        assertEquals(A, session.remoteAddress());
        assertEquals(0, session.migrations());
        assertEquals(0, harness.counter(Counter.MIGRATIONS));
        assertEquals(SessionState.CONNECTED, session.state());
        traffic.drain();
    }

    @Test
    void shouldIgnoreSpoofedAndReplayedPacketsFromAnotherAddress()
    {
        final long seed = 0x5B00FL;
        final Random random = new Random(seed);
        final Traffic traffic = new Traffic();
        final TestClient client = harness.connect(7, 3, A);
        final byte[] old = harness.send(client, PacketType.DATA, Bodies.message(bytes("old")));
        final byte[] fresh = client.seal(PacketType.DATA, Bodies.message(bytes("new")));
        final ServerSession session = harness.session(client);
        harness.drain();

        int flippedToOld = 0;
        for (int i = 0; i < 20; i++)
        {
            traffic.route(forgery(random, client.sessionId()), D);
            traffic.route(old, D);
            final byte[] flipped = fresh.clone();
            flipped[8 + random.nextInt(fresh.length - 8)] ^= (byte)(1 << random.nextInt(8));
            // A flip that turns the sequence number into the old packet's is dropped as a replay before the AEAD.
            flippedToOld += sequenceOf(flipped) == sequenceOf(old) ? 1 : 0;
            traffic.route(flipped, D);
        }

        assertTrue(traffic.drain().isEmpty(), "seed=" + seed + ": nothing sent to the spoofed address");
        assertEquals(0, harness.counter(Counter.PATH_CHALLENGES_SENT), "seed=" + seed);
        assertNull(session.candidate, "seed=" + seed + ": no validation started");
        assertEquals(A, session.remoteAddress());
        assertEquals(1, harness.listener().payloads().size(), "seed=" + seed);
        assertEquals(20 + flippedToOld, harness.counter(Counter.REPLAYS), "seed=" + seed);
        assertEquals(40 - flippedToOld, harness.counter(Counter.AUTH_FAILURES), "seed=" + seed);

        harness.route(fresh, A);
        assertEquals(2, harness.listener().payloads().size(), "seed=" + seed);
    }

    @Test
    void shouldDropAShortChallengeResponseReachingAWorker()
    {
        final TestClient client = harness.newClient(7, 3, A);
        final byte[] response = client.challengeResponse(harness.cookieFor(client));

        harness.deliver(0, Arrays.copyOf(response, 100), A);
        harness.deliver(0, Arrays.copyOf(response, HandshakeDescriptor.RESPONSE_TOKEN_OFFSET + 1_059), A);

        assertEquals(0, harness.sessionCount());
    }

    @Test
    void shouldSayGoodbyeToEverySessionOnClose()
    {
        final TestClient first = harness.connect(1, 3, A);
        final TestClient second = harness.connect(2, 3, B);
        harness.send(first, PacketType.KEEPALIVE, EMPTY);

        harness.sessions(0).onClose();

        final Map<InetSocketAddress, Integer> disconnects = new HashMap<>();
        for (final ServerHarness.Sent packet : harness.drain())
        {
            final TestClient client = packet.recipient().equals(A) ? first : second;
            final TestClient.Opened opened = client.open(packet.bytes());
            assertTrue(opened.ok());
            assertArrayEquals(new byte[]{(byte)DisconnectReason.SERVER_SHUTDOWN.code()}, opened.payload());
            disconnects.merge(packet.recipient(), 1, Integer::sum);
        }
        final int redundancy = harness.config().disconnectRedundancy();
        assertEquals(Map.of(A, redundancy, B, redundancy), disconnects);
        assertRegistry(0, 0, 0, 2);
    }

    private void assertRegistry(final int sessions, final int pending, final int clients, final int usedTokens)
    {
        final String state = harness.registryState();
        final SessionRegistry registry = harness.registry();
        assertEquals(sessions, registry.sessionCount(), state);
        assertEquals(pending, registry.pendingCount(), state);
        assertEquals(clients, registry.clientCount(), state);
        assertEquals(usedTokens, registry.usedTokenCount(), state);
        assertEquals(sessions, harness.sessionCount(), state);
    }

    private static void assertDenied(
        final List<ServerHarness.Sent> sent, final InetSocketAddress to, final byte[] tag, final DenyReason reason)
    {
        assertEquals(1, sent.size(), sent.toString());
        assertEquals(to, sent.get(0).recipient());
        assertDenied(List.of(sent.get(0).bytes()), tag, reason);
    }

    private static void assertDenied(final List<byte[]> replies, final byte[] tag, final DenyReason reason)
    {
        assertEquals(1, replies.size());
        final byte[] denied = replies.get(0);
        assertEquals(HandshakeDescriptor.DENIED_LENGTH, denied.length);
        assertEquals(PacketType.DENIED.code(), ServerTestFixtures.typeOf(denied));
        assertArrayEquals(tag, ServerTestFixtures.tagOf(denied));
        assertEquals(reason.code(), denied[HandshakeDescriptor.DENIED_REASON_OFFSET], reason.name());
    }

    private static long sequenceOf(final byte[] datagram)
    {
        return ByteBuffer.wrap(datagram, ProtectedPacketDescriptor.SEQUENCE_OFFSET, Long.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static List<String> texts(final List<byte[]> messages)
    {
        final List<String> texts = new ArrayList<>();
        for (final byte[] message : messages)
        {
            texts.add(new String(message, StandardCharsets.US_ASCII));
        }
        return texts;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] intBytes(final int value)
    {
        return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    private static String signedMs(final long deltaNs)
    {
        return (deltaNs < 0 ? " - " : " + ") + Math.abs(deltaNs) / (double)MS + " ms";
    }

    /**
     * Bytes received from and sent to each address other than the handshake address {@link #A}, to check that
     * nothing is sent to an address before it is validated beyond the bytes received from it (1x).
     */
    private final class Traffic
    {
        private final Map<InetSocketAddress, Long> in = new HashMap<>();
        private final Map<InetSocketAddress, Long> outBeforeValidation = new HashMap<>();

        void send(final TestClient client, final PacketType type, final byte[] payload)
        {
            route(client.seal(type, payload), client.address());
        }

        void route(final byte[] datagram, final InetSocketAddress from)
        {
            in.merge(from, (long)datagram.length, Long::sum);
            harness.route(datagram, from);
        }

        /**
         * Drain; call only while no migration is pending completion in the drained packets.
         */
        List<ServerHarness.Sent> drain()
        {
            final List<ServerHarness.Sent> sent = harness.drain();
            for (final ServerHarness.Sent packet : sent)
            {
                if (!packet.recipient().equals(A))
                {
                    outBeforeValidation.merge(packet.recipient(), (long)packet.bytes().length, Long::sum);
                }
            }
            for (final Map.Entry<InetSocketAddress, Long> out : outBeforeValidation.entrySet())
            {
                final long received = in.getOrDefault(out.getKey(), 0L);
                assertTrue(out.getValue() <= received,
                    out.getValue() + " B sent to " + out.getKey() + " before validation, " + received + " B received");
            }
            return sent;
        }

        long sentBeforeValidation(final InetSocketAddress address)
        {
            return outBeforeValidation.getOrDefault(address, 0L);
        }
    }
}
