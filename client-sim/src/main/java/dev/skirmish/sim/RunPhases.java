package dev.skirmish.sim;

/**
 * The time line of a run: warm-up from {@code startNs}, measurement from {@code measureStartNs} to
 * {@code endNs}. A datagram belongs to the measurement when it was <em>sent</em> at or after
 * {@code measureStartNs}; deciding by send time keeps the phase boundary exact without coordinating threads.
 *
 * @param startNs             {@link System#nanoTime()} at which the run started.
 * @param measureStartNs      {@link System#nanoTime()} at which warm-up ends and measurement starts.
 * @param endNs               {@link System#nanoTime()} after which no new datagram is sent.
 * @param startEpochMs        wall clock at {@code startNs}, for the interval log.
 * @param measureStartEpochMs wall clock at {@code measureStartNs}, for the interval log.
 */
public record RunPhases(long startNs, long measureStartNs, long endNs, long startEpochMs, long measureStartEpochMs)
{
    /**
     * Phases of a run starting now.
     *
     * @param warmupNs   length of the warm-up.
     * @param durationNs length of the measurement.
     * @return the phases.
     */
    public static RunPhases startingNow(final long warmupNs, final long durationNs)
    {
        final long startEpochMs = System.currentTimeMillis();
        final long startNs = System.nanoTime();
        final long measureStartNs = startNs + warmupNs;

        return new RunPhases(
            startNs, measureStartNs, measureStartNs + durationNs, startEpochMs, startEpochMs + warmupNs / 1_000_000);
    }

    /**
     * Does a datagram sent at this time belong to the measurement?
     *
     * @param sendNs {@link System#nanoTime()} at send.
     * @return true when sent at or after the end of warm-up.
     */
    public boolean isMeasured(final long sendNs)
    {
        return sendNs - measureStartNs >= 0;
    }
}
