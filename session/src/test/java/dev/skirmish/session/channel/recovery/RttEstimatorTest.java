package dev.skirmish.session.channel.recovery;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RttEstimatorTest
{
    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;

    private final RttEstimator rtt = new RttEstimator(100 * MS, 25 * MS);

    @Test
    void shouldStartAtInitialRtt()
    {
        assertFalse(rtt.hasSample());
        assertEquals(100 * MS, rtt.smoothedRttNs());
        assertEquals(50 * MS, rtt.rttVarNs());
        assertEquals(0, rtt.latestRttNs());
        assertEquals(0, rtt.minRttNs());
        assertEquals(100 * MS + 200 * MS + 25 * MS, rtt.ptoBaseNs());
        assertEquals(112_500 * US, rtt.lossDelayNs(), "9/8 of the initial RTT");
    }

    @Test
    void shouldFollowRfc9002ForFirstAndLaterSamples()
    {
        rtt.onRttSample(100 * MS, 30 * MS);
        assertTrue(rtt.hasSample());
        assertEquals(100 * MS, rtt.latestRttNs());
        assertEquals(100 * MS, rtt.minRttNs());
        assertEquals(100 * MS, rtt.smoothedRttNs(), "first sample: ack delay ignored");
        assertEquals(50 * MS, rtt.rttVarNs());
        assertEquals(0, rtt.jitterNs());

        // 130 >= min 100 + delay 20, so adjusted = 110
        rtt.onRttSample(130 * MS, 20 * MS);
        assertEquals(130 * MS, rtt.latestRttNs());
        assertEquals(100 * MS, rtt.minRttNs());
        assertEquals((3 * 50 * MS + 10 * MS) / 4, rtt.rttVarNs());
        assertEquals(40 * MS, rtt.rttVarNs());
        assertEquals((7 * 100 * MS + 110 * MS) / 8, rtt.smoothedRttNs());
        assertEquals(101_250 * US, rtt.smoothedRttNs());
        assertEquals(10 * MS / 16, rtt.jitterNs(), "|110 - 100| / 16");

        assertEquals(101_250 * US + 160 * MS + 25 * MS, rtt.ptoBaseNs());
        assertEquals(9 * 130 * MS / 8, rtt.lossDelayNs(), "latest RTT above smoothed");
    }

    @Test
    void shouldNotSubtractAckDelayBelowMinRtt()
    {
        rtt.onRttSample(100 * MS, 0);
        rtt.onRttSample(105 * MS, 10 * MS);
        assertEquals((7 * 100 * MS + 105 * MS) / 8, rtt.smoothedRttNs(), "105 < 100 + 10: not adjusted");
        assertEquals((3 * 50 * MS + 5 * MS) / 4, rtt.rttVarNs());
    }

    @Test
    void shouldCapAckDelayAtPeerMaxAckDelay()
    {
        rtt.onRttSample(100 * MS, 0);
        rtt.onRttSample(300 * MS, 1_000 * MS);
        assertEquals((7 * 100 * MS + 275 * MS) / 8, rtt.smoothedRttNs(), "delay capped at 25 ms");
    }

    @Test
    void shouldTreatNegativeAckDelayAsZero()
    {
        rtt.onRttSample(100 * MS, 0);
        rtt.onRttSample(120 * MS, -5 * MS);
        assertEquals((7 * 100 * MS + 120 * MS) / 8, rtt.smoothedRttNs());
    }

    @Test
    void shouldTrackMinRttFromUnadjustedSamples()
    {
        rtt.onRttSample(100 * MS, 0);
        rtt.onRttSample(80 * MS, 25 * MS);
        assertEquals(80 * MS, rtt.minRttNs());
        assertEquals((7 * 100 * MS + 80 * MS) / 8, rtt.smoothedRttNs(), "80 < 80 + 25: not adjusted");
    }

    @Test
    void shouldClampHostileSamples()
    {
        rtt.onRttSample(-5, 0);
        assertEquals(0, rtt.latestRttNs());
        assertEquals(0, rtt.smoothedRttNs());
        assertEquals(RttEstimator.GRANULARITY_NS, rtt.lossDelayNs(), "granularity floor");
        assertEquals(RttEstimator.GRANULARITY_NS + 25 * MS, rtt.ptoBaseNs(), "granularity floor on 4 x var");

        rtt.onRttSample(Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals(RttEstimator.MAX_RTT_SAMPLE_NS, rtt.latestRttNs());
        assertTrue(rtt.smoothedRttNs() > 0 && rtt.rttVarNs() > 0 && rtt.jitterNs() > 0);
    }

    @Test
    void shouldSmoothJitterAsRfc3550()
    {
        rtt.onRttSample(50 * MS, 0);
        rtt.onRttSample(66 * MS, 0);
        assertEquals(1 * MS, rtt.jitterNs(), "0 + (16 - 0) / 16");
        rtt.onRttSample(50 * MS, 0);
        assertEquals(1 * MS + 15 * MS / 16, rtt.jitterNs(), "1 + (16 - 1) / 16");
        rtt.onRttSample(50 * MS, 0);
        final long expected = 1 * MS + 15 * MS / 16;
        assertEquals(expected - expected / 16, rtt.jitterNs(), "decays on equal samples");
    }

    @Test
    void shouldResetToInitialRtt()
    {
        rtt.onRttSample(10 * MS, 0);
        rtt.onRttSample(20 * MS, 0);
        rtt.reset();
        assertFalse(rtt.hasSample());
        assertEquals(100 * MS, rtt.smoothedRttNs());
        assertEquals(50 * MS, rtt.rttVarNs());
        assertEquals(0, rtt.jitterNs());
    }

    @Test
    void shouldTakeDefaultsFromConfig()
    {
        final RttEstimator fromConfig = new RttEstimator(new RecoveryConfig());
        assertEquals(RecoveryConfig.INITIAL_RTT_NS_DEFAULT, fromConfig.initialRttNs());
        assertEquals(RecoveryConfig.PEER_MAX_ACK_DELAY_NS_DEFAULT, fromConfig.peerMaxAckDelayNs());
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(1, -1));
    }
}
