package dev.skirmish.session.server;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-session memory is explicit: measure the retained heap of many fresh sessions and hold it to a bound. Each
 * session holds a {@link dev.skirmish.session.channel.ChannelEndpoint} whose send queue, packet refs and reorder
 * buffers start small and grow with traffic up to their configured caps (ChannelEndpointMemoryTest measures an
 * endpoint idle and after light traffic); the sent-packet tracker's 1024 records (~30 KB) are allocated up front.
 */
class SessionMemoryTest
{
    /** Sessions measured. */
    private static final int SESSIONS = 2_000;
    /** Bytes per session: ~50 KB measured (5.9 KB of session and registry, ~43 KB of idle channel endpoint). */
    private static final long MAX_BYTES_PER_SESSION = 64 * 1024;

    private static long usedHeapAfterGc()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    @Test
    void shouldKeepEachSessionWithinItsDocumentedMemory()
    {
        try (ServerHarness harness = new ServerHarness(ServerTestFixtures.config().handshakeLoadThresholdPerSecond(1_000_000).maxPendingSessions(5_000), 1, 42))
        {
            harness.connect(1, 1, new InetSocketAddress("10.0.0.1", 1000)); // warm classes and pools
            final long before = usedHeapAfterGc();
            for (int i = 0; i < SESSIONS; i++)
            {
                harness.connect(100 + i, i / 4,
                    new InetSocketAddress("10.1." + (i >> 8) + "." + (i & 0xFF), 2000 + i));
            }
            final long after = usedHeapAfterGc();
            assertEquals(SESSIONS + 1, harness.sessions(0).sessionCount());
            final long perSession = (after - before) / SESSIONS;
            System.out.println("SessionMemoryTest: " + perSession + " B retained per session (" + SESSIONS +
                " sessions, registry entries and used-token entries included)");
            assertTrue(perSession > 0 && perSession <= MAX_BYTES_PER_SESSION, perSession + " B per session");
        }
    }
}
