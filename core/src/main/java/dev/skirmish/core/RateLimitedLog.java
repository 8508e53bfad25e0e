package dev.skirmish.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Gate for log lines that input from the network can trigger (limits hit, hostile messages, a game's logic throwing
 * on them): at most one line per interval passes, the rest are counted, so a flood of bad input costs a counter
 * increment and never floods the log. The caller logs only when {@link #tryAcquire} says so, and builds the line's
 * arguments only then (nothing is allocated for a suppressed line).
 *
 * <pre>{@code
 * if (limitLog.tryAcquire(nowNs))
 * {
 *     LOG.warn("max sessions reached ({}); {} more suppressed", max, limitLog.takeSuppressed());
 * }
 * }</pre>
 * Thread safe: one compare-and-set per allowed line, a volatile read and an increment per suppressed one. Time is an
 * input: pass the caller's clock (a worker's {@code nowNs}, or {@link System#nanoTime()}).
 */
public final class RateLimitedLog
{
    /** The interval the stack's network-reachable logs use: one line a second. */
    public static final long DEFAULT_INTERVAL_NS = 1_000_000_000L;
    private static final long NEVER = Long.MIN_VALUE;

    private final long intervalNs;
    private final AtomicLong nextLogNs = new AtomicLong(NEVER);
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong acquired = new AtomicLong();

    /**
     * One line a second.
     */
    public RateLimitedLog()
    {
        this(DEFAULT_INTERVAL_NS);
    }

    /**
     * @param intervalNs minimum time between two lines, &gt; 0.
     */
    public RateLimitedLog(final long intervalNs)
    {
        if (intervalNs <= 0)
        {
            throw new IllegalArgumentException("intervalNs must be > 0: " + intervalNs);
        }
        this.intervalNs = intervalNs;
    }

    /**
     * @param nowNs the caller's clock.
     * @return true if the caller should log its line now (the first call, then once per interval); false if the line
     * is suppressed (counted).
     */
    public boolean tryAcquire(final long nowNs)
    {
        final long next = nextLogNs.get();
        if ((NEVER == next || nowNs - next >= 0) && nextLogNs.compareAndSet(next, nowNs + intervalNs))
        {
            acquired.incrementAndGet();
            return true;
        }
        suppressed.incrementAndGet();
        return false;
    }

    /**
     * @return lines suppressed since the last call (reset to 0): for the line being logged.
     */
    public long takeSuppressed()
    {
        return suppressed.getAndSet(0);
    }

    /**
     * @return lines suppressed and not yet taken by {@link #takeSuppressed()}.
     */
    public long suppressed()
    {
        return suppressed.get();
    }

    /**
     * @return lines allowed so far (what the log received from this gate).
     */
    public long acquired()
    {
        return acquired.get();
    }

    /**
     * @return minimum time between two lines, ns.
     */
    public long intervalNs()
    {
        return intervalNs;
    }
}
