package dev.skirmish.session.room;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.Arrays;

import static dev.skirmish.session.room.RoomMessageDescriptor.CATCH_UP_FROM_OFFSET;
import static dev.skirmish.session.room.RoomMessageDescriptor.CATCH_UP_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.ENTRY_FLAG_INPUT;
import static dev.skirmish.session.room.RoomMessageDescriptor.ENTRY_FLAG_REPEATED;
import static dev.skirmish.session.room.RoomMessageDescriptor.ENTRY_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES_COUNT_OFFSET;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES_FRAME_OFFSET;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES_INPUT_ACK_OFFSET;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAME_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAME_LENGTH_PREFIX;
import static dev.skirmish.session.room.RoomMessageDescriptor.HISTORY;
import static dev.skirmish.session.room.RoomMessageDescriptor.HISTORY_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT_COUNT_OFFSET;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT_ENTRY_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT_FLAGS_OFFSET;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT_FLAG_HASH;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT_HASH_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.MAX_FRAMES_PER_MESSAGE;
import static dev.skirmish.session.room.RoomMessageDescriptor.MAX_INPUTS_PER_MESSAGE;
import static dev.skirmish.session.room.RoomMessageDescriptor.NO_FRAME;

/**
 * The server side of lockstep for one room, transport-agnostic: no sessions, no clocks, no threads. Players are
 * slots 0 to capacity - 1.
 * <ul>
 *   <li><b>Inputs</b> ({@link #onInput}): an INPUT message carries up to 8 (frame, input) entries; an input is kept
 *   for a frame in [next frame, next frame + input window), at most {@code maxInputBytes}, first copy wins. Late,
 *   too far ahead, oversize and malformed inputs are dropped and counted; a malformed message is dropped whole.</li>
 *   <li><b>Closing a frame</b> ({@link #closeFrame}, once per tick): frame N holds, for every present slot in slot
 *   order, the input that arrived for N, or for a missing one an empty input or the last one repeated
 *   ({@link MissingInputPolicy}). It goes into the bounded {@link FrameHistory}.</li>
 *   <li><b>Sending</b> ({@link #sendFrames}): ONE unreliable FRAMES message per connected slot carrying frame N and
 *   the K frames before it (as many as fit in {@code maxMessageBytes}, truncation counted), plus that player's input
 *   ack; then bounded catch-up (HISTORY on the reliable channel) for slots that asked, within the per-tick frame
 *   limit and the slot's send budget.</li>
 *   <li><b>Hashes</b>: the first hash reported for a frame is the reference; a different one from another slot is a
 *   desync, counted and given to the {@link DesyncHandler}. Each slot's hash frames must increase.</li>
 * </ul>
 * Memory is fixed at construction (input windows, history, scratch); nothing is allocated per input, frame or tick.
 * <p>
 * Not thread safe: owned by the room's worker thread.
 */
public final class FrameSyncServer
{
    /** Where a slot's messages go; the room maps slots to sessions and channels. */
    public interface Output
    {
        /**
         * Queue a message for a slot.
         *
         * @param slot     player slot.
         * @param reliable true for the reliable channel (HISTORY), false for the frame channel (FRAMES).
         * @param buffer   holding the message; copied before returning.
         * @param offset   of the message.
         * @param length   of the message.
         * @return false if it was not queued.
         */
        boolean send(int slot, boolean reliable, ByteBuf buffer, int offset, int length);

        /**
         * @param slot player slot.
         * @return reliable bytes the slot's connection may take now without queueing up (catch-up waits for it).
         */
        long sendBudgetBytes(int slot);
    }

    /** Told about hash mismatches. */
    @FunctionalInterface
    public interface DesyncHandler
    {
        /**
         * A slot reported a state hash for a frame that differs from the first hash reported for it.
         *
         * @param frame         the frame.
         * @param slot          the slot whose hash differs.
         * @param referenceHash the first hash reported for the frame.
         * @param reportedHash  this slot's hash.
         */
        void onDesync(long frame, int slot, long referenceHash, long reportedHash);
    }

    private static final byte FREE = 0;
    private static final byte PRESENT = 1;
    private static final byte AWAY = 2;

    private final int capacity;
    private final int maxInputBytes;
    private final int windowMask;
    private final int redundancy;
    private final int maxMessageBytes;
    private final int catchUpFramesPerTick;
    private final int hashMask;
    private final MissingInputPolicy missingInputPolicy;
    private final CounterSet counters;
    private final DesyncHandler desyncHandler;
    private final FrameHistory history;

