package dev.skirmish.session.channel.recovery;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of {@link SentPacketTracker}: the PTO formula and its backoff, exactly-once reporting under arbitrary
 * interleavings of sends, acks (valid and hostile) and timeouts, and rejection of acks naming packets never sent.
 */
@PropertyDefaults(tries = 300)
class SentPacketTrackerPropertyTest
{
    private static final long MS = 1_000_000L;
    private static final BigInteger GRANULARITY = BigInteger.valueOf(RttEstimator.GRANULARITY_NS);

    /**
     * For any RTT state, max ack delay, cap and number of consecutive PTOs: each deadline is the last ack-eliciting
     * send time (the probe sent at the previous expiry, or the expiry itself when the channel sent no probe) plus
     * {@code min(cap, (smoothed + max(4 x variance, 1 ms) + maxAckDelay) x 2^ptoCount)}; expiries may be handled
     * late; nothing is declared lost.
     */
    @Property(seed = RecoverySeeds.PTO_FORMULA)
    void shouldScheduleProbeTimeoutsByTheFormulaAndDoubleThem(
        @ForAll @LongRange(min = 1, max = 10_000 * MS) final long initialRttNs,
        @ForAll @LongRange(min = 0, max = 1_000 * MS) final long peerMaxAckDelayNs,
        @ForAll @LongRange(min = MS, max = 60_000 * MS) final long maxPtoNs,
        @ForAll @Size(max = 10) final List<@LongRange(min = 0, max = 10_000 * MS) Long> rttSamples,
        @ForAll @LongRange(min = 0, max = 1_000 * MS) final long ackDelayNs,
        @ForAll @LongRange(min = -(1L << 50), max = 1L << 50) final long sendTimeNs,
        @ForAll @IntRange(min = 0, max = 40) final int ptoCount,
        @ForAll @Size(min = 1, max = 40) final List<@LongRange(min = 0, max = 100 * MS) Long> lateness,
        @ForAll final boolean sendProbes)
    {
        final RecoveryConfig config = new RecoveryConfig()
            .initialRttNs(initialRttNs).peerMaxAckDelayNs(peerMaxAckDelayNs).maxPtoNs(maxPtoNs);
        final RttEstimator rtt = new RttEstimator(config);
        for (final long sample : rttSamples)
        {
            rtt.onRttSample(sample, ackDelayNs);
        }
        final SentPacketTracker tracker = new SentPacketTracker(config, rtt, new CongestionController(config));
        final RecordingHandler handler = new RecordingHandler();
        final long[] nowNs = { sendTimeNs };
        handler.afterCallback = () ->
        {
            if (sendProbes)
            {
                assertTrue(tracker.onPacketSent(tracker.largestSent() + 1, nowNs[0], 1000, true, -1));
            }
        };
        assertEquals(SentPacketTracker.NO_TIMEOUT, tracker.nextTimeoutNs(), "nothing in flight");
        tracker.onPacketSent(0, sendTimeNs, 1000, true, 0);

        final BigInteger base = BigInteger.valueOf(rtt.smoothedRttNs())
            .add(BigInteger.valueOf(4).multiply(BigInteger.valueOf(rtt.rttVarNs())).max(GRANULARITY))
            .add(BigInteger.valueOf(peerMaxAckDelayNs));
        long lastAckElicitingSendTimeNs = sendTimeNs;
        for (int expiry = 0; expiry <= ptoCount; expiry++)
        {
            final BigInteger period = base.shiftLeft(expiry).min(BigInteger.valueOf(maxPtoNs));
            final long deadlineNs = BigInteger.valueOf(lastAckElicitingSendTimeNs).add(period).longValueExact();
            assertEquals(expiry, tracker.ptoCount());
            assertEquals(deadlineNs, tracker.nextTimeoutNs(), "deadline after " + expiry + " expiries");
            if (expiry == ptoCount)
            {
                break;
            }
            assertEquals(0, tracker.onTimeout(deadlineNs - 1, handler));
            nowNs[0] = deadlineNs + lateness.get(expiry % lateness.size());
            assertEquals(1, tracker.onTimeout(nowNs[0], handler));
            assertEquals(0, tracker.onTimeout(nowNs[0], handler), "once per expiry");
            lastAckElicitingSendTimeNs = nowNs[0];
        }

        assertEquals(ptoCount, handler.probes);
        assertEquals(ptoCount, tracker.counter(RecoveryCounter.PTO_EXPIRIES));
        assertEquals(0, handler.lost.size(), "a PTO declares nothing lost");
        assertEquals(1 + (sendProbes ? ptoCount : 0), tracker.ackElicitingInFlight());
    }

