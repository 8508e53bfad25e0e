package dev.skirmish.session.channel.recovery;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state loss recovery allocates nothing: a sender and a receiver exchange packets and acks through a lossy,
 * reordering link (seeded), with timeouts, for 100k packets after a warm-up of as many.
 */
class RecoveryAllocationTest
{
    private static final long SEED = 0x5EED_9002L;
    private static final int PACKETS = 100_000;
    private static final String REPLAY = "seed " + Long.toHexString(SEED);

    @Test
    void shouldNotAllocateInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final Link link = new Link(SEED);

        long sink = link.exchange(PACKETS);
        final long beforeBytes = threads.getCurrentThreadAllocatedBytes();
        sink += link.exchange(PACKETS);
        final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - beforeBytes;

        assertTrue(sink > 0);
        assertTrue(link.handler.lost > 0 && link.handler.probes > 0 && link.handler.acked > 0, REPLAY);
        assertTrue(allocatedBytes < 1024, allocatedBytes + " bytes over " + PACKETS + " packets; " + REPLAY);
    }

    /**
     * Counts callbacks in primitive fields: allocates nothing.
     */
    static final class CountingHandler implements RecoveryHandler
    {
        long acked;
        long lost;
        long spurious;
        long probes;

        public void onAcked(final long handle)
        {
            acked++;
        }

        public void onLost(final long handle)
        {
            lost++;
        }

        public void onSpuriousLoss(final long handle)
        {
            spurious++;
        }

        public void onProbe()
        {
            probes++;
        }
    }

    /**
     * One direction of a session over a link that drops 5% and delays each packet 20-25 ms (so reorders),
     * with acks flowing back through the same kind of link. The sender sends a 1200 B packet on 3 ticks in 4 when the
     * congestion window allows, and a probe when asked. Plain arrays and a xorshift generator: no allocation.
     */
    static final class Link
    {
        private static final long MS = 1_000_000L;
        private static final int SLOTS = 4096;

        final CountingHandler handler = new CountingHandler();
        private final SentPacketTracker sender;
        private final AckTracker receiver;
        private final long[] packetArrivalNs = new long[SLOTS];
        private final long[] packetNumbers = new long[SLOTS];
        private final long[] ackArrivalNs = new long[SLOTS];
        private final long[] ackLargest = new long[SLOTS];
        private final long[] ackBits = new long[SLOTS];
        private final long[] ackDelays = new long[SLOTS];
        private int packetCount;
        private int ackCount;
        private long random;
        private long nowNs;
        private long nextPacketNumber;
        private long probesSent;

        Link(final long seed)
        {
            final RecoveryConfig config = new RecoveryConfig();
            sender = new SentPacketTracker(config, new RttEstimator(config), new CongestionController(config));
            receiver = new AckTracker(config);
            random = seed;
        }

        long exchange(final int packets)
        {
            long work = 0;
            for (int i = 0; i < packets; i++)
            {
                nowNs += 250_000;
                deliver();
                work += sender.onTimeout(nowNs, handler);
                final boolean probe = handler.probes > probesSent;
                if (sender.canSend() &&
                    (probe || (sender.congestion().availableBytes() >= 1200 && 0 != (next() & 3))))
                {
                    // a probe goes out regardless of the congestion window
                    probesSent = handler.probes;
                    final long pn = nextPacketNumber++;
                    sender.onPacketSent(pn, nowNs, 1200, true, pn);
                    if (next() % 100 >= 5 && packetCount < SLOTS)
                    {
                        packetArrivalNs[packetCount] = nowNs + 20 * MS + next() % (5 * MS);
                        packetNumbers[packetCount++] = pn;
                    }
                }
                if (receiver.ackDueNs() <= nowNs)
                {
                    if (next() % 100 >= 5 && ackCount < SLOTS)
                    {
                        ackArrivalNs[ackCount] = nowNs + 20 * MS + next() % (5 * MS);
                        ackLargest[ackCount] = receiver.largestReceived();
                        ackBits[ackCount] = receiver.ackBitfield();
                        ackDelays[ackCount++] = receiver.ackDelayNs(nowNs);
                    }
                    receiver.onAckSent(nowNs);
                    work++;
                }
            }
            return work + sender.counter(RecoveryCounter.PACKETS_ACKED);
        }

        private void deliver()
        {
            for (int i = packetCount - 1; i >= 0; i--)
            {
                if (packetArrivalNs[i] <= nowNs)
                {
                    receiver.onPacketReceived(packetNumbers[i], true, nowNs);
                    packetCount--;
                    packetArrivalNs[i] = packetArrivalNs[packetCount];
                    packetNumbers[i] = packetNumbers[packetCount];
                }
            }
            for (int i = ackCount - 1; i >= 0; i--)
            {
                if (ackArrivalNs[i] <= nowNs)
                {
                    sender.onAckReceived(ackLargest[i], ackBits[i], ackDelays[i], nowNs, handler);
                    ackCount--;
                    ackArrivalNs[i] = ackArrivalNs[ackCount];
                    ackLargest[i] = ackLargest[ackCount];
                    ackBits[i] = ackBits[ackCount];
                    ackDelays[i] = ackDelays[ackCount];
                }
            }
        }

        private long next()
        {
            random ^= random << 13;
            random ^= random >>> 7;
            random ^= random << 17;
            return random & Long.MAX_VALUE;
        }
    }
}
