package dev.skirmish.session.channel.recovery;

import java.util.Arrays;

/**
 * Sender side of loss recovery for one session direction: RFC 9002 §5-§6 (RTT sampling, packet and time threshold
 * loss detection, probe timeout) over Skirmish packet numbers (the AEAD sequence, numbered from 0 per direction),
 * driving an {@link RttEstimator} and a {@link CongestionController}.
 * <p>
 * <b>Records.</b> A preallocated ring of {@code sentPacketCapacity} records (a power of two, 1024 by default) indexed
 * by {@code packetNumber & (capacity - 1)}, each holding packet number, send time, size, ack-eliciting flag, state
 * and the channel's opaque payload handle. In Skirmish every ack-eliciting packet is in flight (counted by the
 * congestion controller) and every other packet (ack-only) is not, so one flag says both. The oldest outstanding
 * ack-eliciting packet and the next packet number must be less than the capacity apart: {@link #canSend()} says
 * whether the next packet fits; when it does not, the caller must not send.
 * <p>
 * <b>Packet numbers</b> passed to {@link #onPacketSent} must increase; gaps are allowed (packets the channel does not
 * track, such as DISCONNECT): an ack naming one is valid and the bit is ignored. Ack-only (non-ack-eliciting)
 * packets may be recorded so an ack naming them is recognised and can give an RTT sample; they are never reported to
 * the handler, never declared lost and never hold the ring (a record of one is simply overwritten).
 * <p>
 * <b>Ack validation</b>, in order; a failure drops the ack, counts the reason and changes nothing else:
 * <ol>
 *   <li>nothing was sent yet ({@link RecoveryCounter#ACKS_REJECTED_NOTHING_SENT});</li>
 *   <li>largest acknowledged (unsigned) above the largest sent or below the first sent
 *   ({@link RecoveryCounter#ACKS_REJECTED_LARGEST_UNSENT});</li>
 *   <li>a bitfield bit names a packet number below the first sent
 *   ({@link RecoveryCounter#ACKS_REJECTED_BITFIELD_UNSENT});</li>
 *   <li>negative ack delay ({@link RecoveryCounter#ACKS_REJECTED_BAD_DELAY}); a delay above the peer's max ack
 *   delay is valid and capped by the {@link RttEstimator}.</li>
 * </ol>
 * <b>Ack processing</b> (RFC 9002 A.7): the largest acknowledged is remembered; each named packet that is
 * outstanding becomes acknowledged and is reported to {@link RecoveryHandler#onAcked} (newest first), each named
 * packet already declared lost is reported to {@link RecoveryHandler#onSpuriousLoss} once and never to
 * {@code onAcked}; packets already acknowledged or no longer in the ring are ignored. If nothing was newly
 * acknowledged that is all. Otherwise: an RTT sample {@code nowNs - sendTime(largest)} is taken when the largest
 * acknowledged was newly acknowledged and at least one newly acknowledged packet is ack-eliciting (RFC 9002 §5.1,
 * which also covers a largest that is ack-only); loss detection runs; the congestion controller hears of the
 * losses, then of the acks; the PTO backoff resets.
 * <p>
 * <b>Loss detection</b> (RFC 9002 §6.1): an outstanding ack-eliciting packet at or below the largest acknowledged is
 * lost when it is {@value #PACKET_THRESHOLD} or more packet numbers below it (kPacketThreshold) or was sent at least
 * {@link RttEstimator#lossDelayNs()} = max(9/8 x max(smoothed, latest RTT), 1 ms) ago; otherwise the loss timer is
 * armed for when it will be. Each lost packet is reported to {@link RecoveryHandler#onLost} once. Persistent
 * congestion (§7.6) is declared when, within one pass, lost ack-eliciting packets sent after the first RTT sample
 * span more than {@value #PERSISTENT_CONGESTION_THRESHOLD} x (smoothed + max(4 x variance, 1 ms) + peer max ack
 * delay) with no acknowledged packet between them.
 * <p>
 * <b>Timer</b> ({@link #nextTimeoutNs()}, {@link #onTimeout}): the loss timer when armed; otherwise, while
 * ack-eliciting packets are in flight, the probe timeout {@code lastAckElicitingSendTime + min(maxPto,
 * (smoothed + max(4 x variance, 1 ms) + peerMaxAckDelay) x 2^ptoCount)}. A PTO expiry calls
 * {@link RecoveryHandler#onProbe()} and doubles the next one; it declares nothing lost. The next PTO counts from
 * the expiry if no probe was sent at it (the anchor is the later of the last ack-eliciting send and the last
 * expiry): without that, once the backoff reaches its cap, a channel that has nothing it may send would be asked
 * for a probe on every duty cycle.
 * <p>
 * Not thread safe: single writer, the worker thread that owns the session. Allocates nothing after construction.
 */
