package dev.skirmish.session.server;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-session memory is fixed at allocation and explicit: measure the retained heap of 2 000 sessions and hold it
 * to the figure PROTOCOL.md's limits table gives.
 */
class SessionMemoryTest
{
    private static final int SESSIONS = 2_000;
    /** The documented bound, bytes per session (PROTOCOL.md, Limits). */
    private static final long MAX_BYTES_PER_SESSION = 16 * 1024;

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
