package dev.skirmish.session.channel.recovery;

import java.util.concurrent.TimeUnit;

/**
 * Round-trip time estimate of one session, as RFC 9002 §5 specifies it, in integer nanoseconds.
 * <p>
 * Before any sample: smoothed RTT = initial RTT, RTT variance = initial RTT / 2, min and latest RTT = 0
 * (RFC 9002 §6.2.2). Each sample, with {@code latest} clamped to [0, {@value #MAX_RTT_SAMPLE_NS}] ns:
 * <pre>
 * first sample:   min = latest; smoothed = latest; var = latest / 2; jitter = 0
 * later samples:  min = min(min, latest)
 *                 ackDelay = min(max(ackDelay, 0), peerMaxAckDelay)
 *                 adjusted = latest >= min + ackDelay ? latest - ackDelay : latest
 *                 var = (3 * var + |smoothed - adjusted|) / 4
 *                 smoothed = (7 * smoothed + adjusted) / 8
 *                 jitter = jitter + (|adjusted - previousAdjusted| - jitter) / 16
 * </pre>
 * Divisions truncate (all operands are non-negative except the jitter step, which truncates toward zero). The ack
 * delay of the first sample is ignored, as in the RFC; the update of {@code min} uses the unadjusted sample.
 * <p>
 * <b>Jitter</b> is the RFC 3550 §6.4.1 interarrival jitter estimator (gain 1/16) applied to consecutive adjusted RTT
 * samples instead of one-way transit times: it needs no timestamps in the protocol and excludes the peer's ack delay
 * where the RTT variance includes it. It is reported for the game (e.g. to size a jitter buffer) and not used by
 * loss recovery, which uses the RFC 9002 variance.
 * <p>
 * Not thread safe: single writer, the worker thread that owns the session. Allocates nothing.
 */
public final class RttEstimator
{
    /** Timer granularity, ns (RFC 9002 kGranularity): 1 ms. The floor of the loss delay and of 4 x RTT variance. */
    public static final long GRANULARITY_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * Largest RTT sample taken, ns: 2^42 ns, about 73 minutes, longer than any session lives (a session times out
     * after at most 3600 s of silence). Keeps every product in this package far from overflow.
     */
    public static final long MAX_RTT_SAMPLE_NS = 1L << 42;

    private final long initialRttNs;
    private final long peerMaxAckDelayNs;

    private long latestRttNs;
    private long minRttNs;
    private long smoothedRttNs;
    private long rttVarNs;
    private long jitterNs;
    private long previousAdjustedRttNs;
    private long sampleCount;

    /**
     * @param config concluded here; the initial RTT and the peer's max ack delay are copied.
     */
    public RttEstimator(final RecoveryConfig config)
    {
        this(config.conclude().initialRttNs(), config.peerMaxAckDelayNs());
    }

    /**
     * @param initialRttNs      RTT assumed before the first sample, 1 to {@value #MAX_RTT_SAMPLE_NS} ns.
     * @param peerMaxAckDelayNs the peer's max ack delay, caps reported ack delays, 0 or more ns.
     */
    public RttEstimator(final long initialRttNs, final long peerMaxAckDelayNs)
    {
        if (initialRttNs < 1 || initialRttNs > MAX_RTT_SAMPLE_NS)
        {
            throw new IllegalArgumentException("initialRttNs must be in [1, " + MAX_RTT_SAMPLE_NS + "], got " +
                initialRttNs);
        }
        if (peerMaxAckDelayNs < 0 || peerMaxAckDelayNs > MAX_RTT_SAMPLE_NS)
        {
            throw new IllegalArgumentException("peerMaxAckDelayNs must be in [0, " + MAX_RTT_SAMPLE_NS + "], got " +
                peerMaxAckDelayNs);
        }
        this.initialRttNs = initialRttNs;
        this.peerMaxAckDelayNs = peerMaxAckDelayNs;
        reset();
    }

