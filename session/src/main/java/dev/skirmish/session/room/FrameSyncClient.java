package dev.skirmish.session.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.Arrays;
import java.util.Objects;

import static dev.skirmish.session.room.RoomMessageDescriptor.CATCH_UP;
import static dev.skirmish.session.room.RoomMessageDescriptor.CATCH_UP_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES_COUNT_OFFSET;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES_FRAME_OFFSET;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES_INPUT_ACK_OFFSET;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAME_LENGTH_PREFIX;
import static dev.skirmish.session.room.RoomMessageDescriptor.HISTORY;
import static dev.skirmish.session.room.RoomMessageDescriptor.HISTORY_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT_FLAG_HASH;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT_HASH_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.MAX_CAPACITY;
import static dev.skirmish.session.room.RoomMessageDescriptor.MAX_FRAME;
import static dev.skirmish.session.room.RoomMessageDescriptor.MAX_INPUTS_PER_MESSAGE;
import static dev.skirmish.session.room.RoomMessageDescriptor.NO_FRAME;
import static dev.skirmish.session.room.RoomMessageDescriptor.RELAY;
import static dev.skirmish.session.room.RoomMessageDescriptor.WELCOME;
import static dev.skirmish.session.room.RoomMessageDescriptor.WELCOME_LENGTH;

/**
 * The client side of a room, transport-agnostic: feed it the room messages the client receives
 * ({@link #onMessage}), and it hands the game the continuous sequence of frames, each exactly once and in order
 * ({@link Listener#onFrame}), rebuilt from the redundant FRAMES messages and, where a gap is older than their
 * redundancy, from the server's history (it asks with CATCH_UP on the reliable channel, and again if a catch-up makes
 * no progress). It sends the game's inputs tagged with frame numbers, repeating recent ones not yet acknowledged, and
 * optional state hashes ({@link #reportHash}).
 * <p>
 * For latency measurement every delivered frame says which frame it is, whether it carries this client's own input,
 * when it first arrived and when that input was first sent ({@link FrameView#carriesOwnInput()},
 * {@link FrameView#receivedNs()}, {@link FrameView#inputSentNs()}).
 * <p>
 * A reconnect keeps the client: after the new session's WELCOME it asks for the frames from the next one it lacks.
 * Memory is fixed at construction; nothing is allocated per message, frame or input. Hostile or corrupt messages
 * are dropped and counted ({@link #malformedMessages()}), never thrown.
 * <p>
 * Not thread safe: owned by the thread that drives the client (its event loop).
 */
public final class FrameSyncClient
{
    /** Sends a message on a channel, e.g. {@code client::send} of a {@code SkirmishClient}. */
    @FunctionalInterface
    public interface Sender
    {
        /**
         * @param channel channel id.
         * @param buffer  holding the message; copied before returning.
         * @param offset  of the message.
         * @param length  of the message.
         * @return false if not queued.
         */
        boolean send(int channel, ByteBuf buffer, int offset, int length);
    }

    /** The game's side of the client; called from {@link #onMessage} (and {@link #doWork}). */
    public interface Listener
    {
        /**
         * The room accepted this client (a new session): slot, room and frame parameters are known now.
         *
         * @param client the client.
         * @param nowNs  receive time.
         */
        default void onWelcome(final FrameSyncClient client, final long nowNs)
        {
        }

        /**
         * The next frame, in order, each exactly once.
         *
         * @param client the client.
         * @param frame  the frame; valid only during the call.
         */
        void onFrame(FrameSyncClient client, FrameView frame);

        /**
         * Frames that can no longer be had: the server's history no longer holds them (a late join or a long
         * absence). Delivery goes on from {@code toFrame}.
         *
         * @param client    the client.
         * @param fromFrame first frame lost.
         * @param toFrame   first frame not lost.
         */
        default void onFramesLost(final FrameSyncClient client, final long fromFrame, final long toFrame)
        {
        }

        /**
         * A game message (RELAY) from the room.
         *
         * @param client  the client.
         * @param channel channel it came on.
         * @param buffer  holding the payload; valid only during the call.
         * @param offset  of the payload.
         * @param length  of the payload.
         */
        default void onRelay(
            final FrameSyncClient client, final int channel, final ByteBuf buffer, final int offset, final int length)
        {
        }
    }

    /**
     * {@link #sendInput(ByteBuf, int, int, long)} and {@link #nextInputFrame}: no input this time, the last one
     * already targets the frame needed now or a later one (the client got ahead of the room); not an error.
     */
    public static final long HELD = -2;

