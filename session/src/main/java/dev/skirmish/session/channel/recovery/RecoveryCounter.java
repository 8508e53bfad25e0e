package dev.skirmish.session.channel.recovery;

/**
 * Counters of loss recovery, per session direction. Ids and labels are an API, as for the transport's counters:
 * never renumber or rename, only add. {@link SentPacketTracker} writes the sender's counters, {@link AckTracker} the
 * receiver's; each is single-writer (the worker thread that owns the session) and read with
 * {@code counter(RecoveryCounter)} on that thread.
 */
public enum RecoveryCounter
{
    /** Packets recorded by {@link SentPacketTracker#onPacketSent}. */
    PACKETS_SENT(0, "packets_sent", "Packets recorded as sent"),
    /** Packets acknowledged for the first time (each reported to {@link RecoveryHandler#onAcked}). */
    PACKETS_ACKED(1, "packets_acked", "Sent packets acknowledged"),
    /** Packets declared lost (each reported to {@link RecoveryHandler#onLost}). */
    PACKETS_LOST(2, "packets_lost", "Sent packets declared lost by the packet or time threshold"),
    /** Packets acknowledged after they were declared lost. */
    PACKETS_SPURIOUSLY_LOST(3, "packets_spuriously_lost", "Packets declared lost, then acknowledged"),
    /** Probe timeouts that expired (each a call to {@link RecoveryHandler#onProbe}). */
    PTO_EXPIRIES(4, "pto_expiries", "Probe timeouts expired"),
    /** Loss timer expiries that ran time-threshold loss detection. */
    LOSS_TIMER_EXPIRIES(5, "loss_timer_expiries", "Loss timer expiries"),
    /** Persistent congestion detections (window collapsed to its floor). */
    PERSISTENT_CONGESTION(6, "persistent_congestion", "Persistent congestion detections"),
    /** Acks accepted by {@link SentPacketTracker#onAckReceived}. */
    ACKS_ACCEPTED(7, "acks_accepted", "Acks that passed validation"),
    /** Acks rejected: nothing was sent yet. */
    ACKS_REJECTED_NOTHING_SENT(8, "acks_rejected_nothing_sent", "Acks received before any packet was sent"),
    /** Acks rejected: the largest acknowledged was never sent (above the largest sent, or below the first). */
    ACKS_REJECTED_LARGEST_UNSENT(9, "acks_rejected_largest_unsent", "Acks whose largest packet was never sent"),
    /** Acks rejected: the bitfield names packet numbers below the first one sent. */
    ACKS_REJECTED_BITFIELD_UNSENT(10, "acks_rejected_bitfield_unsent",
        "Acks whose bitfield names packets never sent"),
    /** Acks rejected: negative ack delay. */
    ACKS_REJECTED_BAD_DELAY(11, "acks_rejected_bad_delay", "Acks with a negative ack delay"),
    /** Sends refused by {@link SentPacketTracker#onPacketSent}: ring full, packet number not increasing or bad size. */
    SENDS_REFUSED(12, "sends_refused", "Packets the tracker refused to record"),
    /** Packets recorded by {@link AckTracker#onPacketReceived} for the first time. */
    PACKETS_RECEIVED(13, "packets_received", "Received packet numbers recorded"),
    /** Packets whose number the {@link AckTracker} had already recorded. */
    DUPLICATES_RECEIVED(14, "duplicates_received", "Received packet numbers already recorded"),
    /** Packets too far below the largest received to be described by an ack. */
    TOO_OLD_RECEIVED(15, "too_old_received", "Received packet numbers older than the ack bitfield"),
    /** Acks produced ({@link AckTracker#onAckSent}). */
    ACKS_SENT(16, "acks_sent", "Acks sent");

    private static final RecoveryCounter[] BY_ID = values();

    private final int id;
    private final String label;
    private final String description;

    RecoveryCounter(final int id, final String label, final String description)
    {
        this.id = id;
        this.label = label;
        this.description = description;
    }

    /**
     * @return stable id, the index into a counter array.
     */
    public int id()
    {
        return id;
    }

    /**
     * @return stable snake_case label for reports.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return one-line description.
     */
    public String description()
    {
        return description;
    }

    /**
     * @return number of counters: the length of a counter array.
     */
    public static int count()
    {
        return BY_ID.length;
    }

    /**
     * @param id a counter id.
     * @return the counter with that id.
     * @throws ArrayIndexOutOfBoundsException for an unknown id.
     */
    public static RecoveryCounter get(final int id)
    {
        return BY_ID[id];
    }
}
