package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.Arrays;

import static dev.skirmish.session.channel.BodyDescriptor.CHANNEL_MASK;
import static dev.skirmish.session.channel.ReassemblyResult.ACCEPTED;
import static dev.skirmish.session.channel.ReassemblyResult.BAD_COUNT;
import static dev.skirmish.session.channel.ReassemblyResult.BAD_INDEX;
import static dev.skirmish.session.channel.ReassemblyResult.BAD_KEY;
import static dev.skirmish.session.channel.ReassemblyResult.BAD_LENGTH;
import static dev.skirmish.session.channel.ReassemblyResult.COMPLETE;
import static dev.skirmish.session.channel.ReassemblyResult.DUPLICATE;
import static dev.skirmish.session.channel.ReassemblyResult.INCONSISTENT_COUNT;
import static dev.skirmish.session.channel.ReassemblyResult.NO_MEMORY;
import static dev.skirmish.session.channel.ReassemblyResult.TOO_MANY_MESSAGES;

/**
 * Reassembles fragmented messages of one session's reliable channels, keyed by (channel, message sequence), in
 * bounded memory: a fixed slot table ({@link ReassemblyConfig#maxMessages()}) and a per-session byte budget
 * ({@link ReassemblyConfig#budgetBytes()}).
 *
 * <h2>Memory</h2>
 * Messages live in one per-session arena, a {@code byte[]} allocated lazily on the first fragment and grown by
 * doubling up to the budget (so a session that never fragments holds nothing, and one that does settles after a few
 * growths). A message's first fragment reserves a contiguous region of {@code min(count * fragmentLength,
 * maxMessageLength)} bytes, the most its count allows; fragment {@code i} is copied to {@code i * fragmentLength} in
 * it, so the completed message is contiguous and readable in place. {@link #bytesInUse()} is the sum of these
 * reservations and never exceeds the budget. Regions are placed first-fit; when the free bytes are enough but
 * scattered, the live regions are moved down (compaction: at most budget bytes copied, and only on the slow path of a
 * new message). In steady state nothing is allocated.
 *
 * <h2>Admission policy</h2>
 * A fragment of a message not in reassembly starts one, which needs a free slot and room in the budget. When either
 * is missing, the oldest incomplete message (by its first fragment) is evicted if it has reached the timeout, and
 * this repeats; otherwise the new fragment is refused with {@link ReassemblyResult#TOO_MANY_MESSAGES} or
 * {@link ReassemblyResult#NO_MEMORY} and nothing already held is disturbed. Refusing is safe because the channels
 * using fragmentation are reliable: the sender resends, and the fragment is accepted once memory frees up (a
 * message completes, is released or times out). A message that is still live is never evicted for a newer one, so a
 * peer flooding message ids cannot starve its own older messages, and can hold at most the budget for at most the
 * timeout. The budget is per session, so such a peer only slows itself.
 *
 * <h2>Validation</h2>
 * {@link #onFragment} checks, in order, and stops at the first failure, counting it: (1) channel 0..7 and sequence
 * u16, else {@link ReassemblyResult#BAD_KEY}; (2) count 2..{@link ReassemblyConfig#maxFragments()}, else
 * {@link ReassemblyResult#BAD_COUNT}; (3) index below count, else {@link ReassemblyResult#BAD_INDEX}; (4) length:
 * exactly the fragment length for a non-last fragment, 1..fragment length for the last, the whole message at most
 * the maximum, and the range inside {@code src}, else {@link ReassemblyResult#BAD_LENGTH}; (5) for a message already
 * in reassembly and not yet timed out, the same count as its first fragment, else
 * {@link ReassemblyResult#INCONSISTENT_COUNT} (a timed-out one is dropped, counted as expired, and the fragment
 * starts a new message); (6) for a
 * new message, admission as above; (7) an index already stored is {@link ReassemblyResult#DUPLICATE}. Never throws on
 * these inputs.
 * <p>
 * The caller must drop fragments of messages it already delivered (its reliable receive window knows their
 * sequences, e.g. {@code ReceiveChannel.wouldAccept(sequence)} before calling here): this buffer forgets a message
 * once it is released, so a late copy of one of its fragments would start a new message, which then only costs
 * memory until it times out.
 *
 * <p>Not thread safe: owned by the thread that owns the session; every method is called from it.
 */
public final class ReassemblyBuffer
{
    private static final int FREE = 0;
    private static final int RECEIVING = 1;
    private static final int COMPLETED = 2;
    private static final int NO_KEY = -1;
    private static final int MIN_ARENA_BYTES = 16 * 1024;
    private static final byte[] EMPTY = new byte[0];
    private static final int[] COUNTER_BY_RESULT = counterByResult();

