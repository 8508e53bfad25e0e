package dev.skirmish.session.room;

import dev.skirmish.core.ConfigurationException;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * Settings of the rooms of a server: defaults of new rooms, frame-sync limits, lifecycle timers, the tick schedule's
 * limits and stall detection. Fluent setters; {@link #conclude()} validates once and throws a
 * {@link ConfigurationException} naming the first bad setting; {@link #toString()} prints the effective values.
 * Every limit here is counted when hit (see {@code session/docs/rooms.md}).
 */
public final class RoomConfig
{
    /** Lowest tick rate, Hz. */
    public static final int MIN_TICK_RATE_HZ = 10;
    /** Highest tick rate, Hz. */
    public static final int MAX_TICK_RATE_HZ = 128;

    private int tickRateHz = 30;
    private int capacity = 8;
    private RoomMode mode = RoomMode.FRAME_SYNC;
    private boolean autoCreateRooms = true;
    private int maxRoomsPerWorker = 1024;
    private int maxInputBytes = 32;
    private int inputWindowFrames = 32;
    private int redundancy = 3;
    private MissingInputPolicy missingInputPolicy = MissingInputPolicy.EMPTY;
    private int historyFrames = 1024;
    private int historyBytes = 64 * 1024;
    private int hashWindowFrames = 256;
    private int catchUpFramesPerTick = 64;
    private int maxMessageBytes = 1176;
    private int frameChannel = 0;
    private int reliableChannel = 2;
    private int maxRelayInputBytes = 512;
    private int relayInboxBytes = 2 * 1024;
    private int relayInboxMessages = 32;
    private long emptyRoomGraceNs = TimeUnit.SECONDS.toNanos(10);
    private long reconnectGraceNs = TimeUnit.SECONDS.toNanos(10);
    private long tickBudgetNs = 0;
    private int stallsBeforeClose = 2;
    private long lateTickThresholdNs = TimeUnit.MILLISECONDS.toNanos(2);
    private int maxTicksPerCycle = 4;
    private int maxTickBacklog = 32;
    private int commandQueueCapacity = 256;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private boolean concluded;

    /**
     * Validate every setting once.
     *
     * @return this.
     * @throws ConfigurationException naming the first invalid setting.
     */
    public RoomConfig conclude()
    {
        check(tickRateHz >= MIN_TICK_RATE_HZ && tickRateHz <= MAX_TICK_RATE_HZ,
            "tickRateHz must be in [10, 128]: " + tickRateHz);
        check(capacity >= 1 && capacity <= RoomMessageDescriptor.MAX_CAPACITY,
            "capacity must be in [1, 64]: " + capacity);
        check(null != mode, "mode must be set");
        check(maxRoomsPerWorker >= 1 && maxRoomsPerWorker <= 1 << 20, "maxRoomsPerWorker must be in [1, 2^20]");
        check(maxInputBytes >= 0 && maxInputBytes <= RoomMessageDescriptor.MAX_INPUT_BYTES,
            "maxInputBytes must be in [0, 255]: " + maxInputBytes);
        check(isPowerOfTwo(inputWindowFrames) && inputWindowFrames >= 4 && inputWindowFrames <= 128,
            "inputWindowFrames must be a power of two in [4, 128]: " + inputWindowFrames);
        check(redundancy >= 0 && redundancy <= 15, "redundancy must be in [0, 15]: " + redundancy);
        check(null != missingInputPolicy, "missingInputPolicy must be set");
        check(isPowerOfTwo(historyFrames) && historyFrames >= 2 * (redundancy + 1) && historyFrames <= 1 << 16,
            "historyFrames must be a power of two in [2 * (redundancy + 1), 65536]: " + historyFrames);
        check(isPowerOfTwo(hashWindowFrames) && hashWindowFrames >= 2 && hashWindowFrames <= 1 << 16,
            "hashWindowFrames must be a power of two in [2, 65536]: " + hashWindowFrames);
        check(catchUpFramesPerTick >= 1 && catchUpFramesPerTick <= 4096,
            "catchUpFramesPerTick must be in [1, 4096]: " + catchUpFramesPerTick);
        check(maxMessageBytes >= 64 && maxMessageBytes <= 65_507, "maxMessageBytes must be in [64, 65507]");
        check(frameChannel >= 0 && frameChannel < 8, "frameChannel must be in [0, 7]");
        check(reliableChannel >= 0 && reliableChannel < 8, "reliableChannel must be in [0, 7]");
        check(maxRelayInputBytes >= 0 && maxRelayInputBytes + 3 <= relayInboxBytes,
            "maxRelayInputBytes must be >= 0 and fit the relay inbox with its 2-byte length");
        check(relayInboxBytes <= 1 << 20, "relayInboxBytes must be <= 1 MiB");
        check(relayInboxMessages >= 1 && relayInboxMessages <= 4096, "relayInboxMessages must be in [1, 4096]");
        check(emptyRoomGraceNs >= 0, "emptyRoomGraceNs must be >= 0");
        check(reconnectGraceNs >= 0, "reconnectGraceNs must be >= 0");
        check(tickBudgetNs >= 0, "tickBudgetNs must be >= 0 (0: one tick period)");
        check(stallsBeforeClose >= 1, "stallsBeforeClose must be >= 1");
        check(lateTickThresholdNs >= 0, "lateTickThresholdNs must be >= 0");
        check(maxTicksPerCycle >= 1 && maxTicksPerCycle <= 1024, "maxTicksPerCycle must be in [1, 1024]");
        check(maxTickBacklog >= 1, "maxTickBacklog must be >= 1");
        check(isPowerOfTwo(commandQueueCapacity) && commandQueueCapacity >= 2,
            "commandQueueCapacity must be a power of two >= 2");
        check(null != nanoClock, "nanoClock must be set");
        try
        {
            checkCapacity(capacity);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException(ex.getMessage());
        }
        concluded = true;
        return this;
    }

    /**
     * Check that frames of a room of this capacity fit a FRAMES and a HISTORY message and the history keeps the
     * frames redundancy needs.
     *
     * @param capacity player slots of the room.
     * @return the largest frame, bytes.
     * @throws IllegalArgumentException if they do not.
     */
    int checkCapacity(final int capacity)
    {
        if (capacity < 1 || capacity > RoomMessageDescriptor.MAX_CAPACITY)
        {
            throw new IllegalArgumentException("capacity must be in [1, 64]: " + capacity);
        }
        final int maxFrame = RoomMessageDescriptor.maxFrameLength(capacity, maxInputBytes);
        if (RoomMessageDescriptor.FRAMES_HEADER_LENGTH + RoomMessageDescriptor.FRAME_LENGTH_PREFIX + maxFrame >
            maxMessageBytes)
        {
            throw new IllegalArgumentException("a frame of " + capacity + " players with " + maxInputBytes +
                " B inputs (" + maxFrame + " B) does not fit a FRAMES message of maxMessageBytes " +
                maxMessageBytes + ": lower capacity or maxInputBytes");
        }
        if ((long)maxFrame * 2 * (redundancy + 2) > historyBytes)
        {
            throw new IllegalArgumentException("historyBytes " + historyBytes + " must hold 2 * (redundancy + 2) " +
                "frames of " + maxFrame + " B (capacity " + capacity + ", maxInputBytes " + maxInputBytes + ")");
        }
        return maxFrame;
    }

    /**
     * @param tickRateHz a tick rate.
     * @throws IllegalArgumentException if out of range.
     */
    static void checkTickRate(final int tickRateHz)
    {
        if (tickRateHz < MIN_TICK_RATE_HZ || tickRateHz > MAX_TICK_RATE_HZ)
        {
            throw new IllegalArgumentException("tickRateHz must be in [10, 128]: " + tickRateHz);
        }
    }

    private static boolean isPowerOfTwo(final int value)
    {
        return value > 0 && Integer.bitCount(value) == 1;
    }

    private static void check(final boolean ok, final String message)
    {
        if (!ok)
        {
            throw new ConfigurationException(message);
        }
    }

    boolean isConcluded()
    {
        return concluded;
    }

    /**
     * @return tick rate of new rooms, Hz; default 30 (a common lockstep rate: 33.3 ms frames).
     */
    public int tickRateHz()
    {
        return tickRateHz;
    }

    /**
     * @param tickRateHz 10 to 128.
     * @return this.
     */
    public RoomConfig tickRateHz(final int tickRateHz)
    {
        this.tickRateHz = tickRateHz;
        return this;
    }

    /**
     * @return player slots of new rooms; default 8 (a default frame of 8 x 32 B inputs and 3 repeats fit a packet).
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @param capacity 1 to 64, within what a FRAMES message can carry.
     * @return this.
     */
    public RoomConfig capacity(final int capacity)
    {
        this.capacity = capacity;
        return this;
    }

    /**
     * @return mode of rooms created from a connect token; default {@link RoomMode#FRAME_SYNC}.
     */
    public RoomMode mode()
    {
        return mode;
    }

    /**
     * @param mode of rooms created from a connect token.
     * @return this.
     */
    public RoomConfig mode(final RoomMode mode)
    {
        this.mode = mode;
        return this;
    }

    /**
     * @return whether the first player connecting with an unknown room id creates the room; default true. When
     * false, only rooms created through the API exist and others are refused (ROOM_CLOSED).
     */
    public boolean autoCreateRooms()
    {
        return autoCreateRooms;
    }

    /**
     * @param autoCreateRooms create rooms on first connect.
     * @return this.
     */
    public RoomConfig autoCreateRooms(final boolean autoCreateRooms)
    {
        this.autoCreateRooms = autoCreateRooms;
        return this;
    }

    /**
     * @return rooms per worker at most; default 1024. Beyond it joins are refused ({@code room_join_refused}).
     */
    public int maxRoomsPerWorker()
    {
        return maxRoomsPerWorker;
    }

    /**
     * @param maxRoomsPerWorker 1 to 2^20.
     * @return this.
     */
    public RoomConfig maxRoomsPerWorker(final int maxRoomsPerWorker)
    {
        this.maxRoomsPerWorker = maxRoomsPerWorker;
        return this;
    }

    /**
     * @return largest input of one player for one frame, bytes; default 32 (lockstep inputs are a few bytes).
     * Larger ones are dropped ({@code room_inputs_oversize}).
     */
    public int maxInputBytes()
    {
        return maxInputBytes;
    }

    /**
     * @param maxInputBytes 0 to 255.
     * @return this.
     */
    public RoomConfig maxInputBytes(final int maxInputBytes)
    {
        this.maxInputBytes = maxInputBytes;
        return this;
    }

    /**
     * @return frames from the next one on that inputs may be sent for; default 32 (~1 s at 30 Hz). Inputs further
     * ahead are dropped ({@code room_inputs_ahead}). Memory: capacity x window x maxInputBytes per room.
     */
    public int inputWindowFrames()
    {
        return inputWindowFrames;
    }

    /**
     * @param inputWindowFrames a power of two, 4 to 128.
     * @return this.
     */
    public RoomConfig inputWindowFrames(final int inputWindowFrames)
    {
        this.inputWindowFrames = inputWindowFrames;
        return this;
    }

    /**
     * @return K, the previous frames repeated in every FRAMES message; default 3: a frame is lost only when 4
     * packets in a row are (1 in 10 000 at 10% independent loss).
     */
    public int redundancy()
    {
        return redundancy;
    }

    /**
     * @param redundancy 0 to 15.
     * @return this.
     */
    public RoomConfig redundancy(final int redundancy)
    {
        this.redundancy = redundancy;
        return this;
    }

    /**
     * @return what a frame holds for a missing input; default {@link MissingInputPolicy#EMPTY}.
     */
    public MissingInputPolicy missingInputPolicy()
    {
        return missingInputPolicy;
    }

    /**
     * @param missingInputPolicy what a frame holds for a missing input.
     * @return this.
     */
    public RoomConfig missingInputPolicy(final MissingInputPolicy missingInputPolicy)
    {
        this.missingInputPolicy = missingInputPolicy;
        return this;
    }

    /**
     * @return frames the catch-up history holds at most; default 1024 (34 s at 30 Hz). Older frames cannot be
     * caught up ({@code room_catchup_truncated}).
     */
    public int historyFrames()
    {
        return historyFrames;
    }

    /**
     * @param historyFrames a power of two, 2 x (redundancy + 1) to 65536.
     * @return this.
     */
    public RoomConfig historyFrames(final int historyFrames)
    {
        this.historyFrames = historyFrames;
        return this;
    }

    /**
     * @return bytes of encoded frames the history holds at most, allocated per frame-sync room; default 64 KiB
     * (1024 frames of 8 players with 4 B inputs).
     */
    public int historyBytes()
    {
        return historyBytes;
    }

    /**
     * @param historyBytes at least 2 x (redundancy + 2) of the largest frame.
     * @return this.
     */
    public RoomConfig historyBytes(final int historyBytes)
    {
        this.historyBytes = historyBytes;
        return this;
    }

    /**
     * @return frames back a state hash is still compared; default 256 (8.5 s at 30 Hz). Older hashes are dropped
     * ({@code room_hashes_dropped}).
     */
    public int hashWindowFrames()
    {
        return hashWindowFrames;
    }

    /**
     * @param hashWindowFrames a power of two, 2 to 65536.
     * @return this.
     */
    public RoomConfig hashWindowFrames(final int hashWindowFrames)
    {
        this.hashWindowFrames = hashWindowFrames;
        return this;
    }

    /**
     * @return catch-up frames sent per player per tick at most; default 64 (a late joiner catches up 1024 frames
     * in 17 ticks while the room goes on).
     */
    public int catchUpFramesPerTick()
    {
        return catchUpFramesPerTick;
    }

    /**
     * @param catchUpFramesPerTick 1 to 4096.
     * @return this.
     */
    public RoomConfig catchUpFramesPerTick(final int catchUpFramesPerTick)
    {
        this.catchUpFramesPerTick = catchUpFramesPerTick;
        return this;
    }

    /**
     * @return largest FRAMES and HISTORY message, bytes; default 1176, the largest whole (unfragmented) message of
     * the default 1200 B path payload. A player whose session allows less is refused.
     */
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    /**
     * @param maxMessageBytes 64 to 65507.
     * @return this.
     */
    public RoomConfig maxMessageBytes(final int maxMessageBytes)
    {
        this.maxMessageBytes = maxMessageBytes;
        return this;
    }

    /**
     * @return channel of FRAMES messages; default 0, UNRELIABLE in the default table. Frames carry their numbers
     * and are repeated K times, so a plain unreliable channel is right: a sequenced one would drop a late packet
     * whose older frames the client still lacks.
     */
    public int frameChannel()
    {
        return frameChannel;
    }

    /**
     * @param frameChannel an unreliable channel id.
     * @return this.
     */
    public RoomConfig frameChannel(final int frameChannel)
    {
        this.frameChannel = frameChannel;
        return this;
    }

    /**
     * @return channel of WELCOME and HISTORY messages; default 2, RELIABLE_ORDERED in the default table.
     */
    public int reliableChannel()
    {
        return reliableChannel;
    }

    /**
     * @param reliableChannel a reliable ordered channel id.
     * @return this.
     */
    public RoomConfig reliableChannel(final int reliableChannel)
    {
        this.reliableChannel = reliableChannel;
        return this;
    }

    /**
     * @return largest state relay input, bytes; default 512. Larger ones are dropped ({@code room_inputs_oversize}).
     */
    public int maxRelayInputBytes()
    {
        return maxRelayInputBytes;
    }

    /**
     * @param maxRelayInputBytes 0 to relayInboxBytes - 3.
     * @return this.
     */
    public RoomConfig maxRelayInputBytes(final int maxRelayInputBytes)
    {
        this.maxRelayInputBytes = maxRelayInputBytes;
        return this;
    }

    /**
     * @return bytes of state relay inputs held per player between two ticks; default 2 KiB. Beyond it inputs are
     * dropped ({@code room_inbox_full}); 2 KiB is a tick of inputs with room to spare.
     */
    public int relayInboxBytes()
    {
        return relayInboxBytes;
    }

    /**
     * @param relayInboxBytes up to 1 MiB.
     * @return this.
     */
    public RoomConfig relayInboxBytes(final int relayInboxBytes)
    {
        this.relayInboxBytes = relayInboxBytes;
        return this;
    }

    /**
     * @return state relay inputs held per player between two ticks; default 32.
     */
    public int relayInboxMessages()
    {
        return relayInboxMessages;
    }

    /**
     * @param relayInboxMessages 1 to 4096.
     * @return this.
     */
    public RoomConfig relayInboxMessages(final int relayInboxMessages)
    {
        this.relayInboxMessages = relayInboxMessages;
        return this;
    }

    /**
     * @return how long a room without a connected player lives, ns; default 10 s (a lost connection can come back).
     */
    public long emptyRoomGraceNs()
    {
        return emptyRoomGraceNs;
    }

    /**
     * @param emptyRoomGraceNs 0 or more.
     * @return this.
     */
    public RoomConfig emptyRoomGraceNs(final long emptyRoomGraceNs)
    {
        this.emptyRoomGraceNs = emptyRoomGraceNs;
        return this;
    }

    /**
     * @return how long the slot of a player whose session was lost (not left on purpose) is held for it to
     * reconnect with the same client id, ns; default 10 s.
     */
    public long reconnectGraceNs()
    {
        return reconnectGraceNs;
    }

    /**
     * @param reconnectGraceNs 0 or more.
     * @return this.
     */
    public RoomConfig reconnectGraceNs(final long reconnectGraceNs)
    {
        this.reconnectGraceNs = reconnectGraceNs;
        return this;
    }

    /**
     * @return longest a tick of one room may take, ns; 0 (default) means one tick period of the room. Longer is a
     * stall ({@code room_stalls}).
     */
    public long tickBudgetNs()
    {
        return tickBudgetNs;
    }

    /**
     * @param tickBudgetNs 0 (one period) or more.
     * @return this.
     */
    public RoomConfig tickBudgetNs(final long tickBudgetNs)
    {
        this.tickBudgetNs = tickBudgetNs;
        return this;
    }

    /**
     * @return consecutive stalls after which a room is closed (reason STALL); default 2. A tick longer than its
     * period delays every room of the worker, so logic that is too slow is isolated by its second tick; a single
     * stall (a GC pause, class loading on a cold start) is counted but forgiven. 1 closes at the first stall.
     */
    public int stallsBeforeClose()
    {
        return stallsBeforeClose;
    }

    /**
     * @param stallsBeforeClose 1 or more.
     * @return this.
     */
    public RoomConfig stallsBeforeClose(final int stallsBeforeClose)
    {
        this.stallsBeforeClose = stallsBeforeClose;
        return this;
    }

    /**
     * @return lateness above which a tick counts as late ({@code room_ticks_late}), ns; default 2 ms, above the
     * worker's 1 ms longest park. Every tick's lateness goes into the worker's histogram.
     */
    public long lateTickThresholdNs()
    {
        return lateTickThresholdNs;
    }

    /**
     * @param lateTickThresholdNs 0 or more.
     * @return this.
     */
    public RoomConfig lateTickThresholdNs(final long lateTickThresholdNs)
    {
        this.lateTickThresholdNs = lateTickThresholdNs;
        return this;
    }

    /**
     * @return ticks one room runs per worker duty cycle at most when behind; default 4, so a room catching up
     * cannot hog the worker.
     */
    public int maxTicksPerCycle()
    {
        return maxTicksPerCycle;
    }

    /**
     * @param maxTicksPerCycle 1 to 1024.
     * @return this.
     */
    public RoomConfig maxTicksPerCycle(final int maxTicksPerCycle)
    {
        this.maxTicksPerCycle = maxTicksPerCycle;
        return this;
    }

    /**
     * @return due ticks a room may be behind; beyond, all but the newest are skipped ({@code room_ticks_skipped})
     * and the schedule stays on its grid; default 32 (~1 s at 30 Hz).
     */
    public int maxTickBacklog()
    {
        return maxTickBacklog;
    }

    /**
     * @param maxTickBacklog 1 or more.
     * @return this.
     */
    public RoomConfig maxTickBacklog(final int maxTickBacklog)
    {
        this.maxTickBacklog = maxTickBacklog;
        return this;
    }

    /**
     * @return commands ({@link RoomServer#createRoom}, {@link RoomServer#endRoom}) queued per worker at most;
     * default 256. A full queue refuses the command ({@code room_commands_dropped}).
     */
    public int commandQueueCapacity()
    {
        return commandQueueCapacity;
    }

    /**
     * @param commandQueueCapacity a power of two, 2 or more.
     * @return this.
     */
    public RoomConfig commandQueueCapacity(final int commandQueueCapacity)
    {
        this.commandQueueCapacity = commandQueueCapacity;
        return this;
    }

    /**
     * @return clock read around each tick to measure its duration, and how far a duty cycle has got when a tick
     * starts (its lateness); {@link SystemNanoClock} unless set. Only differences are used, so its origin may differ
     * from the worker's clock (tests: the same virtual clock, advanced by a stalling game).
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @param nanoClock tick measurement clock.
     * @return this.
     */
    public RoomConfig nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    @Override
    public String toString()
    {
        return "RoomConfig{" +
            "tickRateHz=" + tickRateHz +
            ", capacity=" + capacity +
            ", mode=" + mode +
            ", autoCreateRooms=" + autoCreateRooms +
            ", maxRoomsPerWorker=" + maxRoomsPerWorker +
            ", maxInputBytes=" + maxInputBytes +
            ", inputWindowFrames=" + inputWindowFrames +
            ", redundancy=" + redundancy +
            ", missingInputPolicy=" + missingInputPolicy +
            ", historyFrames=" + historyFrames +
            ", historyBytes=" + historyBytes +
            ", hashWindowFrames=" + hashWindowFrames +
            ", catchUpFramesPerTick=" + catchUpFramesPerTick +
            ", maxMessageBytes=" + maxMessageBytes +
            ", frameChannel=" + frameChannel +
            ", reliableChannel=" + reliableChannel +
            ", maxRelayInputBytes=" + maxRelayInputBytes +
            ", relayInboxBytes=" + relayInboxBytes +
            ", relayInboxMessages=" + relayInboxMessages +
            ", emptyRoomGraceNs=" + emptyRoomGraceNs +
            ", reconnectGraceNs=" + reconnectGraceNs +
            ", tickBudgetNs=" + tickBudgetNs +
            ", stallsBeforeClose=" + stallsBeforeClose +
            ", lateTickThresholdNs=" + lateTickThresholdNs +
            ", maxTicksPerCycle=" + maxTicksPerCycle +
            ", maxTickBacklog=" + maxTickBacklog +
            ", commandQueueCapacity=" + commandQueueCapacity +
            '}';
    }
}