    private final byte[] slotState;
    private final long[] inputFrames;
    private final int[] inputLengths;
    private final ByteBuf inputs;
    private final ByteBuf lastInputs;
    private final int[] lastInputLengths;
    private final long[] inputAcks;
    private final long[] catchUpNext;
    private final long[] lastHashFrames;
    private final long[] referenceHashFrames;
    private final long[] referenceHashes;

    private final ByteBuf frameScratch;
    private final ByteBuf framesMessage;
    private final ByteBuf historyMessage;
    private final FrameView lastFrame = new FrameView();
    private long frameLimit = RoomMessageDescriptor.FRAME_LIMIT;
    private int framesMessageLength;
    private long nextFrame;
    private long desyncs;

    /**
     * @param config        room settings (concluded).
     * @param capacity      player slots, 1 to {@link RoomMessageDescriptor#MAX_CAPACITY}.
     * @param counters      the worker's counters (single writer: this thread).
     * @param desyncHandler told about hash mismatches.
     * @throws IllegalArgumentException if a frame of this capacity would not fit a FRAMES message or the history.
     */
    public FrameSyncServer(
        final RoomConfig config, final int capacity, final CounterSet counters, final DesyncHandler desyncHandler)
    {
        this.capacity = capacity;
        this.maxInputBytes = config.maxInputBytes();
        this.windowMask = config.inputWindowFrames() - 1;
        this.redundancy = config.redundancy();
        this.maxMessageBytes = config.maxMessageBytes();
        this.catchUpFramesPerTick = config.catchUpFramesPerTick();
        this.hashMask = config.hashWindowFrames() - 1;
        this.missingInputPolicy = config.missingInputPolicy();
        this.counters = counters;
        this.desyncHandler = desyncHandler;
        final int maxFrameLength = config.checkCapacity(capacity);
        this.history = new FrameHistory(config.historyFrames(), config.historyBytes());

        final int window = config.inputWindowFrames();
        slotState = new byte[capacity];
        inputFrames = new long[capacity * window];
        Arrays.fill(inputFrames, -1);
        inputLengths = new int[capacity * window];
        inputs = Unpooled.wrappedBuffer(new byte[Math.max(1, capacity * window * maxInputBytes)]);
        lastInputs = Unpooled.wrappedBuffer(new byte[Math.max(1, capacity * maxInputBytes)]);
        lastInputLengths = new int[capacity];
        inputAcks = new long[capacity];
        catchUpNext = new long[capacity];
        lastHashFrames = new long[capacity];
        referenceHashFrames = new long[config.hashWindowFrames()];
        Arrays.fill(referenceHashFrames, -1);
        referenceHashes = new long[config.hashWindowFrames()];
        frameScratch = Unpooled.wrappedBuffer(new byte[maxFrameLength]);
        framesMessage = Unpooled.wrappedBuffer(new byte[maxMessageBytes]);
        historyMessage = Unpooled.wrappedBuffer(new byte[maxMessageBytes]);
    }

    /**
     * A new player takes a slot: it appears in frames from the next one on, with no input history.
     *
     * @param slot a free slot.
     */
    public void add(final int slot)
    {
        slotState[slot] = PRESENT;
        lastInputLengths[slot] = -1;
        connect(slot);
    }

    /**
     * The player of a slot is back on a new connection (reconnect): its frames continue, its connection state
     * (input ack, hash order, catch-up) starts afresh.
     *
     * @param slot an occupied slot.
     */
    public void connect(final int slot)
    {
        slotState[slot] = PRESENT;
        final int window = windowMask + 1;
        Arrays.fill(inputFrames, slot * window, (slot + 1) * window, -1);
        inputAcks[slot] = -1;
        catchUpNext[slot] = -1;
        lastHashFrames[slot] = -1;
    }

    /**
     * The player's connection is gone but its slot is held (it may reconnect): it stays in frames, without inputs,
     * and nothing is sent to it.
     *
     * @param slot an occupied slot.
     */
    public void away(final int slot)
    {
        slotState[slot] = AWAY;
        catchUpNext[slot] = -1;
    }

    /**
     * The player left: from the next frame on it is no longer in frames.
     *
     * @param slot an occupied slot.
     */
    public void remove(final int slot)
    {
        slotState[slot] = FREE;
        catchUpNext[slot] = -1;
    }