    private final int fragmentLength;
    private final int maxMessageLength;
    private final int maxFragments;
    private final int maxMessages;
    private final int budgetBytes;
    private final long timeoutNs;
    private final int bitmapWords;

    private final int[] slotKey;
    private final int[] slotState;
    private final int[] slotCount;
    private final int[] slotReceived;
    private final int[] slotLastLength;
    private final int[] slotOffset;
    private final int[] slotReserved;
    private final long[] slotStartNs;
    private final long[] receivedBits;
    private final int[] compactionOrder;
    private final long[] counters = new long[ReassemblyCounter.count()];

    private byte[] arena = EMPTY;
    private ByteBuf arenaView = Unpooled.EMPTY_BUFFER;
    private int activeSlots;
    private int bytesInUse;
    private int peakBytes;
    private int completedSlot = -1;
    private int completedLength;

    /**
     * @param config validated here with {@link ReassemblyConfig#conclude()}; its values are copied.
     */
    public ReassemblyBuffer(final ReassemblyConfig config)
    {
        config.conclude();
        fragmentLength = config.fragmentLength();
        maxMessageLength = config.maxMessageLength();
        maxFragments = config.maxFragments();
        maxMessages = config.maxMessages();
        budgetBytes = config.budgetBytes();
        timeoutNs = config.timeoutNs();
        bitmapWords = (maxFragments + Long.SIZE - 1) / Long.SIZE;

        slotKey = new int[maxMessages];
        slotState = new int[maxMessages];
        slotCount = new int[maxMessages];
        slotReceived = new int[maxMessages];
        slotLastLength = new int[maxMessages];
        slotOffset = new int[maxMessages];
        slotReserved = new int[maxMessages];
        slotStartNs = new long[maxMessages];
        receivedBits = new long[maxMessages * bitmapWords];
        compactionOrder = new int[maxMessages];
        Arrays.fill(slotKey, NO_KEY);
    }

    /**
     * Take one fragment. First releases the message completed by the previous call, if the caller did not
     * {@link #release()} it. Called from the session's owning thread.
     *
     * @param channel  of the frame, 0..7.
     * @param sequence message sequence of the frame, u16.
     * @param index    fragment index.
     * @param count    fragment count.
     * @param src      holding the fragment data; only [offset, offset + length) is read, by absolute index.
     * @param offset   of the data in {@code src}.
     * @param length   of the data.
     * @param nowNs    current time, ns.
     * @return a {@link ReassemblyResult} code; on {@link ReassemblyResult#COMPLETE} the message is readable through
     * {@link #completedBuffer()} until the next call to this method or to {@link #release()}.
     */
    public int onFragment(
        final int channel,
        final int sequence,
        final int index,
        final int count,
        final ByteBuf src,
        final int offset,
        final int length,
        final long nowNs)
    {
        release();
        final int result = store(channel, sequence, index, count, src, offset, length, nowNs);
        counters[COUNTER_BY_RESULT[result]]++;
        return result;
    }

    /**
     * Drop incomplete messages whose first fragment is at least the timeout old. Call once per tick (or less often);
     * admission also evicts expired messages lazily, so memory is freed either way.
     *
     * @param nowNs current time, ns.
     * @return messages dropped (work count).
     */
    public int expire(final long nowNs)
    {
        int expired = 0;
        for (int slot = 0; slot < maxMessages; slot++)
        {
            if (RECEIVING == slotState[slot] && nowNs - slotStartNs[slot] >= timeoutNs)
            {
                free(slot);
                expired++;
            }
        }
        counters[ReassemblyCounter.MESSAGES_EXPIRED.id()] += expired;
        return expired;
    }

    /**
     * Free the completed message, once consumed. Idempotent; {@link #onFragment} does it anyway.
     */
    public void release()
    {
        if (completedSlot >= 0)
        {
            free(completedSlot);
            completedSlot = -1;
            completedLength = 0;
        }
    }

    /**
     * @return read-only view of the arena holding the completed message at {@link #completedOffset()}; valid until
     * the next {@link #onFragment} or {@link #release()}. Read it by absolute index; never retain it.
     */
    public ByteBuf completedBuffer()
    {
        return arenaView;
    }

    /**
     * @return offset of the completed message in {@link #completedBuffer()}, or -1 if none.
     */
    public int completedOffset()
    {
        return completedSlot >= 0 ? slotOffset[completedSlot] : -1;
    }

    /**
     * @return length of the completed message, or 0 if none.
     */
    public int completedLength()
    {
        return completedLength;
    }

    /**
     * @return bytes reserved by messages held (in reassembly, or completed and not yet released); at most the budget.
     */
    public int bytesInUse()
    {
        return bytesInUse;
    }

    /**
     * @return highest {@link #bytesInUse()} seen.
     */
    public int peakBytes()
    {
        return peakBytes;
    }

