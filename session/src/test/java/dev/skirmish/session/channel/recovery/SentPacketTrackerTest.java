package dev.skirmish.session.channel.recovery;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.skirmish.session.channel.recovery.RecoveryCounter.ACKS_ACCEPTED;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.ACKS_REJECTED_BAD_DELAY;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.ACKS_REJECTED_BITFIELD_UNSENT;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.ACKS_REJECTED_LARGEST_UNSENT;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.ACKS_REJECTED_NOTHING_SENT;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.LOSS_TIMER_EXPIRIES;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.PACKETS_ACKED;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.PACKETS_LOST;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.PACKETS_SENT;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.PACKETS_SPURIOUSLY_LOST;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.PERSISTENT_CONGESTION;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.PTO_EXPIRIES;
import static dev.skirmish.session.channel.recovery.RecoveryCounter.SENDS_REFUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentPacketTrackerTest
{
    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;
    private static final int BYTES = 1000;

    private final RecoveryConfig config = new RecoveryConfig()
        .initialRttNs(100 * MS)
        .peerMaxAckDelayNs(5 * MS)
        .maxPtoNs(60_000 * MS)
        .sentPacketCapacity(1024);
    private final RttEstimator rtt = new RttEstimator(config);
    private final CongestionController congestion = new CongestionController(config);
    private final SentPacketTracker tracker = new SentPacketTracker(config, rtt, congestion);
    private final RecordingHandler handler = new RecordingHandler();

    @Test
    void shouldDeclareLossByPacketThreshold()
    {
        sendRange(0, 5, 0);

        assertTrue(tracker.onAckReceived(5, 0, 0, 50 * MS, handler));

        assertEquals(List.of(5L), handler.acked);
        assertEquals(List.of(0L, 1L, 2L), handler.lost, "3 or more below the largest acked");
        assertEquals(50 * MS, rtt.latestRttNs());
        assertTrue(tracker.isLossTimerArmed(), "3 and 4 wait for the time threshold");
        final long lossDelayNs = 9 * 50 * MS / 8;
        assertEquals(lossDelayNs, tracker.nextTimeoutNs(), "sent at 0, lost 9/8 RTT later");
        assertEquals(2, tracker.ackElicitingInFlight());
        assertEquals(2 * BYTES, tracker.bytesInFlight());
        assertEquals(3, tracker.counter(PACKETS_LOST));
        assertEquals(1, tracker.counter(PACKETS_ACKED));
    }

    @Test
    void shouldDeclareLossByTimeThresholdWhenTheLossTimerExpires()
    {
        sendRange(0, 5, 0);
        tracker.onAckReceived(5, 0, 0, 50 * MS, handler);
        handler.clear();

        final long lossTimeNs = tracker.nextTimeoutNs();
        assertEquals(0, tracker.onTimeout(lossTimeNs - 1, handler));
        assertEquals(0, handler.events());

        assertEquals(1, tracker.onTimeout(lossTimeNs, handler));
        assertEquals(List.of(3L, 4L), handler.lost);
        assertEquals(1, tracker.counter(LOSS_TIMER_EXPIRIES));
        assertFalse(tracker.isLossTimerArmed());
        assertEquals(0, tracker.ackElicitingInFlight());
        assertEquals(SentPacketTracker.NO_TIMEOUT, tracker.nextTimeoutNs(), "nothing in flight: no PTO either");
        assertEquals(0, handler.probes);
    }

    @Test
    void shouldDeclareLossByTimeThresholdOnAck()
    {
        tracker.onPacketSent(0, 0, BYTES, true, 0);
        tracker.onPacketSent(1, 40 * MS, BYTES, true, 1);

        // sample 60 ms => loss delay 67.5 ms => packets sent at or before 100 - 67.5 = 32.5 ms are lost
        tracker.onAckReceived(1, 0, 0, 100 * MS, handler);

        assertEquals(60 * MS, rtt.latestRttNs());
        assertEquals(List.of(1L), handler.acked);
        assertEquals(List.of(0L), handler.lost, "only 1 below the largest, but older than 9/8 RTT");
        assertFalse(tracker.isLossTimerArmed());
    }

    @Test
    void shouldNotDeclareLossBelowBothThresholds()
    {
        tracker.onPacketSent(0, 0, BYTES, true, 0);
        tracker.onPacketSent(1, 0, BYTES, true, 1);
        tracker.onPacketSent(2, MS, BYTES, true, 2);

        // sample 49 ms => loss delay 55.125 ms: 0 and 1, sent 50 ms ago, are not lost yet
        tracker.onAckReceived(2, 0, 0, 50 * MS, handler);

        assertEquals(List.of(2L), handler.acked);
        assertEquals(List.of(), handler.lost);
        assertTrue(tracker.isLossTimerArmed());
        assertEquals(9 * 49 * MS / 8, tracker.nextTimeoutNs(), "earliest of 0 and 1, both sent at 0");
    }

    @Test
    void shouldSendProbesOnPtoWithoutDeclaringLoss()
    {
        tracker.onPacketSent(0, 0, BYTES, true, 0);
        final long ptoNs = 100 * MS + 4 * 50 * MS + 5 * MS;
        assertEquals(ptoNs, tracker.nextTimeoutNs(), "initial RTT: 100 + 4 x 50 + max ack delay 5");

        assertEquals(0, tracker.onTimeout(ptoNs - 1, handler));
        assertEquals(1, tracker.onTimeout(ptoNs, handler));
        assertEquals(1, handler.probes);
        assertEquals(List.of(), handler.lost, "a PTO declares nothing lost");
        assertEquals(1, tracker.ptoCount());
        assertEquals(1, tracker.counter(PTO_EXPIRIES));
        assertEquals(1, tracker.ackElicitingInFlight());

        // the probe goes out at the expiry; the next PTO is twice as long from it
        tracker.onPacketSent(1, ptoNs, BYTES, true, 1);
        assertEquals(ptoNs + 2 * ptoNs, tracker.nextTimeoutNs());
        assertEquals(1, tracker.onTimeout(3 * ptoNs, handler));
        assertEquals(2, tracker.ptoCount());
        assertEquals(3 * ptoNs + 4 * ptoNs, tracker.nextTimeoutNs(), "no probe sent: counts from the expiry");

        // an ack of the probe resets the backoff and, packet 0 being only 1 below, leaves it to the time threshold
        tracker.onAckReceived(1, 0, 0, 3 * ptoNs + MS, handler);
        assertEquals(0, tracker.ptoCount());
        assertEquals(List.of(1L), handler.acked);
        assertEquals(List.of(0L), handler.lost, "sent long ago: lost by the time threshold");
    }

    @Test
    void shouldCapThePtoBackoff()
    {
        final RecoveryConfig capped = new RecoveryConfig().initialRttNs(100 * MS).peerMaxAckDelayNs(0)
            .maxPtoNs(1_000 * MS);
        final SentPacketTracker cappedTracker = new SentPacketTracker(
            capped, new RttEstimator(capped), new CongestionController(capped));
        cappedTracker.onPacketSent(0, 0, BYTES, true, 0);

        final long[] expected = { 300 * MS, 600 * MS, 1_000 * MS, 1_000 * MS, 1_000 * MS };
        long expiryNs = 0;
        for (final long periodNs : expected)
        {
            assertEquals(periodNs, cappedTracker.ptoPeriodNs());
            expiryNs += periodNs;
            assertEquals(expiryNs, cappedTracker.nextTimeoutNs());
            assertEquals(1, cappedTracker.onTimeout(expiryNs, handler));
            assertEquals(0, cappedTracker.onTimeout(expiryNs, handler), "not again on the next duty cycle");
        }
        assertEquals(5, handler.probes);
    }

    @Test
    void shouldSampleRttOnlyWhenLargestIsNewlyAckedWithAnAckElicitingPacket()
    {
        tracker.onPacketSent(0, 0, BYTES, true, 0);
        tracker.onPacketSent(1, 10 * MS, 40, false, -1);

        // largest (1) is ack-only but newly acked together with ack-eliciting 0: a sample from 1's send time
        tracker.onAckReceived(1, 0b1, 2 * MS, 50 * MS, handler);
        assertEquals(1, rtt.sampleCount());
        assertEquals(40 * MS, rtt.latestRttNs());
        assertEquals(List.of(0L), handler.acked, "ack-only packets are never reported");

        // the same ack again: nothing newly acked, no sample
        tracker.onAckReceived(1, 0b1, 2 * MS, 60 * MS, handler);
        assertEquals(1, rtt.sampleCount());

        // an ack whose only newly acked packet is ack-only: no sample
        tracker.onPacketSent(2, 70 * MS, 40, false, -1);
        tracker.onAckReceived(2, 0, 0, 90 * MS, handler);
        assertEquals(1, rtt.sampleCount());

        // largest not newly acked, older one newly acked: no sample
        tracker.onPacketSent(3, 100 * MS, BYTES, true, 3);
        tracker.onPacketSent(4, 100 * MS, BYTES, true, 4);
        tracker.onAckReceived(4, 0, 0, 130 * MS, handler);
        assertEquals(2, rtt.sampleCount());
        tracker.onAckReceived(4, 0b1, 0, 140 * MS, handler);
        assertEquals(2, rtt.sampleCount());
        assertEquals(List.of(0L, 4L, 3L), handler.acked);
        assertEquals(5, tracker.counter(ACKS_ACCEPTED));
    }

    @Test
    void shouldReportSpuriousLossOnceAndNeverAckALostPacket()
    {
        sendRange(0, 3, 0);
        tracker.onAckReceived(3, 0, 0, 20 * MS, handler);
        assertEquals(List.of(0L), handler.lost);

        tracker.onAckReceived(3, 0b111, 0, 21 * MS, handler);
        assertEquals(List.of(3L, 2L, 1L), handler.acked, "newest first; 0 was already reported lost");
        assertEquals(List.of(0L), handler.spurious);
        assertEquals(1, tracker.counter(PACKETS_SPURIOUSLY_LOST));

        tracker.onAckReceived(3, 0b111, 0, 22 * MS, handler);
        assertEquals(List.of(0L), handler.spurious, "once only");
        assertEquals(3, tracker.counter(PACKETS_ACKED));
        assertEquals(1, tracker.counter(PACKETS_LOST));
    }

    @Test
    void shouldRejectAcksOfPacketsNeverSentAndChangeNothing()
    {
        assertFalse(tracker.onAckReceived(0, 0, 0, 0, handler));
        assertEquals(1, tracker.counter(ACKS_REJECTED_NOTHING_SENT));

        sendRange(10, 20, 0);
        assertFalse(tracker.onAckReceived(21, 0, 0, MS, handler), "above the largest sent");
        assertFalse(tracker.onAckReceived(-1, 0, 0, MS, handler), "2^64 - 1, unsigned");
        assertFalse(tracker.onAckReceived(9, 0, 0, MS, handler), "below the first sent");
        assertEquals(3, tracker.counter(ACKS_REJECTED_LARGEST_UNSENT));

        assertFalse(tracker.onAckReceived(12, 0b100, 0, MS, handler), "bit 2 names 9, before the first");
        assertFalse(tracker.onAckReceived(10, 0b1, 0, MS, handler), "bit 0 names 9");
        assertFalse(tracker.onAckReceived(20, Long.MIN_VALUE, 0, MS, handler), "bit 63 names -44");
        assertEquals(3, tracker.counter(ACKS_REJECTED_BITFIELD_UNSENT));

        assertFalse(tracker.onAckReceived(20, 0, -1, MS, handler));
        assertEquals(1, tracker.counter(ACKS_REJECTED_BAD_DELAY));

        assertEquals(0, handler.events());
        assertEquals(-1, tracker.largestAcked());
        assertEquals(11, tracker.ackElicitingInFlight());
        assertFalse(rtt.hasSample());
        assertEquals(0, tracker.counter(ACKS_ACCEPTED));

        assertTrue(tracker.onAckReceived(12, 0b11, Long.MAX_VALUE, MS, handler), "bits name 11 and 10: valid");
        assertEquals(List.of(12L, 11L, 10L), handler.acked);
    }

    @Test
    void shouldRefuseToSendWhenTheRingIsFull()
    {
        final RecoveryConfig small = new RecoveryConfig().sentPacketCapacity(16);
        final SentPacketTracker smallTracker = new SentPacketTracker(
            small, new RttEstimator(small), new CongestionController(small));
        for (int pn = 0; pn < 16; pn++)
        {
            assertTrue(smallTracker.canSend());
            assertTrue(smallTracker.onPacketSent(pn, 0, 100, true, pn));
        }
        assertFalse(smallTracker.canSend());
        assertFalse(smallTracker.onPacketSent(16, 0, 100, true, 16));
        assertEquals(1, smallTracker.counter(SENDS_REFUSED));

        // acking a packet other than the oldest frees nothing; acking the oldest frees a slot
        smallTracker.onAckReceived(1, 0, 0, MS, handler);
        assertFalse(smallTracker.canSend());
        smallTracker.onAckReceived(1, 0b1, 0, MS, handler);
        assertTrue(smallTracker.canSend());
        assertTrue(smallTracker.onPacketSent(16, MS, 100, true, 16));
        assertTrue(smallTracker.canSend(), "0 and 1 freed two slots");
        assertTrue(smallTracker.onPacketSent(17, MS, 100, true, 17));
        assertFalse(smallTracker.canSend());
        assertEquals(List.of(1L, 0L), handler.acked);
    }

    @Test
    void shouldNotLetAckOnlyPacketsHoldTheRing()
    {
        final RecoveryConfig small = new RecoveryConfig().sentPacketCapacity(16);
        final SentPacketTracker smallTracker = new SentPacketTracker(
            small, new RttEstimator(small), new CongestionController(small));
        for (int pn = 0; pn < 100; pn++)
        {
            assertTrue(smallTracker.onPacketSent(pn, pn, 40, false, pn));
        }
        assertTrue(smallTracker.canSend());
        assertEquals(SentPacketTracker.NO_TIMEOUT, smallTracker.nextTimeoutNs());
        assertEquals(0, smallTracker.bytesInFlight());
    }

    @Test
    void shouldRefusePacketNumbersThatDoNotIncrease()
    {
        assertTrue(tracker.onPacketSent(5, 0, BYTES, true, 5));
        assertFalse(tracker.onPacketSent(5, 0, BYTES, true, 5));
        assertFalse(tracker.onPacketSent(4, 0, BYTES, true, 4));
        assertFalse(tracker.onPacketSent(-1, 0, BYTES, true, 4));
        assertFalse(tracker.onPacketSent(6, 0, -1, true, 6));
        assertFalse(tracker.onPacketSent(6, 0, SentPacketTracker.MAX_PACKET_BYTES + 1, true, 6));
        assertEquals(5, tracker.counter(SENDS_REFUSED));
        assertEquals(1, tracker.counter(PACKETS_SENT));
        assertEquals(BYTES, tracker.bytesInFlight());
    }

    @Test
    void shouldAllowGapsAndIgnoreAcksOfUntrackedPacketNumbers()
    {
        tracker.onPacketSent(0, 0, BYTES, true, 0);
        tracker.onPacketSent(5, 0, BYTES, true, 5);
        assertTrue(tracker.onAckReceived(5, 0b1111, 0, 10 * MS, handler), "1..4 were sent untracked: valid");
        assertEquals(List.of(5L), handler.acked);
        assertEquals(List.of(0L), handler.lost, "5 below the largest");

        // nothing outstanding: a gap of any size is fine
        assertTrue(tracker.onPacketSent(1_000_000, 20 * MS, BYTES, true, 1_000_000));
        assertTrue(tracker.onAckReceived(1_000_000, -1L, 0, 30 * MS, handler));
        assertEquals(List.of(5L, 1_000_000L), handler.acked);
    }

    @Test
    void shouldLetHandlersSendFromCallbacks()
    {
        final long[] nextPacketNumber = { 5 };
        handler.afterCallback = () ->
        {
            final long pn = nextPacketNumber[0]++;
            assertTrue(tracker.onPacketSent(pn, 50 * MS, BYTES, true, pn));
        };
        sendRange(0, 4, 0);

        tracker.onAckReceived(4, 0, 0, 50 * MS, handler);
        assertEquals(List.of(4L), handler.acked);
        assertEquals(List.of(0L, 1L), handler.lost);
        assertEquals(7, tracker.largestSent(), "one retransmission per callback");
        assertEquals(2 + 3, tracker.ackElicitingInFlight(), "2 and 3, and the three sent from callbacks");
    }

    @Test
    void shouldDeclarePersistentCongestion()
    {
        tracker.onPacketSent(0, 0, BYTES, true, 0);
        tracker.onAckReceived(0, 0, 0, 20 * MS, handler);
        assertEquals(20 * MS, rtt.smoothedRttNs());
        for (int pn = 1; pn <= 20; pn++)
        {
            tracker.onPacketSent(pn, 20 * MS + pn * 15 * MS, BYTES, true, pn);
        }
        final long windowBefore = congestion.window();

        // sample 20 ms again: smoothed 20, variance 7.5, persistent congestion duration 3 x (20 + 30 + 5) = 165 ms;
        // 1..19 were sent from 35 to 305 ms: 270 ms
        tracker.onAckReceived(20, 0, 0, 340 * MS, handler);

        assertEquals(19, handler.lost.size());
        assertEquals(1, tracker.counter(PERSISTENT_CONGESTION));
        assertEquals(congestion.minWindow(), congestion.window());
        assertTrue(congestion.window() < windowBefore);
    }

    @Test
    void shouldNotDeclarePersistentCongestionAcrossAnAckedPacket()
    {
        tracker.onPacketSent(0, 0, BYTES, true, 0);
        tracker.onAckReceived(0, 0, 0, 20 * MS, handler);
        for (int pn = 1; pn <= 20; pn++)
        {
            tracker.onPacketSent(pn, 20 * MS + pn * 15 * MS, BYTES, true, pn);
        }

        // 10 acked: runs 1..9 (120 ms) and 11..19 (120 ms) are each shorter than 165 ms
        tracker.onAckReceived(20, 1L << 9, 0, 340 * MS, handler);

        assertEquals(18, handler.lost.size());
        assertEquals(0, tracker.counter(PERSISTENT_CONGESTION));
        assertEquals(1, congestion.congestionEvents());
    }

    @Test
    void shouldResetEverything()
    {
        sendRange(0, 10, 0);
        tracker.onAckReceived(10, 0, 0, 10 * MS, handler);
        tracker.reset();
        assertEquals(-1, tracker.largestSent());
        assertEquals(-1, tracker.largestAcked());
        assertEquals(0, tracker.counter(PACKETS_SENT));
        assertEquals(0, tracker.ackElicitingInFlight());
        assertEquals(SentPacketTracker.NO_TIMEOUT, tracker.nextTimeoutNs());
        assertTrue(tracker.onPacketSent(0, 0, BYTES, true, 0));
    }

    @Test
    void shouldBackOffWithoutOverflow()
    {
        assertEquals(5, SentPacketTracker.backoff(5, 0, 100));
        assertEquals(80, SentPacketTracker.backoff(5, 4, 100));
        assertEquals(100, SentPacketTracker.backoff(5, 5, 100));
        assertEquals(100, SentPacketTracker.backoff(200, 0, 100));
        assertEquals(Long.MAX_VALUE, SentPacketTracker.backoff(1, 200, Long.MAX_VALUE));
        assertEquals(1L << 62, SentPacketTracker.backoff(1, 62, Long.MAX_VALUE));
        assertEquals(60_000 * MS, SentPacketTracker.backoff(300 * MS, Integer.MAX_VALUE, 60_000 * MS));
        assertEquals(450 * US, SentPacketTracker.backoff(450 * US, 0, 60_000 * MS));
    }

    private void sendRange(final long fromPacketNumber, final long toPacketNumber, final long nowNs)
    {
        for (long pn = fromPacketNumber; pn <= toPacketNumber; pn++)
        {
            assertTrue(tracker.onPacketSent(pn, nowNs, BYTES, true, pn));
        }
    }
}