public final class SentPacketTracker
{
    /** Packets below the largest acknowledged after which an unacknowledged one is lost (RFC 9002 kPacketThreshold). */
    public static final int PACKET_THRESHOLD = 3;

    /** PTO periods lost packets must span to declare persistent congestion (kPersistentCongestionThreshold). */
    public static final int PERSISTENT_CONGESTION_THRESHOLD = 3;

    /** {@link #nextTimeoutNs()} when no timer is needed. */
    public static final long NO_TIMEOUT = Long.MAX_VALUE;

    /** Largest packet size recorded, bytes. */
    public static final int MAX_PACKET_BYTES = 0xFFFF;

    private static final byte EMPTY = 0;
    private static final byte OUTSTANDING = 1;
    private static final byte SENT_NOT_ELICITING = 2;
    private static final byte ACKED = 3;
    private static final byte LOST = 4;
    private static final byte SPURIOUS = 5;

    private static final int NOT_NEWLY_ACKED = 0;
    private static final int NEWLY_ACKED = 1;
    private static final int NEWLY_ACKED_ELICITING = 2;

    private final int capacity;
    private final int mask;
    private final RttEstimator rtt;
    private final CongestionController congestion;
    private final long maxPtoNs;

    private final long[] packetNumbers;
    private final long[] sentTimesNs;
    private final long[] handles;
    private final int[] sizes;
    private final byte[] states;
    private final long[] counters = new long[RecoveryCounter.count()];

    // newly acknowledged in-flight packets of the current ack, handed to the congestion controller after the losses
    private final int[] ackedBytes = new int[AckTracker.BITFIELD_BITS + 1];
    private final long[] ackedSentTimesNs = new long[AckTracker.BITFIELD_BITS + 1];

    private long firstPacketNumber;
    private long largestSent;
    private long largestAcked;
    private long oldestOutstanding;
    private int ackElicitingInFlight;
    private long lastAckElicitingSentNs;
    private long lastPtoExpiryNs;
    private boolean lossTimerArmed;
    private long lossTimeNs;
    private int ptoCount;
    private boolean hasRttSampleTime;
    private long firstRttSampleTimeNs;

    /**
     * @param config     concluded here; the capacity and PTO cap are copied.
     * @param rtt        the session's RTT estimate, sampled by this tracker.
     * @param congestion the session's congestion controller, told of every in-flight packet sent, acked and lost.
     */
    public SentPacketTracker(final RecoveryConfig config, final RttEstimator rtt, final CongestionController congestion)
    {
        config.conclude();
        this.capacity = config.sentPacketCapacity();
        this.mask = capacity - 1;
        this.maxPtoNs = config.maxPtoNs();
        this.rtt = rtt;
        this.congestion = congestion;
        packetNumbers = new long[capacity];
        sentTimesNs = new long[capacity];
        handles = new long[capacity];
        sizes = new int[capacity];
        states = new byte[capacity];
        reset();
    }