    /**
     * @return bytes of heap held by the arena; at most the budget.
     */
    public int arenaCapacity()
    {
        return arena.length;
    }

    /**
     * @return messages in reassembly (incomplete).
     */
    public int messagesInProgress()
    {
        return completedSlot >= 0 ? activeSlots - 1 : activeSlots;
    }

    /**
     * @param counter to read.
     * @return its value.
     */
    public long counter(final ReassemblyCounter counter)
    {
        return counters[counter.id()];
    }

    private int store(
        final int channel,
        final int sequence,
        final int index,
        final int count,
        final ByteBuf src,
        final int offset,
        final int length,
        final long nowNs)
    {
        final int invalid = validate(channel, sequence, index, count, src, offset, length);
        if (ACCEPTED != invalid)
        {
            return invalid;
        }

        final int key = (channel << 16) | sequence;
        int slot = find(key);
        if (slot >= 0 && nowNs - slotStartNs[slot] >= timeoutNs)
        {
            // Timed out but not collected yet: its count and bytes are stale, so this fragment starts afresh.
            free(slot);
            counters[ReassemblyCounter.MESSAGES_EXPIRED.id()]++;
            slot = -1;
        }
        if (slot < 0)
        {
            slot = claim(key, count, nowNs);
            if (slot < 0)
            {
                return -slot;
            }
        }
        else if (slotCount[slot] != count)
        {
            return INCONSISTENT_COUNT;
        }

        final int word = slot * bitmapWords + (index >>> 6);
        final long bit = 1L << index;
        if (0 != (receivedBits[word] & bit))
        {
            return DUPLICATE;
        }
        receivedBits[word] |= bit;
        src.getBytes(offset, arena, slotOffset[slot] + index * fragmentLength, length);
        if (index == count - 1)
        {
            slotLastLength[slot] = length;
        }
        if (++slotReceived[slot] < count)
        {
            return ACCEPTED;
        }

        slotState[slot] = COMPLETED;
        completedSlot = slot;
        completedLength = (count - 1) * fragmentLength + slotLastLength[slot];
        counters[ReassemblyCounter.MESSAGES_COMPLETED.id()]++;
        return COMPLETE;
    }

    private int validate(
        final int channel,
        final int sequence,
        final int index,
        final int count,
        final ByteBuf src,
        final int offset,
        final int length)
    {
        if (0 != (channel & ~CHANNEL_MASK) || 0 != (sequence & ~0xFFFF))
        {
            return BAD_KEY;
        }
        if (count < 2 || count > maxFragments)
        {
            return BAD_COUNT;
        }
        if (index < 0 || index >= count)
        {
            return BAD_INDEX;
        }
        final int last = count - 1;
        if (length < 1 || length > fragmentLength ||
            (index < last && length != fragmentLength) ||
            (index == last && (long)last * fragmentLength + length > maxMessageLength) ||
            offset < 0 || offset > src.capacity() - length)
        {
            return BAD_LENGTH;
        }
        return ACCEPTED;
    }

    private int find(final int key)
    {
        for (int slot = 0; slot < maxMessages; slot++)
        {
            if (key == slotKey[slot])
            {
                return slot;
            }
        }
        return -1;
    }

    /**
     * Admit a new message: evict expired messages, oldest first, while a slot or budget is missing.
     *
     * @return the slot, or minus the rejection code.
     */
    private int claim(final int key, final int count, final long nowNs)
    {
        final int need = (int)Math.min((long)count * fragmentLength, maxMessageLength);
        while (activeSlots == maxMessages || bytesInUse + need > budgetBytes)
        {
            final int oldest = oldestReceiving();
            if (oldest < 0 || nowNs - slotStartNs[oldest] < timeoutNs)
            {
                return activeSlots == maxMessages ? -TOO_MANY_MESSAGES : -NO_MEMORY;
            }
            free(oldest);
            counters[ReassemblyCounter.MESSAGES_EVICTED.id()]++;
        }

        int slot = 0;
        while (FREE != slotState[slot])
        {
            slot++;
        }
        slotOffset[slot] = reserve(need);
        slotKey[slot] = key;
        slotState[slot] = RECEIVING;
        slotCount[slot] = count;
        slotReceived[slot] = 0;
        slotLastLength[slot] = 0;
        slotReserved[slot] = need;
        slotStartNs[slot] = nowNs;
        final int firstWord = slot * bitmapWords;
        Arrays.fill(receivedBits, firstWord, firstWord + ((count + Long.SIZE - 1) / Long.SIZE), 0L);

        activeSlots++;
        bytesInUse += need;
        peakBytes = Math.max(peakBytes, bytesInUse);
        counters[ReassemblyCounter.MESSAGES_STARTED.id()]++;
        return slot;
    }

