package dev.skirmish.session.channel.recovery;

/**
 * New Reno congestion control as RFC 9002 §7 and Appendix B specify it, with a floor and a ceiling suited to game
 * sessions. Tracks the bytes in flight and the congestion window; {@link #availableBytes()} is what the session may
 * still send as ack-eliciting (congestion-controlled) data now. Pacing-free: a game sends on its tick, in bursts of
 * a few packets, and the window bounds each burst.
 * <ul>
 *   <li><b>Window</b>: starts at {@code initialWindowPackets x maxDatagramBytes} (10 x 1472 B by default), never
 *   below {@code minWindowPackets x maxDatagramBytes} (2 x), never above {@code maxWindowBytes} (1 MiB).</li>
 *   <li><b>Slow start</b> (window &lt; slow start threshold, initially unbounded): each acknowledged byte adds one
 *   byte to the window.</li>
 *   <li><b>Congestion avoidance</b>: one max datagram per window of acknowledged bytes, counted exactly with an
 *   acked-bytes accumulator (RFC 3465 appropriate byte counting) instead of the RFC's per-ack
 *   {@code maxDatagram * acked / window}, which truncates to 0 for small packets in integer arithmetic.</li>
 *   <li><b>Application limited</b> (RFC 9002 §7.8): a game rarely fills its window, and growing it on acks of a
 *   half-empty window would let it grow without bound. The window grows on an ack only if at least half the window
 *   was in flight when it arrived ({@code 2 x bytesInFlight >= window}, counting the acknowledged packet; Linux's
 *   {@code tcp_is_cwnd_limited} rule for slow start, used in both phases here).</li>
 *   <li><b>Recovery</b>: a loss of a packet sent after the current recovery period started begins a new period at
 *   {@code nowNs}: slow start threshold = window / 2 (kLossReductionFactor 0.5), window = max(threshold, floor).
 *   Losses and acks of packets sent before the period started change nothing: one reduction per period, however
 *   many packets of the same flight were lost.</li>
 *   <li><b>Persistent congestion</b> (RFC 9002 §7.6, detected by {@link SentPacketTracker}): window = floor and the
 *   recovery period ends, so the next loss reduces again.</li>
 * </ul>
 * No undo on spurious loss: a game's reliable traffic is small and the window recovers within a few RTTs.
 * <p>
 * Not thread safe: single writer, the worker thread that owns the session. Allocates nothing.
 */
public final class CongestionController
{
    private final long maxDatagramBytes;
    private final long minWindowBytes;
    private final long initialWindowBytes;
    private final long maxWindowBytes;

    private long windowBytes;
    private long slowStartThresholdBytes;
    private long bytesInFlight;
    private long bytesAckedInAvoidance;
    private boolean inRecoveryPeriod;
    private long recoveryStartNs;
    private long congestionEvents;
    private long persistentCongestionEvents;

    /**
     * @param config concluded here; datagram size and window bounds are copied.
     */
    public CongestionController(final RecoveryConfig config)
    {
        config.conclude();
        maxDatagramBytes = config.maxDatagramBytes();
        minWindowBytes = (long)config.minWindowPackets() * maxDatagramBytes;
        initialWindowBytes = (long)config.initialWindowPackets() * maxDatagramBytes;
        maxWindowBytes = config.maxWindowBytes();
        reset();
    }

    /**
     * Back to the initial window with nothing in flight, as for a new session.
     */
    public void reset()
    {
        windowBytes = initialWindowBytes;
        slowStartThresholdBytes = Long.MAX_VALUE;
        bytesInFlight = 0;
        bytesAckedInAvoidance = 0;
        inRecoveryPeriod = false;
        recoveryStartNs = 0;
        congestionEvents = 0;
        persistentCongestionEvents = 0;
    }

    /**
     * An in-flight (ack-eliciting) packet was sent. Called from the worker thread.
     *
     * @param bytes size of the packet, 0 or more.
     */
    public void onPacketSent(final int bytes)
    {
        bytesInFlight += Math.max(bytes, 0);
    }

