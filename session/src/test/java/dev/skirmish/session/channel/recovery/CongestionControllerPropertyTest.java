package dev.skirmish.session.channel.recovery;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of {@link CongestionController} under arbitrary sequences of sends, acks and losses of the packets
 * in flight, with time moving forward.
 */
@PropertyDefaults(tries = 300)
class CongestionControllerPropertyTest
{
    @Property(seed = RecoverySeeds.CONGESTION)
    void shouldStayWithinBoundsAndReduceAtMostOncePerRecoveryPeriod(
        @ForAll @IntRange(min = 64, max = 1500) final int maxDatagramBytes,
        @ForAll @IntRange(min = 2, max = 8) final int minWindowPackets,
        @ForAll @IntRange(min = 0, max = 20) final int extraInitialPackets,
        @ForAll @Size(max = 400) final List<Long> operations)
    {
        final int initialWindowPackets = minWindowPackets + extraInitialPackets;
        final long maxWindowBytes = (long)(initialWindowPackets + 50) * maxDatagramBytes;
        final CongestionController congestion = new CongestionController(new RecoveryConfig()
            .maxDatagramBytes(maxDatagramBytes)
            .minWindowPackets(minWindowPackets)
            .initialWindowPackets(initialWindowPackets)
            .maxWindowBytes(maxWindowBytes));
        final long floor = (long)minWindowPackets * maxDatagramBytes;

        final List<long[]> inFlight = new ArrayList<>(); // {sentTimeNs, bytes}
        long nowNs = 0;
        long bytesInFlight = 0;
        boolean reduced = false;
        long lastReductionNs = 0;
        int reductions = 0;
        int lossesInPeriod = 0;
        boolean grew = false;

        for (final long operation : operations)
        {
            nowNs += (operation >>> 40) & 0xFFFF;
            final long windowBefore = congestion.window();
            final int kind = (int)(operation & 7);
            if (kind <= 3 || inFlight.isEmpty())
            {
                // a burst of 1..8 packets, as a game tick sends
                final int packets = 1 + (int)((operation >>> 32) & 7);
                for (int i = 0; i < packets; i++)
                {
                    final int bytes = 1 + (int)(((operation >>> 8) + i * 977L) % maxDatagramBytes);
                    congestion.onPacketSent(bytes);
                    inFlight.add(new long[]{ nowNs, bytes });
                    bytesInFlight += bytes;
                }
                assertEquals(windowBefore, congestion.window(), "a send never changes the window");
            }
            else if (kind <= 6)
            {
                final long[] packet = inFlight.remove((int)((operation >>> 8) % inFlight.size()));
                congestion.onPacketAcked((int)packet[1], packet[0]);
                bytesInFlight -= packet[1];
                assertTrue(congestion.window() >= windowBefore, "an ack never shrinks the window");
                grew |= congestion.window() > windowBefore;
            }
            else
            {
                // lose the oldest 1..4 packets in flight in one detection pass
                final int count = 1 + (int)((operation >>> 8) % Math.min(4, inFlight.size()));
                long lostBytes = 0;
                long largestLostSentNs = Long.MIN_VALUE;
                for (int i = 0; i < count; i++)
                {
                    final long[] packet = inFlight.remove(0);
                    lostBytes += packet[1];
                    largestLostSentNs = Math.max(largestLostSentNs, packet[0]);
                }
                bytesInFlight -= lostBytes;

                final boolean newPeriod = !reduced || largestLostSentNs > lastReductionNs;
                final boolean reducedNow = congestion.onPacketsLost(lostBytes, largestLostSentNs, nowNs);
                assertEquals(newPeriod, reducedNow, "a reduction exactly when the loss is of a new period");
                if (reducedNow)
                {
                    assertEquals(Math.max(windowBefore / 2, floor), congestion.window(), "halved, not below floor");
                    reduced = true;
                    lastReductionNs = nowNs;
                    reductions++;
                }
                else
                {
                    lossesInPeriod++;
                    assertEquals(windowBefore, congestion.window(), "no second reduction in one period");
                }
            }

            assertTrue(congestion.window() >= floor, "window " + congestion.window() + " below floor " + floor);
            assertTrue(congestion.window() <= maxWindowBytes);
            assertEquals(bytesInFlight, congestion.bytesInFlight());
            assertEquals(Math.max(congestion.window() - bytesInFlight, 0), congestion.availableBytes());
            assertFalse(congestion.availableBytes() < 0);
        }

        Statistics.label("several periods").collect(reductions >= 2);
        Statistics.label("losses inside a period").collect(lossesInPeriod > 0);
        Statistics.label("grew").collect(grew);
        Statistics.label("several periods").coverage(coverage -> coverage.check(true).percentage(p -> p >= 10));
        Statistics.label("losses inside a period").coverage(coverage -> coverage.check(true).percentage(p -> p >= 10));
        Statistics.label("grew").coverage(coverage -> coverage.check(true).percentage(p -> p >= 10));
    }
}
