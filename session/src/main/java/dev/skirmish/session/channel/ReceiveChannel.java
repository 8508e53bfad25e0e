package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * Receive side of one channel of a session: decides, per message frame, whether to deliver it now, hold it, or drop
 * it, according to the channel's {@link ChannelMode}, and delivers through a {@link MessageHandler}. Packet-level
 * duplicates never get here (the AEAD replay window drops them); message-level duplicates come from the sender's
 * resends of reliable messages, and are dropped here.
 *
 * <h2>Per mode</h2>
 * <ul>
 *   <li>{@link ChannelMode#UNRELIABLE}: delivered at once, every time.</li>
 *   <li>{@link ChannelMode#UNRELIABLE_SEQUENCED}: delivered if newer ({@link SequenceNumbers#greaterThan}) than the
 *   newest delivered, else {@link #STALE}. The first message is always delivered. A run of 32768 or more lost
 *   messages in a row makes newer messages look older, so delivery pauses until the sender's sequence comes round
 *   again (at most 32768 messages); a session is long timed out by then at game rates.</li>
 *   <li>{@link ChannelMode#RELIABLE_UNORDERED}: a window of {@code W} sequences from {@code base} (the oldest not yet
 *   received); a new sequence in the window is delivered at once and marked; the base steps over marked sequences.</li>
 *   <li>{@link ChannelMode#RELIABLE_ORDERED}: the same window; the message at the base is delivered at once from the
 *   caller's buffer, and with it every following one already held; a message ahead of a gap is copied into the
 *   reorder buffer (the byte budget) and delivered when the gap fills.</li>
 * </ul>
 * For the reliable modes, with {@code p = difference(sequence, base)}:
 * <pre>
 *   p &lt; 0          before the base: received before            DUPLICATE, dropped
 *   0 &lt;= p &lt; W     in the window: marked already?              DUPLICATE, dropped
 *                  else                                       DELIVERED (p == 0 or unordered) or BUFFERED
 *   W &lt;= p         beyond the window: the sender broke the contract   OUT_OF_WINDOW, dropped
 * </pre>
 *
 * <h2>Sender contract (reliable modes)</h2>
 * Both ends start a channel at the same sequence (0 unless {@link #reset(int)} says otherwise) and use the same
 * {@link ReceiveConfig}. The sender never sends sequence {@code s} while its oldest message not yet acknowledged is
 * {@code W} or more behind {@code s}; on an ordered channel it also never sends a message while the bytes of all the
 * messages from its oldest unacknowledged one up to that one (acknowledged ones included) would exceed the reorder
 * budget. Everything the receiver holds lies in that span, so a sender that keeps the contract is never refused, and
 * a new message is never at or beyond {@code base + W}. The other half of the space is for late copies (a resend
 * whose original arrived, or the reverse): one less than 32768 messages of its channel behind the base is a
 * {@link #DUPLICATE}; an older one would be misread. The AEAD replay window drops packets more than 1024 packets
 * old long before that at any game's message rate.
 * <p>
 * {@link #OUT_OF_WINDOW} and {@link #NO_ROOM} therefore mean the sender broke the contract
 * ({@link #isProtocolViolation(int)}). The message is not recorded, so a later resend can still be accepted, but the
 * packet that carried it may already be acknowledged at the packet level, and a packet ack cannot be withdrawn: the
 * sender will think the message delivered and never resend it. The caller should count the violation and close the
 * session (a violation costs only its session).
 *
 * <h2>Handler</h2>
 * The buffer passed to {@link MessageHandler#onMessage} is valid only during the call (it is either the caller's or
 * the reorder buffer's). One call to {@link #receive} may deliver up to {@code W} messages on an ordered channel. The
 * channel updates its state before each delivery, so a handler that throws leaves it consistent (held messages that
 * became due are delivered with the next message the channel accepts); the handler must not call back into the same
 * channel.
 * <p>
 * Not thread safe: single writer, the thread that owns the session. Allocates when constructed the window bit ring
 * ({@code W / 8} bytes) for the reliable modes; the ordered mode's reorder buffer allocates when it first holds a
 * message (8 bytes per window slot and a small store) and grows its store on demand up to the reorder budget
 * ({@link ReceiveReorderBuffer}), so an ordered channel that never sees a gap holds nothing for it.
 */
public final class ReceiveChannel
{
    /**
     * Receives the messages a channel delivers.
     */
    @FunctionalInterface
    public interface MessageHandler
    {
        /**
         * A message delivered, once, in the order its channel's mode guarantees. Called on the session's thread.
         *
         * @param channel the channel id, 0..7.
         * @param buffer  holding the message; valid only during this call, do not retain or release it.
         * @param offset  of the message in {@code buffer}.
         * @param length  of the message.
         */
        void onMessage(int channel, ByteBuf buffer, int offset, int length);
    }

    /** {@link #receive}: delivered now (and, on an ordered channel, any held messages it released). */
    public static final int DELIVERED = 0;
    /** {@link #receive}: held in the reorder buffer until the gap before it fills (ordered only). */
    public static final int BUFFERED = 1;
    /** {@link #receive}: a reliable message received before (a resend): dropped. */
    public static final int DUPLICATE = 2;
    /** {@link #receive}: a sequenced message not newer than the newest delivered: dropped. */
    public static final int STALE = 3;
    /** {@link #receive}: a reliable message at or beyond base + window: dropped; a protocol violation. */
    public static final int OUT_OF_WINDOW = 4;
    /** {@link #receive}: an ordered message ahead of a gap that does not fit the reorder budget; a violation. */
    public static final int NO_ROOM = 5;
    /** {@link #receive}: sequence outside 0..65535, or negative offset or length (a caller bug): dropped. */
    public static final int INVALID = 6;

    private final int channel;
    private final ChannelMode mode;
    private final ReceiveWindow window;
    private final ReceiveReorderBuffer reorder;
    private final long[] counters = new long[ReceiveCounter.count()];

    private boolean hasNewest;
    private int newest;

    /**
     * @param channel the channel id, 0..{@value BodyDescriptor#MAX_CHANNELS} - 1, passed to the handler.
     * @param mode    delivery guarantee.
     * @param config  concluded here; window and reorder budget are copied (and used only by the modes that need them).
     * @throws IllegalArgumentException for a bad channel id or config.
     */
    public ReceiveChannel(final int channel, final ChannelMode mode, final ReceiveConfig config)
    {
        if (channel < 0 || channel >= BodyDescriptor.MAX_CHANNELS)
        {
            throw new IllegalArgumentException("channel must be in [0, " + BodyDescriptor.MAX_CHANNELS + "), got " +
                channel);
        }
        config.conclude();
        this.channel = channel;
        this.mode = mode;
        this.window = mode.isReliable() ? new ReceiveWindow(config.window()) : null;
        this.reorder = ChannelMode.RELIABLE_ORDERED == mode ?
            new ReceiveReorderBuffer(config.reorderBudgetBytes(), config.window()) : null;
        reset(0);
    }

    /**
     * Forget every message, held bytes and counters, as for a new session.
     *
     * @param initialSequence the sequence of the first message the peer sends on this channel (0 by protocol; other
     *                        values are for tests).
     */
    public void reset(final int initialSequence)
    {
        Arrays.fill(counters, 0L);
        hasNewest = false;
        newest = 0;
        if (null != window)
        {
            window.reset(initialSequence);
        }
        if (null != reorder)
        {
            reorder.reset();
        }
    }

    /**
     * Handle one message frame of this channel: deliver it (and any held messages it releases), hold it, or drop it.
     * Never throws on input from the network; counts every outcome.
     *
     * @param sequence the frame's message sequence, u16.
     * @param buffer   holding the message; read only during this call (ordered mode copies what it holds).
     * @param offset   of the message in {@code buffer}.
     * @param length   of the message (0 allowed).
     * @param handler  receives what is delivered.
     * @return {@link #DELIVERED}, {@link #BUFFERED}, {@link #DUPLICATE}, {@link #STALE}, {@link #OUT_OF_WINDOW},
     * {@link #NO_ROOM} or {@link #INVALID}.
     */
    public int receive(
        final int sequence, final ByteBuf buffer, final int offset, final int length, final MessageHandler handler)
    {
        counters[ReceiveCounter.MESSAGES_RECEIVED.id()]++;
        if (!SequenceNumbers.isValid(sequence) || offset < 0 || length < 0)
        {
            return drop(INVALID, ReceiveCounter.INVALID);
        }
        switch (mode)
        {
            case UNRELIABLE:
                return deliver(buffer, offset, length, handler);

            case UNRELIABLE_SEQUENCED:
                return onSequenced(sequence, buffer, offset, length, handler);

            case RELIABLE_UNORDERED:
                return onUnordered(sequence, buffer, offset, length, handler);

            default:
                return onOrdered(sequence, buffer, offset, length, handler);
        }
    }

    /**
     * Whether {@link #receive} would take a message with this sequence rather than drop it as {@link #DUPLICATE},
     * {@link #STALE}, {@link #OUT_OF_WINDOW} or {@link #INVALID}; changes nothing. For a caller that must not start
     * work for a message already delivered, such as reassembling the fragments of a late resend. Does not consider
     * the reorder budget ({@link #NO_ROOM} depends on the length).
     *
     * @param sequence a message sequence from the network.
     * @return true if the message would be delivered or held.
     */
    public boolean wouldAccept(final int sequence)
    {
        if (!SequenceNumbers.isValid(sequence))
        {
            return false;
        }
        switch (mode)
        {
            case UNRELIABLE:
                return true;

            case UNRELIABLE_SEQUENCED:
                return !hasNewest || SequenceNumbers.greaterThan(sequence, newest);

            default:
                final int position = window.position(sequence);
                return 0 == position ||
                    (position > 0 && position < window.capacity() && !window.isReceived(sequence));
        }
    }

    /**
     * Whether a reliable message with this sequence would be {@link #OUT_OF_WINDOW}: at or beyond base + window, which
     * a conforming sender never sends. Changes nothing.
     *
     * @param sequence a message sequence from the network.
     * @return true on a reliable channel for a sequence beyond the window; false otherwise.
     */
    public boolean isBeyondWindow(final int sequence)
    {
        return mode.isReliable() && SequenceNumbers.isValid(sequence) && window.position(sequence) >= window.capacity();
    }

    /**
     * @param result a result of {@link #receive}.
     * @return true for the results that mean the sender broke the window or budget contract.
     */
    public static boolean isProtocolViolation(final int result)
    {
        return OUT_OF_WINDOW == result || NO_ROOM == result;
    }

    /**
     * @return the channel id.
     */
    public int channel()
    {
        return channel;
    }

    /**
     * @return the delivery guarantee.
     */
    public ChannelMode mode()
    {
        return mode;
    }

    /**
     * @param counter which.
     * @return its value since the last reset.
     */
    public long counter(final ReceiveCounter counter)
    {
        return counters[counter.id()];
    }

    /**
     * @return reliable modes: the oldest sequence not yet received (the next to deliver, when ordered); else -1.
     */
    public int base()
    {
        return null == window ? -1 : window.base();
    }

    /**
     * @return sequenced mode: the newest sequence delivered, or -1 before the first.
     */
    public int newestSequence()
    {
        return hasNewest ? newest : -1;
    }

    /**
     * @return ordered mode: bytes held in the reorder buffer now; else 0.
     */
    public int bufferedBytes()
    {
        return null == reorder ? 0 : reorder.bufferedBytes();
    }

    /**
     * @return ordered mode: messages held in the reorder buffer now; else 0.
     */
    public int bufferedMessages()
    {
        return null == reorder ? 0 : reorder.bufferedMessages();
    }

    /**
     * @return ordered mode: most bytes held at once since the last reset, never above the budget; else 0.
     */
    public int maxBufferedBytes()
    {
        return null == reorder ? 0 : reorder.maxBufferedBytes();
    }

    /**
     * @return ordered mode: the reorder budget in bytes (the most its store grows to); else 0.
     */
    public int reorderBudgetBytes()
    {
        return null == reorder ? 0 : reorder.budgetBytes();
    }

    private int onSequenced(
        final int sequence, final ByteBuf buffer, final int offset, final int length, final MessageHandler handler)
    {
        if (hasNewest && !SequenceNumbers.greaterThan(sequence, newest))
        {
            return drop(STALE, ReceiveCounter.STALE);
        }
        hasNewest = true;
        newest = sequence;
        return deliver(buffer, offset, length, handler);
    }

    private int onUnordered(
        final int sequence, final ByteBuf buffer, final int offset, final int length, final MessageHandler handler)
    {
        final int position = window.position(sequence);
        if (position < 0 || (position > 0 && position < window.capacity() && window.isReceived(sequence)))
        {
            return drop(DUPLICATE, ReceiveCounter.DUPLICATES);
        }
        if (position >= window.capacity())
        {
            return drop(OUT_OF_WINDOW, ReceiveCounter.OUT_OF_WINDOW);
        }
        if (0 == position)
        {
            window.advance();
            window.advanceOverReceived();
        }
        else
        {
            window.markReceived(sequence);
        }
        return deliver(buffer, offset, length, handler);
    }

    private int onOrdered(
        final int sequence, final ByteBuf buffer, final int offset, final int length, final MessageHandler handler)
    {
        final int position = window.position(sequence);
        if (position < 0 || (position > 0 && position < window.capacity() && window.isReceived(sequence)))
        {
            return drop(DUPLICATE, ReceiveCounter.DUPLICATES);
        }
        if (position >= window.capacity())
        {
            return drop(OUT_OF_WINDOW, ReceiveCounter.OUT_OF_WINDOW);
        }
        final int result;
        if (0 == position)
        {
            window.advance();
            result = deliver(buffer, offset, length, handler);
        }
        else
        {
            if (!reorder.store(window.slot(sequence), buffer, offset, length))
            {
                return drop(NO_ROOM, ReceiveCounter.NO_ROOM);
            }
            window.markReceived(sequence);
            counters[ReceiveCounter.MESSAGES_BUFFERED.id()]++;
            result = BUFFERED;
        }
        // also after BUFFERED: releases what a throwing handler left due (normally the base is not held)
        releaseHeld(handler);
        return result;
    }

    private void releaseHeld(final MessageHandler handler)
    {
        final ReceiveWindow window = this.window;
        final ReceiveReorderBuffer reorder = this.reorder;
        int base;
        while (window.isReceived(base = window.base()))
        {
            final int slot = window.slot(base);
            final int offset = reorder.offset(slot);
            final int length = reorder.length(slot);
            window.clearAndAdvance();
            reorder.release(slot);
            counters[ReceiveCounter.MESSAGES_DELIVERED.id()]++;
            handler.onMessage(channel, reorder.buffer(), offset, length);
        }
        counters[ReceiveCounter.REORDER_COMPACTIONS.id()] = reorder.compactions();
    }

    private int deliver(final ByteBuf buffer, final int offset, final int length, final MessageHandler handler)
    {
        counters[ReceiveCounter.MESSAGES_DELIVERED.id()]++;
        handler.onMessage(channel, buffer, offset, length);
        return DELIVERED;
    }

    private int drop(final int result, final ReceiveCounter counter)
    {
        counters[counter.id()]++;
        return result;
    }
}
