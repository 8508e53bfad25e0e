package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;

import static dev.skirmish.session.channel.BodyDescriptor.ACK_DELAY_UNIT_NS;
import static dev.skirmish.session.channel.BodyDescriptor.ACK_LENGTH;
import static dev.skirmish.session.channel.BodyDescriptor.CHANNEL_MASK;
import static dev.skirmish.session.channel.BodyDescriptor.FLAG_ACK;
import static dev.skirmish.session.channel.BodyDescriptor.FRAGMENT_PART_LENGTH;
import static dev.skirmish.session.channel.BodyDescriptor.FRAME_FRAGMENT;
import static dev.skirmish.session.channel.BodyDescriptor.FRAME_HEADER_LENGTH;

/**
 * Flyweight over a DATA packet body ({@link BodyDescriptor}). {@link #wrap} validates the whole body first — every
 * length, count and index is hostile — so a malformed body is rejected as a unit and nothing of it is delivered;
 * then {@link #nextFrame()} walks the frames. Never throws on input from the network.
 *
 * <p>Not thread safe: one per session owner (worker or client loop).
 */
public final class BodyDecoder
{
    /** The body is well formed. */
    public static final int OK = 0;
    /** Empty body (not even the flags byte). */
    public static final int EMPTY = 1;
    /** Unknown flag bits. */
    public static final int BAD_FLAGS = 2;
    /** Ack block cut short. */
    public static final int SHORT_ACK = 3;
    /** Frame header cut short, or reserved bits set. */
    public static final int BAD_FRAME_HEADER = 4;
    /** Channel id at or above the session's channel count. */
    public static final int BAD_CHANNEL = 5;
    /** Data length 0, or longer than the rest of the body. */
    public static final int BAD_LENGTH = 6;
    /** Fragment count below 2 or above the maximum, or index not below count. */
    public static final int BAD_FRAGMENT = 7;

    private ByteBuf buffer;
    private int end;
    private int framesStart;
    private int cursor;

    private boolean hasAck;
    private long largestAcked;
    private long ackBits;
    private long ackDelayNs;

    private int channel;
    private int sequence;
    private boolean fragment;
    private int fragmentIndex;
    private int fragmentCount;
    private int dataOffset;
    private int dataLength;

    /**
     * Validate a body and position before its first frame.
     *
     * @param buffer       holding the body; only [offset, offset + length) is read.
     * @param offset       of the body.
     * @param length       of the body.
     * @param channelCount channels configured for the session (1..8).
     * @param maxFragments most fragments one message may have.
     * @return {@link #OK} or the first problem found.
     */
    public int wrap(
        final ByteBuf buffer, final int offset, final int length, final int channelCount, final int maxFragments)
    {
        this.buffer = buffer;
        this.end = offset + length;
        this.cursor = end;
        if (length < 1)
        {
            return EMPTY;
        }
        final int flags = buffer.getUnsignedByte(offset);
        if ((flags & ~FLAG_ACK) != 0)
        {
            return BAD_FLAGS;
        }
        int position = offset + 1;
        hasAck = (flags & FLAG_ACK) != 0;
        if (hasAck)
        {
            if (end - position < ACK_LENGTH)
            {
                return SHORT_ACK;
            }
            largestAcked = buffer.getLongLE(position);
            ackBits = buffer.getLongLE(position + 8);
            ackDelayNs = buffer.getUnsignedShortLE(position + 16) * ACK_DELAY_UNIT_NS;
            position += ACK_LENGTH;
        }
        framesStart = position;

        while (position < end)
        {
            if (end - position < FRAME_HEADER_LENGTH)
            {
                return BAD_FRAME_HEADER;
            }
            final int first = buffer.getUnsignedByte(position);
            if ((first & ~(CHANNEL_MASK | FRAME_FRAGMENT)) != 0)
            {
                return BAD_FRAME_HEADER;
            }
            if ((first & CHANNEL_MASK) >= channelCount)
            {
                return BAD_CHANNEL;
            }
            final int dataLength = buffer.getUnsignedShortLE(position + 3);
            int header = FRAME_HEADER_LENGTH;
            if ((first & FRAME_FRAGMENT) != 0)
            {
                if (end - position < FRAME_HEADER_LENGTH + FRAGMENT_PART_LENGTH)
                {
                    return BAD_FRAME_HEADER;
                }
                final int index = buffer.getUnsignedShortLE(position + FRAME_HEADER_LENGTH);
                final int count = buffer.getUnsignedShortLE(position + FRAME_HEADER_LENGTH + 2);
                if (count < 2 || count > maxFragments || index >= count)
                {
                    return BAD_FRAGMENT;
                }
                header += FRAGMENT_PART_LENGTH;
            }
            if (dataLength < 1 || dataLength > end - position - header)
            {
                return BAD_LENGTH;
            }
            position += header + dataLength;
        }
        cursor = framesStart;
        return OK;
    }

    /**
     * Move to the next frame. Only after {@link #wrap} returned {@link #OK}.
     *
     * @return false when there are no more frames.
     */
    public boolean nextFrame()
    {
        if (cursor >= end)
        {
            return false;
        }
        final int first = buffer.getUnsignedByte(cursor);
        channel = first & CHANNEL_MASK;
        fragment = (first & FRAME_FRAGMENT) != 0;
        sequence = buffer.getUnsignedShortLE(cursor + 1);
        dataLength = buffer.getUnsignedShortLE(cursor + 3);
        int header = FRAME_HEADER_LENGTH;
        if (fragment)
        {
            fragmentIndex = buffer.getUnsignedShortLE(cursor + FRAME_HEADER_LENGTH);
            fragmentCount = buffer.getUnsignedShortLE(cursor + FRAME_HEADER_LENGTH + 2);
            header += FRAGMENT_PART_LENGTH;
        }
        else
        {
            fragmentIndex = 0;
            fragmentCount = 1;
        }
        dataOffset = cursor + header;
        cursor = dataOffset + dataLength;
        return true;
    }

    /**
     * @return true if the body carries an ack.
     */
    public boolean hasAck()
    {
        return hasAck;
    }

    /**
     * @return largest acked packet number (when {@link #hasAck()}).
     */
    public long largestAcked()
    {
        return largestAcked;
    }

    /**
     * @return ack bitfield: bit i = packet largest - 1 - i received.
     */
    public long ackBits()
    {
        return ackBits;
    }

    /**
     * @return ack delay, ns.
     */
    public long ackDelayNs()
    {
        return ackDelayNs;
    }

    /**
     * @return channel of the current frame.
     */
    public int channel()
    {
        return channel;
    }

    /**
     * @return message sequence of the current frame (u16).
     */
    public int sequence()
    {
        return sequence;
    }

    /**
     * @return true if the current frame is a fragment.
     */
    public boolean isFragment()
    {
        return fragment;
    }

    /**
     * @return fragment index (0 when not a fragment).
     */
    public int fragmentIndex()
    {
        return fragmentIndex;
    }

    /**
     * @return fragment count (1 when not a fragment).
     */
    public int fragmentCount()
    {
        return fragmentCount;
    }

    /**
     * @return offset of the current frame's data in the buffer.
     */
    public int dataOffset()
    {
        return dataOffset;
    }

    /**
     * @return length of the current frame's data.
     */
    public int dataLength()
    {
        return dataLength;
    }
}
