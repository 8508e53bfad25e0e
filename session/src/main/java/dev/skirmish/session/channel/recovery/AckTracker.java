package dev.skirmish.session.channel.recovery;

import java.util.Arrays;

/**
 * Receiver side of loss recovery for one session direction: remembers which packet numbers arrived and produces the
 * ack the peer's {@link SentPacketTracker} consumes: largest received, a 64-bit bitfield of the
 * {@value #BITFIELD_BITS} packet numbers before it, and the ack delay.
 * <pre>
 *   bit i of the bitfield (i = 0..63) = packet number (largest - 1 - i) was received
 *
 *   largest = 100, bitfield = ...0101  =>  100, 99 and 97 received; 98 and 96..37 not (yet)
 * </pre>
 * Packet numbers are compared unsigned, as by the replay window, which runs first: a packet reaches this tracker only
 * after it authenticated and was not a replay, so a {@link #RECEIVED_DUPLICATE} here means the caller recorded it
 * twice. A packet more than {@value #BITFIELD_BITS} below the largest cannot be described by an ack and is
 * {@link #RECEIVED_TOO_OLD}; the sender has declared it lost by then (packet threshold 3), so its reliable messages
 * are already on their way again (the channel may still deliver what it carries; message ids drop duplicates).
 * <p>
 * <b>When an ack is due</b> ({@link #ackDueNs()}), following RFC 9000 §13.2: non-ack-eliciting packets never make one
 * due (they are acknowledged with the next ack); an ack is due at once after {@code ackElicitingThreshold} (2)
 * ack-eliciting packets since the last ack, or at once when an ack-eliciting packet arrives out of order (below the
 * largest received, or above it with a gap: a loss signal the sender should hear without delay); otherwise
 * {@code maxAckDelayNs} (5 ms by default) after the first unacknowledged ack-eliciting packet. The caller may send an
 * ack earlier, piggybacked on any outgoing packet ({@link #isAckPending()}). The ack delay sent is the time since the
 * largest packet number was received.
 * <p>
 * Not thread safe: single writer, the worker thread that owns the session. Allocates nothing.
 */
public final class AckTracker
{
    /** Packet numbers below the largest that one ack describes. */
    public static final int BITFIELD_BITS = Long.SIZE;

    /** {@link #ackDueNs()} when no ack is due. */
    public static final long NO_ACK_DUE = Long.MAX_VALUE;

    /** {@link #onPacketReceived}: first time this packet number was seen; recorded. */
    public static final int RECEIVED_NEW = 0;
    /** {@link #onPacketReceived}: already recorded; nothing changed. */
    public static final int RECEIVED_DUPLICATE = 1;
    /** {@link #onPacketReceived}: too far below the largest to be acknowledged; nothing changed. */
    public static final int RECEIVED_TOO_OLD = 2;

    private final long maxAckDelayNs;
    private final int ackElicitingThreshold;
    private final long[] counters = new long[RecoveryCounter.count()];

    private boolean empty;
    private long largestReceived;
    private long largestReceivedTimeNs;
    private long bitfield;
    private boolean ackPending;
    private int ackElicitingSinceAck;
    private long firstUnackedElicitingTimeNs;
    private boolean immediateAck;
    private long immediateAckTimeNs;

    /**
     * @param config concluded here; the max ack delay and ack-eliciting threshold are copied.
     */
    public AckTracker(final RecoveryConfig config)
    {
        config.conclude();
        maxAckDelayNs = config.maxAckDelayNs();
        ackElicitingThreshold = config.ackElicitingThreshold();
        reset();
    }

    /**
     * Forget every packet number and counter, as for a new session.
     */
    public void reset()
    {
        Arrays.fill(counters, 0L);
        empty = true;
        largestReceived = 0;
        largestReceivedTimeNs = 0;
        bitfield = 0;
        ackPending = false;
        ackElicitingSinceAck = 0;
        firstUnackedElicitingTimeNs = 0;
        immediateAck = false;
        immediateAckTimeNs = 0;
    }