    private int oldestReceiving()
    {
        int oldest = -1;
        for (int slot = 0; slot < maxMessages; slot++)
        {
            if (RECEIVING == slotState[slot] && (oldest < 0 || slotStartNs[slot] - slotStartNs[oldest] < 0))
            {
                oldest = slot;
            }
        }
        return oldest;
    }

    private void free(final int slot)
    {
        slotKey[slot] = NO_KEY;
        slotState[slot] = FREE;
        bytesInUse -= slotReserved[slot];
        slotReserved[slot] = 0;
        activeSlots--;
    }

    /**
     * Find {@code need} contiguous arena bytes; the caller checked the budget has them.
     *
     * @return offset of the region.
     */
    private int reserve(final int need)
    {
        final int offset = firstFit(need);
        if (offset >= 0)
        {
            return offset;
        }
        if (bytesInUse + need <= arena.length)
        {
            compactInto(arena);
            counters[ReassemblyCounter.ARENA_COMPACTIONS.id()]++;
            return bytesInUse;
        }

        // Slow path, bounded by log2(budget / MIN_ARENA_BYTES) times per session: grow, compacting while copying.
        final int length = Math.min(
            budgetBytes, Math.max(bytesInUse + need, Math.max(MIN_ARENA_BYTES, arena.length * 2)));
        final byte[] grown = new byte[length];
        compactInto(grown);
        arena = grown;
        arenaView = Unpooled.wrappedBuffer(grown).asReadOnly();
        counters[ReassemblyCounter.ARENA_GROWTHS.id()]++;
        return bytesInUse;
    }

    /**
     * Lowest offset where {@code need} bytes fit between live regions, trying 0 and the end of each region.
     */
    private int firstFit(final int need)
    {
        int best = -1;
        for (int candidateSlot = -1; candidateSlot < maxMessages; candidateSlot++)
        {
            if (candidateSlot >= 0 && FREE == slotState[candidateSlot])
            {
                continue;
            }
            final int start = candidateSlot < 0 ? 0 : slotOffset[candidateSlot] + slotReserved[candidateSlot];
            if (start + need <= arena.length && (best < 0 || start < best) && isFree(start, need))
            {
                best = start;
            }
        }
        return best;
    }

    private boolean isFree(final int start, final int length)
    {
        for (int slot = 0; slot < maxMessages; slot++)
        {
            if (FREE != slotState[slot] &&
                start < slotOffset[slot] + slotReserved[slot] && slotOffset[slot] < start + length)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Move every live region, in offset order, to the start of {@code target} (the arena itself or a larger one).
     * Copying down in offset order never overwrites a region not yet moved.
     */
    private void compactInto(final byte[] target)
    {
        int live = 0;
        for (int slot = 0; slot < maxMessages; slot++)
        {
            if (FREE != slotState[slot])
            {
                int i = live++;
                while (i > 0 && slotOffset[compactionOrder[i - 1]] > slotOffset[slot])
                {
                    compactionOrder[i] = compactionOrder[i - 1];
                    i--;
                }
                compactionOrder[i] = slot;
            }
        }
        int position = 0;
        for (int i = 0; i < live; i++)
        {
            final int slot = compactionOrder[i];
            System.arraycopy(arena, slotOffset[slot], target, position, slotReserved[slot]);
            slotOffset[slot] = position;
            position += slotReserved[slot];
        }
    }

    private static int[] counterByResult()
    {
        final int[] counterIds = new int[TOO_MANY_MESSAGES + 1];
        counterIds[ACCEPTED] = ReassemblyCounter.FRAGMENTS_ACCEPTED.id();
        counterIds[COMPLETE] = ReassemblyCounter.FRAGMENTS_ACCEPTED.id();
        counterIds[DUPLICATE] = ReassemblyCounter.DUPLICATES.id();
        counterIds[BAD_KEY] = ReassemblyCounter.REJECTED_BAD_KEY.id();
        counterIds[BAD_COUNT] = ReassemblyCounter.REJECTED_BAD_COUNT.id();
        counterIds[BAD_INDEX] = ReassemblyCounter.REJECTED_BAD_INDEX.id();
        counterIds[INCONSISTENT_COUNT] = ReassemblyCounter.REJECTED_INCONSISTENT_COUNT.id();
        counterIds[BAD_LENGTH] = ReassemblyCounter.REJECTED_BAD_LENGTH.id();
        counterIds[NO_MEMORY] = ReassemblyCounter.REJECTED_NO_MEMORY.id();
        counterIds[TOO_MANY_MESSAGES] = ReassemblyCounter.REJECTED_TOO_MANY_MESSAGES.id();
        return counterIds;
    }
}