    @Property(seed = RecoverySeeds.INTERLEAVINGS, tries = 500)
    void shouldReportEachPacketOnceUnderAnyInterleaving(
        @ForAll @Size(max = 300) final List<Long> operations,
        @ForAll final boolean sendFromCallbacks,
        @ForAll @IntRange(min = 0, max = 2) final int capacityChoice)
    {
        final InterleavingModel model = new InterleavingModel(16 << (capacityChoice * 3), sendFromCallbacks);
        model.run(operations);

        // the cases are not vacuous: most tries see losses, spurious losses, probes, rejected acks and a full ring
        final SentPacketTracker tracker = model.tracker;
        Statistics.label("lost").collect(tracker.counter(RecoveryCounter.PACKETS_LOST) > 0);
        Statistics.label("spurious").collect(tracker.counter(RecoveryCounter.PACKETS_SPURIOUSLY_LOST) > 0);
        Statistics.label("probes").collect(tracker.counter(RecoveryCounter.PTO_EXPIRIES) > 0);
        Statistics.label("loss timer").collect(tracker.counter(RecoveryCounter.LOSS_TIMER_EXPIRIES) > 0);
        Statistics.label("rejected acks").collect(tracker.counter(RecoveryCounter.ACKS_REJECTED_LARGEST_UNSENT) +
            tracker.counter(RecoveryCounter.ACKS_REJECTED_BITFIELD_UNSENT) > 0);
        Statistics.label("ring full").collect(tracker.counter(RecoveryCounter.SENDS_REFUSED) > 0);
        for (final String label : new String[]{ "lost", "spurious", "probes", "loss timer", "rejected acks" })
        {
            Statistics.label(label).coverage(coverage -> coverage.check(true).percentage(p -> p >= 10));
        }
        Statistics.label("ring full").coverage(coverage -> coverage.check(true).percentage(p -> p >= 1));
    }

    @Property(seed = RecoverySeeds.UNSENT_ACKS, tries = 1000)
    void shouldRejectAcksNamingPacketsNeverSentAndChangeNothing(
        @ForAll @LongRange(min = 0, max = 1L << 40) final long firstPacketNumber,
        @ForAll @IntRange(min = 1, max = 200) final int sent,
        @ForAll @Size(max = 200) final List<Long> priorAcks,
        @ForAll @IntRange(min = 0, max = 2) final int kind,
        @ForAll final long hostileLargest,
        @ForAll final long hostileBits,
        @ForAll final long hostileDelay)
    {
        final RecoveryConfig config = new RecoveryConfig();
        final RttEstimator rtt = new RttEstimator(config);
        final CongestionController congestion = new CongestionController(config);
        final SentPacketTracker tracker = new SentPacketTracker(config, rtt, congestion);
        final RecordingHandler handler = new RecordingHandler();
        final long largestSent = firstPacketNumber + sent - 1;
        long nowNs = 0;
        for (long pn = firstPacketNumber; pn <= largestSent; pn++)
        {
            tracker.onPacketSent(pn, nowNs, 1000, 0 != (pn % 3), pn);
            nowNs += MS;
        }
        for (final long ack : priorAcks)
        {
            nowNs += MS;
            tracker.onAckReceived(largestSent - Long.remainderUnsigned(ack, sent), ack >>> 8, 0, nowNs, handler);
        }

        final long largest;
        final long bits;
        switch (kind)
        {
            case 0: // above the largest sent
                largest = largestSent + 1 + Long.remainderUnsigned(hostileLargest, -2 - largestSent);
                bits = hostileBits;
                break;
            case 1: // below the first sent
                largest = Long.remainderUnsigned(hostileLargest, firstPacketNumber + 1) - 1;
                bits = hostileBits;
                break;
            default: // a valid largest, a bit naming a packet number below the first
                largest = firstPacketNumber + Long.remainderUnsigned(hostileLargest, Math.min(sent, 64));
                final int firstInvalidBit = (int)(largest - firstPacketNumber);
                bits = hostileBits | (1L << (firstInvalidBit + (int)Long.remainderUnsigned(hostileBits, 64 -
                    firstInvalidBit)));
                break;
        }
        assertTrue(Long.compareUnsigned(largest, largestSent) > 0 || largest < firstPacketNumber ||
            0 != (bits >>> (largest - firstPacketNumber)), "test generates an ack naming an unsent packet");

        final long[] before = snapshot(tracker);
        final long rejectedBefore = rejectedUnsent(tracker);
        handler.clear();
        assertFalse(tracker.onAckReceived(largest, bits, hostileDelay, nowNs + MS, handler));
        assertArrayEquals(before, snapshot(tracker));
        assertEquals(0, handler.events());
        assertEquals(rejectedBefore + 1, rejectedUnsent(tracker));
    }