    /**
     * Take an INPUT message of a present slot. Never throws for any bytes.
     *
     * @param slot   sender's slot.
     * @param buffer holding the message (type byte first).
     * @param offset of the message.
     * @param length of the message.
     * @return inputs kept, or -1 if the message was malformed (counted).
     */
    public int onInput(final int slot, final ByteBuf buffer, final int offset, final int length)
    {
        if (PRESENT != slotState[slot])
        {
            return 0;
        }
        final int end = offset + length;
        if (length < INPUT_HEADER_LENGTH)
        {
            return malformed();
        }
        final int flags = buffer.getUnsignedByte(offset + INPUT_FLAGS_OFFSET);
        final int count = buffer.getUnsignedByte(offset + INPUT_COUNT_OFFSET);
        if (0 != (flags & ~INPUT_FLAG_HASH) || count > MAX_INPUTS_PER_MESSAGE)
        {
            return malformed();
        }
        int position = offset + INPUT_HEADER_LENGTH;
        final int hashAt = position;
        if (0 != (flags & INPUT_FLAG_HASH))
        {
            if (end - position < INPUT_HASH_LENGTH)
            {
                return malformed();
            }
            position += INPUT_HASH_LENGTH;
        }
        final int entriesAt = position;
        for (int i = 0; i < count; i++)
        {
            if (end - position < INPUT_ENTRY_HEADER_LENGTH ||
                end - position - INPUT_ENTRY_HEADER_LENGTH < buffer.getUnsignedByte(position + 4))
            {
                return malformed();
            }
            position += INPUT_ENTRY_HEADER_LENGTH + buffer.getUnsignedByte(position + 4);
        }
        if (position != end)
        {
            return malformed();
        }

        if (0 != (flags & INPUT_FLAG_HASH))
        {
            onHash(slot, buffer.getUnsignedIntLE(hashAt), buffer.getLongLE(hashAt + 4));
        }
        int kept = 0;
        position = entriesAt;
        for (int i = 0; i < count; i++)
        {
            final long frame = buffer.getUnsignedIntLE(position);
            final int inputLength = buffer.getUnsignedByte(position + 4);
            kept += storeInput(slot, frame, buffer, position + INPUT_ENTRY_HEADER_LENGTH, inputLength);
            position += INPUT_ENTRY_HEADER_LENGTH + inputLength;
        }
        return kept;
    }

    private int storeInput(
        final int slot, final long frame, final ByteBuf buffer, final int offset, final int inputLength)
    {
        if (inputLength > maxInputBytes)
        {
            counters.increment(Counter.ROOM_INPUTS_OVERSIZE);
            return 0;
        }
        if (frame < nextFrame)
        {
            counters.increment(Counter.ROOM_INPUTS_LATE);
            return 0;
        }
        if (frame - nextFrame > windowMask || frame >= frameLimit)
        {
            counters.increment(Counter.ROOM_INPUTS_AHEAD);
            return 0;
        }
        final int index = slot * (windowMask + 1) + ((int)frame & windowMask);
        if (inputFrames[index] == frame)
        {
            return 0; // a redundant copy: the first one wins
        }
        inputFrames[index] = frame;
        inputLengths[index] = inputLength;
        inputs.setBytes(index * maxInputBytes, buffer, offset, inputLength);
        if (frame > inputAcks[slot])
        {
            inputAcks[slot] = frame;
        }
        counters.increment(Counter.ROOM_INPUTS);
        return 1;
    }

    private void onHash(final int slot, final long frame, final long hash)
    {
        if (frame >= nextFrame || nextFrame - frame > hashMask + 1 || frame <= lastHashFrames[slot])
        {
            counters.increment(Counter.ROOM_HASHES_DROPPED);
            return;
        }
        lastHashFrames[slot] = frame;
        final int index = (int)frame & hashMask;
        if (referenceHashFrames[index] != frame)
        {
            referenceHashFrames[index] = frame;
            referenceHashes[index] = hash;
            return;
        }
        if (referenceHashes[index] != hash)
        {
            desyncs++;
            counters.increment(Counter.ROOM_DESYNCS);
            desyncHandler.onDesync(frame, slot, referenceHashes[index], hash);
        }
    }

    /**
     * Take a CATCH_UP message: stream the frames from the one asked for (or the oldest held, if it is older) up to
     * the newest, on the reliable channel, over the next ticks. A new request replaces the running one.
     *
     * @param slot   sender's slot.
     * @param buffer holding the message.
     * @param offset of the message.
     * @param length of the message.
     * @return false if malformed (counted).
     */
    public boolean onCatchUp(final int slot, final ByteBuf buffer, final int offset, final int length)
    {
        if (CATCH_UP_LENGTH != length)
        {
            malformed();
            return false;
        }
        if (PRESENT != slotState[slot])
        {
            return true;
        }
        final long from = buffer.getUnsignedIntLE(offset + CATCH_UP_FROM_OFFSET);
        catchUpNext[slot] = from < nextFrame ? from : -1;
        counters.increment(Counter.ROOM_CATCHUP_REQUESTS);
        return true;
    }