    /**
     * Forget every packet and counter, as for a new session. The RTT estimator and congestion controller are not
     * reset: reset them too.
     */
    public void reset()
    {
        Arrays.fill(packetNumbers, -1L);
        Arrays.fill(states, EMPTY);
        Arrays.fill(counters, 0L);
        firstPacketNumber = -1;
        largestSent = -1;
        largestAcked = -1;
        oldestOutstanding = 0;
        ackElicitingInFlight = 0;
        lastAckElicitingSentNs = 0;
        lastPtoExpiryNs = Long.MIN_VALUE;
        lossTimerArmed = false;
        lossTimeNs = 0;
        ptoCount = 0;
        hasRttSampleTime = false;
        firstRttSampleTimeNs = 0;
    }

    /**
     * Whether the next packet number ({@link #largestSent()} + 1) fits in the ring. When it does not, the oldest
     * outstanding packet is {@code capacity} packet numbers back and nothing may be sent, not even a probe, until an
     * ack or a loss frees it.
     *
     * @return true when a packet may be sent now (the congestion window is a separate check).
     */
    public boolean canSend()
    {
        return fits(largestSent + 1);
    }

    /**
     * Whether a packet with this number may be recorded now: it is above {@link #largestSent()} and less than the
     * capacity above the oldest outstanding packet. For callers that skip packet numbers.
     *
     * @param packetNumber the packet number to send next.
     * @return true when {@link #onPacketSent} would accept it (given a valid size).
     */
    public boolean canSend(final long packetNumber)
    {
        return packetNumber >= 0 && packetNumber > largestSent && fits(packetNumber);
    }

    /**
     * Record a sent packet. Called from the worker thread right after the packet is handed to the transport, also
     * from inside a {@link RecoveryHandler} callback.
     *
     * @param packetNumber its packet number (AEAD sequence), greater than every one recorded before.
     * @param nowNs        send time.
     * @param bytes        size of the datagram, 0 to {@value #MAX_PACKET_BYTES}.
     * @param ackEliciting whether the packet elicits an ack (carries anything but acks); such a packet is in flight:
     *                     counted by the congestion controller, reported acked or lost, probed for.
     * @param handle       opaque payload handle handed back to the {@link RecoveryHandler}.
     * @return false, counted in {@link RecoveryCounter#SENDS_REFUSED}, when the packet number does not increase,
     * does not fit the ring ({@link #canSend()}) or the size is out of range; nothing is recorded then.
     */
    public boolean onPacketSent(
        final long packetNumber, final long nowNs, final int bytes, final boolean ackEliciting, final long handle)
    {
        if (packetNumber < 0 || packetNumber <= largestSent || bytes < 0 || bytes > MAX_PACKET_BYTES ||
            !fits(packetNumber))
        {
            counters[RecoveryCounter.SENDS_REFUSED.id()]++;
            return false;
        }

        if (firstPacketNumber < 0)
        {
            firstPacketNumber = packetNumber;
        }
        if (oldestOutstanding > largestSent)
        {
            oldestOutstanding = packetNumber;
        }

        final int index = (int)(packetNumber & mask);
        packetNumbers[index] = packetNumber;
        sentTimesNs[index] = nowNs;
        sizes[index] = bytes;
        handles[index] = handle;
        states[index] = ackEliciting ? OUTSTANDING : SENT_NOT_ELICITING;
        largestSent = packetNumber;
        counters[RecoveryCounter.PACKETS_SENT.id()]++;

        if (ackEliciting)
        {
            ackElicitingInFlight++;
            lastAckElicitingSentNs = nowNs;
            congestion.onPacketSent(bytes);
        }

        return true;
    }

