package dev.skirmish.session.server;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.DenyReason;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.test.TestBytes;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.ConnectTokenGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static dev.skirmish.core.transport.HandshakeGate.CONSUMED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every check of the I/O-thread handshake gate, one rejection at a time: each is counted under its own counter,
 * answered only as the protocol says (a DENIED only to a source holding an authentic token, never a challenge for
 * a bad token), and leaves the server's state untouched.
 */
class ServerHandshakeValidationTest
{
    private static final InetSocketAddress CLIENT = ServerTestFixtures.ipv4(198, 51, 100, 7, 50_000);
    private static final InetSocketAddress OTHER_CLIENT = ServerTestFixtures.ipv4(198, 51, 100, 8, 50_000);
    private static final InetSocketAddress SAME_HOST_OTHER_PORT = ServerTestFixtures.ipv4(198, 51, 100, 7, 50_001);

    private ServerHarness harness;

    @BeforeEach
    void setUp()
    {
        harness = ServerHarness.oneWorker(11);
    }

    @AfterEach
    void tearDown()
    {
        assertUntouched();
        harness.close();
    }

    @Test
    void shouldChallengeAValidConnectRequestWithASmallReply()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        final byte[] request = client.connectRequest();

        assertEquals(CONSUMED, harness.gate(request, CLIENT));

