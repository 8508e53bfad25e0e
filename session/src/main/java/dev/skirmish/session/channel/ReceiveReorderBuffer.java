package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.Arrays;

/**
 * Bytes of the messages an ordered channel holds ahead of a gap, within a fixed byte budget allocated once. Messages
 * are stored by slot (the window's {@code sequence & (window - 1)}) and released in sequence order, which is not the
 * order they were stored in, so space is handed out by a bump pointer in arrival order and reclaimed by compaction:
 * <pre>
 *   store:  [ A | B | C | D |            free            ]    arrival order A, B, C, D; writePosition after D
 *   B, D released (their gap filled, or not: any order)
 *           [ A |   | C |   |            free            ]    bufferedBytes = |A| + |C|
 *   a message E that does not fit after writePosition, but fits the budget:
 *           [ A | C | E |                free            ]    compacted: live bytes moved down in arrival order
 * </pre>
 * Every byte stored counts against the budget until released, so the live bytes never exceed the budget and the
 * store never grows. When nothing is buffered the bump pointer returns to 0. A compaction copies at most the live
 * bytes once (bounded by the budget) and happens only when the space after the bump pointer runs out, or the list
 * of arrivals fills ({@code window} entries, dead ones included).
 * <p>
 * Not thread safe: single writer, the thread that owns the session. Allocates only when constructed.
 */
final class ReceiveReorderBuffer
{
    private static final int FREE = -1;
    private static final long SLOT_MASK = 0xFFFF_FFFFL;

    private final int budgetBytes;
    private final byte[] store;
    private final ByteBuf storeBuffer;
    private final int[] slotOffsets;
    private final int[] slotLengths;
    // (offset << 32 | slot) of each non-empty message stored, in arrival (= offset) order, dead entries included
    private final long[] arrivals;
    private int arrivalCount;
    private int writePosition;
    private int bufferedBytes;
    private int bufferedMessages;
    private int maxBufferedBytes;
    private long compactions;

    /**
     * @param budgetBytes bytes the store holds at most.
     * @param slots       messages it may hold at once: the window.
     */
    ReceiveReorderBuffer(final int budgetBytes, final int slots)
    {
        this.budgetBytes = budgetBytes;
        this.store = new byte[budgetBytes];
        this.storeBuffer = Unpooled.wrappedBuffer(store);
        this.slotOffsets = new int[slots];
        this.slotLengths = new int[slots];
        this.arrivals = new long[slots];
        reset();
    }

    /**
     * Release everything, as for a new session; the high-water mark and compaction count start again.
     */
    void reset()
    {
        Arrays.fill(slotLengths, FREE);
        arrivalCount = 0;
        writePosition = 0;
        bufferedBytes = 0;
        bufferedMessages = 0;
        maxBufferedBytes = 0;
        compactions = 0;
    }

    /**
     * Copy a message in, if it fits the budget.
     *
     * @param slot   a free slot.
     * @param buffer holding the message.
     * @param offset of the message.
     * @param length of the message, 0 or more.
     * @return false, storing nothing, if the buffered bytes plus {@code length} would exceed the budget.
     */
    boolean store(final int slot, final ByteBuf buffer, final int offset, final int length)
    {
        if (length > budgetBytes - bufferedBytes)
        {
            return false;
        }
        if (length > 0)
        {
            if (length > budgetBytes - writePosition || arrivalCount == arrivals.length)
            {
                compact();
            }
            buffer.getBytes(offset, store, writePosition, length);
            arrivals[arrivalCount++] = ((long)writePosition << 32) | slot;
        }
        slotOffsets[slot] = writePosition;
        slotLengths[slot] = length;
        writePosition += length;
        bufferedBytes += length;
        bufferedMessages++;
        maxBufferedBytes = Math.max(maxBufferedBytes, bufferedBytes);
        return true;
    }

    /**
     * @return the store, for delivering a slot's bytes: valid until the next {@link #store}.
     */
    ByteBuf buffer()
    {
        return storeBuffer;
    }

    /**
     * @param slot a stored slot.
     * @return offset of its bytes in {@link #buffer()}.
     */
    int offset(final int slot)
    {
        return slotOffsets[slot];
    }

    /**
     * @param slot a stored slot.
     * @return length of its message.
     */
    int length(final int slot)
    {
        return slotLengths[slot];
    }

    /**
     * Free a slot. Its bytes stay readable at {@link #offset(int)} until the next {@link #store}.
     *
     * @param slot a stored slot.
     */
    void release(final int slot)
    {
        bufferedBytes -= slotLengths[slot];
        bufferedMessages--;
        slotLengths[slot] = FREE;
        if (0 == bufferedBytes)
        {
            // nothing non-empty is live: every arrival entry is dead
            writePosition = 0;
            arrivalCount = 0;
        }
    }

    /**
     * @return bytes held now.
     */
    int bufferedBytes()
    {
        return bufferedBytes;
    }

    /**
     * @return messages held now.
     */
    int bufferedMessages()
    {
        return bufferedMessages;
    }

    /**
     * @return most bytes held at once since the last reset; never above {@link #budgetBytes()}.
     */
    int maxBufferedBytes()
    {
        return maxBufferedBytes;
    }

    /**
     * @return the byte budget, also the size of the store.
     */
    int budgetBytes()
    {
        return budgetBytes;
    }

    /**
     * @return compactions since the last reset.
     */
    long compactions()
    {
        return compactions;
    }

    private void compact()
    {
        int write = 0;
        int kept = 0;
        for (int i = 0; i < arrivalCount; i++)
        {
            final long entry = arrivals[i];
            final int slot = (int)(entry & SLOT_MASK);
            final int offset = (int)(entry >>> 32);
            // live if still stored at that offset: a freed slot reused later is stored further on, offsets only grow
            if (slotLengths[slot] > 0 && slotOffsets[slot] == offset)
            {
                final int length = slotLengths[slot];
                if (offset != write)
                {
                    System.arraycopy(store, offset, store, write, length);
                    slotOffsets[slot] = write;
                }
                arrivals[kept++] = ((long)write << 32) | slot;
                write += length;
            }
        }
        arrivalCount = kept;
        writePosition = write;
        compactions++;
    }
}
