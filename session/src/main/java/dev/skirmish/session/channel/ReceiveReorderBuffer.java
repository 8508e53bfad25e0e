package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.Arrays;

/**
 * Bytes of the messages an ordered channel holds ahead of a gap, within a byte budget. Messages
 * are stored by slot (the window's {@code sequence & (window - 1)}) and released in sequence order, which is not the
 * order they were stored in, so space is handed out by a bump pointer in arrival order and reclaimed by compaction:
 * <pre>
 *   store:  [ A | B | C | D |            free            ]    arrival order A, B, C, D; writePosition after D
 *   B, D released (their gap filled, or not: any order)
 *           [ A |   | C |   |            free            ]    bufferedBytes = |A| + |C|
 *   a message E that does not fit after writePosition, but fits the budget:
 *           [ A | C | E |                free            ]    compacted: live bytes moved down in arrival order
 * </pre>
 * Every byte stored counts against the budget until released, so the live bytes never exceed the budget. When
 * nothing is buffered the bump pointer returns to 0. A compaction copies at most the live bytes once and happens
 * only when the space after the bump pointer runs out, or the list of arrivals fills (dead entries included).
 * <h2>Memory</h2>
 * An ordered channel of a game session rarely holds more than a few messages, so nothing is allocated until the
 * first message is held: then the slot table ({@code window} offsets and lengths) and a store of at least
 * {@value #MIN_STORE_BYTES} bytes (at most the budget). When a message does not fit after the bump pointer and the
 * live bytes with it exceed half the store, the store doubles (or more, to twice those bytes; at most the budget),
 * compacting while copying; otherwise it is compacted in place. Growing at half keeps compaction amortized below the
 * budget: each leaves at least half the store free, so at least that many bytes are stored before the next one. The
 * list of arrivals starts at
 * {@value #MIN_ARRIVALS} entries and doubles, up to {@code window}, when a compaction leaves it more than half full.
 * Growth is the only allocation after construction, at most {@code log2(budget / MIN_STORE_BYTES)} times for the
 * store; what is refused depends only on the budget, as before.
 * <p>
 * Not thread safe: single writer, the thread that owns the session.
 */
final class ReceiveReorderBuffer
{
    /** Smallest store once a message is held, bytes (or the budget, if smaller). */
    static final int MIN_STORE_BYTES = 4 * 1024;
    /** Arrival entries to start with (or the window, if smaller). */
    static final int MIN_ARRIVALS = 16;

    private static final int FREE = -1;
    private static final long SLOT_MASK = 0xFFFF_FFFFL;
    private static final byte[] EMPTY_STORE = new byte[0];
    private static final int[] NO_SLOTS = new int[0];
    private static final long[] NO_ARRIVALS = new long[0];

    private final int budgetBytes;
    private final int slots;
    private byte[] store = EMPTY_STORE;
    private ByteBuf storeBuffer = Unpooled.EMPTY_BUFFER;
    private int[] slotOffsets = NO_SLOTS;
    private int[] slotLengths = NO_SLOTS;
    // (offset << 32 | slot) of each non-empty message stored, in arrival (= offset) order, dead entries included
    private long[] arrivals = NO_ARRIVALS;
    private int arrivalCount;
    private int writePosition;
    private int bufferedBytes;
    private int bufferedMessages;
    private int maxBufferedBytes;
    private long compactions;
    private long growths;

    /**
     * @param budgetBytes bytes the store holds at most.
     * @param slots       messages it may hold at once: the window.
     */
    ReceiveReorderBuffer(final int budgetBytes, final int slots)
    {
        this.budgetBytes = budgetBytes;
        this.slots = slots;
        reset();
    }

    /**
     * Release everything, as for a new session; the high-water mark and compaction count start again. Memory already
     * grown is kept.
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
        if (0 == slotLengths.length)
        {
            slotOffsets = new int[slots];
            slotLengths = new int[slots];
            Arrays.fill(slotLengths, FREE);
        }
        if (length > 0)
        {
            if (length > store.length - writePosition || arrivalCount == arrivals.length)
            {
                makeRoom(length);
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
     * @return the store, for delivering a slot's bytes: valid until the next {@link #store}, which may move the bytes
     * or replace the store.
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
     * @return the byte budget, the most the store grows to.
     */
    int budgetBytes()
    {
        return budgetBytes;
    }

    /**
     * @return bytes of heap held by the store now; at most the budget.
     */
    int storeCapacity()
    {
        return store.length;
    }

    /**
     * @return compactions in place since the last reset (a growth also compacts, but is not counted here).
     */
    long compactions()
    {
        return compactions;
    }

    /**
     * @return times the store grew since construction.
     */
    long growths()
    {
        return growths;
    }

    /**
     * Make room after the bump pointer for {@code length} bytes (which fit the budget) and for one arrival entry.
     */
    private void makeRoom(final int length)
    {
        final long live = (long)bufferedBytes + length;
        if (store.length < budgetBytes && live > store.length >> 1)
        {
            final long grown = Math.min(budgetBytes, Math.max(MIN_STORE_BYTES, Math.max(2L * store.length, 2 * live)));
            final byte[] target = new byte[(int)grown];
            compactInto(target);
            store = target;
            storeBuffer = Unpooled.wrappedBuffer(target);
            growths++;
        }
        else
        {
            compactInto(store);
            compactions++;
        }
        if (arrivals.length < slots && arrivalCount + 1 > arrivals.length >> 1)
        {
            arrivals = Arrays.copyOf(arrivals, Math.min(slots, Math.max(MIN_ARRIVALS, 2 * arrivals.length)));
        }
    }

    /**
     * Move the live bytes, in arrival order, to the start of {@code target} (the store itself or a larger one) and
     * drop the dead arrival entries. Copying down in offset order never overwrites bytes not yet moved.
     */
    private void compactInto(final byte[] target)
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
                if (offset != write || target != store)
                {
                    System.arraycopy(store, offset, target, write, length);
                    slotOffsets[slot] = write;
                }
                arrivals[kept++] = ((long)write << 32) | slot;
                write += length;
            }
        }
        arrivalCount = kept;
        writePosition = write;
    }
}