    /**
     * Process an ack received from the peer. Called from the worker thread with values straight from the network:
     * any values are safe.
     *
     * @param largestAckedPacket largest packet number the peer acknowledges (unsigned 64-bit).
     * @param ackBitfield        bit {@code i} set acknowledges packet {@code largestAckedPacket - 1 - i}.
     * @param ackDelayNs         time the peer held the ack since receiving the largest, ns.
     * @param nowNs              receive time of the ack.
     * @param handler            told of acked, lost and spuriously lost packets.
     * @return false when the ack failed validation (counted per reason; nothing changed), true otherwise.
     */
    public boolean onAckReceived(
        final long largestAckedPacket,
        final long ackBitfield,
        final long ackDelayNs,
        final long nowNs,
        final RecoveryHandler handler)
    {
        if (!isValidAck(largestAckedPacket, ackBitfield, ackDelayNs))
        {
            return false;
        }

        counters[RecoveryCounter.ACKS_ACCEPTED.id()]++;
        largestAcked = Math.max(largestAcked, largestAckedPacket);

        // newest first: the largest is read before any handler callback can send and reuse ring slots
        final long largestSentNs = sentTimesNs[(int)(largestAckedPacket & mask)];
        final int largestResult = markAcked(largestAckedPacket, 0, handler);
        int ackedCount = NEWLY_ACKED_ELICITING == largestResult ? 1 : 0;
        boolean anyNewlyAcked = NOT_NEWLY_ACKED != largestResult;
        boolean anyAckEliciting = NEWLY_ACKED_ELICITING == largestResult;
        long bits = ackBitfield;
        while (0 != bits)
        {
            final int bit = Long.numberOfTrailingZeros(bits);
            bits &= bits - 1;
            final int result = markAcked(largestAckedPacket - 1 - bit, ackedCount, handler);
            if (NOT_NEWLY_ACKED != result)
            {
                anyNewlyAcked = true;
                if (NEWLY_ACKED_ELICITING == result)
                {
                    anyAckEliciting = true;
                    ackedCount++;
                }
            }
        }

        if (!anyNewlyAcked)
        {
            return true;
        }

        if (NOT_NEWLY_ACKED != largestResult && anyAckEliciting)
        {
            rtt.onRttSample(nowNs - largestSentNs, ackDelayNs);
            if (!hasRttSampleTime)
            {
                hasRttSampleTime = true;
                firstRttSampleTimeNs = nowNs;
            }
        }

        detectLostPackets(nowNs, handler);

        for (int i = 0; i < ackedCount; i++)
        {
            congestion.onPacketAcked(ackedBytes[i], ackedSentTimesNs[i]);
        }
        ptoCount = 0;

        return true;
    }

    /**
     * Run the timer: when the loss timer expired, time-threshold loss detection; when the probe timeout expired,
     * {@link RecoveryHandler#onProbe()} and the PTO backoff doubles. Called from the worker thread on each duty
     * cycle or when {@link #nextTimeoutNs()} is reached; does nothing before it.
     *
     * @param nowNs   current time.
     * @param handler told of lost packets, asked for probes.
     * @return 1 when a timer expired, else 0 (a work count).
     */
    public int onTimeout(final long nowNs, final RecoveryHandler handler)
    {
        if (lossTimerArmed)
        {
            if (nowNs < lossTimeNs)
            {
                return 0;
            }
            counters[RecoveryCounter.LOSS_TIMER_EXPIRIES.id()]++;
            detectLostPackets(nowNs, handler);
            return 1;
        }

        if (0 == ackElicitingInFlight || nowNs < ptoDeadlineNs())
        {
            return 0;
        }

        counters[RecoveryCounter.PTO_EXPIRIES.id()]++;
        if (ptoCount < Integer.MAX_VALUE)
        {
            ptoCount++;
        }
        lastPtoExpiryNs = nowNs;
        handler.onProbe();
        return 1;
    }

    /**
     * When {@link #onTimeout} next has work: the loss timer when armed, else the probe timeout while ack-eliciting
     * packets are in flight.
     *
     * @return the deadline, or {@link #NO_TIMEOUT} when no timer is needed.
     */
    public long nextTimeoutNs()
    {
        if (lossTimerArmed)
        {
            return lossTimeNs;
        }

        return 0 == ackElicitingInFlight ? NO_TIMEOUT : ptoDeadlineNs();
    }

