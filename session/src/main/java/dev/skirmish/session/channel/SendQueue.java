package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * Send side storage of one session's channels: the messages the game queued, cut into chunks, with the state of
 * every chunk, in bounded memory. Used by {@link ChannelEndpoint}.
 * <pre>
 *   message ring  (ids increase, slot = id &amp; mask)   head ... tail: every message not yet reclaimed
 *   chunk ring    (ids increase, slot = id &amp; mask)   a message's chunks are consecutive ids
 *   byte arena    (circular, each message contiguous) reclaimed from the head, like the message ring
 *   chunk state   NEW -&gt; SENT -&gt; ACKED, SENT -&gt; LOST (queued for resend) -&gt; SENT | ACKED
 * </pre>
 * A message is done when every chunk is acked (reliable) or sent (unreliable); the rings reclaim from the head while
 * the head message is done, so one unacked reliable message holds the memory of everything queued after it.
 * Per channel, a chain of message ids (in sequence order) gives the oldest not-done message (flow control) and the
 * oldest message with unsent chunks (scheduling). Chunk and message ids from packets are validated against the
 * rings, so stale references (already reclaimed) are ignored.
 * <h2>Memory</h2>
 * An endpoint exists per session and most sessions queue a few KB at a time, so the arena and the rings start small
 * and double on demand up to the configured caps ({@link ChannelEndpointConfig#sendQueueBytes()},
 * {@link ChannelEndpointConfig#sendQueueMessages()}, {@link ChannelEndpointConfig#sendQueueChunks()}): the arena is
 * empty until the first message and then at least {@value #MIN_ARENA_BYTES} bytes; the rings start at
 * {@value #MIN_RECORDS} records. The arena grows only when a message fits the byte budget but not the arena (a
 * message that fits by wrapping to the start does not grow it); growing copies the held messages, in id order, to
 * the start of the new arena and rewrites their offsets, so every message stays contiguous and the arena is no
 * longer wrapped. A ring grows when it is full and re-slots its live records under the new mask. Growth is the only
 * allocation after construction and happens at most {@code log2(cap / start)} times per arena or ring. What is
 * refused is as with everything allocated up front: a ring is full at its cap; below the byte budget the arena grows
 * instead of refusing, and at the budget it refuses, as before, a message that has no contiguous room.
 * {@link #buffer()} changes when the arena grows; read it afresh for every chunk.
 * <p>
 * Not thread safe: single writer, the thread that owns the session.
 */
public final class SendQueue
{
    /** Chunk state: queued, never sent. */
    public static final byte NEW = 0;
    /** Chunk state: sent, neither acked nor declared lost. */
    public static final byte SENT = 1;
    /** Chunk state: declared lost and queued for resend. */
    public static final byte LOST = 2;
    /** Chunk state: acked (or, unreliable, sent: nothing more to do). */
    public static final byte ACKED = 3;

    /** Smallest arena once a message is queued, bytes: a few ticks of game messages. */
    static final int MIN_ARENA_BYTES = 4 * 1024;
    /** Records each ring starts with (message, chunk and resend rings): a power of two. */
    static final int MIN_RECORDS = 64;

    private static final long NONE = -1;
    private static final byte[] EMPTY = new byte[0];

    private final int fragmentLength;
    private final boolean[] reliable;
    private final int arenaCapacityMax;
    private final int messageCapacityMax;
    private final int chunkCapacityMax;

    private byte[] arena = EMPTY;
    private ByteBuf arenaBuffer = Unpooled.EMPTY_BUFFER;
    private int arenaHead;
    private int arenaTail;
    private long queuedBytes;

    private int messageMask;
    private long[] messageIds;
    private int[] messageChannel;
    private int[] messageSequence;
    private int[] messageOffset;
    private int[] messageLength;
    private int[] messageChunkCount;
    private int[] messageAckedChunks;
    private long[] messageFirstChunk;
    private long[] messageNextInChannel;
    private long[] messageChannelBytesEnd;
    private boolean[] messageDone;
    private boolean[] messageStarted;
    private long messageHead;
    private long messageTail;

    private int chunkMask;
    private long[] chunkIds;
    private long[] chunkMessage;
    private byte[] chunkState;
    private long chunkHead;
    private long chunkTail;

    private long[] resendRing;
    private int resendMask;
    private long resendHead;
    private long resendTail;

    private final long[] channelTail = new long[BodyDescriptor.MAX_CHANNELS];
    private final long[] channelOldestUndone = new long[BodyDescriptor.MAX_CHANNELS];
    private final long[] channelUnsent = new long[BodyDescriptor.MAX_CHANNELS];
    private final int[] channelNextFragment = new int[BodyDescriptor.MAX_CHANNELS];
    private final int[] channelNextSequence = new int[BodyDescriptor.MAX_CHANNELS];
    private final long[] channelBytes = new long[BodyDescriptor.MAX_CHANNELS];

    private DoneListener doneListener;

    /**
     * Told when a message becomes done (for the endpoint's reassembly accounting).
     */
    @FunctionalInterface
    public interface DoneListener
    {
        /**
         * @param channel     of the message.
         * @param length      of the message.
         * @param fragmented  whether it was sent as fragments.
         * @param wasStarted  whether any chunk of it was sent.
         */
        void onDone(int channel, int length, boolean fragmented, boolean wasStarted);
    }

    /**
     * @param config   concluded endpoint config.
     * @param reliable per channel id, whether its mode is reliable.
     */
    public SendQueue(final ChannelEndpointConfig config, final boolean[] reliable)
    {
        this.fragmentLength = config.fragmentLength();
        this.reliable = reliable.clone();
        arenaCapacityMax = config.sendQueueBytes();
        messageCapacityMax = config.sendQueueMessages();
        chunkCapacityMax = config.sendQueueChunks();
        allocateMessages(Math.min(MIN_RECORDS, messageCapacityMax));
        allocateChunks(Math.min(MIN_RECORDS, chunkCapacityMax));
        Arrays.fill(channelTail, NONE);
        Arrays.fill(channelOldestUndone, NONE);
        Arrays.fill(channelUnsent, NONE);
    }

    /**
     * @param doneListener told when a message becomes done.
     */
    public void doneListener(final DoneListener doneListener)
    {
        this.doneListener = doneListener;
    }

    /**
     * Copy a message in, as one chunk or {@code ceil(length / fragmentLength)} fragments.
     *
     * @param channel  channel id.
     * @param src      message bytes.
     * @param offset   in src.
     * @param length   1..max message bytes (checked by the caller).
     * @param chunks   number of chunks (1 = whole).
     * @return false when the byte budget, message or chunk records are exhausted (nothing queued).
     */
    public boolean offer(final int channel, final ByteBuf src, final int offset, final int length, final int chunks)
    {
        final int at = claim(channel, length, chunks);
        if (at < 0)
        {
            return false;
        }
        src.getBytes(offset, arena, at, length);
        return true;
    }

    /**
     * Copy a message in from an array. See {@link #offer(int, ByteBuf, int, int, int)}.
     *
     * @param channel  channel id.
     * @param src      message bytes.
     * @param offset   in src.
     * @param length   1..max message bytes (checked by the caller).
     * @param chunks   number of chunks (1 = whole).
     * @return false when the byte budget, message or chunk records are exhausted (nothing queued).
     */
    public boolean offer(final int channel, final byte[] src, final int offset, final int length, final int chunks)
    {
        final int at = claim(channel, length, chunks);
        if (at < 0)
        {
            return false;
        }
        System.arraycopy(src, offset, arena, at, length);
        return true;
    }

    /**
     * Copy a message in from an Agrona buffer. See {@link #offer(int, ByteBuf, int, int, int)}.
     *
     * @param channel  channel id.
     * @param src      message bytes.
     * @param offset   in src.
     * @param length   1..max message bytes (checked by the caller).
     * @param chunks   number of chunks (1 = whole).
     * @return false when the byte budget, message or chunk records are exhausted (nothing queued).
     */
    public boolean offer(
        final int channel, final DirectBuffer src, final int offset, final int length, final int chunks)
    {
        final int at = claim(channel, length, chunks);
        if (at < 0)
        {
            return false;
        }
        src.getBytes(offset, arena, at, length);
        return true;
    }

    /**
     * Queue a message whose bytes the caller writes into {@link #buffer()} at the returned offset before the next
     * packet is built (zero copy).
     *
     * @param channel  channel id.
     * @param length   1..max message bytes (checked by the caller).
     * @param chunks   number of chunks (1 = whole).
     * @return offset of the message in {@link #buffer()}, or -1 when the byte budget, message or chunk records are
     * exhausted (nothing queued).
     */
    public int claim(final int channel, final int length, final int chunks)
    {
        reclaim();
        if (messageTail - messageHead >= messageCapacityMax || chunkTail + chunks - chunkHead > chunkCapacityMax)
        {
            return -1;
        }
        final int at = allocate(length);
        if (at < 0)
        {
            return -1;
        }
        if (messageTail - messageHead == messageIds.length)
        {
            growMessages();
        }
        while (chunkTail + chunks - chunkHead > chunkIds.length)
        {
            growChunks();
        }
        final long id = messageTail++;
        final int slot = (int)(id & messageMask);
        messageIds[slot] = id;
        messageChannel[slot] = channel;
        messageSequence[slot] = channelNextSequence[channel];
        channelNextSequence[channel] = SequenceNumbers.next(channelNextSequence[channel]);
        messageOffset[slot] = at;
        messageLength[slot] = length;
        messageChunkCount[slot] = chunks;
        messageAckedChunks[slot] = 0;
        messageFirstChunk[slot] = chunkTail;
        messageNextInChannel[slot] = NONE;
        channelBytes[channel] += length;
        messageChannelBytesEnd[slot] = channelBytes[channel];
        messageDone[slot] = false;
        messageStarted[slot] = false;
        for (int i = 0; i < chunks; i++)
        {
            final long chunkId = chunkTail++;
            final int chunkSlot = (int)(chunkId & chunkMask);
            chunkIds[chunkSlot] = chunkId;
            chunkMessage[chunkSlot] = id;
            chunkState[chunkSlot] = NEW;
        }
        queuedBytes += length;

        final long tail = channelTail[channel];
        if (NONE != tail && isLive(tail))
        {
            messageNextInChannel[(int)(tail & messageMask)] = id;
        }
        channelTail[channel] = id;
        if (NONE == channelOldestUndone[channel])
        {
            channelOldestUndone[channel] = id;
        }
        if (NONE == channelUnsent[channel])
        {
            channelUnsent[channel] = id;
            channelNextFragment[channel] = 0;
        }
        return at;
    }

    /**
     * @param channel channel id.
     * @return id of the oldest message of the channel with chunks never sent, or -1.
     */
    public long unsentMessage(final int channel)
    {
        return channelUnsent[channel];
    }

    /**
     * @param channel channel id.
     * @return index of the next never-sent chunk of {@link #unsentMessage(int)}.
     */
    public int unsentFragment(final int channel)
    {
        return channelNextFragment[channel];
    }

    /**
     * @param channel channel id.
     * @return id of the oldest message of the channel not done, or -1.
     */
    public long oldestUndone(final int channel)
    {
        return channelOldestUndone[channel];
    }

    /**
     * @param channel channel id with an unsent message.
     * @return id of the next never-sent chunk of the channel.
     */
    public long peekUnsent(final int channel)
    {
        final long id = channelUnsent[channel];
        return messageFirstChunk[(int)(id & messageMask)] + channelNextFragment[channel];
    }

    /**
     * Take the next never-sent chunk of a channel: marks it SENT (or done, unreliable) and moves the cursor.
     *
     * @param channel channel id.
     * @return the chunk id.
     */
    public long takeUnsent(final int channel)
    {
        final long id = channelUnsent[channel];
        final int slot = (int)(id & messageMask);
        final long chunkId = messageFirstChunk[slot] + channelNextFragment[channel];
        messageStarted[slot] = true;
        chunkState[(int)(chunkId & chunkMask)] = SENT;
        if (++channelNextFragment[channel] == messageChunkCount[slot])
        {
            channelUnsent[channel] = messageNextInChannel[slot];
            channelNextFragment[channel] = 0;
        }
        if (!reliable[messageChannel[slot]])
        {
            onChunkAcked(chunkId);
        }
        return chunkId;
    }

    /**
     * A packet carrying this chunk was acked.
     *
     * @param chunkId chunk.
     */
    public void onChunkAcked(final long chunkId)
    {
        final int chunkSlot = (int)(chunkId & chunkMask);
        if (chunkIds[chunkSlot] != chunkId || ACKED == chunkState[chunkSlot])
        {
            return;
        }
        chunkState[chunkSlot] = ACKED;
        final long id = chunkMessage[chunkSlot];
        final int slot = (int)(id & messageMask);
        if (++messageAckedChunks[slot] == messageChunkCount[slot])
        {
            markDone(id);
        }
    }

    /**
     * A packet carrying this chunk was declared lost: queue it for resend if it is still only SENT.
     *
     * @param chunkId chunk.
     * @return true if it was queued.
     */
    public boolean onChunkLost(final long chunkId)
    {
        final int chunkSlot = (int)(chunkId & chunkMask);
        if (chunkIds[chunkSlot] != chunkId || SENT != chunkState[chunkSlot])
        {
            return false;
        }
        chunkState[chunkSlot] = LOST;
        if (resendTail - resendHead == resendRing.length)
        {
            compactResends();
        }
        resendRing[(int)(resendTail++ & resendMask)] = chunkId;
        return true;
    }

    /**
     * @return the oldest chunk queued for resend (skipping stale entries), or -1.
     */
    public long peekResend()
    {
        while (resendHead < resendTail)
        {
            final long chunkId = resendRing[(int)(resendHead & resendMask)];
            if (isState(chunkId, LOST))
            {
                return chunkId;
            }
            resendHead++;
        }
        return NONE;
    }

    /**
     * Take the chunk {@link #peekResend()} returned: marks it SENT.
     */
    public void takeResend()
    {
        final long chunkId = resendRing[(int)(resendHead++ & resendMask)];
        chunkState[(int)(chunkId & chunkMask)] = SENT;
    }

    /**
     * Oldest chunk of a reliable message that was sent and is not acked, for a probe; at most {@code scanLimit}
     * messages are looked at.
     *
     * @param scanLimit messages to look at from the head.
     * @return chunk id or -1.
     */
    public long oldestUnackedSentChunk(final int scanLimit)
    {
        final long end = Math.min(messageTail, messageHead + scanLimit);
        for (long id = messageHead; id < end; id++)
        {
            final int slot = (int)(id & messageMask);
            if (messageDone[slot] || !messageStarted[slot])
            {
                continue;
            }
            final long first = messageFirstChunk[slot];
            for (int i = 0; i < messageChunkCount[slot]; i++)
            {
                final byte state = chunkState[(int)((first + i) & chunkMask)];
                if (SENT == state || LOST == state)
                {
                    return first + i;
                }
            }
        }
        return NONE;
    }

    /**
     * Mark a chunk SENT again (a probe of a chunk that may be in flight or queued for resend).
     *
     * @param chunkId chunk.
     */
    public void markResent(final long chunkId)
    {
        chunkState[(int)(chunkId & chunkMask)] = SENT;
    }

    /**
     * @param chunkId a live chunk.
     * @return its message id.
     */
    public long messageOf(final long chunkId)
    {
        return chunkMessage[(int)(chunkId & chunkMask)];
    }

    /**
     * @param chunkId a live chunk.
     * @return its fragment index in its message.
     */
    public int fragmentIndexOf(final long chunkId)
    {
        return (int)(chunkId - messageFirstChunk[(int)(messageOf(chunkId) & messageMask)]);
    }

    /**
     * @param messageId a live message.
     * @return its channel.
     */
    public int channel(final long messageId)
    {
        return messageChannel[(int)(messageId & messageMask)];
    }

    /**
     * @param messageId a live message.
     * @return its u16 sequence.
     */
    public int sequence(final long messageId)
    {
        return messageSequence[(int)(messageId & messageMask)];
    }

    /**
     * @param messageId a live message.
     * @return its length.
     */
    public int length(final long messageId)
    {
        return messageLength[(int)(messageId & messageMask)];
    }

    /**
     * @param messageId a live message.
     * @return its chunk count (1 = whole).
     */
    public int chunkCount(final long messageId)
    {
        return messageChunkCount[(int)(messageId & messageMask)];
    }

    /**
     * @param messageId a live message.
     * @return bytes of its channel's messages queued up to and including it (for the reorder budget span).
     */
    public long channelBytesEnd(final long messageId)
    {
        return messageChannelBytesEnd[(int)(messageId & messageMask)];
    }

    /**
     * @param chunkId a live chunk.
     * @return offset of its data in {@link #buffer()}.
     */
    public int chunkOffset(final long chunkId)
    {
        final long id = messageOf(chunkId);
        return messageOffset[(int)(id & messageMask)] + fragmentIndexOf(chunkId) * fragmentLength;
    }

    /**
     * @param chunkId a live chunk.
     * @return length of its data.
     */
    public int chunkLength(final long chunkId)
    {
        final long id = messageOf(chunkId);
        final int slot = (int)(id & messageMask);
        if (1 == messageChunkCount[slot])
        {
            return messageLength[slot];
        }
        return Math.min(fragmentLength, messageLength[slot] - fragmentIndexOf(chunkId) * fragmentLength);
    }

    /**
     * @return the arena holding every queued message; replaced when it grows, so read it afresh for every chunk.
     */
    public ByteBuf buffer()
    {
        return arenaBuffer;
    }

    /**
     * @return bytes of messages held (queued, in flight or awaiting reclaim).
     */
    public long queuedBytes()
    {
        return queuedBytes;
    }

    /**
     * @return messages held.
     */
    public long queuedMessages()
    {
        return messageTail - messageHead;
    }

    /**
     * @return bytes of heap held by the arena now; at most the byte budget.
     */
    public int arenaCapacity()
    {
        return arena.length;
    }

    /**
     * @return message records allocated now; at most {@link ChannelEndpointConfig#sendQueueMessages()}.
     */
    public int messageCapacity()
    {
        return messageIds.length;
    }

    /**
     * @return chunk records allocated now; at most {@link ChannelEndpointConfig#sendQueueChunks()}.
     */
    public int chunkCapacity()
    {
        return chunkIds.length;
    }

    /**
     * @param chunkId a chunk.
     * @return its state, or -1 if the ring does not hold it (reclaimed, or never queued); for tests.
     */
    int chunkState(final long chunkId)
    {
        final int chunkSlot = (int)(chunkId & chunkMask);
        return chunkIds[chunkSlot] == chunkId ? chunkState[chunkSlot] : -1;
    }

    private boolean isLive(final long messageId)
    {
        return messageId >= messageHead && messageIds[(int)(messageId & messageMask)] == messageId;
    }

    private boolean isState(final long chunkId, final byte state)
    {
        final int chunkSlot = (int)(chunkId & chunkMask);
        return chunkIds[chunkSlot] == chunkId && state == chunkState[chunkSlot];
    }

    private void markDone(final long id)
    {
        final int slot = (int)(id & messageMask);
        messageDone[slot] = true;
        final int channel = messageChannel[slot];
        if (channelOldestUndone[channel] == id)
        {
            long next = messageNextInChannel[slot];
            while (NONE != next && messageDone[(int)(next & messageMask)])
            {
                next = messageNextInChannel[(int)(next & messageMask)];
            }
            channelOldestUndone[channel] = next;
        }
        if (null != doneListener)
        {
            doneListener.onDone(channel, messageLength[slot], messageChunkCount[slot] > 1, messageStarted[slot]);
        }
        reclaim();
    }

    private void reclaim()
    {
        while (messageHead < messageTail && messageDone[(int)(messageHead & messageMask)])
        {
            final int slot = (int)(messageHead & messageMask);
            queuedBytes -= messageLength[slot];
            chunkHead = messageFirstChunk[slot] + messageChunkCount[slot];
            messageIds[slot] = NONE;
            final int channel = messageChannel[slot];
            if (channelTail[channel] == messageHead)
            {
                channelTail[channel] = NONE;
            }
            messageHead++;
            if (messageHead < messageTail)
            {
                arenaHead = messageOffset[(int)(messageHead & messageMask)];
            }
            else
            {
                arenaHead = 0;
                arenaTail = 0;
            }
        }
    }

    private int allocate(final int length)
    {
        if (messageHead == messageTail)
        {
            arenaHead = 0;
            arenaTail = 0;
        }
        int at = place(length);
        if (at < 0 && arena.length < arenaCapacityMax && queuedBytes + length <= arenaCapacityMax)
        {
            growArena(length);
            at = place(length);
        }
        if (at >= 0)
        {
            arenaTail = at + length;
        }
        return at;
    }

    /**
     * Where {@code length} contiguous bytes fit the arena as it is: after the tail, else (not wrapped) at the start
     * below the head.
     */
    private int place(final int length)
    {
        final int capacity = arena.length;
        if (messageHead == messageTail || arenaTail > arenaHead)
        {
            if (capacity - arenaTail >= length)
            {
                return arenaTail;
            }
            return arenaHead > length ? 0 : -1;
        }
        return arenaHead - arenaTail > length ? arenaTail : -1;
    }

    /**
     * Double the arena (or more, to fit {@code length} after the held bytes; at most the budget), copying the held
     * messages in id order to its start: afterwards they are contiguous from 0 and the tail is the held bytes.
     */
    private void growArena(final int length)
    {
        final int grown = (int)Math.min(arenaCapacityMax,
            Math.max(queuedBytes + length, Math.max(MIN_ARENA_BYTES, 2L * arena.length)));
        final byte[] target = new byte[grown];
        int position = 0;
        for (long id = messageHead; id < messageTail; id++)
        {
            final int slot = (int)(id & messageMask);
            System.arraycopy(arena, messageOffset[slot], target, position, messageLength[slot]);
            messageOffset[slot] = position;
            position += messageLength[slot];
        }
        arena = target;
        arenaBuffer = Unpooled.wrappedBuffer(target);
        arenaHead = 0;
        arenaTail = position;
    }

    private void allocateMessages(final int capacity)
    {
        messageMask = capacity - 1;
        messageIds = new long[capacity];
        messageChannel = new int[capacity];
        messageSequence = new int[capacity];
        messageOffset = new int[capacity];
        messageLength = new int[capacity];
        messageChunkCount = new int[capacity];
        messageAckedChunks = new int[capacity];
        messageFirstChunk = new long[capacity];
        messageNextInChannel = new long[capacity];
        messageChannelBytesEnd = new long[capacity];
        messageDone = new boolean[capacity];
        messageStarted = new boolean[capacity];
        Arrays.fill(messageIds, NONE);
    }

    /**
     * Double the message ring, moving each held message (head .. tail) to its slot under the new mask; reclaimed
     * ones are not carried over (their ids fail {@link #isLive(long)} either way).
     */
    private void growMessages()
    {
        final int oldMask = messageMask;
        final long[] ids = messageIds;
        final int[] channel = messageChannel;
        final int[] sequence = messageSequence;
        final int[] offset = messageOffset;
        final int[] length = messageLength;
        final int[] chunkCount = messageChunkCount;
        final int[] ackedChunks = messageAckedChunks;
        final long[] firstChunk = messageFirstChunk;
        final long[] nextInChannel = messageNextInChannel;
        final long[] channelBytesEnd = messageChannelBytesEnd;
        final boolean[] done = messageDone;
        final boolean[] started = messageStarted;
        allocateMessages(2 * ids.length);
        for (long id = messageHead; id < messageTail; id++)
        {
            final int from = (int)(id & oldMask);
            final int to = (int)(id & messageMask);
            messageIds[to] = ids[from];
            messageChannel[to] = channel[from];
            messageSequence[to] = sequence[from];
            messageOffset[to] = offset[from];
            messageLength[to] = length[from];
            messageChunkCount[to] = chunkCount[from];
            messageAckedChunks[to] = ackedChunks[from];
            messageFirstChunk[to] = firstChunk[from];
            messageNextInChannel[to] = nextInChannel[from];
            messageChannelBytesEnd[to] = channelBytesEnd[from];
            messageDone[to] = done[from];
            messageStarted[to] = started[from];
        }
    }

    private void allocateChunks(final int capacity)
    {
        chunkMask = capacity - 1;
        chunkIds = new long[capacity];
        chunkMessage = new long[capacity];
        chunkState = new byte[capacity];
        resendRing = new long[capacity];
        resendMask = capacity - 1;
        Arrays.fill(chunkIds, NONE);
    }

    /**
     * Double the chunk ring and the resend ring, moving the chunks of held messages (chunk head .. tail) and the
     * queued resends to their slots under the new mask. Reclaimed chunks are not carried over: a stale id then finds
     * another id (or none) in its slot and is ignored, as it would be once its slot was reused.
     */
    private void growChunks()
    {
        final int oldMask = chunkMask;
        final long[] ids = chunkIds;
        final long[] message = chunkMessage;
        final byte[] state = chunkState;
        final long[] resends = resendRing;
        allocateChunks(2 * ids.length);
        for (long id = chunkHead; id < chunkTail; id++)
        {
            final int from = (int)(id & oldMask);
            final int to = (int)(id & chunkMask);
            chunkIds[to] = ids[from];
            chunkMessage[to] = message[from];
            chunkState[to] = state[from];
        }
        for (long i = resendHead; i < resendTail; i++)
        {
            resendRing[(int)(i & resendMask)] = resends[(int)(i & oldMask)];
        }
    }

    private void compactResends()
    {
        long write = resendHead;
        for (long read = resendHead; read < resendTail; read++)
        {
            final long chunkId = resendRing[(int)(read & resendMask)];
            if (isState(chunkId, LOST))
            {
                resendRing[(int)(write++ & resendMask)] = chunkId;
            }
        }
        resendTail = write;
    }
}
