package dev.skirmish.server;

import java.lang.management.ManagementFactory;

/**
 * Reads how many bytes the server's own threads have allocated (HotSpot's per-thread allocation counter) and how much
 * CPU they used, so the server can report garbage and CPU per datagram for its I/O threads and workers separately.
 * Off the hot path: called by the stats printer only.
 */
final class ThreadAllocation
{
    private final com.sun.management.ThreadMXBean threads;

    ThreadAllocation()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        threads = bean instanceof com.sun.management.ThreadMXBean ? (com.sun.management.ThreadMXBean)bean : null;
        if (null != threads && threads.isThreadAllocatedMemorySupported())
        {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
    }

    /**
     * CPU time used so far by all live threads whose name starts with {@code prefix}.
     *
     * @param prefix thread name prefix.
     * @return nanoseconds, or 0 when the JVM cannot tell.
     */
    long cpuNs(final String prefix)
    {
        return null == threads || !threads.isThreadCpuTimeSupported() ? 0 : sum(prefix, threads::getThreadCpuTime);
    }

    /**
     * Bytes allocated so far by all live threads whose name starts with {@code prefix}.
     *
     * @param prefix thread name prefix.
     * @return bytes, or 0 when the JVM cannot tell.
     */
    long allocatedBytes(final String prefix)
    {
        return null == threads ? 0 : sum(prefix, threads::getThreadAllocatedBytes);
    }

    private static long sum(final String prefix, final java.util.function.LongUnaryOperator perThreadId)
    {
        long total = 0;
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith(prefix))
            {
                total += Math.max(0, perThreadId.applyAsLong(thread.getId()));
            }
        }
        return total;
    }
}