    private static final int SOURCE_NEWEST = 0;
    private static final int SOURCE_REDUNDANT = 1;
    private static final int SOURCE_HISTORY = 2;
    private static final long NS_PER_SECOND = 1_000_000_000L;
    private static final long MAX_ESTIMATE_ELAPSED_NS = 10 * NS_PER_SECOND;
    /** Frames per epoch of the arrival-phase minimum (two epochs are kept, so drift is followed). */
    private static final int PHASE_EPOCH_FRAMES = 64;
    /** Fresh frames needed before the timing model chooses input targets. */
    private static final int PHASE_MIN_SAMPLES = 8;
    /** Smallest input margin, however steady the frames arrive. */
    private static final long MIN_INPUT_MARGIN_NS = 2_000_000L;
    /** Input margin in frame-arrival deviations (mean of arrival - phase). */
    private static final int MARGIN_DEVIATIONS = 3;
    /** Margin added each time a frame this client sent an input for closes without it. */
    private static final long MARGIN_STEP_NS = 2_000_000L;
    /** Margin taken back for each frame that carries this client's input: about 1 % of inputs late at equilibrium. */
    private static final long MARGIN_DECAY_NS = 20_000L;
    /** Most margin the feedback adds. */
    private static final long MAX_MARGIN_BACKOFF_NS = 100_000_000L;

    private final Sender sender;
    private final Listener listener;
    private final int windowMask;
    private final int maxFrameBytes;
    private final int ownMask;
    private final int inputRedundancy;
    private final long catchUpRetryNs;
    private final int inputChannel;
    private final int reliableChannel;
    private final int maxMessageBytes;
    private int inputLeadFrames;

    private final long[] ringFrames;
    private final int[] ringLengths;
    private final long[] ringReceivedNs;
    private final byte[] ringSources;
    private final ByteBuf ring;
    private final long[] ownFrames;
    private final long[] ownSentNs;
    private final int[] ownLengths;
    private final ByteBuf ownInputs;
    private final ByteBuf out;
    private final ByteBuf relayOut;
    private final FrameView view = new FrameView();

    private boolean welcomed;
    private RoomMode mode;
    private int slot = -1;
    private long roomId;
    private int capacity;
    private int tickRateHz = RoomConfig.MIN_TICK_RATE_HZ;
    private int redundancy;
    private int maxInputBytes;
    private int inputWindow;

    private long nextDeliver;
    private long newestSeen = -1;
    private long newestSeenNs;
    private long phaseNs;
    private long phaseEpochMinNs = Long.MAX_VALUE;
    private long phasePreviousMinNs = Long.MAX_VALUE;
    private int phaseEpochSamples;
    private int phaseSamples;
    private long arrivalDeviationNs;
    private long marginBackoffNs;
    private long framesMissingOwnInput;
    private long pathRttNs = -1;
    private long inputsHeld;
    private long lastProgressNs;
    private boolean catchUpOutstanding;
    private long catchUpRequestNs;
    private long lastInputFrame = -1;
    private long inputAck = -1;
    private long pendingHashFrame = -1;
    private long pendingHash;
    private long pendingHashSinceNs;

    private long framesDelivered;
    private long framesFromNewest;
    private long framesFromRedundancy;
    private long framesFromHistory;
    private long framesWithOwnInput;
    private long framesLost;
    private long duplicateFrames;
    private long framesBeyondWindow;
    private long framesTooLarge;
    private long malformedMessages;
    private long catchUpRequests;
    private long inputMessagesSent;
    private long inputsSent;
    private long inputsRefused;
    private long sendFailures;
    private long welcomes;