    /**
     * The current probe timeout period after backoff: {@code min(maxPto, ptoBase x 2^ptoCount)} with ptoBase from
     * {@link RttEstimator#ptoBaseNs()}.
     *
     * @return PTO period, ns.
     */
    public long ptoPeriodNs()
    {
        return backoff(rtt.ptoBaseNs(), ptoCount, maxPtoNs);
    }

    /**
     * {@code min(maxNs, baseNs x 2^exponent)} without overflow.
     *
     * @param baseNs   period before backoff, positive.
     * @param exponent backoff exponent, 0 or more.
     * @param maxNs    cap, positive.
     * @return the backed-off, capped period.
     */
    public static long backoff(final long baseNs, final int exponent, final long maxNs)
    {
        if (baseNs >= maxNs || exponent >= Long.SIZE - 1)
        {
            return maxNs;
        }

        return baseNs <= (maxNs >> exponent) ? baseNs << exponent : maxNs;
    }

    /**
     * @param counter a sender counter.
     * @return its value.
     */
    public long counter(final RecoveryCounter counter)
    {
        return counters[counter.id()];
    }

    /**
     * @return consecutive probe timeouts since the last ack that acknowledged something (the backoff exponent).
     */
    public int ptoCount()
    {
        return ptoCount;
    }

    /**
     * @return ack-eliciting packets neither acknowledged nor declared lost.
     */
    public int ackElicitingInFlight()
    {
        return ackElicitingInFlight;
    }

    /**
     * @return bytes of in-flight packets neither acknowledged nor declared lost (from the congestion controller).
     */
    public long bytesInFlight()
    {
        return congestion.bytesInFlight();
    }

    /**
     * @return largest packet number recorded, -1 before the first.
     */
    public long largestSent()
    {
        return largestSent;
    }

    /**
     * @return largest packet number the peer acknowledged, -1 before the first valid ack.
     */
    public long largestAcked()
    {
        return largestAcked;
    }

    /**
     * @return whether the loss timer is armed (an unacknowledged packet below the largest acked awaits its time).
     */
    public boolean isLossTimerArmed()
    {
        return lossTimerArmed;
    }

    /**
     * @return number of records in the ring.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return the RTT estimator this tracker samples.
     */
    public RttEstimator rtt()
    {
        return rtt;
    }

    /**
     * @return the congestion controller this tracker drives.
     */
    public CongestionController congestion()
    {
        return congestion;
    }

    private boolean isValidAck(final long largestAckedPacket, final long ackBitfield, final long ackDelayNs)
    {
        if (largestSent < 0)
        {
            counters[RecoveryCounter.ACKS_REJECTED_NOTHING_SENT.id()]++;
            return false;
        }

        if (Long.compareUnsigned(largestAckedPacket, largestSent) > 0 || largestAckedPacket < firstPacketNumber)
        {
            counters[RecoveryCounter.ACKS_REJECTED_LARGEST_UNSENT.id()]++;
            return false;
        }

        // bit i names largest - 1 - i, which must not be below the first packet number: i < largest - first
        final long namable = largestAckedPacket - firstPacketNumber;
        if (namable < Long.SIZE && 0 != (ackBitfield >>> namable))
        {
            counters[RecoveryCounter.ACKS_REJECTED_BITFIELD_UNSENT.id()]++;
            return false;
        }

        if (ackDelayNs < 0)
        {
            counters[RecoveryCounter.ACKS_REJECTED_BAD_DELAY.id()]++;
            return false;
        }

        return true;
    }