    /**
     * Take an RTT sample. Called from the worker thread, by {@link SentPacketTracker} when an ack newly acknowledges
     * its largest packet number, or by a test.
     *
     * @param latestRttNs ack receive time minus send time of the largest acknowledged packet, ns; clamped to
     *                    [0, {@value #MAX_RTT_SAMPLE_NS}].
     * @param ackDelayNs  ack delay the peer reported, ns; negative counts as 0, more than the peer's max ack delay
     *                    counts as that.
     */
    public void onRttSample(final long latestRttNs, final long ackDelayNs)
    {
        final long latest = Math.min(Math.max(latestRttNs, 0), MAX_RTT_SAMPLE_NS);
        this.latestRttNs = latest;
        if (0 == sampleCount++)
        {
            minRttNs = latest;
            smoothedRttNs = latest;
            rttVarNs = latest / 2;
            jitterNs = 0;
            previousAdjustedRttNs = latest;
            return;
        }

        minRttNs = Math.min(minRttNs, latest);
        final long ackDelay = Math.min(Math.max(ackDelayNs, 0), peerMaxAckDelayNs);
        final long adjusted = latest >= minRttNs + ackDelay ? latest - ackDelay : latest;
        rttVarNs = (3 * rttVarNs + Math.abs(smoothedRttNs - adjusted)) / 4;
        smoothedRttNs = (7 * smoothedRttNs + adjusted) / 8;
        jitterNs += (Math.abs(adjusted - previousAdjustedRttNs) - jitterNs) / 16;
        previousAdjustedRttNs = adjusted;
    }

    /**
     * Forget every sample: back to the initial RTT.
     */
    public void reset()
    {
        latestRttNs = 0;
        minRttNs = 0;
        smoothedRttNs = initialRttNs;
        rttVarNs = initialRttNs / 2;
        jitterNs = 0;
        previousAdjustedRttNs = 0;
        sampleCount = 0;
    }

    /**
     * Probe timeout before backoff (RFC 9002 §6.2.1): {@code smoothed + max(4 * variance, granularity) +
     * peerMaxAckDelay}.
     *
     * @return base probe timeout, ns.
     */
    public long ptoBaseNs()
    {
        return smoothedRttNs + Math.max(4 * rttVarNs, GRANULARITY_NS) + peerMaxAckDelayNs;
    }

    /**
     * Time after which an unacknowledged packet sent before an acknowledged one is lost (RFC 9002 §6.1.2):
     * {@code max(9/8 * max(smoothed, latest), granularity)}.
     *
     * @return loss delay, ns.
     */
    public long lossDelayNs()
    {
        final long rtt = Math.max(smoothedRttNs, latestRttNs);
        return Math.max(9 * rtt / 8, GRANULARITY_NS);
    }

    /**
     * @return whether at least one sample was taken since construction or {@link #reset()}.
     */
    public boolean hasSample()
    {
        return sampleCount > 0;
    }

    /**
     * @return samples taken since construction or {@link #reset()}.
     */
    public long sampleCount()
    {
        return sampleCount;
    }

    /**
     * @return the latest sample, ns, 0 before the first.
     */
    public long latestRttNs()
    {
        return latestRttNs;
    }

    /**
     * @return smallest sample, ns (ack delay not subtracted), 0 before the first.
     */
    public long minRttNs()
    {
        return minRttNs;
    }

    /**
     * @return smoothed RTT, ns; the initial RTT before the first sample.
     */
    public long smoothedRttNs()
    {
        return smoothedRttNs;
    }

    /**
     * @return RTT variance (mean deviation), ns; half the initial RTT before the first sample.
     */
    public long rttVarNs()
    {
        return rttVarNs;
    }

    /**
     * @return RFC 3550-style smoothed difference between consecutive adjusted samples, ns; 0 before the second.
     */
    public long jitterNs()
    {
        return jitterNs;
    }

    /**
     * @return RTT assumed before the first sample, ns.
     */
    public long initialRttNs()
    {
        return initialRttNs;
    }

    /**
     * @return the peer's max ack delay, ns.
     */
    public long peerMaxAckDelayNs()
    {
        return peerMaxAckDelayNs;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "RttEstimator{latestRttNs=" + latestRttNs +
            ", minRttNs=" + minRttNs +
            ", smoothedRttNs=" + smoothedRttNs +
            ", rttVarNs=" + rttVarNs +
            ", jitterNs=" + jitterNs +
            ", sampleCount=" + sampleCount + '}';
    }
}
