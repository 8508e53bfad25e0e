package dev.skirmish.session.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The last closed frames of a room, encoded, for redundancy and catch-up: a ring of at most {@code maxFrames} frames
 * whose bytes live back to back in one circular byte array of {@code capacityBytes}. Appending evicts the oldest
 * frames until both limits hold, so memory is fixed at construction whatever the inputs.
 * <p>
 * A frame never straddles the end of the byte array: when it does not fit before the end it is written at 0 and the
 * rest of the array is wasted until the frames before it are evicted. The held bytes always run circularly from the
 * oldest frame to the tail, so whether a frame fits depends on the oldest frame's offset and the tail only.
 * <p>
 * Not thread safe: owned by its room's worker.
 */
final class FrameHistory
{
    private final int frameMask;
    private final int capacityBytes;
    private final byte[] data;
    private final ByteBuf view;
    private final int[] offsets;
    private final int[] lengths;
    private long first;
    private long next;
    private int tail;

    /**
     * @param maxFrames     frames held at most, a power of two.
     * @param capacityBytes bytes of frames held at most; at least twice the largest frame.
     */
    FrameHistory(final int maxFrames, final int capacityBytes)
    {
        if (Integer.bitCount(maxFrames) != 1)
        {
            throw new IllegalArgumentException("maxFrames must be a power of two: " + maxFrames);
        }
        this.frameMask = maxFrames - 1;
        this.capacityBytes = capacityBytes;
        this.data = new byte[capacityBytes];
        this.view = Unpooled.wrappedBuffer(data);
        this.offsets = new int[maxFrames];
        this.lengths = new int[maxFrames];
    }

    /**
     * For tests: number the frames from {@code frame} on. Only while empty.
     *
     * @param frame the number the first appended frame gets.
     */
    void startAt(final long frame)
    {
        first = frame;
        next = frame;
    }

    /**
     * Append the next frame, evicting the oldest as needed.
     *
     * @param src    the encoded frame.
     * @param offset in src.
     * @param length 1 to half the byte capacity.
     * @return its frame number.
     */
    long append(final ByteBuf src, final int offset, final int length)
    {
        final boolean wrap = tail + length > capacityBytes;
        while (next > first && (next - first > frameMask || !fits(wrap, length)))
        {
            first++;
        }
        final int position = wrap ? 0 : tail;
        src.getBytes(offset, data, position, length);
        final int index = (int)next & frameMask;
        offsets[index] = position;
        lengths[index] = length;
        tail = position + length;
        return next++;
    }

    /**
     * Does a frame fit without evicting the oldest? The held bytes run circularly from the oldest frame's offset
     * (head) to the tail; the free bytes from the tail to the head. A wrapped frame needs [tail, end) free (it is
     * wasted) and [0, length).
     */
    private boolean fits(final boolean wrap, final int length)
    {
        final int head = offsets[(int)first & frameMask];
        if (head < tail)
        {
            return !wrap || length <= head;
        }
        return !wrap && tail + length <= head;
    }

    /**
     * @param frame a frame number.
     * @return true if it is held.
     */
    boolean contains(final long frame)
    {
        return frame >= first && frame < next;
    }

    /**
     * @param frame a held frame.
     * @return offset of its bytes in {@link #buffer()}.
     */
    int offset(final long frame)
    {
        return offsets[(int)frame & frameMask];
    }

    /**
     * @param frame a held frame.
     * @return its length.
     */
    int length(final long frame)
    {
        return lengths[(int)frame & frameMask];
    }

    /**
     * @return the bytes of the held frames (read only).
     */
    ByteBuf buffer()
    {
        return view;
    }

    /**
     * @return oldest held frame; equals {@link #next()} when empty.
     */
    long first()
    {
        return first;
    }

    /**
     * @return the number the next appended frame gets.
     */
    long next()
    {
        return next;
    }
}