    private int malformed()
    {
        counters.increment(Counter.ROOM_MESSAGES_MALFORMED);
        return -1;
    }

    /**
     * Close the next frame from the inputs that arrived for it, keep it in the history and prepare the FRAMES
     * message. Once per tick.
     *
     * @return the frame closed.
     */
    public long closeFrame()
    {
        final long frame = nextFrame;
        final int windowIndex = (int)frame & windowMask;
        int position = FRAME_HEADER_LENGTH;
        int entries = 0;
        for (int slot = 0; slot < capacity; slot++)
        {
            if (FREE == slotState[slot])
            {
                continue;
            }
            final int index = slot * (windowMask + 1) + windowIndex;
            frameScratch.setByte(position, slot);
            if (inputFrames[index] == frame)
            {
                final int inputLength = inputLengths[index];
                frameScratch.setByte(position + 1, ENTRY_FLAG_INPUT);
                frameScratch.setByte(position + 2, inputLength);
                frameScratch.setBytes(position + ENTRY_HEADER_LENGTH, inputs, index * maxInputBytes, inputLength);
                lastInputs.setBytes(slot * maxInputBytes, inputs, index * maxInputBytes, inputLength);
                lastInputLengths[slot] = inputLength;
                position += ENTRY_HEADER_LENGTH + inputLength;
            }
            else if (MissingInputPolicy.REPEAT_LAST == missingInputPolicy && lastInputLengths[slot] >= 0)
            {
                final int inputLength = lastInputLengths[slot];
                frameScratch.setByte(position + 1, ENTRY_FLAG_REPEATED);
                frameScratch.setByte(position + 2, inputLength);
                frameScratch.setBytes(position + ENTRY_HEADER_LENGTH, lastInputs, slot * maxInputBytes, inputLength);
                position += ENTRY_HEADER_LENGTH + inputLength;
            }
            else
            {
                frameScratch.setByte(position + 1, 0);
                frameScratch.setByte(position + 2, 0);
                position += ENTRY_HEADER_LENGTH;
            }
            entries++;
        }
        frameScratch.setByte(0, entries);
        history.append(frameScratch, 0, position);
        nextFrame = frame + 1;
        lastFrame.wrap(frame, history.buffer(), history.offset(frame), position);
        counters.increment(Counter.ROOM_FRAMES);
        buildFramesMessage(frame);
        return frame;
    }

    private void buildFramesMessage(final long newest)
    {
        final ByteBuf message = framesMessage;
        message.setByte(0, FRAMES);
        message.setIntLE(FRAMES_FRAME_OFFSET, (int)newest);
        int position = FRAMES_HEADER_LENGTH;
        int count = 0;
        for (long frame = newest; frame >= history.first() && count <= redundancy; frame--)
        {
            final int frameLength = history.length(frame);
            if (position + FRAME_LENGTH_PREFIX + frameLength > maxMessageBytes)
            {
                counters.increment(Counter.ROOM_REDUNDANCY_TRUNCATED);
                break;
            }
            message.setShortLE(position, frameLength);
            message.setBytes(position + FRAME_LENGTH_PREFIX, history.buffer(), history.offset(frame), frameLength);
            position += FRAME_LENGTH_PREFIX + frameLength;
            count++;
        }
        message.setByte(FRAMES_COUNT_OFFSET, count);
        framesMessageLength = position;
    }

    /**
     * Send phase: the FRAMES message of the frame just closed to every present slot, then catch-up.
     *
     * @param output where messages go.
     * @return messages sent.
     */
    public int sendFrames(final Output output)
    {
        if (0 == nextFrame)
        {
            return 0;
        }
        int sent = 0;
        for (int slot = 0; slot < capacity; slot++)
        {
            if (PRESENT != slotState[slot])
            {
                continue;
            }
            final long ack = inputAcks[slot];
            framesMessage.setIntLE(FRAMES_INPUT_ACK_OFFSET, (int)(ack < 0 ? NO_FRAME : ack));
            if (output.send(slot, false, framesMessage, 0, framesMessageLength))
            {
                sent++;
            }
            else
            {
                counters.increment(Counter.ROOM_SEND_FAILED);
            }
            if (catchUpNext[slot] >= 0)
            {
                sent += sendCatchUp(output, slot);
            }
        }
        return sent;
    }

