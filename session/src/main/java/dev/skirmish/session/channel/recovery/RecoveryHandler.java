package dev.skirmish.session.channel.recovery;

/**
 * What a {@link SentPacketTracker} tells the channel layer about the packets it sent. Each packet carries an opaque
 * primitive payload handle chosen by the channel (e.g. first index and count into its message-reference ring); the
 * tracker hands it back exactly once, either to {@link #onAcked(long)} or to {@link #onLost(long)}, never both, and
 * later to {@link #onSpuriousLoss(long)} at most once if a packet reported lost is acknowledged after all.
 * <p>
 * Called from the worker thread that owns the session, synchronously from
 * {@link SentPacketTracker#onAckReceived} and {@link SentPacketTracker#onTimeout}. A handler may send packets at
 * once (call {@link SentPacketTracker#onPacketSent}) but must not call {@code onAckReceived} or {@code onTimeout}
 * from inside a callback. Implementations should be a preallocated object (or a method reference stored in a
 * field): the tracker allocates nothing and neither should its handler.
 */
public interface RecoveryHandler
{
    /**
     * The packet was acknowledged for the first time: the messages in it were delivered.
     *
     * @param handle payload handle given to {@link SentPacketTracker#onPacketSent}.
     */
    void onAcked(long handle);

    /**
     * The packet was declared lost (packet or time threshold): its reliable messages should be sent again.
     *
     * @param handle payload handle given to {@link SentPacketTracker#onPacketSent}.
     */
    void onLost(long handle);

    /**
     * A packet already reported to {@link #onLost(long)} was acknowledged after all (it was reordered or delayed,
     * not lost). It is never reported to {@link #onAcked(long)}; the channel may drop a retransmission still queued
     * or simply ignore this (message ids make the retransmission a harmless duplicate at the receiver).
     *
     * @param handle payload handle given to {@link SentPacketTracker#onPacketSent}.
     */
    void onSpuriousLoss(long handle);

    /**
     * The probe timeout expired: send one or two ack-eliciting packets now, regardless of the congestion window
     * (RFC 9002 §6.2.4), preferably carrying the oldest unacknowledged reliable data, or a ping if there is none.
     * Nothing is declared lost by the timeout itself.
     */
    void onProbe();
}
