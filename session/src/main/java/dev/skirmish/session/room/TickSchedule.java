package dev.skirmish.session.room;

/**
 * An absolute tick schedule: tick n is due at {@code start + floor(n * 1e9 / rate)} ns, computed from n each time, so
 * no error accumulates however long the room runs (a 30 Hz period of 33 333 333.3 ns never drifts). Running late
 * never moves later deadlines; skipping a backlog jumps to the newest due tick on the same grid.
 * <p>
 * Not thread safe: owned by its room's worker.
 */
public final class TickSchedule
{
    private static final long NS_PER_SECOND = 1_000_000_000L;

    private final long startNs;
    private final int tickRateHz;
    private long nextTick;

    /**
     * @param startNs    when tick 0 is due.
     * @param tickRateHz ticks per second, 1 or more.
     */
    public TickSchedule(final long startNs, final int tickRateHz)
    {
        if (tickRateHz < 1)
        {
            throw new IllegalArgumentException("tickRateHz must be >= 1: " + tickRateHz);
        }
        this.startNs = startNs;
        this.tickRateHz = tickRateHz;
    }

    /**
     * @param tick a tick index, 0 or more.
     * @return when it is due, ns.
     */
    public long deadlineNs(final long tick)
    {
        // n = q * rate + r: floor(n * 1e9 / rate) = q * 1e9 + floor(r * 1e9 / rate), exact and overflow-free
        return startNs + (tick / tickRateHz) * NS_PER_SECOND + (tick % tickRateHz) * NS_PER_SECOND / tickRateHz;
    }

    /**
     * @return index of the next tick to run.
     */
    public long nextTick()
    {
        return nextTick;
    }

    /**
     * @return when the next tick is due, ns.
     */
    public long nextDeadlineNs()
    {
        return deadlineNs(nextTick);
    }

    /**
     * @param nowNs current time.
     * @return true if the next tick is due.
     */
    public boolean isDue(final long nowNs)
    {
        return nowNs - nextDeadlineNs() >= 0;
    }

    /**
     * @param nowNs current time.
     * @return ticks due and not yet run (0 if the next one is in the future).
     */
    public long backlog(final long nowNs)
    {
        final long elapsedNs = nowNs - startNs;
        if (elapsedNs < 0)
        {
            return 0;
        }
        // tick n is due iff floor(n * 1e9 / rate) <= elapsed  <=>  n < (elapsed + 1) * rate / 1e9; with
        // elapsed + 1 = s * 1e9 + m the count of due ticks is s * rate + ceil(m * rate / 1e9)
        final long seconds = (elapsedNs + 1) / NS_PER_SECOND;
        final long remainderNs = (elapsedNs + 1) % NS_PER_SECOND;
        final long dueTicks = seconds * tickRateHz + (remainderNs * tickRateHz + NS_PER_SECOND - 1) / NS_PER_SECOND;
        return Math.max(0, dueTicks - nextTick);
    }

    /**
     * The next tick runs now.
     *
     * @return its index.
     */
    public long advance()
    {
        return nextTick++;
    }

    /**
     * Skip ticks without running them (a backlog too long to catch up); the grid stays.
     *
     * @param ticks how many.
     */
    public void skip(final long ticks)
    {
        nextTick += ticks;
    }

    /**
     * @return when tick 0 was due.
     */
    public long startNs()
    {
        return startNs;
    }

    /**
     * @return ticks per second.
     */
    public int tickRateHz()
    {
        return tickRateHz;
    }
}