    /**
     * Record a received packet. Called from the worker thread after the packet authenticated.
     *
     * @param packetNumber its packet number (unsigned 64-bit, any value).
     * @param ackEliciting whether it elicits an ack (carries anything but acks).
     * @param nowNs        receive time.
     * @return {@link #RECEIVED_NEW}, {@link #RECEIVED_DUPLICATE} or {@link #RECEIVED_TOO_OLD}.
     */
    public int onPacketReceived(final long packetNumber, final boolean ackEliciting, final long nowNs)
    {
        boolean outOfOrder = false;
        if (empty)
        {
            empty = false;
            largestReceived = packetNumber;
            largestReceivedTimeNs = nowNs;
            bitfield = 0;
        }
        else if (Long.compareUnsigned(packetNumber, largestReceived) > 0)
        {
            final long distance = packetNumber - largestReceived;
            if (Long.compareUnsigned(distance, BITFIELD_BITS) > 0)
            {
                bitfield = 0;
            }
            else if (BITFIELD_BITS == distance)
            {
                bitfield = 1L << (BITFIELD_BITS - 1);
            }
            else
            {
                bitfield = (bitfield << distance) | (1L << (distance - 1));
            }
            outOfOrder = distance != 1;
            largestReceived = packetNumber;
            largestReceivedTimeNs = nowNs;
        }
        else
        {
            final long distance = largestReceived - packetNumber;
            if (0 == distance)
            {
                counters[RecoveryCounter.DUPLICATES_RECEIVED.id()]++;
                return RECEIVED_DUPLICATE;
            }
            if (Long.compareUnsigned(distance, BITFIELD_BITS) > 0)
            {
                counters[RecoveryCounter.TOO_OLD_RECEIVED.id()]++;
                return RECEIVED_TOO_OLD;
            }
            final long bit = 1L << (distance - 1);
            if (0 != (bitfield & bit))
            {
                counters[RecoveryCounter.DUPLICATES_RECEIVED.id()]++;
                return RECEIVED_DUPLICATE;
            }
            bitfield |= bit;
            outOfOrder = true;
        }

        counters[RecoveryCounter.PACKETS_RECEIVED.id()]++;
        ackPending = true;
        if (ackEliciting)
        {
            if (0 == ackElicitingSinceAck++)
            {
                firstUnackedElicitingTimeNs = nowNs;
            }
            if (!immediateAck && (outOfOrder || ackElicitingSinceAck >= ackElicitingThreshold))
            {
                immediateAck = true;
                immediateAckTimeNs = nowNs;
            }
        }

        return RECEIVED_NEW;
    }

    /**
     * When an ack must be sent: at once (a time at or before the packet that made it due) or when the max ack delay
     * runs out. The caller sends an ack on its next outgoing packet, or an ack-only packet, once {@code nowNs} reaches
     * it, then calls {@link #onAckSent(long)}.
     *
     * @return the deadline, or {@link #NO_ACK_DUE} while no ack-eliciting packet is unacknowledged.
     */
    public long ackDueNs()
    {
        if (0 == ackElicitingSinceAck)
        {
            return NO_ACK_DUE;
        }

        return immediateAck ? immediateAckTimeNs : firstUnackedElicitingTimeNs + maxAckDelayNs;
    }

    /**
     * @return whether anything was received since the last ack sent: an ack may ride on an outgoing packet.
     */
    public boolean isAckPending()
    {
        return ackPending;
    }

    /**
     * @return whether any packet was received since construction or reset, so {@link #largestReceived()} means
     * something.
     */
    public boolean hasReceived()
    {
        return !empty;
    }

    /**
     * @return largest packet number received (unsigned); meaningless until {@link #hasReceived()}.
     */
    public long largestReceived()
    {
        return largestReceived;
    }

    /**
     * @return bit i set when packet number {@code largestReceived() - 1 - i} was received.
     */
    public long ackBitfield()
    {
        return bitfield;
    }

    /**
     * Ack delay to report: time since the largest packet number was received.
     *
     * @param nowNs current time.
     * @return ack delay, 0 or more ns.
     */
    public long ackDelayNs(final long nowNs)
    {
        return Math.max(nowNs - largestReceivedTimeNs, 0);
    }

    /**
     * An ack carrying the current largest and bitfield was sent: nothing is due until the next ack-eliciting packet.
     * The history stays: later acks repeat it, so one lost ack loses nothing.
     *
     * @param nowNs send time.
     */
    public void onAckSent(final long nowNs)
    {
        counters[RecoveryCounter.ACKS_SENT.id()]++;
        ackPending = false;
        ackElicitingSinceAck = 0;
        immediateAck = false;
    }

    /**
     * @return longest an ack for an ack-eliciting packet is held, ns.
     */
    public long maxAckDelayNs()
    {
        return maxAckDelayNs;
    }

    /**
     * @param counter a receiver counter.
     * @return its value.
     */
    public long counter(final RecoveryCounter counter)
    {
        return counters[counter.id()];
    }

    /**
     * Whether an ack described by {@code largest} and {@code bitfield} acknowledges {@code packetNumber}.
     *
     * @param largest      largest acknowledged.
     * @param bitfield     bit i acknowledges {@code largest - 1 - i}.
     * @param packetNumber packet number asked about (unsigned).
     * @return true when acknowledged.
     */
    public static boolean isAcked(final long largest, final long bitfield, final long packetNumber)
    {
        if (packetNumber == largest)
        {
            return true;
        }
        final long distance = largest - packetNumber;
        return Long.compareUnsigned(packetNumber, largest) < 0 && Long.compareUnsigned(distance, BITFIELD_BITS) <= 0 &&
            0 != (bitfield & (1L << (distance - 1)));
    }
}