    private int markAcked(final long packetNumber, final int ackedCount, final RecoveryHandler handler)
    {
        final int index = (int)(packetNumber & mask);
        if (packetNumbers[index] != packetNumber)
        {
            return NOT_NEWLY_ACKED;
        }

        switch (states[index])
        {
            case OUTSTANDING:
                states[index] = ACKED;
                ackElicitingInFlight--;
                ackedBytes[ackedCount] = sizes[index];
                ackedSentTimesNs[ackedCount] = sentTimesNs[index];
                counters[RecoveryCounter.PACKETS_ACKED.id()]++;
                handler.onAcked(handles[index]);
                return NEWLY_ACKED_ELICITING;

            case SENT_NOT_ELICITING:
                states[index] = ACKED;
                return NEWLY_ACKED;

            case LOST:
                states[index] = SPURIOUS;
                counters[RecoveryCounter.PACKETS_SPURIOUSLY_LOST.id()]++;
                handler.onSpuriousLoss(handles[index]);
                return NOT_NEWLY_ACKED;

            default:
                return NOT_NEWLY_ACKED;
        }
    }

    private void detectLostPackets(final long nowNs, final RecoveryHandler handler)
    {
        lossTimerArmed = false;
        final long lossDelayNs = rtt.lossDelayNs();
        final long lostSendTimeNs = nowNs - lossDelayNs;
        final long largestAcked = this.largestAcked;
        final long persistentDurationNs = rtt.ptoBaseNs() * PERSISTENT_CONGESTION_THRESHOLD;

        long lostBytes = 0;
        long largestLostSentNs = 0;
        boolean anyLost = false;
        boolean inLostRun = false;
        long runStartNs = 0;
        boolean persistentCongestion = false;

        advanceOldestOutstanding();
        for (long packetNumber = oldestOutstanding; packetNumber <= largestAcked; packetNumber++)
        {
            final int index = (int)(packetNumber & mask);
            if (packetNumbers[index] != packetNumber)
            {
                continue;
            }

            final byte state = states[index];
            if (ACKED == state || SPURIOUS == state)
            {
                inLostRun = false;
                continue;
            }
            if (OUTSTANDING != state)
            {
                continue;
            }

            final long sentNs = sentTimesNs[index];
            if (sentNs <= lostSendTimeNs || largestAcked - packetNumber >= PACKET_THRESHOLD)
            {
                states[index] = LOST;
                ackElicitingInFlight--;
                lostBytes += sizes[index];
                largestLostSentNs = anyLost ? Math.max(largestLostSentNs, sentNs) : sentNs;
                anyLost = true;
                counters[RecoveryCounter.PACKETS_LOST.id()]++;

                if (hasRttSampleTime && sentNs > firstRttSampleTimeNs)
                {
                    if (!inLostRun)
                    {
                        inLostRun = true;
                        runStartNs = sentNs;
                    }
                    persistentCongestion |= sentNs - runStartNs > persistentDurationNs;
                }

                handler.onLost(handles[index]);
            }
            else
            {
                final long lossTimeNs = sentNs + lossDelayNs;
                if (!lossTimerArmed || lossTimeNs < this.lossTimeNs)
                {
                    lossTimerArmed = true;
                    this.lossTimeNs = lossTimeNs;
                }
            }
        }
        advanceOldestOutstanding();

        if (anyLost)
        {
            congestion.onPacketsLost(lostBytes, largestLostSentNs, nowNs);
            if (persistentCongestion)
            {
                counters[RecoveryCounter.PERSISTENT_CONGESTION.id()]++;
                congestion.onPersistentCongestion();
            }
        }
    }

    private long ptoDeadlineNs()
    {
        return Math.max(lastAckElicitingSentNs, lastPtoExpiryNs) + ptoPeriodNs();
    }

    private boolean fits(final long packetNumber)
    {
        if (largestSent < 0)
        {
            return true;
        }

        advanceOldestOutstanding();
        return oldestOutstanding > largestSent || packetNumber - oldestOutstanding < capacity;
    }

    private void advanceOldestOutstanding()
    {
        // amortised O(1): the pointer only moves forward, over packet numbers already sent
        long packetNumber = oldestOutstanding;
        while (packetNumber <= largestSent)
        {
            final int index = (int)(packetNumber & mask);
            if (packetNumbers[index] == packetNumber && OUTSTANDING == states[index])
            {
                break;
            }
            packetNumber++;
        }
        oldestOutstanding = packetNumber;
    }
}