    /**
     * @param config   settings (validated now).
     * @param sender   sends this client's messages.
     * @param listener the game.
     */
    public FrameSyncClient(final FrameSyncClientConfig config, final Sender sender, final Listener listener)
    {
        config.conclude();
        this.sender = Objects.requireNonNull(sender, "sender");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.windowMask = config.windowFrames() - 1;
        this.maxFrameBytes = config.maxFrameBytes();
        this.ownMask = config.inputHistory() - 1;
        this.inputRedundancy = config.inputRedundancy();
        this.inputLeadFrames = config.inputLeadFrames();
        this.catchUpRetryNs = config.catchUpRetryNs();
        this.inputChannel = config.inputChannel();
        this.reliableChannel = config.reliableChannel();
        this.maxMessageBytes = config.maxMessageBytes();

        ringFrames = new long[config.windowFrames()];
        Arrays.fill(ringFrames, -1);
        ringLengths = new int[config.windowFrames()];
        ringReceivedNs = new long[config.windowFrames()];
        ringSources = new byte[config.windowFrames()];
        ring = Unpooled.wrappedBuffer(new byte[config.windowFrames() * maxFrameBytes]);
        ownFrames = new long[config.inputHistory()];
        Arrays.fill(ownFrames, -1);
        ownSentNs = new long[config.inputHistory()];
        ownLengths = new int[config.inputHistory()];
        ownInputs = Unpooled.wrappedBuffer(new byte[config.inputHistory() * RoomMessageDescriptor.MAX_INPUT_BYTES]);
        out = Unpooled.wrappedBuffer(new byte[INPUT_HEADER_LENGTH + INPUT_HASH_LENGTH +
            MAX_INPUTS_PER_MESSAGE * (RoomMessageDescriptor.INPUT_ENTRY_HEADER_LENGTH + 255)]);
        relayOut = Unpooled.wrappedBuffer(new byte[maxMessageBytes]);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Receiving.

    /**
     * A message from the server. Room messages are handled; others (and malformed ones) are counted and ignored.
     *
     * @param channel channel it came on.
     * @param buffer  holding it; read only during the call.
     * @param offset  of the message.
     * @param length  of the message.
     * @param nowNs   receive time on the client's clock.
     * @return true if it was a well-formed room message.
     */
    public boolean onMessage(
        final int channel, final ByteBuf buffer, final int offset, final int length, final long nowNs)
    {
        if (length < 1)
        {
            return malformed();
        }
        switch (buffer.getUnsignedByte(offset))
        {
            case FRAMES:
                return onFrames(buffer, offset, length, nowNs);
            case HISTORY:
                return onHistory(buffer, offset, length, nowNs);
            case WELCOME:
                return onWelcome(buffer, offset, length, nowNs);
            case RELAY:
                listener.onRelay(this, channel, buffer, offset + 1, length - 1);
                return true;
            default:
                return malformed();
        }
    }

    private boolean malformed()
    {
        malformedMessages++;
        return false;
    }

    private boolean onWelcome(final ByteBuf buffer, final int offset, final int length, final long nowNs)
    {
        if (WELCOME_LENGTH != length)
        {
            return malformed();
        }
        final RoomMode mode = RoomMode.get(buffer.getUnsignedByte(offset + RoomMessageDescriptor.WELCOME_MODE_OFFSET));
        final int slot = buffer.getUnsignedByte(offset + RoomMessageDescriptor.WELCOME_SLOT_OFFSET);
        final int capacity = buffer.getUnsignedByte(offset + RoomMessageDescriptor.WELCOME_CAPACITY_OFFSET);
        final int tickRateHz = buffer.getUnsignedByte(offset + RoomMessageDescriptor.WELCOME_TICK_RATE_OFFSET);
        final int inputWindow = buffer.getUnsignedByte(offset + RoomMessageDescriptor.WELCOME_INPUT_WINDOW_OFFSET);
        final long next = buffer.getUnsignedIntLE(offset + RoomMessageDescriptor.WELCOME_NEXT_FRAME_OFFSET);
        if (null == mode || capacity < 1 || capacity > MAX_CAPACITY || slot >= capacity || inputWindow < 1 ||
            tickRateHz < RoomConfig.MIN_TICK_RATE_HZ || tickRateHz > RoomConfig.MAX_TICK_RATE_HZ || next > MAX_FRAME)
        {
            return malformed();
        }
        this.mode = mode;
        this.slot = slot;
        this.capacity = capacity;
        this.tickRateHz = tickRateHz;
        this.inputWindow = inputWindow;
        this.redundancy = buffer.getUnsignedByte(offset + RoomMessageDescriptor.WELCOME_REDUNDANCY_OFFSET);
        this.maxInputBytes = buffer.getUnsignedByte(offset + RoomMessageDescriptor.WELCOME_MAX_INPUT_OFFSET);
        this.roomId = buffer.getLongLE(offset + RoomMessageDescriptor.WELCOME_ROOM_ID_OFFSET);
        welcomed = true;
        welcomes++;
        resetPhase();
        inputAck = -1; // a new session: the server has none of its inputs
        catchUpOutstanding = false;
        if (next - 1 >= newestSeen)
        {
            // the frame before next closed about now: the input target estimate starts here (also for next 0)
            newestSeen = next - 1;
            newestSeenNs = nowNs;
        }
        listener.onWelcome(this, nowNs);
        checkGap(nowNs);
        return true;
    }

    private boolean onFrames(final ByteBuf buffer, final int offset, final int length, final long nowNs)
    {
        if (length < FRAMES_HEADER_LENGTH)
        {
            return malformed();
        }
        final int count = buffer.getUnsignedByte(offset + FRAMES_COUNT_OFFSET);
        final long newest = buffer.getUnsignedIntLE(offset + FRAMES_FRAME_OFFSET);
        if (0 == count || newest > MAX_FRAME || newest < count - 1 ||
            !validFrames(newest, -1, count, buffer, offset + FRAMES_HEADER_LENGTH, offset + length))
        {
            return malformed();
        }
        final long ack = buffer.getUnsignedIntLE(offset + FRAMES_INPUT_ACK_OFFSET);
        if (NO_FRAME != ack && ack > inputAck && ack <= lastInputFrame)
        {
            inputAck = ack;
        }
        if (newest > newestSeen)
        {
            newestSeen = newest;
            newestSeenNs = nowNs;
            samplePhase(newest, nowNs);
        }
        int position = offset + FRAMES_HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final int frameLength = buffer.getUnsignedShortLE(position);
            store(newest - i, buffer, position + FRAME_LENGTH_PREFIX, frameLength,
                0 == i ? SOURCE_NEWEST : SOURCE_REDUNDANT, nowNs);
            position += FRAME_LENGTH_PREFIX + frameLength;
        }
        deliver(nowNs);
        checkGap(nowNs);
        return true;
    }

