package dev.skirmish.session.server;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connect request step stores nothing: a million connect requests from a hundred thousand forged sources, some
 * carrying garbage and some the same few valid tokens, leave no session, no pending session, no client and no used
 * token behind, never reach a worker, and do not grow the heap (the only per-source table, the rate limiter, is
 * preallocated and bounded). Run both in normal operation and always under load (rate limiter and challenge before
 * decryption).
 */
class ServerHandshakeStatelessTest
{
    private static final int REQUESTS = 1_000_000;
    private static final int SOURCES = 100_000;
    private static final int VALID_TOKENS = 4;
    private static final int WARM_UP = 100_000;
    private static final long MAX_HEAP_GROWTH = 16L << 20;

    @Test
    void shouldStoreNothingForConnectRequestsFromForgedSources()
    {
        final Outcome outcome = run(ServerTestFixtures.config(), 0x57A7E1E55L);

        assertEquals(outcome.valid, outcome.challenges, "every valid token challenged, nothing else: " + outcome);
    }

    @Test
    void shouldStoreNothingForConnectRequestsFromForgedSourcesUnderLoad()
    {
        final SessionServerConfig config = ServerTestFixtures.config().handshakeLoadThresholdPerSecond(0);
        final Outcome outcome = run(config, 0x57A7E1E55L + 1);

        assertEquals(0, outcome.decryptFailures, "under load nothing is decrypted before a cookie: " + outcome);
        assertTrue(outcome.challenges > outcome.valid, "garbage is challenged too, before decryption: " + outcome);
        assertTrue(outcome.rateLimiterSize <= config.rateLimiterCapacity(), outcome.toString());
    }

    private static Outcome run(final SessionServerConfig config, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final Outcome outcome = new Outcome();
        try (ServerHarness harness = new ServerHarness(config, 1, seed))
        {
            final byte[][] valid = new byte[VALID_TOKENS][];
            for (int i = 0; i < VALID_TOKENS; i++)
            {
                valid[i] = harness.newClient(i, i, ServerTestFixtures.SERVER).connectRequest();
            }
            final byte[] validPrefix = new byte[ConnectTokenDescriptor.NONCE_OFFSET];
            System.arraycopy(valid[0], HandshakeDescriptor.REQUEST_TOKEN_OFFSET, validPrefix, 0, validPrefix.length);
            final int[] ports = new int[SOURCES];
            for (int i = 0; i < SOURCES; i++)
            {
                ports[i] = 1 + random.nextInt(65_535);
            }
            final byte[] garbage = ServerTestFixtures.datagram(
                PacketType.CONNECT_REQUEST, 0, HandshakeDescriptor.CONNECT_REQUEST_LENGTH);
            final byte[] body = new byte[ConnectTokenDescriptor.SERVER_PART_LENGTH];
            random.nextBytes(body);
            final byte[] fresh = new byte[64];

            long baselineHeap = 0;
            for (int i = 0; i < REQUESTS; i++)
            {
                if (i == WARM_UP)
                {
                    baselineHeap = usedHeap();
                }
                final int source = random.nextInt(SOURCES);
                final InetSocketAddress sender = ServerTestFixtures.ipv4(
                    10, source >>> 16, (source >>> 8) & 0xFF, source & 0xFF, ports[source]);
                final byte[] request;
                final int kind = random.nextInt(20);
                if (kind < 1)
                {
                    request = valid[random.nextInt(VALID_TOKENS)];
                    outcome.valid++;
                }
                else
                {
                    // New random bytes at the front and at a random place; the rest stays random from before.
                    random.nextBytes(fresh);
                    System.arraycopy(fresh, 0, body, 0, fresh.length);
                    System.arraycopy(fresh, 0, body, random.nextInt(body.length - fresh.length), fresh.length);
                    if (kind < 2)
                    {
                        // Passes the cheap checks: costs a decryption (when not under load).
                        System.arraycopy(validPrefix, 0, body, 0, validPrefix.length);
                    }
                    System.arraycopy(body, 0, garbage, HandshakeDescriptor.REQUEST_TOKEN_OFFSET, body.length);
                    request = garbage;
                }
                harness.advanceNs(1_000);

                final int result = harness.gate(request, sender);

                if (HandshakeGate.CONSUMED != result)
                {
                    throw new AssertionError("seed=" + seed + " request " + i + " routed to worker " + result);
                }
            }
            final long endHeap = usedHeap();

            outcome.challenges = harness.counter(Counter.CHALLENGES_SENT);
            outcome.decryptFailures = harness.counter(Counter.TOKEN_DECRYPT_FAILED);
            outcome.rateLimited = harness.counter(Counter.HANDSHAKE_RATE_LIMITED);
            outcome.rateLimiterSize = harness.gate().rateLimiter().size();
            outcome.heapGrowth = endHeap - baselineHeap;

            final SessionRegistry registry = harness.registry();
            final String message = "seed=" + seed + " " + outcome + " " + harness.registryState();
            System.out.println("ServerHandshakeStatelessTest: " + message);
            assertEquals(0, registry.sessionCount(), message);
            assertEquals(0, registry.pendingCount(), message);
            assertEquals(0, registry.clientCount(), message);
            assertEquals(0, registry.usedTokenCount(), message);
            assertEquals(0, harness.sessions(0).sessionCount(), message);
            assertTrue(harness.drain().isEmpty(), message);
            assertEquals(REQUESTS, harness.counter(Counter.HANDSHAKE_PACKETS_IN), message);
            assertTrue(outcome.heapGrowth < MAX_HEAP_GROWTH, "heap grew by " + outcome.heapGrowth + " B: " + message);
        }
        return outcome;
    }

    /**
     * Used heap after full collections; bounded: a few attempts, keeping the lowest reading.
     */
    private static long usedHeap()
    {
        final Runtime runtime = Runtime.getRuntime();
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            lowest = Math.min(lowest, runtime.totalMemory() - runtime.freeMemory());
        }
        return lowest;
    }

    private static final class Outcome
    {
        long valid;
        long challenges;
        long decryptFailures;
        long rateLimited;
        int rateLimiterSize;
        long heapGrowth;

        @Override
        public String toString()
        {
            return "valid=" + valid + " challenges=" + challenges + " decryptFailures=" + decryptFailures +
                " rateLimited=" + rateLimited + " rateLimiterSize=" + rateLimiterSize + " heapGrowth=" + heapGrowth;
        }
    }
}
