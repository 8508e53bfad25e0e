package dev.skirmish.session.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The state relay inputs of one player between two ticks: appended back to back as (u16 length, bytes) until a
 * byte or message limit, drained whole at the next tick. Fixed memory.
 * <p>
 * Not thread safe: owned by the room's worker.
 */
final class RelayInbox
{
    private static final int LENGTH_PREFIX = 2;

    private final ByteBuf data;
    private final int capacityBytes;
    private final int maxMessages;
    private int position;
    private int count;

    RelayInbox(final int capacityBytes, final int maxMessages)
    {
        this.capacityBytes = capacityBytes;
        this.maxMessages = maxMessages;
        this.data = Unpooled.wrappedBuffer(new byte[capacityBytes]);
    }

    /**
     * @return false if full (nothing stored).
     */
    boolean offer(final ByteBuf src, final int offset, final int length)
    {
        if (count == maxMessages || position + LENGTH_PREFIX + length > capacityBytes)
        {
            return false;
        }
        data.setShortLE(position, length);
        data.setBytes(position + LENGTH_PREFIX, src, offset, length);
        position += LENGTH_PREFIX + length;
        count++;
        return true;
    }

    ByteBuf buffer()
    {
        return data;
    }

    /**
     * @return end of the stored messages: iterate from 0 with {@link #lengthAt} and {@link #next}.
     */
    int end()
    {
        return position;
    }

    int lengthAt(final int at)
    {
        return data.getUnsignedShortLE(at);
    }

    static int payloadAt(final int at)
    {
        return at + LENGTH_PREFIX;
    }

    int next(final int at)
    {
        return at + LENGTH_PREFIX + lengthAt(at);
    }

    void clear()
    {
        position = 0;
        count = 0;
    }

    int count()
    {
        return count;
    }
}