    private boolean onHistory(final ByteBuf buffer, final int offset, final int length, final long nowNs)
    {
        if (length < HISTORY_HEADER_LENGTH)
        {
            return malformed();
        }
        final int count = buffer.getUnsignedByte(offset + FRAMES_COUNT_OFFSET);
        final long first = buffer.getUnsignedIntLE(offset + FRAMES_FRAME_OFFSET);
        if (0 == count || first + count - 1 > MAX_FRAME ||
            !validFrames(first, 1, count, buffer, offset + HISTORY_HEADER_LENGTH, offset + length))
        {
            return malformed();
        }
        if (first > nextDeliver)
        {
            // a history stream starts at or before the frame asked for unless the server no longer has it
            final long from = nextDeliver;
            framesLost += first - from;
            nextDeliver = first;
            lastProgressNs = nowNs;
            listener.onFramesLost(this, from, first);
        }
        int position = offset + HISTORY_HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final int frameLength = buffer.getUnsignedShortLE(position);
            store(first + i, buffer, position + FRAME_LENGTH_PREFIX, frameLength, SOURCE_HISTORY, nowNs);
            deliver(nowNs);
            position += FRAME_LENGTH_PREFIX + frameLength;
        }
        checkGap(nowNs);
        return true;
    }

    private boolean validFrames(
        final long firstNumber, final int step, final int count, final ByteBuf buffer, final int start, final int end)
    {
        int position = start;
        for (int i = 0; i < count; i++)
        {
            if (end - position < FRAME_LENGTH_PREFIX)
            {
                return false;
            }
            final int frameLength = buffer.getUnsignedShortLE(position);
            position += FRAME_LENGTH_PREFIX;
            if (end - position < frameLength ||
                !view.wrap(firstNumber + (long)step * i, buffer, position, frameLength))
            {
                return false;
            }
            position += frameLength;
        }
        return position == end;
    }

    private void store(
        final long frame, final ByteBuf buffer, final int offset, final int length, final int source, final long nowNs)
    {
        if (frame < nextDeliver)
        {
            duplicateFrames++;
            return;
        }
        if (frame - nextDeliver > windowMask)
        {
            framesBeyondWindow++;
            return;
        }
        if (length > maxFrameBytes)
        {
            framesTooLarge++;
            return;
        }
        final int index = (int)frame & windowMask;
        if (ringFrames[index] == frame)
        {
            duplicateFrames++;
            return;
        }
        ring.setBytes(index * maxFrameBytes, buffer, offset, length);
        ringFrames[index] = frame;
        ringLengths[index] = length;
        ringReceivedNs[index] = nowNs;
        ringSources[index] = (byte)source;
    }

    private void deliver(final long nowNs)
    {
        for (int i = 0; i <= windowMask; i++)
        {
            final long frame = nextDeliver;
            final int index = (int)frame & windowMask;
            if (ringFrames[index] != frame)
            {
                return;
            }
            ringFrames[index] = -1;
            nextDeliver = frame + 1;
            lastProgressNs = nowNs;
            view.wrap(frame, ring, index * maxFrameBytes, ringLengths[index]);
            view.clientContext(slot, ringReceivedNs[index], inputSentNs(frame));
            framesDelivered++;
            switch (ringSources[index])
            {
                case SOURCE_NEWEST:
                    framesFromNewest++;
                    break;
                case SOURCE_REDUNDANT:
                    framesFromRedundancy++;
                    break;
                default:
                    framesFromHistory++;
                    break;
            }
            if (view.carriesOwnInput())
            {
                framesWithOwnInput++;
                marginBackoffNs = Math.max(0, marginBackoffNs - MARGIN_DECAY_NS);
            }
            else if (-1 != view.inputSentNs())
            {
                // this client sent an input for the frame and the server closed it without: late (or lost with all
                // its repeats); give the next inputs more time
                framesMissingOwnInput++;
                marginBackoffNs = Math.min(MAX_MARGIN_BACKOFF_NS, marginBackoffNs + MARGIN_STEP_NS);
            }
            listener.onFrame(this, view);
        }
    }

    /**
     * Ask for a catch-up when the next frame to deliver is older than any FRAMES message still to come can carry
     * (they carry the newest frame and {@code redundancy} before it), unless one is running and progressing.
     */
    private void checkGap(final long nowNs)
    {
        if (!welcomed || RoomMode.FRAME_SYNC != mode)
        {
            return;
        }
        if (nextDeliver >= newestSeen + 1 - redundancy)
        {
            catchUpOutstanding = false;
            return;
        }
        if (catchUpOutstanding && nowNs - Math.max(catchUpRequestNs, lastProgressNs) < catchUpRetryNs)
        {
            return;
        }
        out.setByte(0, CATCH_UP);
        out.setIntLE(RoomMessageDescriptor.CATCH_UP_FROM_OFFSET, (int)nextDeliver);
        if (sender.send(reliableChannel, out, 0, CATCH_UP_LENGTH))
        {
            catchUpOutstanding = true;
            catchUpRequestNs = nowNs;
            catchUpRequests++;
        }
        else
        {
            sendFailures++;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Sending.

    /**
     * Send an input for the frame this client should target now: the first frame whose input deadline has not
     * passed ({@link #inputDeadlineNs}; before the room's tick phase is known, the estimated server frame + 1), plus
     * the input lead, and after the last frame it sent an input for.
     *
     * @param src    input bytes.
     * @param offset in src.
     * @param length 0 to the room's max input.
     * @param nowNs  the client's clock.
     * @return the frame it was sent for, or -1 if refused (not welcomed, too long, or the target would be beyond
     * the server's input window: counted in {@link #inputsRefused()}), or {@link #HELD}.
     */
    public long sendInput(final ByteBuf src, final int offset, final int length, final long nowNs)
    {
        final long frame = nextInputFrame(nowNs);
        if (HELD == frame)
        {
            inputsHeld++;
            return HELD;
        }
        if (frame < 0)
        {
            inputsRefused++;
            return -1;
        }
        return sendInput(frame, src, offset, length, nowNs) ? frame : -1;
    }

    /**
     * Send a state relay input (a RELAY_INPUT message): the room's game gets it in the drain phase of its next tick.
     *
     * @param channel channel id (an unreliable one for inputs repeated by the game, a reliable one for commands).
     * @param src     payload.
     * @param offset  in src.
     * @param length  0 to the room's max relay input (the server drops larger ones).
     * @return false if not queued (or longer than the client's largest message).
     */
    public boolean sendRelayInput(final int channel, final ByteBuf src, final int offset, final int length)
    {
        if (length < 0 || 1 + length > maxMessageBytes)
        {
            inputsRefused++;
            return false;
        }
        relayOut.setByte(0, RoomMessageDescriptor.RELAY_INPUT);
        relayOut.setBytes(1, src, offset, length);
        if (sender.send(channel, relayOut, 0, 1 + length))
        {
            return true;
        }
        sendFailures++;
        return false;
    }

    /**
     * The frame {@link #sendInput(ByteBuf, int, int, long)} would target now.
     *
     * @param nowNs the client's clock.
     * @return the frame, {@link #HELD}, or -1 if none may be sent now.
     */
    public long nextInputFrame(final long nowNs)
    {
        if (!welcomed || RoomMode.FRAME_SYNC != mode)
        {
            return -1;
        }
        final long estimate = estimatedServerFrame(nowNs);
        // until the phase is known: the frame after the one the server closes next (the naive estimate ignores the RTT)
        final long reachable = phaseSamples >= PHASE_MIN_SAMPLES ? firstReachableFrame(nowNs) : estimate + 1;
        final long wanted = reachable + inputLeadFrames;
        if (lastInputFrame >= wanted && phaseSamples >= PHASE_MIN_SAMPLES)
        {
            return HELD;
        }
        final long frame = Math.max(lastInputFrame + 1, wanted);
        return frame - estimate >= inputWindow || frame > MAX_FRAME ? -1 : frame;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Input timing.
    //
    // The server closes frame n at its tick n, start + n x period, and sends it at once, so a fresh frame arrives at
    // about phase + n x period, where phase = the server's start + the downlink delay on this client's clock. The
    // smallest (arrival - n x period) over the last one or two epochs of 64 frames estimates the phase with the
    // least-queued downlink; queueing and jitter only ever add. An input for frame n must reach the server before
    // that tick: sent by phase + n x period - RTT (one downlink already in the phase, one uplink) - a margin.

    private void samplePhase(final long frame, final long nowNs)
    {
        final long offsetNs = nowNs - frameTimeNs(frame);
        if (phaseEpochSamples == 0 || offsetNs - phaseEpochMinNs < 0)
        {
            phaseEpochMinNs = offsetNs;
        }
        phaseEpochSamples++;
        phaseSamples++;
        phaseNs = phasePreviousMinNs == Long.MAX_VALUE || phaseEpochMinNs - phasePreviousMinNs < 0 ?
            phaseEpochMinNs : phasePreviousMinNs;
        // mean deviation from the phase, smoothed 1/16: how much later than the best case frames (and inputs) travel
        arrivalDeviationNs += ((offsetNs - phaseNs) - arrivalDeviationNs) >> 4;
        if (phaseEpochSamples >= PHASE_EPOCH_FRAMES)
        {
            phasePreviousMinNs = phaseEpochMinNs;
            phaseEpochSamples = 0;
        }
    }

    private void resetPhase()
    {
        phaseSamples = 0;
        phaseEpochSamples = 0;
        phaseEpochMinNs = Long.MAX_VALUE;
        phasePreviousMinNs = Long.MAX_VALUE;
        arrivalDeviationNs = 0;
    }

    private long pathRttNs()
    {
        // until told: two tick periods, safe on most paths (the time-honoured input delay of lockstep games)
        return pathRttNs >= 0 ? pathRttNs : 2 * NS_PER_SECOND / tickRateHz;
    }

    private long inputMarginNs()
    {
        return Math.max(MIN_INPUT_MARGIN_NS, MARGIN_DEVIATIONS * arrivalDeviationNs) + marginBackoffNs;
    }

    private long frameTimeNs(final long frame)
    {
        // frame < 2^32, so frame x 10^9 stays below 2^63
        return frame * NS_PER_SECOND / tickRateHz;
    }

    private long firstReachableFrame(final long nowNs)
    {
        // smallest n with inputDeadlineNs(n) >= nowNs, from an estimate one frame low (integer division) upwards
        final long leadNs = nowNs - phaseNs + pathRttNs() + inputMarginNs();
        long frame = Math.max(0, leadNs * tickRateHz / NS_PER_SECOND);
        while (inputDeadlineNs(frame) - nowNs < 0)
        {
            frame++;
        }
        return frame;
    }

    /**
     * The latest time, on this client's clock, to send the input for a frame so that it reaches the server before
     * the server closes that frame: the frame's expected arrival (from the arrival phase of the room's fresh frames)
     * minus the path's RTT ({@link #pathRtt}) and the input margin: max(2 ms, 3 x the frames' mean arrival
     * deviation from that phase), plus a feedback term that grows by 2 ms each time a frame this client sent an input
     * for closes without it (the input was late) and shrinks by 20 us for each frame that carries it. A client that samples its input this long
     * before the deadline, rather than at a free-running phase, gets the smallest input-to-frame latency.
     *
     * @param frame a frame number.
     * @return the deadline, ns; or {@link Long#MIN_VALUE} before enough frames arrived to estimate the phase (a
     * new WELCOME starts over).
     */
    public long inputDeadlineNs(final long frame)
    {
        if (phaseSamples < PHASE_MIN_SAMPLES)
        {
            return Long.MIN_VALUE;
        }
        return phaseNs + frameTimeNs(frame) - pathRttNs() - inputMarginNs();
    }

    /**
     * Tell the timing model the path's RTT: {@link #sendInput(ByteBuf, int, int, long)} targets the first frame whose
     * {@link #inputDeadlineNs} has not passed (plus the input lead). Call it now and then with the session's smallest
     * RTT (e.g. {@code ChannelStats.minRttNs()}); until called, the RTT counts as two tick periods (66 ms at 30 Hz),
     * safe but slow.
     *
     * @param minRttNs the path's smallest RTT, ns (0 or more).
     */
    public void pathRtt(final long minRttNs)
    {
        pathRttNs = Math.max(0, Math.min(minRttNs, MAX_ESTIMATE_ELAPSED_NS));
    }

    /**
     * @return inputs not sent because the last one already targets the first reachable frame plus the lead, or a
     * later one ({@link #HELD}): how a client that got ahead of the room (after a jittery start, or when the
     * path got faster) falls back.
     */
    public long inputsHeld()
    {
        return inputsHeld;
    }

    /**
     * @return frames delivered that this client had sent an input for but that closed without it (the input reached
     * the server late, or was lost with every repeat).
     */
    public long framesMissingOwnInput()
    {
        return framesMissingOwnInput;
    }

    /**
     * Send an input for a chosen frame, with the recent inputs not yet acknowledged nor closed, and the pending
     * state hash if any.
     *
     * @param frame  after the last frame an input was sent for.
     * @param src    input bytes.
     * @param offset in src.
     * @param length 0 to the room's max input.
     * @param nowNs  the client's clock (its send time, for latency).
     * @return false if refused (counted) or not queued.
     */
    public boolean sendInput(final long frame, final ByteBuf src, final int offset, final int length, final long nowNs)
    {
        if (!welcomed || RoomMode.FRAME_SYNC != mode || length < 0 || length > maxInputBytes ||
            frame <= lastInputFrame || frame > MAX_FRAME)
        {
            inputsRefused++;
            return false;
        }
        final int index = (int)frame & ownMask;
        ownFrames[index] = frame;
        ownSentNs[index] = nowNs;
        ownLengths[index] = length;
        ownInputs.setBytes(index * RoomMessageDescriptor.MAX_INPUT_BYTES, src, offset, length);
        lastInputFrame = frame;
        inputsSent++;
        return sendInputMessage();
    }

    /**
     * Report this client's state hash after simulating a frame; it goes with the next INPUT message (or on its own
     * from {@link #doWork} after a tick without one). Only the newest pending hash is sent.
     *
     * @param frame the frame simulated.
     * @param hash  the game state's hash after it.
     * @param nowNs the client's clock.
     */
    public void reportHash(final long frame, final long hash, final long nowNs)
    {
        if (pendingHashFrame < 0)
        {
            pendingHashSinceNs = nowNs;
        }
        pendingHashFrame = frame;
        pendingHash = hash;
    }

    /**
     * Timers: retry a stalled catch-up, send a pending hash that waited a tick. Call it every few ms.
     *
     * @param nowNs the client's clock.
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        int work = 0;
        final long catchUps = catchUpRequests;
        checkGap(nowNs);
        work += (int)(catchUpRequests - catchUps);
        if (pendingHashFrame >= 0 && welcomed &&
            nowNs - pendingHashSinceNs >= NS_PER_SECOND / tickRateHz)
        {
            sendInputMessage();
            work++;
        }
        return work;
    }

    private boolean sendInputMessage()
    {
        final ByteBuf message = out;
        message.setByte(0, INPUT);
        int flags = 0;
        int position = INPUT_HEADER_LENGTH;
        if (pendingHashFrame >= 0)
        {
            flags |= INPUT_FLAG_HASH;
            message.setIntLE(position, (int)pendingHashFrame);
            message.setLongLE(position + 4, pendingHash);
            position += INPUT_HASH_LENGTH;
            pendingHashFrame = -1;
        }
        int count = 0;
        final long oldest = Math.max(Math.max(inputAck, newestSeen) + 1, lastInputFrame - ownMask);
        for (long frame = lastInputFrame; frame >= oldest && count <= inputRedundancy; frame--)
        {
            final int index = (int)frame & ownMask;
            if (ownFrames[index] != frame)
            {
                continue;
            }
            final int length = ownLengths[index];
            if (position + RoomMessageDescriptor.INPUT_ENTRY_HEADER_LENGTH + length > maxMessageBytes)
            {
                break;
            }
            message.setIntLE(position, (int)frame);
            message.setByte(position + 4, length);
            message.setBytes(position + RoomMessageDescriptor.INPUT_ENTRY_HEADER_LENGTH, ownInputs,
                index * RoomMessageDescriptor.MAX_INPUT_BYTES, length);
            position += RoomMessageDescriptor.INPUT_ENTRY_HEADER_LENGTH + length;
            count++;
        }
        if (0 == count && 0 == flags)
        {
            return true;
        }
        message.setByte(RoomMessageDescriptor.INPUT_FLAGS_OFFSET, flags);
        message.setByte(RoomMessageDescriptor.INPUT_COUNT_OFFSET, count);
        if (sender.send(inputChannel, message, 0, position))
        {
            inputMessagesSent++;
            return true;
        }
        sendFailures++;
        return false;
    }

    /**
     * The server's current frame as this client estimates it: the newest frame seen, plus the ticks since.
     *
     * @param nowNs the client's clock.
     * @return estimated frame the server closes next.
     */
    public long estimatedServerFrame(final long nowNs)
    {
        final long elapsedNs = Math.min(Math.max(0, nowNs - newestSeenNs), MAX_ESTIMATE_ELAPSED_NS);
        return newestSeen + 1 + elapsedNs * tickRateHz / NS_PER_SECOND;
    }

    /**
     * @param frame a frame number.
     * @return when this client first sent its input for it, or -1 (none, or no longer remembered).
     */
    public long inputSentNs(final long frame)
    {
        final int index = (int)frame & ownMask;
        return ownFrames[index] == frame ? ownSentNs[index] : -1;
    }

    /**
     * @param inputLeadFrames frames ahead of the estimated server frame to target (e.g. from the measured RTT).
     */
    public void inputLeadFrames(final int inputLeadFrames)
    {
        this.inputLeadFrames = Math.max(0, Math.min(64, inputLeadFrames));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // State and statistics.

    /**
     * @return true once a WELCOME arrived.
     */
    public boolean isWelcomed()
    {
        return welcomed;
    }

    /**
     * @return this client's slot in frames, or -1 before WELCOME.
     */
    public int slot()
    {
        return slot;
    }

    /**
     * @return the room id, from WELCOME.
     */
    public long roomId()
    {
        return roomId;
    }

    /**
     * @return the room mode, or null before WELCOME.
     */
    public RoomMode mode()
    {
        return mode;
    }

    /**
     * @return room capacity, from WELCOME.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return the room's tick rate, Hz, from WELCOME.
     */
    public int tickRateHz()
    {
        return tickRateHz;
    }

    /**
     * @return the room's largest input, bytes, from WELCOME.
     */
    public int maxInputBytes()
    {
        return maxInputBytes;
    }

    /**
     * @return the next frame to deliver: every frame before it was delivered (or lost).
     */
    public long nextFrame()
    {
        return nextDeliver;
    }

    /**
     * @return newest frame number seen, or -1.
     */
    public long newestFrame()
    {
        return newestSeen;
    }

    /**
     * @return the last frame an input was sent for, or -1.
     */
    public long lastInputFrame()
    {
        return lastInputFrame;
    }

    /**
     * @return highest frame the server acknowledged an input of this client for (this session), or -1.
     */
    public long inputAck()
    {
        return inputAck;
    }

    /**
     * @return frames delivered.
     */
    public long framesDelivered()
    {
        return framesDelivered;
    }

    /**
     * @return frames delivered that first arrived as the newest frame of a FRAMES message.
     */
    public long framesFromNewest()
    {
        return framesFromNewest;
    }

    /**
     * @return frames delivered that first arrived as a repeated (redundant) frame of a FRAMES message.
     */
    public long framesFromRedundancy()
    {
        return framesFromRedundancy;
    }

    /**
     * @return frames delivered that first arrived in a HISTORY (catch-up) message.
     */
    public long framesFromHistory()
    {
        return framesFromHistory;
    }

    /**
     * @return frames delivered that carry this client's own input.
     */
    public long framesWithOwnInput()
    {
        return framesWithOwnInput;
    }

    /**
     * @return frames skipped because the server's history no longer held them.
     */
    public long framesLost()
    {
        return framesLost;
    }

    /**
     * @return frames received again (already delivered or held).
     */
    public long duplicateFrames()
    {
        return duplicateFrames;
    }

    /**
     * @return frames received too far ahead of the next to deliver to be held (limit).
     */
    public long framesBeyondWindow()
    {
        return framesBeyondWindow;
    }

    /**
     * @return frames larger than {@link FrameSyncClientConfig#maxFrameBytes()} (limit).
     */
    public long framesTooLarge()
    {
        return framesTooLarge;
    }

    /**
     * @return messages dropped as malformed or unknown.
     */
    public long malformedMessages()
    {
        return malformedMessages;
    }

    /**
     * @return CATCH_UP messages sent.
     */
    public long catchUpRequests()
    {
        return catchUpRequests;
    }

    /**
     * @return INPUT messages sent.
     */
    public long inputMessagesSent()
    {
        return inputMessagesSent;
    }

    /**
     * @return inputs accepted by {@link #sendInput}.
     */
    public long inputsSent()
    {
        return inputsSent;
    }

    /**
     * @return inputs refused by {@link #sendInput}.
     */
    public long inputsRefused()
    {
        return inputsRefused;
    }

    /**
     * @return messages the sender did not queue.
     */
    public long sendFailures()
    {
        return sendFailures;
    }

    /**
     * @return WELCOME messages received (sessions).
     */
    public long welcomes()
    {
        return welcomes;
    }

    @Override
    public String toString()
    {
        return "FrameSyncClient{slot=" + slot + ", roomId=" + roomId + ", nextFrame=" + nextDeliver +
            ", newestSeen=" + newestSeen + ", delivered=" + framesDelivered + " (newest " + framesFromNewest +
            ", redundancy " + framesFromRedundancy + ", history " + framesFromHistory + "), lost=" + framesLost +
            ", duplicates=" + duplicateFrames + ", beyondWindow=" + framesBeyondWindow +
            ", malformed=" + malformedMessages + ", catchUpRequests=" + catchUpRequests + ", inputsSent=" +
            inputsSent + ", inputsRefused=" + inputsRefused + ", ownInputFrames=" + framesWithOwnInput + '}';
    }
}