        final List<byte[]> replies = harness.replies().lastCall();
        assertEquals(1, replies.size());
        final byte[] challenge = replies.get(0);
        assertEquals(HandshakeDescriptor.CHALLENGE_LENGTH, challenge.length);
        assertEquals(PacketType.CHALLENGE.code(), ServerTestFixtures.typeOf(challenge));
        assertEquals(0, ServerTestFixtures.sessionIdOf(challenge));
        assertArrayEquals(client.tag(), ServerTestFixtures.tagOf(challenge));
        assertEquals(1, harness.counter(Counter.CHALLENGES_SENT));
        assertEquals(1, harness.counter(Counter.HANDSHAKE_PACKETS_IN));
    }

    @Test
    void shouldDropAnExpiredToken()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        harness.epochClock().advance(ServerTestFixtures.TOKEN_LIFETIME_MS);
        assertEquals(CONSUMED, harness.gate(client.connectRequest(), CLIENT));
        assertEquals(1, harness.replies().lastCall().size(), "still valid at its expire time");

        harness.epochClock().advance(1);
        assertRejected(client.connectRequest(), CLIENT, Counter.TOKEN_EXPIRED);
    }

    @Test
    void shouldDropATokenForAnotherProtocol()
    {
        final ConnectTokenGenerator other = ServerTestFixtures.tokenGenerator(
            ServerTestFixtures.KEY, ServerTestFixtures.PROTOCOL_ID + 1, harness.epochClock(), 3);
        final ConnectToken token = ServerTestFixtures.token(other, 1, 2);

        assertRejected(ServerTestFixtures.connectRequest(ServerTestFixtures.serverPart(token)), CLIENT,
            Counter.TOKEN_WRONG_PROTOCOL);
    }

    @Test
    void shouldDropEverySingleBitFlipOfTheTokenServerPart()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        final byte[] genuine = client.connectRequest();
        final long expireTimeMs = client.token().expireTimeMs();
        final long nowMs = harness.epochClock().time();
        final Map<Counter, Integer> expected = new EnumMap<>(Counter.class);

        for (int bit = 0; bit < ConnectTokenDescriptor.SERVER_PART_LENGTH * Byte.SIZE; bit++)
        {
            final byte[] request = genuine.clone();
            request[HandshakeDescriptor.REQUEST_TOKEN_OFFSET + bit / Byte.SIZE] ^= (byte)(1 << (bit % Byte.SIZE));
            final Counter counter = expectedCounter(bit, expireTimeMs, nowMs);
            expected.merge(counter, 1, Integer::sum);
            final long before = harness.counter(counter);

            assertEquals(CONSUMED, harness.gate(request, CLIENT), "bit " + bit);
            assertEquals(0, harness.replies().lastCall().size(), "reply to bit flip " + bit);
            assertEquals(before + 1, harness.counter(counter), "bit " + bit + " not counted as " + counter);
        }

        assertEquals(0, harness.counter(Counter.CHALLENGES_SENT));
        for (final Map.Entry<Counter, Integer> entry : expected.entrySet())
        {
            assertEquals((long)entry.getValue(), harness.counter(entry.getKey()), entry.getKey().label());
        }
        assertEquals(ConnectTokenDescriptor.SERVER_PART_LENGTH * Byte.SIZE,
            harness.counter(Counter.HANDSHAKE_PACKETS_IN));

        assertEquals(CONSUMED, harness.gate(genuine, CLIENT));
        assertEquals(1, harness.replies().lastCall().size(), "the genuine request is still challenged");
    }

    /**
     * Server part: version info 0..7, protocol id 8..15, expire time 16..23 (checked in clear before decryption, and
     * authenticated as associated data), nonce and sealed part after.
     */
    private static Counter expectedCounter(final int bit, final long expireTimeMs, final long nowMs)
    {
        final int offset = bit / Byte.SIZE;
        if (offset < ConnectTokenDescriptor.PROTOCOL_ID_OFFSET)
        {
            return Counter.TOKEN_BAD_VERSION;
        }
        if (offset < ConnectTokenDescriptor.EXPIRE_TIME_OFFSET)
        {
            return Counter.TOKEN_WRONG_PROTOCOL;
        }
        if (offset < ConnectTokenDescriptor.NONCE_OFFSET)
        {
            final long flipped = expireTimeMs ^ (1L << (bit - ConnectTokenDescriptor.EXPIRE_TIME_OFFSET * Byte.SIZE));
            return nowMs > flipped ? Counter.TOKEN_EXPIRED : Counter.TOKEN_DECRYPT_FAILED;
        }
        return Counter.TOKEN_DECRYPT_FAILED;
    }

    @Test
    void shouldDenyATokenForAnotherServerWithATinyReply()
    {
        final ConnectToken token = harness.newTokenFor(1, 2, List.of(ServerTestFixtures.OTHER_SERVER));
        final byte[] serverPart = ServerTestFixtures.serverPart(token);

        assertEquals(CONSUMED, harness.gate(ServerTestFixtures.connectRequest(serverPart), CLIENT));

        final List<byte[]> replies = harness.replies().lastCall();
        assertEquals(1, replies.size());
        final byte[] denied = replies.get(0);
        assertEquals(HandshakeDescriptor.DENIED_LENGTH, denied.length);
        assertEquals(28, denied.length);
        assertEquals(PacketType.DENIED.code(), ServerTestFixtures.typeOf(denied));
        assertEquals(0, ServerTestFixtures.sessionIdOf(denied));
        assertArrayEquals(ServerTestFixtures.tag(serverPart), ServerTestFixtures.tagOf(denied));
        assertEquals(DenyReason.WRONG_SERVER.code(), denied[HandshakeDescriptor.DENIED_REASON_OFFSET]);
        assertArrayEquals(new byte[3], Arrays.copyOfRange(denied, HandshakeDescriptor.DENIED_REASON_OFFSET + 1, 28));
        assertEquals(1, harness.counter(Counter.TOKEN_WRONG_SERVER));
        assertEquals(1, harness.counter(Counter.DENIED_SENT));
        assertEquals(0, harness.counter(Counter.CHALLENGES_SENT));
    }

    @Test
    void shouldDropHandshakePacketsOfTheWrongSize()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        final byte[] request = client.connectRequest();
        final byte[] response = client.challengeResponse(harness.cookieFor(client));
        int dropped = 0;

        for (final byte[] genuine : List.of(request, response))
        {
            for (final int length : new int[]{1199, 1201, 8, 9, 1_472})
            {
                assertRejected(Arrays.copyOf(genuine, length), CLIENT, Counter.HANDSHAKE_BAD_SIZE);
                dropped++;
            }
        }
        assertEquals(dropped, harness.counter(Counter.HANDSHAKE_BAD_SIZE));
    }

    @Test
    void shouldDropClientHandshakePacketsWithASessionId()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        final byte[] response = client.challengeResponse(harness.cookieFor(client));

        for (final int sessionId : new int[]{1, -1, 0x100, 0x8000_0000})
        {
            for (final byte[] genuine : List.of(client.connectRequest(), response))
            {
                final byte[] datagram = genuine.clone();
                ServerTestFixtures.writeHeader(datagram, ServerTestFixtures.typeOf(genuine), sessionId);
                assertRejected(datagram, CLIENT, Counter.HANDSHAKE_WRONG_DIRECTION);
            }
        }
    }

    @Test
    void shouldDropServerToClientHandshakeTypes()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);

        for (final PacketType type : new PacketType[]{PacketType.CHALLENGE, PacketType.DENIED})
        {
            for (final int length :
                new int[]{8, HandshakeDescriptor.CHALLENGE_LENGTH, HandshakeDescriptor.DENIED_LENGTH, 1200, 1472})
            {
                final byte[] datagram = Arrays.copyOf(client.connectRequest(), length);
                ServerTestFixtures.writeHeader(datagram, type.code(), 0);
                assertRejected(datagram, CLIENT, Counter.HANDSHAKE_WRONG_DIRECTION);
            }
        }
        assertEquals(10, harness.counter(Counter.HANDSHAKE_WRONG_DIRECTION));
    }

    @Test
    void shouldRouteAValidChallengeResponseToTheWorkerOfItsRoom()
    {
        final int workers = 7;
        try (ServerHarness seven = new ServerHarness(ServerTestFixtures.config(), workers, 5))
        {
            final long[] rooms = {0, 1, 6, 7, 13, 1L << 40, Long.MAX_VALUE, -1L, Long.MIN_VALUE};
            for (int i = 0; i < rooms.length; i++)
            {
                final InetSocketAddress source = ServerTestFixtures.ipv4(198, 51, 100, 20 + i, 40_000 + i);
                final TestClient client = seven.newClient(100 + i, rooms[i], source);
                final byte[] response = client.challengeResponse(seven.cookieFor(client));

                final int worker = seven.gate(response, source);

                assertEquals((int)Long.remainderUnsigned(rooms[i], workers), worker, "room " + rooms[i]);
                assertEquals(0, seven.replies().lastCall().size(), "no reply from the gate to a routed response");
            }
            assertEquals(0, seven.registry().sessionCount(), "the gate allocates nothing");
            assertEquals(0, seven.registry().usedTokenCount(), "the gate remembers nothing");
        }
    }

    @Test
    void shouldRejectACookieEchoedFromAnotherSourceAddress()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        final byte[] response = client.challengeResponse(harness.cookieFor(client));

        assertRejected(response, OTHER_CLIENT, Counter.COOKIE_INVALID);
        assertRejected(response, SAME_HOST_OTHER_PORT, Counter.COOKIE_INVALID);
        assertEquals(0, harness.gate(response, CLIENT), "still valid from the address it was issued to");
    }

    @Test
    void shouldRejectACookieAfterItsFiveSecondLifetime()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        final byte[] response = client.challengeResponse(harness.cookieFor(client));

        harness.epochClock().advance(ChallengeCookieDescriptor.TICK_MS * 50);
        assertEquals(0, harness.gate(response, CLIENT), "valid up to 5 s after issue");

        harness.epochClock().advance(1);
        assertRejected(response, CLIENT, Counter.COOKIE_EXPIRED);

        harness.epochClock().advance(60_000);
        assertRejected(response, CLIENT, Counter.COOKIE_EXPIRED);
        assertEquals(2, harness.counter(Counter.COOKIE_EXPIRED));
    }

    @Test
    void shouldRejectEverySingleBitFlipOfTheCookie()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        final byte[] genuine = client.challengeResponse(harness.cookieFor(client));

        for (int bit = 0; bit < ChallengeCookieDescriptor.COOKIE_LENGTH * Byte.SIZE; bit++)
        {
            final byte[] response = genuine.clone();
            response[HandshakeDescriptor.RESPONSE_COOKIE_OFFSET + bit / Byte.SIZE] ^= (byte)(1 << (bit % Byte.SIZE));
            final long before = harness.counter(Counter.COOKIE_INVALID) + harness.counter(Counter.COOKIE_EXPIRED);

            assertEquals(CONSUMED, harness.gate(response, CLIENT), "cookie bit " + bit);

            assertEquals(0, harness.replies().lastCall().size());
            assertEquals(before + 1, harness.counter(Counter.COOKIE_INVALID) + harness.counter(Counter.COOKIE_EXPIRED),
                "cookie bit " + bit);
        }
        assertEquals(0, harness.counter(Counter.TOKEN_DECRYPT_FAILED), "cookie checked before any decryption");
        assertEquals(0, harness.gate(genuine, CLIENT));
    }

    @Test
    void shouldRejectAResponseWhoseTokenIsNotTheOneTheCookieWasIssuedFor()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        final TestClient other = harness.newClient(1, 2, CLIENT);
        final byte[] cookie = harness.cookieFor(client);

        assertRejected(other.challengeResponse(cookie), CLIENT, Counter.COOKIE_INVALID);

        final byte[] flippedTag = client.challengeResponse(cookie);
        flippedTag[HandshakeDescriptor.RESPONSE_TOKEN_OFFSET + HandshakeDescriptor.TAG_IN_SERVER_PART_OFFSET] ^= 1;
        assertRejected(flippedTag, CLIENT, Counter.COOKIE_INVALID);

        final byte[] flippedSealed = client.challengeResponse(cookie);
        flippedSealed[HandshakeDescriptor.RESPONSE_TOKEN_OFFSET + ConnectTokenDescriptor.SEALED_OFFSET] ^= 1;
        assertRejected(flippedSealed, CLIENT, Counter.TOKEN_DECRYPT_FAILED);
    }

    @Test
    void shouldRejectAResponseWhoseTokenExpiredSinceTheChallenge()
    {
        final TestClient client = harness.newClient(1, 2, CLIENT);
        harness.epochClock().advance(ServerTestFixtures.TOKEN_LIFETIME_MS - 1_000);
        final byte[] response = client.challengeResponse(harness.cookieFor(client));

        harness.epochClock().advance(1_001);

        assertRejected(response, CLIENT, Counter.TOKEN_EXPIRED);
    }

    @Test
    void shouldVerifyACookieIssuedByAnotherIoThreadAcrossASecretRotation()
    {
        final HandshakeGate otherIoThread = ServerTestFixtures.newGate(
            harness.server(), new CounterSet("io-1"), 1, harness.nanoClock(), harness.epochClock());
        final TestClient first = harness.newClient(1, 2, CLIENT);
        // The first handshake starts the rotation schedule.
        assertEquals(0, harness.gate(first.challengeResponse(harness.cookieFor(first)), CLIENT));
        final long rotationMs = harness.config().challengeSecretRotationMs();

        harness.epochClock().advance(rotationMs - 1_000);
        final TestClient client = harness.newClient(1, 2, CLIENT);
        final byte[] response = client.challengeResponse(harness.cookieFor(client));
        assertEquals(0, harness.gate(otherIoThread, response, CLIENT), "issued by I/O thread 0, verified by 1");

        harness.epochClock().advance(2_000);
        assertEquals(0, harness.gate(otherIoThread, response, CLIENT), "after the rotation, by the rotating thread");
        assertEquals(0, harness.gate(response, CLIENT), "after the rotation, by the issuing thread");
        final byte[] fresh = client.challengeResponse(harness.cookieFor(client));
        assertEquals(0, harness.gate(otherIoThread, fresh, CLIENT), "issued under the new secret");

        harness.epochClock().advance(rotationMs);
        assertRejected(fresh, CLIENT, Counter.COOKIE_EXPIRED);
    }

    @Test
    void shouldVerifyCookiesBetweenGatesCreatedAtDifferentGenerations()
    {
        final long rotationMs = harness.config().challengeSecretRotationMs();
        harness.cookieFor(harness.newClient(1, 2, CLIENT));
        for (int i = 0; i < 2; i++)
        {
            harness.epochClock().advance(rotationMs + 1);
            harness.cookieFor(harness.newClient(1, 2, CLIENT));
        }
        final HandshakeGate lateIoThread = ServerTestFixtures.newGate(
            harness.server(), new CounterSet("io-late"), 1, harness.nanoClock(), harness.epochClock());
        final TestClient client = harness.newClient(1, 2, CLIENT);

        assertEquals(0, harness.gate(lateIoThread, client.challengeResponse(harness.cookieFor(client)), CLIENT));
    }

    @Test
    void shouldHandshakeFromAnIpv6Source()
    {
        final InetSocketAddress v6 = TestBytes.address("2001:db8::7", 50_000);
        final InetSocketAddress otherV6 = TestBytes.address("2001:db8::8", 50_000);
        final TestClient client = harness.newClient(1, 2, v6);
        final byte[] response = client.challengeResponse(harness.cookieFor(client));

        assertRejected(response, otherV6, Counter.COOKIE_INVALID);
        assertRejected(response, CLIENT, Counter.COOKIE_INVALID);
        assertEquals(0, harness.gate(response, v6));
    }

    private void assertRejected(final byte[] datagram, final InetSocketAddress from, final Counter counter)
    {
        final long before = harness.counter(counter);
        final long challenges = harness.counter(Counter.CHALLENGES_SENT);
        final int result = harness.gate(datagram, from);
        assertEquals(HandshakeGate.CONSUMED, result, counter.label());
        assertEquals(0, harness.replies().lastCall().size(), "reply to a datagram rejected as " + counter.label());
        assertEquals(before + 1, harness.counter(counter), counter.label());
        assertEquals(challenges, harness.counter(Counter.CHALLENGES_SENT));
        assertUntouched();
    }

    private void assertUntouched()
    {
        final SessionRegistry registry = harness.registry();
        final String state = harness.registryState();
        assertEquals(0, registry.sessionCount(), state);
        assertEquals(0, registry.pendingCount(), state);
        assertEquals(0, registry.clientCount(), state);
        assertEquals(0, registry.usedTokenCount(), state);
        assertTrue(harness.drain().isEmpty(), "no worker involved");
    }
}