    private static long rejectedUnsent(final SentPacketTracker tracker)
    {
        return tracker.counter(RecoveryCounter.ACKS_REJECTED_LARGEST_UNSENT) +
            tracker.counter(RecoveryCounter.ACKS_REJECTED_BITFIELD_UNSENT);
    }

    /**
     * Everything observable about a tracker, its RTT estimator and its congestion controller, except the counters
     * of rejected acks.
     */
    static long[] snapshot(final SentPacketTracker tracker)
    {
        final List<Long> values = new ArrayList<>();
        for (final RecoveryCounter counter : RecoveryCounter.values())
        {
            if (!counter.label().startsWith("acks_rejected"))
            {
                values.add(tracker.counter(counter));
            }
        }
        final RttEstimator rtt = tracker.rtt();
        final CongestionController congestion = tracker.congestion();
        values.addAll(Arrays.asList(tracker.largestSent(), tracker.largestAcked(), (long)tracker.ptoCount(),
            (long)tracker.ackElicitingInFlight(), tracker.nextTimeoutNs(), tracker.isLossTimerArmed() ? 1L : 0L,
            tracker.canSend() ? 1L : 0L, rtt.latestRttNs(), rtt.minRttNs(), rtt.smoothedRttNs(), rtt.rttVarNs(),
            rtt.jitterNs(), rtt.sampleCount(), congestion.window(), congestion.slowStartThreshold(),
            congestion.bytesInFlight(), congestion.congestionEvents()));
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Drives a tracker with decoded operations and checks it against a model of what was sent, acked and lost.
     */
    private static final class InterleavingModel
    {
        final SentPacketTracker tracker;
        private final RecordingHandler handler = new RecordingHandler();
        private final boolean sendFromCallbacks;
        private final Map<Long, long[]> sent = new HashMap<>(); // pn -> {bytes, ackEliciting}
        private final Set<Long> acked = new HashSet<>();
        private final Set<Long> lost = new HashSet<>();
        private final Set<Long> spurious = new HashSet<>();
        private long nowNs;
        private long nextPacketNumber;
        private long largestAcked = -1;
        private long refused;

        InterleavingModel(final int capacity, final boolean sendFromCallbacks)
        {
            final RecoveryConfig config = new RecoveryConfig().sentPacketCapacity(capacity).maxPtoNs(2_000 * MS);
            tracker = new SentPacketTracker(config, new RttEstimator(config), new CongestionController(config));
            this.sendFromCallbacks = sendFromCallbacks;
            handler.afterCallback = () ->
            {
                if (this.sendFromCallbacks && tracker.canSend())
                {
                    send(1200, true);
                }
            };
        }

        void run(final List<Long> operations)
        {
            for (final long operation : operations)
            {
                nowNs += ((operation >>> 48) & 0xFF) * MS / 4;
                final int kind = (int)(operation & 7);
                handler.clear();
                switch (kind)
                {
                    case 0, 1, 2 ->
                    {
                        // skip a packet number now and then: a packet the tracker does not see
                        final long skip = 0 == ((operation >>> 3) & 15) ? 1 + ((operation >>> 24) & 63) : 0;
                        if (tracker.canSend(nextPacketNumber + skip))
                        {
                            nextPacketNumber += skip;
                            send(1 + (int)((operation >>> 8) % 1400), 0 != ((operation >>> 20) & 7));
                        }
                        else
                        {
                            assertFalse(tracker.onPacketSent(nextPacketNumber + skip, nowNs, 100, true, -1));
                            refused++;
                        }
                        checkCallbacks(Set.of(), false);
                    }
                    case 3, 4 -> plausibleAck(operation);
                    case 5 -> hostileAck(operation);
                    case 6 ->
                    {
                        if (SentPacketTracker.NO_TIMEOUT != tracker.nextTimeoutNs())
                        {
                            nowNs = Math.max(nowNs, tracker.nextTimeoutNs());
                        }
                        timeout();
                    }
                    default -> timeout();
                }
                checkInvariants();
            }
        }

        private void send(final int bytes, final boolean ackEliciting)
        {
            final long pn = nextPacketNumber++;
            assertTrue(tracker.onPacketSent(pn, nowNs, bytes, ackEliciting, pn));
            sent.put(pn, new long[]{ bytes, ackEliciting ? 1 : 0 });
        }

        private void plausibleAck(final long operation)
        {
            if (tracker.largestSent() < 0)
            {
                hostileAck(operation);
                return;
            }
            final long first = firstSent();
            final long largest = Math.max(first, tracker.largestSent() - ((operation >>> 8) & 7));
            final long namable = largest - first;
            long bits = operation >>> 11;
            if (namable < 64)
            {
                bits &= (1L << namable) - 1;
            }
            ack(largest, bits, ((operation >>> 56) & 15) * MS);
        }

        private void hostileAck(final long operation)
        {
            final long largest = 0 == (operation & 8) ? operation >>> 4 : tracker.largestSent() + (operation >> 60);
            ack(largest, operation * 0x9E3779B97F4A7C15L, (operation >> 40) % (100 * MS));
        }

        private void ack(final long largest, final long bits, final long ackDelayNs)
        {
            final boolean valid = tracker.largestSent() >= 0 &&
                Long.compareUnsigned(largest, tracker.largestSent()) <= 0 && largest >= firstSent() &&
                (largest - firstSent() >= 64 || 0 == (bits >>> (largest - firstSent()))) && ackDelayNs >= 0;
            final long[] before = snapshot(tracker);

            assertEquals(valid, tracker.onAckReceived(largest, bits, ackDelayNs, nowNs, handler));

            if (!valid)
            {
                assertArrayEquals(before, snapshot(tracker), "a rejected ack changes nothing");
                assertEquals(0, handler.events());
                return;
            }
            largestAcked = Math.max(largestAcked, largest);
            final Set<Long> named = new HashSet<>();
            named.add(largest);
            for (int i = 0; i < 64; i++)
            {
                if (0 != (bits & (1L << i)))
                {
                    named.add(largest - 1 - i);
                }
            }
            checkCallbacks(named, true);
        }

        private void timeout()
        {
            final boolean lossTimer = tracker.isLossTimerArmed();
            final int ptoCountBefore = tracker.ptoCount();
            tracker.onTimeout(nowNs, handler);
            if (!lossTimer)
            {
                assertTrue(handler.lost.isEmpty(), "a PTO declares nothing lost");
                assertEquals(ptoCountBefore + handler.probes, tracker.ptoCount());
            }
            else
            {
                assertEquals(0, handler.probes, "the loss timer takes precedence over the PTO");
            }
            checkCallbacks(Set.of(), false);
        }

        private void checkCallbacks(final Set<Long> named, final boolean ack)
        {
            for (final long handle : handler.acked)
            {
                assertTrue(named.contains(handle), "acked " + handle + " not named by the ack");
                assertTrue(sent.containsKey(handle) && 1 == sent.get(handle)[1], "only ack-eliciting packets");
                assertFalse(lost.contains(handle), "acked " + handle + " after it was reported lost");
                assertTrue(acked.add(handle), "acked " + handle + " twice");
            }
            for (final long handle : handler.lost)
            {
                assertTrue(sent.containsKey(handle) && 1 == sent.get(handle)[1], "only ack-eliciting packets");
                assertTrue(handle < largestAcked, "lost " + handle + " not below the largest acked");
                assertFalse(acked.contains(handle), "lost " + handle + " after it was acked");
                assertTrue(lost.add(handle), "lost " + handle + " twice");
            }
            for (final long handle : handler.spurious)
            {
                assertTrue(ack && named.contains(handle));
                assertTrue(lost.contains(handle), "spurious " + handle + " was not lost");
                assertTrue(spurious.add(handle), "spurious " + handle + " twice");
            }
            if (!sendFromCallbacks)
            {
                assertTrue(ack || handler.acked.isEmpty());
            }
        }

        private void checkInvariants()
        {
            long inFlightBytes = 0;
            int inFlight = 0;
            for (final Map.Entry<Long, long[]> entry : sent.entrySet())
            {
                final long pn = entry.getKey();
                if (1 == entry.getValue()[1] && !acked.contains(pn) && !lost.contains(pn))
                {
                    inFlight++;
                    inFlightBytes += entry.getValue()[0];
                }
            }
            assertEquals(inFlight, tracker.ackElicitingInFlight());
            assertEquals(inFlightBytes, tracker.bytesInFlight());
            assertEquals(acked.size(), tracker.counter(RecoveryCounter.PACKETS_ACKED));
            assertEquals(lost.size(), tracker.counter(RecoveryCounter.PACKETS_LOST));
            assertEquals(spurious.size(), tracker.counter(RecoveryCounter.PACKETS_SPURIOUSLY_LOST));
            assertEquals(sent.size(), tracker.counter(RecoveryCounter.PACKETS_SENT));
            assertEquals(refused, tracker.counter(RecoveryCounter.SENDS_REFUSED));
            assertTrue(tracker.congestion().window() >= tracker.congestion().minWindow());
            assertEquals(0 == inFlight && !tracker.isLossTimerArmed(),
                SentPacketTracker.NO_TIMEOUT == tracker.nextTimeoutNs());
        }

        private long firstSent()
        {
            return sent.keySet().stream().mapToLong(Long::longValue).min().orElse(-1);
        }
    }
}
