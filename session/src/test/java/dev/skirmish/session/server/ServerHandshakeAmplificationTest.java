package dev.skirmish.session.server;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Anti-amplification of the I/O-thread gate: for a million datagrams from unvalidated sources (random bytes, random
 * lengths behind a valid header, random 1200-byte handshakes that get as far as a decryption or a MAC, and every
 * genuine handshake step) no reply is longer than the datagram it answers, and so the total out never exceeds the
 * total in. The {@link RecordingReplies} enforces nothing: the check is the test's.
 */
class ServerHandshakeAmplificationTest
{
    private static final int MAX_DATAGRAM = ServerTestFixtures.MAX_DATAGRAM_LENGTH;
    private static final int TOKENS = 64;
    private static final int SOURCES = 4_096;

    @Test
    void shouldNeverAnswerWithMoreBytesThanItReceived()
    {
        final Totals totals = run(ServerTestFixtures.config(), 1_000_000, SOURCES, 0x5EED_A3F1L);

        assertTrue(totals.decryptFailures > 15_000, "random tokens reached the decryption: " + totals);
        assertTrue(totals.challenges > 30_000, "genuine requests were challenged: " + totals);
        assertTrue(totals.denied > 5_000, "tokens for another server were denied: " + totals);
        assertTrue(totals.routed > 10_000, "genuine responses were routed: " + totals);
        assertTrue(totals.macChecks > 10_000, "random cookies reached the MAC: " + totals);
    }

    @Test
    void shouldNeverAnswerWithMoreBytesThanItReceivedUnderLoad()
    {
        // 256 sources sending about 400 datagrams a second each: far above the per-source rate.
        final SessionServerConfig config = ServerTestFixtures.config().handshakeLoadThresholdPerSecond(0);
        final Totals totals = run(config, 200_000, 256, 0xA3F1L);

        assertTrue(totals.rateLimited > 0, "the per-source limit applied: " + totals);
        assertTrue(totals.challenges > 1_000, "requests were challenged before any decryption: " + totals);
        assertEquals(0, totals.denied, "under load a request is challenged before it is decrypted: " + totals);
    }

    private static Totals run(
        final SessionServerConfig config, final int datagrams, final int sourceCount, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final Totals totals = new Totals();
        try (ServerHarness harness = new ServerHarness(config, 4, seed))
        {
            final Generator generator = new Generator(harness, random, sourceCount);
            final long startNs = System.nanoTime();
            for (int i = 0; i < datagrams; i++)
            {
                final Datagram datagram = generator.next();
                if (i % 1_000 == 0)
                {
                    harness.epochClock().advance(1);
                }
                harness.advanceNs(10_000);
                if (!passesCoreHeaderCheck(datagram.bytes))
                {
                    totals.filtered++;
                    continue;
                }

                final int result;
                try
                {
                    result = harness.gate(datagram.bytes, datagram.source);
                }
                catch (final AssertionError ex)
                {
                    throw new AssertionError("seed=" + seed + " datagram " + i + " kind " + datagram.kind, ex);
                }
                totals.calls++;
                totals.in += datagram.bytes.length;
                totals.out += harness.replies().callBytes();
                if (harness.replies().callBytes() > datagram.bytes.length)
                {
                    fail("seed=" + seed + " datagram " + i + ": " + harness.replies().callBytes() + " B out for " +
                        datagram.bytes.length + " B in");
                }
                checkReplies(harness.replies().lastCall(), seed, i);
                if (HandshakeGate.CONSUMED != result)
                {
                    totals.routed++;
                }
                generator.onReplies(datagram, harness.replies().lastCall());
            }
            totals.decryptFailures = harness.counter(Counter.TOKEN_DECRYPT_FAILED);
            totals.macChecks = harness.counter(Counter.COOKIE_INVALID);
            totals.challenges = harness.counter(Counter.CHALLENGES_SENT);
            totals.denied = harness.counter(Counter.DENIED_SENT);
            totals.rateLimited = harness.counter(Counter.HANDSHAKE_RATE_LIMITED);
            totals.elapsedMs = (System.nanoTime() - startNs) / 1_000_000;

            assertEquals(totals.calls, harness.counter(Counter.HANDSHAKE_PACKETS_IN), "seed=" + seed);
            assertEquals(totals.challenges + totals.denied, harness.replies().totalReplies(), "seed=" + seed);
            assertTrue(harness.replies().maxRepliesPerCall() <= 1, "seed=" + seed + ": one reply per datagram at most");
            assertTrue(totals.out <= totals.in, "seed=" + seed + ": " + totals);
            assertEquals(0, harness.registry().sessionCount() + harness.registry().usedTokenCount(),
                "seed=" + seed + ": the gate stores nothing");
            assertTrue(harness.drain().isEmpty());
        }
        return totals;
    }

