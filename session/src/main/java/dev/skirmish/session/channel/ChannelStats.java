package dev.skirmish.session.channel;

/**
 * Live statistics of one session's channel layer, for the game (read on the thread that owns the session). Times in
 * nanoseconds, sizes in bytes; counts since the session started.
 */
public interface ChannelStats
{
    /**
     * @return smoothed RTT (RFC 9002), the initial RTT until the first sample.
     */
    long srttNs();

    /**
     * @return RTT variation.
     */
    long rttVarNs();

    /**
     * @return smallest RTT sample, 0 before the first.
     */
    long minRttNs();

    /**
     * @return RTT jitter: smoothed absolute difference between consecutive RTT samples.
     */
    long jitterNs();

    /**
     * @return percentage of ack-eliciting packets sent that were declared lost.
     */
    double lossPercent();

    /**
     * @return DATA packets sent.
     */
    long packetsOut();

    /**
     * @return DATA body bytes sent.
     */
    long bytesOut();

    /**
     * @return DATA packets received and processed (duplicates and malformed ones excluded).
     */
    long packetsIn();

    /**
     * @return DATA body bytes received and processed.
     */
    long bytesIn();

    /**
     * @return reliable chunks sent again (after a loss, or as a probe).
     */
    long resends();

    /**
     * @return congestion (send) window.
     */
    long windowBytes();

    /**
     * @return bytes in flight: sent, neither acked nor declared lost.
     */
    long bytesInFlight();

    /**
     * @return bytes held by the send queue: not yet sent, or reliable and not yet acked.
     */
    long queuedBytes();

    /**
     * @return message bytes queued and not yet sent once.
     */
    long unsentBytes();

    /**
     * @return bytes the game may queue now without waiting: window less bytes in flight less unsent bytes.
     */
    long sendBudgetBytes();

    /**
     * @return messages accepted for sending.
     */
    long messagesQueued();

    /**
     * @return send calls refused because the send queue was full.
     */
    long sendQueueFull();
}