    private int sendCatchUp(final Output output, final int slot)
    {
        int sent = 0;
        int frameBudget = catchUpFramesPerTick;
        long from = catchUpNext[slot];
        while (frameBudget > 0 && from < nextFrame)
        {
            if (from < history.first())
            {
                counters.increment(Counter.ROOM_CATCHUP_TRUNCATED);
                from = history.first();
            }
            final int length = buildHistoryMessage(from, frameBudget);
            if (output.sendBudgetBytes(slot) < length)
            {
                break; // the reliable channel has enough in flight: go on next tick
            }
            if (!output.send(slot, true, historyMessage, 0, length))
            {
                counters.increment(Counter.ROOM_SEND_FAILED);
                break;
            }
            final int count = historyMessage.getUnsignedByte(FRAMES_COUNT_OFFSET);
            counters.add(Counter.ROOM_CATCHUP_FRAMES, count);
            from += count;
            frameBudget -= count;
            sent++;
        }
        catchUpNext[slot] = from < nextFrame ? from : -1;
        return sent;
    }

    private int buildHistoryMessage(final long from, final int frameBudget)
    {
        final ByteBuf message = historyMessage;
        message.setByte(0, HISTORY);
        message.setIntLE(FRAMES_FRAME_OFFSET, (int)from);
        int position = HISTORY_HEADER_LENGTH;
        int count = 0;
        for (long frame = from; frame < nextFrame && count < frameBudget && count < MAX_FRAMES_PER_MESSAGE; frame++)
        {
            final int frameLength = history.length(frame);
            if (position + FRAME_LENGTH_PREFIX + frameLength > maxMessageBytes)
            {
                break;
            }
            message.setShortLE(position, frameLength);
            message.setBytes(position + FRAME_LENGTH_PREFIX, history.buffer(), history.offset(frame), frameLength);
            position += FRAME_LENGTH_PREFIX + frameLength;
            count++;
        }
        message.setByte(FRAMES_COUNT_OFFSET, count);
        return position;
    }

    /**
     * @return the frame closed last (valid until the next {@link #closeFrame}); empty before the first.
     */
    public FrameView lastFrame()
    {
        return lastFrame;
    }

    /**
     * @param frame a frame number.
     * @param view  to wrap it with.
     * @return true if the frame is still in the history (the view then shows it).
     */
    public boolean frame(final long frame, final FrameView view)
    {
        return history.contains(frame) &&
            view.wrap(frame, history.buffer(), history.offset(frame), history.length(frame));
    }

    /**
     * @return true once the last frame a room may close ({@link RoomMessageDescriptor#FRAME_LIMIT} − 1) is closed:
     * the room must close instead of closing another.
     */
    public boolean isAtFrameLimit()
    {
        return nextFrame >= frameLimit;
    }

    /**
     * For tests: start a new room's frames at {@code frame} instead of 0 and stop at {@code limit}, to run the end of
     * a long match without running it all. Only before the first {@link #closeFrame}.
     *
     * @param frame first frame to close, 0 to limit.
     * @param limit frames the room closes at most, up to {@link RoomMessageDescriptor#FRAME_LIMIT}.
     */
    void startAt(final long frame, final long limit)
    {
        if (0 != nextFrame || frame < 0 || frame > limit || limit > RoomMessageDescriptor.FRAME_LIMIT)
        {
            throw new IllegalStateException("startAt(" + frame + ", " + limit + ") after frame " + nextFrame);
        }
        history.startAt(frame);
        nextFrame = frame;
        frameLimit = limit;
    }

    /**
     * @return the frame {@link #closeFrame} closes next.
     */
    public long nextFrame()
    {
        return nextFrame;
    }

    /**
     * @return oldest frame still in the history (catch-up starts there at the earliest).
     */
    public long oldestFrame()
    {
        return history.first();
    }

    /**
     * @param slot player slot.
     * @return highest frame with an input of the slot's player received, or -1.
     */
    public long inputAck(final int slot)
    {
        return inputAcks[slot];
    }

    /**
     * @param slot player slot.
     * @return true while a catch-up is being streamed to it.
     */
    public boolean isCatchingUp(final int slot)
    {
        return catchUpNext[slot] >= 0;
    }

    /**
     * @return hash mismatches seen in this room.
     */
    public long desyncs()
    {
        return desyncs;
    }

    /**
     * @return player slots.
     */
    public int capacity()
    {
        return capacity;
    }
}