    private static void checkReplies(final List<byte[]> replies, final long seed, final int index)
    {
        for (final byte[] reply : replies)
        {
            final int type = ServerTestFixtures.typeOf(reply);
            final boolean challenge = type == PacketType.CHALLENGE.code() &&
                reply.length == HandshakeDescriptor.CHALLENGE_LENGTH;
            final boolean denied = type == PacketType.DENIED.code() &&
                reply.length == HandshakeDescriptor.DENIED_LENGTH;
            assertTrue(challenge || denied, "seed=" + seed + " datagram " + index + ": reply type " + type + " of " +
                reply.length + " B");
            assertEquals(0, ServerTestFixtures.sessionIdOf(reply));
        }
    }

    /**
     * Core's header validation (PROTOCOL.md, "Header validation order") plus its handshake-type routing: only
     * datagrams that pass reach the gate.
     */
    private static boolean passesCoreHeaderCheck(final byte[] bytes)
    {
        if (bytes.length < PacketHeader.LENGTH || bytes.length > MAX_DATAGRAM)
        {
            return false;
        }
        final int magic = (bytes[0] & 0xFF) | (bytes[1] & 0xFF) << 8;
        final int type = bytes[PacketHeader.TYPE_OFFSET] & 0xFF;
        return magic == PacketHeader.MAGIC && bytes[2] == PacketHeader.VERSION &&
            type >= PacketType.CONNECT_REQUEST.code() && type <= PacketType.DENIED.code();
    }

    private record Datagram(String kind, byte[] bytes, InetSocketAddress source, TestClient client)
    {
    }

    private static final class Totals
    {
        long calls;
        long filtered;
        long in;
        long out;
        long routed;
        long challenges;
        long denied;
        long decryptFailures;
        long macChecks;
        long rateLimited;
        long elapsedMs;

        @Override
        public String toString()
        {
            return "calls=" + calls + " filtered=" + filtered + " in=" + in + " out=" + out + " routed=" + routed +
                " challenges=" + challenges + " denied=" + denied + " decryptFailures=" + decryptFailures +
                " cookieMacFailures=" + macChecks + " rateLimited=" + rateLimited + " elapsedMs=" + elapsedMs;
        }
    }

    /**
     * The mix of datagrams, from a seeded random: mostly garbage that core lets through to the gate, a share of
     * exactly-sized random handshakes, and genuine connect requests and challenge responses (from the challenges
     * the gate sent) from the right and the wrong sources.
     */
    private static final class Generator
    {
        private final ServerHarness harness;
        private final SplittableRandom random;
        private final InetSocketAddress[] sources;
        private final TestClient[] clients = new TestClient[TOKENS];
        private final List<byte[]> responses = new ArrayList<>();
        private final List<InetSocketAddress> responseSources = new ArrayList<>();
        private final byte[] tokenPrefix;

        Generator(final ServerHarness harness, final SplittableRandom random, final int sourceCount)
        {
            this.harness = harness;
            this.random = random;
            this.sources = new InetSocketAddress[sourceCount];
            for (int i = 0; i < sourceCount; i++)
            {
                sources[i] = ServerTestFixtures.ipv4(
                    10, random.nextInt(256), random.nextInt(256), random.nextInt(256), 1 + random.nextInt(65_535));
            }
            for (int i = 0; i < TOKENS; i++)
            {
                // One token in four names another server only: the gate denies it.
                clients[i] = i % 4 == 3 ?
                    new TestClient(harness.config().aeadSuite(),
                        harness.newTokenFor(i, i, List.of(ServerTestFixtures.OTHER_SERVER)), source()) :
                    harness.newClient(i, random.nextLong(), source());
            }
            // Version info, protocol id and expire time of a genuine token: random bytes after them get decrypted.
            tokenPrefix = new byte[ConnectTokenDescriptor.NONCE_OFFSET];
            System.arraycopy(clients[0].serverPart(), 0, tokenPrefix, 0, tokenPrefix.length);
        }