    /**
     * An in-flight packet was acknowledged: it leaves the bytes in flight and may grow the window. Called from the
     * worker thread.
     *
     * @param bytes      size of the packet, as given to {@link #onPacketSent(int)}.
     * @param sentTimeNs when it was sent.
     */
    public void onPacketAcked(final int bytes, final long sentTimeNs)
    {
        final long acked = Math.max(bytes, 0);
        final long inFlightBefore = bytesInFlight;
        bytesInFlight = Math.max(bytesInFlight - acked, 0);

        if (isInRecovery(sentTimeNs) || 2 * inFlightBefore < windowBytes)
        {
            return;
        }

        if (windowBytes < slowStartThresholdBytes)
        {
            windowBytes = Math.min(windowBytes + acked, maxWindowBytes);
        }
        else
        {
            bytesAckedInAvoidance += acked;
            if (bytesAckedInAvoidance >= windowBytes)
            {
                bytesAckedInAvoidance -= windowBytes;
                windowBytes = Math.min(windowBytes + maxDatagramBytes, maxWindowBytes);
            }
        }
    }

    /**
     * In-flight packets were declared lost: they leave the bytes in flight and, unless the latest of them was sent
     * before the current recovery period started, the window is halved (not below the floor) and a new recovery
     * period starts at {@code nowNs}. Called from the worker thread, once per loss detection pass.
     *
     * @param bytes                 total size of the lost in-flight packets.
     * @param largestLostSentTimeNs send time of the latest of them.
     * @param nowNs                 current time.
     * @return true when this loss reduced the window (started a recovery period).
     */
    public boolean onPacketsLost(final long bytes, final long largestLostSentTimeNs, final long nowNs)
    {
        bytesInFlight = Math.max(bytesInFlight - Math.max(bytes, 0), 0);
        if (isInRecovery(largestLostSentTimeNs))
        {
            return false;
        }

        inRecoveryPeriod = true;
        recoveryStartNs = nowNs;
        slowStartThresholdBytes = windowBytes / 2;
        windowBytes = Math.max(slowStartThresholdBytes, minWindowBytes);
        bytesAckedInAvoidance = 0;
        congestionEvents++;
        return true;
    }

    /**
     * Persistent congestion was detected (RFC 9002 §7.6): the window collapses to its floor and the recovery period
     * ends. Called from the worker thread, after {@link #onPacketsLost(long, long, long)} for the same losses.
     */
    public void onPersistentCongestion()
    {
        windowBytes = minWindowBytes;
        inRecoveryPeriod = false;
        bytesAckedInAvoidance = 0;
        persistentCongestionEvents++;
    }

    /**
     * Whether a packet sent at {@code sentTimeNs} belongs to the current recovery period (was sent before it
     * started), so that its ack does not grow the window and its loss does not shrink it again.
     *
     * @param sentTimeNs send time of the packet.
     * @return true when a recovery period is running and the packet was sent at or before its start.
     */
    public boolean isInRecovery(final long sentTimeNs)
    {
        return inRecoveryPeriod && sentTimeNs <= recoveryStartNs;
    }

    /**
     * What the session may still send as congestion-controlled data now: window minus bytes in flight. Probes
     * ({@link RecoveryHandler#onProbe()}) and ack-only packets are sent regardless.
     *
     * @return available bytes, 0 or more.
     */
    public long availableBytes()
    {
        return Math.max(windowBytes - bytesInFlight, 0);
    }

    /**
     * @return the congestion window, bytes.
     */
    public long window()
    {
        return windowBytes;
    }

    /**
     * @return the floor of the window, bytes.
     */
    public long minWindow()
    {
        return minWindowBytes;
    }

    /**
     * @return the ceiling of the window, bytes.
     */
    public long maxWindow()
    {
        return maxWindowBytes;
    }

    /**
     * @return the slow start threshold, bytes; {@link Long#MAX_VALUE} until the first congestion event.
     */
    public long slowStartThreshold()
    {
        return slowStartThresholdBytes;
    }

    /**
     * @return bytes of in-flight packets neither acknowledged nor declared lost.
     */
    public long bytesInFlight()
    {
        return bytesInFlight;
    }

    /**
     * @return congestion events (window reductions, one per recovery period) since construction or reset.
     */
    public long congestionEvents()
    {
        return congestionEvents;
    }

    /**
     * @return persistent congestion events since construction or reset.
     */
    public long persistentCongestionEvents()
    {
        return persistentCongestionEvents;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "CongestionController{windowBytes=" + windowBytes +
            ", slowStartThresholdBytes=" + slowStartThresholdBytes +
            ", bytesInFlight=" + bytesInFlight +
            ", inRecoveryPeriod=" + inRecoveryPeriod +
            ", recoveryStartNs=" + recoveryStartNs +
            ", congestionEvents=" + congestionEvents +
            ", persistentCongestionEvents=" + persistentCongestionEvents + '}';
    }
}
