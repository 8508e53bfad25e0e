package dev.skirmish.session.channel.recovery;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.math.BigInteger;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of {@link RttEstimator}. Seeds are fixed ({@link RecoverySeeds}): a failure prints the seed and the
 * shrunk sample, and reruns identically.
 */
@PropertyDefaults(tries = 500)
class RttEstimatorPropertyTest
{
    private static final long MS = 1_000_000L;
    private static final long TEN_S = 10_000 * MS;

    /**
     * RFC 9002 §5.3 written out again with unbounded integers, sample by sample, as the oracle.
     */
    @Property(seed = RecoverySeeds.RTT_FORMULAS)
    void shouldFollowRfc9002FormulasExactly(
        @ForAll @LongRange(min = 1, max = TEN_S) final long initialRttNs,
        @ForAll @LongRange(min = 0, max = 1000 * MS) final long peerMaxAckDelayNs,
        @ForAll @Size(max = 40) final List<@LongRange(min = -MS, max = TEN_S) Long> samples,
        @ForAll @Size(min = 1, max = 40) final List<@LongRange(min = -MS, max = TEN_S) Long> ackDelays)
    {
        final RttEstimator rtt = new RttEstimator(initialRttNs, peerMaxAckDelayNs);
        BigInteger smoothed = BigInteger.valueOf(initialRttNs);
        BigInteger variance = BigInteger.valueOf(initialRttNs / 2);
        BigInteger min = BigInteger.ZERO;
        boolean first = true;

        for (int i = 0; i < samples.size(); i++)
        {
            final long sample = samples.get(i);
            final long ackDelay = ackDelays.get(i % ackDelays.size());
            rtt.onRttSample(sample, ackDelay);

            final BigInteger latest = BigInteger.valueOf(Math.max(sample, 0));
            if (first)
            {
                first = false;
                min = latest;
                smoothed = latest;
                variance = latest.divide(BigInteger.TWO);
            }
            else
            {
                min = min.min(latest);
                final BigInteger delay = BigInteger.valueOf(Math.min(Math.max(ackDelay, 0), peerMaxAckDelayNs));
                BigInteger adjusted = latest;
                if (latest.compareTo(min.add(delay)) >= 0)
                {
                    adjusted = latest.subtract(delay);
                }
                variance = BigInteger.valueOf(3).multiply(variance).add(smoothed.subtract(adjusted).abs())
                    .divide(BigInteger.valueOf(4));
                smoothed = BigInteger.valueOf(7).multiply(smoothed).add(adjusted).divide(BigInteger.valueOf(8));
            }

            assertEquals(latest.longValueExact(), rtt.latestRttNs(), "latest after sample " + i);
            assertEquals(min.longValueExact(), rtt.minRttNs(), "min after sample " + i);
            assertEquals(smoothed.longValueExact(), rtt.smoothedRttNs(), "smoothed after sample " + i);
            assertEquals(variance.longValueExact(), rtt.rttVarNs(), "variance after sample " + i);

            final BigInteger ptoBase = smoothed
                .add(variance.multiply(BigInteger.valueOf(4)).max(BigInteger.valueOf(RttEstimator.GRANULARITY_NS)))
                .add(BigInteger.valueOf(peerMaxAckDelayNs));
            assertEquals(ptoBase.longValueExact(), rtt.ptoBaseNs());
            final BigInteger lossDelay = smoothed.max(latest).multiply(BigInteger.valueOf(9))
                .divide(BigInteger.valueOf(8)).max(BigInteger.valueOf(RttEstimator.GRANULARITY_NS));
            assertEquals(lossDelay.longValueExact(), rtt.lossDelayNs());
        }

        assertEquals(samples.size(), rtt.sampleCount());
    }

    @Property(seed = RecoverySeeds.RTT_CONVERGENCE)
    void shouldConvergeToConstantRtt(
        @ForAll @LongRange(min = 1, max = TEN_S) final long initialRttNs,
        @ForAll @Size(max = 20) final List<@LongRange(min = 0, max = TEN_S) Long> noise,
        @ForAll @LongRange(min = 1, max = TEN_S) final long constantRttNs)
    {
        final RttEstimator rtt = new RttEstimator(initialRttNs, 25 * MS);
        for (final long sample : noise)
        {
            rtt.onRttSample(sample, 5 * MS);
        }
        for (int i = 0; i < 1000; i++)
        {
            rtt.onRttSample(constantRttNs, 0);
        }

        // integer fixed points: smoothed in [R - 7, R], variance <= 7, jitter <= 15 (truncation leaves a remainder)
        final long error = constantRttNs - rtt.smoothedRttNs();
        assertTrue(error >= 0 && error <= 7, "smoothed " + rtt.smoothedRttNs() + " for " + constantRttNs);
        assertTrue(rtt.rttVarNs() <= 7, "variance " + rtt.rttVarNs());
        assertTrue(rtt.jitterNs() <= 15, "jitter " + rtt.jitterNs());
        assertEquals(constantRttNs, rtt.latestRttNs());
        assertTrue(rtt.minRttNs() <= constantRttNs);
    }
}
