package dev.skirmish.sim.report;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Datagram counters of one client (flood) or of the single pingpong thread.
 * <p>
 * <b>Single writer:</b> only the thread that owns the client increments; the reporter and the controller read
 * at any time. Increments are ordered stores ({@code lazySet}), so a reader sees every value eventually and
 * never a torn one, at the cost of a plain store on x86.
 * <p>
 * Totals count every datagram; the {@code MEASURED_*} counters only datagrams sent after warm-up, which is
 * what the summary reports.
 */
public final class TrafficCounters
{
    /** Datagrams handed to the socket. */
    public static final int SENT = 0;
    /** Echoes matched to a datagram in flight. */
    public static final int RECEIVED = 1;
    /** Datagrams without a matching echo within the timeout. */
    public static final int LOST = 2;
    /** {@link #SENT}, measurement phase only. */
    public static final int MEASURED_SENT = 3;
    /** {@link #RECEIVED} for datagrams sent in the measurement phase. */
    public static final int MEASURED_RECEIVED = 4;
    /** {@link #LOST} for datagrams sent in the measurement phase. */
    public static final int MEASURED_LOST = 5;
    /** Echoes of datagrams already counted lost, or duplicates. */
    public static final int LATE = 6;
    /** Datagrams that are not an echo of ours: wrong length, header or session id. */
    public static final int INVALID = 7;
    /** Socket errors, e.g. ICMP port unreachable when no server listens. */
    public static final int ERRORS = 8;
    /** Number of counters. */
    public static final int COUNTER_COUNT = 9;

    private final AtomicLongArray values = new AtomicLongArray(COUNTER_COUNT);

    /**
     * A datagram was sent. Called from the owning thread.
     *
     * @param measured sent after warm-up.
     */
    public void onSent(final boolean measured)
    {
        increment(SENT);
        if (measured)
        {
            increment(MEASURED_SENT);
        }
    }

    /**
     * The echo of a datagram in flight arrived. Called from the owning thread.
     *
     * @param measured the datagram was sent after warm-up.
     */
    public void onReceived(final boolean measured)
    {
        increment(RECEIVED);
        if (measured)
        {
            increment(MEASURED_RECEIVED);
        }
    }

    /**
     * A datagram timed out. Called from the owning thread.
     *
     * @param measured the datagram was sent after warm-up.
     */
    public void onLost(final boolean measured)
    {
        increment(LOST);
        if (measured)
        {
            increment(MEASURED_LOST);
        }
    }

    /**
     * An echo arrived for nothing in flight. Called from the owning thread.
     */
    public void onLate()
    {
        increment(LATE);
    }

    /**
     * A datagram that is not one of our echoes arrived. Called from the owning thread.
     */
    public void onInvalid()
    {
        increment(INVALID);
    }

    /**
     * A socket operation failed. Called from the owning thread.
     */
    public void onError()
    {
        increment(ERRORS);
    }

    /**
     * Read one counter; any thread.
     *
     * @param counterId e.g. {@link #SENT}.
     * @return its current value.
     */
    public long get(final int counterId)
    {
        return values.get(counterId);
    }

    /**
     * Sum one counter over several writers; any thread.
     *
     * @param counters  one per writer.
     * @param counterId e.g. {@link #SENT}.
     * @return the sum.
     */
    public static long sum(final TrafficCounters[] counters, final int counterId)
    {
        long sum = 0;
        for (final TrafficCounters c : counters)
        {
            sum += c.get(counterId);
        }

        return sum;
    }

    private void increment(final int counterId)
    {
        values.lazySet(counterId, values.get(counterId) + 1);
    }
}
