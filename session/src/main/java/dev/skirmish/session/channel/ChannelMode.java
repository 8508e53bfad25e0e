package dev.skirmish.session.channel;

/**
 * Delivery guarantee of one channel of a session, as seen by the receiving application. Every mode delivers a message
 * at most once per arrival and never delivers a corrupted or forged one (packets are authenticated and packet-level
 * replays are dropped by the AEAD replay window before any channel sees them). What differs is how the receiver
 * treats loss, reordering and the duplicates that resends of reliable messages create.
 *
 * <pre>
 *   mode                   resent by   delivered             order               duplicates
 *   UNRELIABLE             nobody      as it arrives         arrival order       none arrive
 *   UNRELIABLE_SEQUENCED   nobody      only if newest        increasing seq      dropped (stale)
 *   RELIABLE_UNORDERED     sender      as it arrives         arrival order       dropped
 *   RELIABLE_ORDERED       sender      when the gap fills    exact seq order     dropped
 * </pre>
 *
 * The reliable modes rely on a sender contract, see {@link ReceiveChannel}: at most {@code window} messages from the
 * oldest one the sender has not seen acknowledged to the newest it has sent, and, for {@link #RELIABLE_ORDERED}, at
 * most the reorder budget in bytes over that same span.
 */
public enum ChannelMode
{
    /**
     * Fire and forget: each message that arrives is delivered once, at once, in arrival order. Lost messages stay lost
     * and reordered ones are delivered out of order. For data that is useless when late and harmless when missing
     * or out of order (one-off effects, voice frames with their own jitter buffer).
     */
    UNRELIABLE(false),

    /**
     * Newest wins: a message is delivered only if its sequence is newer (RFC 1982 serial arithmetic over u16) than
     * every message delivered before on the channel; older or equal ones are dropped as stale. The first message is
     * always delivered. Delivery never goes backwards, losses are not repaired. For state snapshots and inputs where
     * only the latest value matters.
     */
    UNRELIABLE_SEQUENCED(false),

    /**
     * Every message exactly once, as soon as it arrives, in any order: the sender resends until acknowledged, the
     * receiver drops the duplicates those resends create. A missing message never holds back later ones. For
     * independent events (hits, pickups, chat lines whose order does not matter).
     */
    RELIABLE_UNORDERED(true),

    /**
     * Every message exactly once, in exact sequence order, like a stream: messages that arrive ahead of a gap are
     * copied into a bounded reorder buffer and released when the gap fills, so one loss delays every later message
     * on the channel by about a round trip (head-of-line blocking, confined to the channel). For RPCs, game-state
     * transitions and anything that must be applied in order.
     */
    RELIABLE_ORDERED(true);

    private final boolean reliable;

    ChannelMode(final boolean reliable)
    {
        this.reliable = reliable;
    }

    /**
     * @return true if the sender resends until acknowledged, so the receiver tracks a window and drops duplicates.
     */
    public boolean isReliable()
    {
        return reliable;
    }
}