        private InetSocketAddress source()
        {
            return sources[random.nextInt(sources.length)];
        }

        Datagram next()
        {
            final int kind = random.nextInt(100);
            if (kind < 4)
            {
                return new Datagram("random", randomBytes(random.nextInt(1_501)), source(), null);
            }
            if (kind < 85)
            {
                final int length = PacketHeader.LENGTH + random.nextInt(1_501 - PacketHeader.LENGTH);
                final byte[] bytes = randomBytes(length);
                ServerTestFixtures.writeHeader(bytes, PacketType.CONNECT_REQUEST.code() + random.nextInt(4),
                    random.nextInt(10) == 0 ? random.nextInt() : 0);
                return new Datagram("header+random", bytes, source(), null);
            }
            if (kind < 90)
            {
                return exactSizeRandom();
            }
            if (kind < 95)
            {
                final TestClient client = clients[random.nextInt(TOKENS)];
                return new Datagram("genuine request", client.connectRequest(), source(), client);
            }
            if (kind < 98 && !responses.isEmpty())
            {
                final int index = random.nextInt(responses.size());
                final InetSocketAddress source = random.nextInt(4) == 0 ? source() : responseSources.get(index);
                return new Datagram("genuine response", responses.get(index), source, null);
            }
            final PacketType type = random.nextBoolean() ? PacketType.CHALLENGE : PacketType.DENIED;
            final int[] lengths = {HandshakeDescriptor.CHALLENGE_LENGTH, HandshakeDescriptor.DENIED_LENGTH, 1200,
                PacketHeader.LENGTH + random.nextInt(MAX_DATAGRAM - PacketHeader.LENGTH)};
            final byte[] bytes = randomBytes(lengths[random.nextInt(lengths.length)]);
            ServerTestFixtures.writeHeader(bytes, type.code(), 0);
            return new Datagram("server-to-client type", bytes, source(), null);
        }

        private Datagram exactSizeRandom()
        {
            final byte[] bytes = randomBytes(HandshakeDescriptor.CONNECT_REQUEST_LENGTH);
            if (random.nextBoolean())
            {
                ServerTestFixtures.writeHeader(bytes, PacketType.CONNECT_REQUEST.code(), 0);
                if (random.nextInt(4) != 0)
                {
                    System.arraycopy(tokenPrefix, 0, bytes, HandshakeDescriptor.REQUEST_TOKEN_OFFSET,
                        tokenPrefix.length);
                }
                return new Datagram("1200 B request", bytes, source(), null);
            }
            ServerTestFixtures.writeHeader(bytes, PacketType.CHALLENGE_RESPONSE.code(), 0);
            if (random.nextInt(4) != 0)
            {
                // A current issue time and key phase 0: the forged MAC gets computed and compared.
                final long ticks = Math.floorDiv(harness.epochClock().time(), ChallengeCookieDescriptor.TICK_MS);
                for (int i = 0; i < Long.BYTES; i++)
                {
                    bytes[HandshakeDescriptor.RESPONSE_COOKIE_OFFSET + i] = (byte)(ticks >>> (8 * i));
                }
                bytes[HandshakeDescriptor.RESPONSE_COOKIE_OFFSET + ChallengeCookieDescriptor.KEY_PHASE_OFFSET] = 0;
                System.arraycopy(tokenPrefix, 0, bytes, HandshakeDescriptor.RESPONSE_TOKEN_OFFSET, tokenPrefix.length);
            }
            return new Datagram("1200 B response", bytes, source(), null);
        }

        void onReplies(final Datagram datagram, final List<byte[]> replies)
        {
            if (null == datagram.client || replies.size() != 1 ||
                ServerTestFixtures.typeOf(replies.get(0)) != PacketType.CHALLENGE.code())
            {
                return;
            }
            final byte[] response = datagram.client.challengeResponse(ServerTestFixtures.cookieOf(replies.get(0)));
            if (responses.size() < 256)
            {
                responses.add(response);
                responseSources.add(datagram.source);
            }
            else
            {
                final int slot = random.nextInt(responses.size());
                responses.set(slot, response);
                responseSources.set(slot, datagram.source);
            }
        }

        private byte[] randomBytes(final int length)
        {
            final byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            return bytes;
        }
    }
}
