package dev.skirmish.core.admission;

/**
 * Decides whether the server is under handshake load, so that {@link SourceRateLimiter} is applied only then and
 * costs nothing in normal operation.
 * <p>
 * Handshake packets are counted in fixed windows of {@code windowNs}. Load mode is entered when the count of the
 * current window exceeds {@code thresholdPerWindow}, or when the caller reports another symptom through
 * {@link #signalLoad(long)} (e.g. an inbound queue above its high-water mark), and is held until {@code holdNs} after
 * the last trigger, so the limiter does not flap at the threshold. The previous window's count is kept for
 * {@link #previousWindowCount()} and for dashboards.
 * <p>
 * <b>Threading:</b> single-writer. Owned by one I/O thread and called only from it. Time is an input: every method
 * takes {@code nowNs}, from the caller's monotonic clock, and nothing here reads a clock. Allocation-free.
 */
public final class HandshakeLoadDetector
{
    private final long windowNs;
    private final long thresholdPerWindow;
    private final long holdNs;

    private boolean started;
    private long windowStartNs;
    private long currentWindowCount;
    private long previousWindowCount;
    private boolean engaged;
    private long engagedUntilNs;

    /**
     * @param windowNs           length of a counting window, in nanoseconds; greater than zero.
     * @param thresholdPerWindow handshake packets per window above which the server is under load; at least zero.
     * @param holdNs             how long load mode lasts after its last trigger, in nanoseconds; at least zero.
     */
    public HandshakeLoadDetector(final long windowNs, final long thresholdPerWindow, final long holdNs)
    {
        if (windowNs <= 0)
        {
            throw new IllegalArgumentException("windowNs must be greater than zero: " + windowNs);
        }
        if (thresholdPerWindow < 0)
        {
            throw new IllegalArgumentException("thresholdPerWindow must not be negative: " + thresholdPerWindow);
        }
        if (holdNs < 0)
        {
            throw new IllegalArgumentException("holdNs must not be negative: " + holdNs);
        }

        this.windowNs = windowNs;
        this.thresholdPerWindow = thresholdPerWindow;
        this.holdNs = holdNs;
    }

    /**
     * Count one handshake packet and say whether the per-source limiter should be applied to it. Called from the
     * owning I/O thread, for every handshake packet, before the limiter.
     *
     * @param nowNs current time, in nanoseconds.
     * @return true if the server is under load (this packet included).
     */
    public boolean onHandshake(final long nowNs)
    {
        roll(nowNs);
        if (++currentWindowCount > thresholdPerWindow)
        {
            engage(nowNs);
        }

        return isUnderLoad(nowNs);
    }

    /**
     * Enter (or extend) load mode because of a symptom seen elsewhere, e.g. a queue above its high-water mark.
     * Called from the owning I/O thread.
     *
     * @param nowNs current time, in nanoseconds.
     */
    public void signalLoad(final long nowNs)
    {
        roll(nowNs);
        engage(nowNs);
    }

    /**
     * Whether the server is under load now, without counting a packet. Called from the owning I/O thread.
     *
     * @param nowNs current time, in nanoseconds.
     * @return true while load mode holds.
     */
    public boolean isUnderLoad(final long nowNs)
    {
        if (engaged && nowNs - engagedUntilNs > 0)
        {
            engaged = false;
        }

        return engaged;
    }

    /**
     * Handshake packets counted in the current window so far (as of the last call).
     *
     * @return packets in the current window.
     */
    public long currentWindowCount()
    {
        return currentWindowCount;
    }

    /**
     * Handshake packets counted in the window before the current one, zero if that window saw none.
     *
     * @return packets in the previous window.
     */
    public long previousWindowCount()
    {
        return previousWindowCount;
    }

    private void engage(final long nowNs)
    {
        engaged = true;
        engagedUntilNs = nowNs + holdNs;
    }

    private void roll(final long nowNs)
    {
        if (!started)
        {
            started = true;
            windowStartNs = nowNs;
            return;
        }

        final long elapsedNs = nowNs - windowStartNs;
        if (elapsedNs >= windowNs)
        {
            final long windows = elapsedNs / windowNs;
            previousWindowCount = 1 == windows ? currentWindowCount : 0;
            currentWindowCount = 0;
            windowStartNs += windows * windowNs;
        }
    }
}
