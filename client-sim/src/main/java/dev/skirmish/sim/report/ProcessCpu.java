package dev.skirmish.sim.report;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU time this process has used, from {@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}
 * (all threads: bots, JIT, GC), so a load generator can say how much of the machine it took itself. Single reader:
 * each {@link #sample} returns the use since the previous one.
 */
public final class ProcessCpu
{
    private final com.sun.management.OperatingSystemMXBean os;
    private long lastCpuNs;
    private long lastWallNs;

    /**
     * Start measuring from now.
     */
    public ProcessCpu()
    {
        final OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        os = bean instanceof com.sun.management.OperatingSystemMXBean ?
            (com.sun.management.OperatingSystemMXBean)bean : null;
        lastCpuNs = cpuNs();
        lastWallNs = System.nanoTime();
    }

    /**
     * CPU time of the process so far.
     *
     * @return ns, or -1 when the JVM does not tell.
     */
    public long cpuNs()
    {
        return null == os ? -1 : os.getProcessCpuTime();
    }

    /**
     * CPU use since the previous sample, as a percentage of one core (200% = two cores busy).
     *
     * @return percent, or -1 when the JVM does not tell.
     */
    public double sample()
    {
        final long cpuNs = cpuNs();
        final long wallNs = System.nanoTime();
        final double percent = cpuNs < 0 || wallNs == lastWallNs ? -1 :
            100.0 * (cpuNs - lastCpuNs) / (wallNs - lastWallNs);
        lastCpuNs = cpuNs;
        lastWallNs = wallNs;

        return percent;
    }
}
