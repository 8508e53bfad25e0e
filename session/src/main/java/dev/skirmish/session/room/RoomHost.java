package dev.skirmish.session.room;

import dev.skirmish.core.RateLimitedLog;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.server.ServerSession;
import dev.skirmish.session.server.SessionListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.skirmish.session.room.RoomMessageDescriptor.CATCH_UP;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT;
import static dev.skirmish.session.room.RoomMessageDescriptor.RELAY_INPUT;
import static dev.skirmish.session.room.RoomMessageDescriptor.WELCOME;
import static dev.skirmish.session.room.RoomMessageDescriptor.WELCOME_LENGTH;

/**
 * The rooms of one worker, as that worker's {@link SessionListener}: players join the room of their connect token's
 * room id (created on first connect, or through the API), their messages feed the room, and every duty cycle runs
 * the ticks that are due.
 * <ul>
 *   <li><b>Schedule:</b> each room ticks on its absolute {@link TickSchedule}; rooms are visited from a rotating
 *   start; a room runs at most {@code maxTicksPerCycle} ticks per cycle, and skips (counts) a backlog longer than
 *   {@code maxTickBacklog}. Each tick's lateness (start minus deadline) goes into this worker's HdrHistogram
 *   ({@link #tickLateness()}, no allocation); above {@code lateTickThresholdNs} it is counted as late.</li>
 *   <li><b>Fault isolation:</b> any exception from a room's logic (or its engine) closes that room only
 *   ({@link RoomCloseReason#ERROR}). A tick cannot be preempted, so a stall is detected by measuring: a tick longer
 *   than the budget (default one period) is counted right after it returns, and the room is closed
 *   ({@link RoomCloseReason#STALL}) after {@code stallsBeforeClose} consecutive stalls (default 2: a single GC pause
 *   or cold start is counted and forgiven, logic that is too slow is closed by its second tick). Rooms of other
 *   workers run on other threads and never wait for this one.</li>
 *   <li><b>Lifecycle:</b> join, reconnect (same client id: its held slot back), away (session lost: slot held for
 *   the reconnect grace), leave (disconnected on purpose, kicked, grace over), empty-room grace, end.</li>
 * </ul>
 * Transport-agnostic entry points ({@link #onPlayerConnected}, {@link #onPlayerMessage},
 * {@link #onPlayerDisconnected}) take a {@link PlayerLink}; the {@link SessionListener} methods adapt
 * {@link ServerSession}s to them (a room player's session keeps its link in {@link ServerSession#attachment()}).
 * <p>
 * Not thread safe: everything runs on the owning worker thread, except {@link #offer}, which any thread may call.
 */
public final class RoomHost implements SessionListener
{
    private static final Logger LOG = LoggerFactory.getLogger(RoomHost.class);
    /** Lateness histogram range: 1 us resolution up to 10 s (larger values are recorded as 10 s). */
    private static final long LATENESS_LOWEST_NS = 1_000;
    private static final long LATENESS_HIGHEST_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int COMMANDS_PER_CYCLE = 16;
    /** Rescan period while no room is open (adding a room forces a scan anyway). */
    private static final long IDLE_SCAN_INTERVAL_NS = 1_000_000_000L;

    private final int worker;
    private final RoomConfig config;
    private final RoomListener listener;
    private final CounterSet counters;
    private final NanoClock clock;
    private final SingleWriterRecorder tickLateness =
        new SingleWriterRecorder(LATENESS_LOWEST_NS, LATENESS_HIGHEST_NS, 2);
    private final Long2ObjectHashMap<Room> rooms = new Long2ObjectHashMap<>();
    private final ArrayList<Room> roomList = new ArrayList<>();
    private final ByteBuf welcome = Unpooled.wrappedBuffer(new byte[WELCOME_LENGTH]);
    private final MpscArrayQueue<RoomCommand> commands;
    private final AtomicLong commandsDropped = new AtomicLong();
    private long commandsDroppedReported;
    private int nextStart;
    private long nextScanNs;
    private boolean scanForced;
    private boolean compactPending;
    private long nowNs;
    private long cycleStartClockNs;
    private final RateLimitedLog log = new RateLimitedLog(RateLimitedLog.DEFAULT_INTERVAL_NS);

    /**
     * @param worker   worker index.
     * @param config   room settings (concluded here if not yet).
     * @param listener the game's listener for this worker.
     * @param counters this worker's counters (single writer: the worker thread).
     */
    public RoomHost(final int worker, final RoomConfig config, final RoomListener listener, final CounterSet counters)
    {
        if (!config.isConcluded())
        {
            config.conclude();
        }
        this.worker = worker;
        this.config = config;
        this.listener = listener;
        this.counters = counters;
        this.clock = config.nanoClock();
        this.commands = new MpscArrayQueue<>(config.commandQueueCapacity());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // SessionListener: sessions as player links.

    @Override
    public void onSessionConnected(final ServerSession session, final long nowNs)
    {
        final SessionLink link = new SessionLink(session);
        session.attachment(link);
        onPlayerConnected(link, nowNs);
    }

    @Override
    public void onMessage(
        final ServerSession session,
        final int channel,
        final ByteBuf buffer,
        final int offset,
        final int length,
        final long nowNs)
    {
        final Object attachment = session.attachment();
        if (attachment instanceof SessionLink)
        {
            onPlayerMessage((SessionLink)attachment, channel, buffer, offset, length, nowNs);
        }
    }

    @Override
    public void onSessionClosed(final ServerSession session, final DisconnectReason reason, final long nowNs)
    {
        final Object attachment = session.attachment();
        if (attachment instanceof SessionLink)
        {
            onPlayerDisconnected((SessionLink)attachment, reason, nowNs);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Players.

    /**
     * A player's connection opened: join (or rejoin) the room of {@link PlayerLink#roomId()}, creating it if allowed;
     * refused (disconnected, counted) if the room cannot be created, is full, or the link cannot carry its frames.
     *
     * @param link  the connection.
     * @param nowNs the worker's clock.
     */
    public void onPlayerConnected(final PlayerLink link, final long nowNs)
    {
        this.nowNs = nowNs;
        if (link.maxWholeMessageBytes() < config.maxMessageBytes())
        {
            logLimited("a session carries messages of up to {} B, rooms need maxMessageBytes {}: lower " +
                "RoomConfig.maxMessageBytes or raise the path payload",
                link.maxWholeMessageBytes(), config.maxMessageBytes());
            refuse(link, DisconnectReason.ROOM_CLOSED);
            return;
        }
        Room room = rooms.get(link.roomId());
        if (null == room)
        {
            room = config.autoCreateRooms() ?
                createRoom(link.roomId(), config.mode(), config.capacity(), config.tickRateHz(), nowNs) : null;
            if (null == room)
            {
                refuse(link, DisconnectReason.ROOM_CLOSED);
                return;
            }
        }
        RoomPlayer player = room.playerOf(link.clientId());
        final boolean reconnected = null != player;
        if (reconnected)
        {
            final PlayerLink old = player.link;
            room.reconnect(player, link);
            if (null != old && old != link)
            {
                old.player = null;
                old.disconnect(DisconnectReason.KICKED); // replaced by the new connection of the same client
            }
            counters.increment(Counter.ROOM_RECONNECTS);
        }
        else
        {
            player = room.freeSlot();
            if (null == player)
            {
                refuse(link, DisconnectReason.ROOM_FULL);
                return;
            }
            room.occupy(player, link);
            counters.increment(Counter.ROOM_PLAYERS_JOINED);
        }
        try
        {
            listener.onPlayerJoined(room, player, reconnected, nowNs);
            if (room.isOpen() && player.link == link)
            {
                sendWelcome(room, player, link);
            }
        }
        catch (final Throwable ex)
        {
            onGameError(room, ex);
        }
    }

    private void refuse(final PlayerLink link, final DisconnectReason reason)
    {
        counters.increment(Counter.ROOM_JOIN_REFUSED);
        link.player = null;
        link.disconnect(reason);
    }

    private void sendWelcome(final Room room, final RoomPlayer player, final PlayerLink link)
    {
        final ByteBuf message = welcome;
        final FrameSyncServer frameSync = room.frameSync;
        message.setByte(RoomMessageDescriptor.TYPE_OFFSET, WELCOME);
        message.setByte(RoomMessageDescriptor.WELCOME_MODE_OFFSET, room.mode().code());
        message.setByte(RoomMessageDescriptor.WELCOME_SLOT_OFFSET, player.slot());
        message.setByte(RoomMessageDescriptor.WELCOME_CAPACITY_OFFSET, room.capacity());
        message.setByte(RoomMessageDescriptor.WELCOME_TICK_RATE_OFFSET, room.tickRateHz());
        message.setByte(RoomMessageDescriptor.WELCOME_REDUNDANCY_OFFSET, config.redundancy());
        message.setByte(RoomMessageDescriptor.WELCOME_MAX_INPUT_OFFSET, config.maxInputBytes());
        message.setByte(RoomMessageDescriptor.WELCOME_INPUT_WINDOW_OFFSET, config.inputWindowFrames());
        message.setLongLE(RoomMessageDescriptor.WELCOME_ROOM_ID_OFFSET, room.id());
        message.setIntLE(RoomMessageDescriptor.WELCOME_NEXT_FRAME_OFFSET,
            null == frameSync ? 0 : (int)frameSync.nextFrame());
        message.setIntLE(RoomMessageDescriptor.WELCOME_OLDEST_FRAME_OFFSET,
            null == frameSync ? 0 : (int)frameSync.oldestFrame());
        if (!link.send(config.reliableChannel(), message, 0, WELCOME_LENGTH))
        {
            counters.increment(Counter.ROOM_SEND_FAILED);
        }
    }

    /**
     * A message from a player's connection: frame-sync INPUT and CATCH_UP go to the room's engine, RELAY_INPUT into
     * the player's inbox for the next tick. Anything else, or anything malformed, is dropped and counted.
     *
     * @param link    the connection.
     * @param channel channel it came on (room messages are accepted on any channel).
     * @param buffer  holding it; valid during the call.
     * @param offset  of the message.
     * @param length  of the message.
     * @param nowNs   the worker's clock.
     */
    public void onPlayerMessage(
        final PlayerLink link,
        final int channel,
        final ByteBuf buffer,
        final int offset,
        final int length,
        final long nowNs)
    {
        this.nowNs = nowNs;
        final RoomPlayer player = link.player;
        if (null == player || length < 1)
        {
            return;
        }
        final Room room = player.room;
        final FrameSyncServer frameSync = room.frameSync;
        final int type = buffer.getUnsignedByte(offset);
        try
        {
            if (INPUT == type && null != frameSync)
            {
                frameSync.onInput(player.slot, buffer, offset, length);
            }
            else if (CATCH_UP == type && null != frameSync)
            {
                frameSync.onCatchUp(player.slot, buffer, offset, length);
            }
            else if (RELAY_INPUT == type)
            {
                onRelayInput(player, buffer, offset, length);
            }
            else
            {
                counters.increment(Counter.ROOM_MESSAGES_MALFORMED);
            }
        }
        catch (final Throwable ex)
        {
            onGameError(room, ex);
        }
    }

    private void onRelayInput(final RoomPlayer player, final ByteBuf buffer, final int offset, final int length)
    {
        if (length - 1 > config.maxRelayInputBytes())
        {
            counters.increment(Counter.ROOM_INPUTS_OVERSIZE);
        }
        else if (!player.inbox.offer(buffer, offset + 1, length - 1))
        {
            counters.increment(Counter.ROOM_INBOX_FULL);
        }
    }

    /**
     * A player's connection closed. On purpose ({@link DisconnectReason#CLIENT_REQUEST}) the player leaves; otherwise
     * it is away and its slot is held for the reconnect grace.
     *
     * @param link   the connection.
     * @param reason why it closed.
     * @param nowNs  the worker's clock.
     */
    public void onPlayerDisconnected(final PlayerLink link, final DisconnectReason reason, final long nowNs)
    {
        this.nowNs = nowNs;
        final RoomPlayer player = link.player;
        if (null == player || player.link != link)
        {
            link.player = null;
            return;
        }
        final Room room = player.room;
        try
        {
            if (DisconnectReason.CLIENT_REQUEST == reason || 0 == config.reconnectGraceNs())
            {
                room.removePlayer(player, reason, nowNs);
            }
            else
            {
                room.away(player, nowNs);
                listener.onPlayerAway(room, player, reason, nowNs);
            }
        }
        catch (final Throwable ex)
        {
            onGameError(room, ex);
        }
    }

    void onDesync(
        final Room room, final long frame, final RoomPlayer player, final long referenceHash, final long reportedHash)
    {
        listener.onDesync(room, frame, player, referenceHash, reportedHash, nowNs);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Rooms.

    /**
     * Create a room on this worker. Its room id must map to this worker ({@code roomId mod workers}) for players to
     * reach it; {@link RoomServer#createRoom} routes for you from any thread.
     *
     * @param roomId     room id.
     * @param mode       mode.
     * @param capacity   player slots, 1 to 64, within what a FRAMES message carries.
     * @param tickRateHz 10 to 128.
     * @param nowNs      the worker's clock: tick 0 is due now.
     * @return the room, or null if one with this id exists or this worker has its maximum of rooms (counted).
     * @throws IllegalArgumentException for a bad capacity or tick rate.
     */
    public Room createRoom(
        final long roomId, final RoomMode mode, final int capacity, final int tickRateHz, final long nowNs)
    {
        RoomConfig.checkTickRate(tickRateHz);
        config.checkCapacity(capacity);
        if (rooms.containsKey(roomId))
        {
            return null;
        }
        if (rooms.size() >= config.maxRoomsPerWorker())
        {
            counters.increment(Counter.ROOM_LIMIT_REACHED);
            logLimited("room limit reached on a worker ({} rooms, maxRoomsPerWorker {})", rooms.size(),
                config.maxRoomsPerWorker());
            return null;
        }
        final Room room = new Room(this, config, roomId, mode, capacity, tickRateHz, nowNs);
        rooms.put(roomId, room);
        roomList.add(room);
        scanForced = true;
        counters.increment(Counter.ROOMS_OPENED);
        try
        {
            listener.onRoomCreated(room, nowNs);
        }
        catch (final Throwable ex)
        {
            onGameError(room, ex);
        }
        return room;
    }

    /**
     * Close a room: the game is told ({@link RoomListener#onRoomClosed}) while its players' sessions are still open,
     * then they are closed with {@link DisconnectReason#ROOM_CLOSED} ({@link DisconnectReason#SERVER_SHUTDOWN} when
     * the server stops). Idempotent.
     *
     * @param room   to close.
     * @param reason why.
     */
    public void closeRoom(final Room room, final RoomCloseReason reason)
    {
        if (!room.isOpen())
        {
            return;
        }
        room.markClosed(reason);
        if (rooms.get(room.id()) == room)
        {
            rooms.remove(room.id());
        }
        compactPending = true;
        counters.increment(Counter.ROOMS_CLOSED);
        try
        {
            listener.onRoomClosed(room, reason, nowNs);
        }
        catch (final Throwable ex)
        {
            rethrowFatal(ex);
            counters.increment(Counter.ROOM_ERRORS);
            logLimited("room {} onRoomClosed threw", room.id(), ex);
        }
        final DisconnectReason disconnectReason = RoomCloseReason.SERVER_SHUTDOWN == reason ?
            DisconnectReason.SERVER_SHUTDOWN : DisconnectReason.ROOM_CLOSED;
        for (int slot = 0; slot < room.capacity(); slot++)
        {
            final PlayerLink link = room.players[slot].detach();
            if (null != link)
            {
                link.disconnect(disconnectReason);
            }
        }
    }

    /**
     * The server is stopping: every open room closes ({@link RoomCloseReason#SERVER_SHUTDOWN}), the game's
     * {@link RoomListener#onRoomClosed} running here on the worker thread while the players' sessions are still
     * open; then they are closed with SERVER_SHUTDOWN. Commands still queued are dropped.
     *
     * @param nowNs the worker's clock at its last duty cycle.
     */
    @Override
    public void onShutdown(final long nowNs)
    {
        this.nowNs = nowNs;
        for (int i = 0; i < roomList.size(); i++)
        {
            final Room room = roomList.get(i);
            if (room.isOpen())
            {
                closeRoom(room, RoomCloseReason.SERVER_SHUTDOWN);
            }
        }
        compact();
    }

    private void onGameError(final Room room, final Throwable ex)
    {
        rethrowFatal(ex);
        counters.increment(Counter.ROOM_ERRORS);
        if (room.isOpen())
        {
            logLimited("room {} closed: its logic threw", room.id(), ex);
            closeRoom(room, RoomCloseReason.ERROR);
        }
    }

    private static void rethrowFatal(final Throwable ex)
    {
        if (ex instanceof VirtualMachineError && !(ex instanceof StackOverflowError))
        {
            throw (VirtualMachineError)ex;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Duty cycle.

    /**
     * Commands from other threads, then every room's due ticks, from a rotating start.
     *
     * @param nowNs the worker's clock.
     * @return ticks run and commands handled.
     */
    @Override
    public int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        cycleStartClockNs = clock.nanoTime();
        int work = drainCommands(nowNs);
        final int size = roomList.size();
        if (size > 0 && (scanForced || nowNs - nextScanNs >= 0))
        {
            // A worker cycles once per inbound batch: scan the rooms only when the earliest deadline is due
            scanForced = false;
            final int start = nextStart >= size ? 0 : nextStart;
            nextStart = start + 1;
            boolean anyOpen = false;
            long earliestNs = 0;
            for (int i = 0, index = start; i < size; i++, index = index + 1 == size ? 0 : index + 1)
            {
                final Room room = roomList.get(index);
                if (room.isOpen() && nowNs - room.nextDeadlineNs >= 0)
                {
                    work += runDueTicks(room, nowNs);
                }
                if (room.isOpen() && (!anyOpen || room.nextDeadlineNs - earliestNs < 0))
                {
                    earliestNs = room.nextDeadlineNs;
                    anyOpen = true;
                }
            }
            // no open room: nothing is due until one is added, which forces a scan (a room added by a tick did)
            nextScanNs = anyOpen ? earliestNs : nowNs + IDLE_SCAN_INTERVAL_NS;
        }
        if (compactPending)
        {
            compact();
        }
        return work;
    }

    private int runDueTicks(final Room room, final long nowNs)
    {
        final TickSchedule schedule = room.schedule;
        int ticks = 0;
        while (ticks < config.maxTicksPerCycle() && room.isOpen())
        {
            // the worker's time plus what this cycle took so far (earlier ticks, a stall), whatever the clocks' origins
            final long tickStartClockNs = clock.nanoTime();
            final long startNs = nowNs + (tickStartClockNs - cycleStartClockNs);
            final long backlog = schedule.backlog(startNs);
            if (backlog < 1)
            {
                break;
            }
            if (backlog > config.maxTickBacklog())
            {
                schedule.skip(backlog - 1);
                room.onSkipped(backlog - 1);
                counters.add(Counter.ROOM_TICKS_SKIPPED, backlog - 1);
            }
            final long deadlineNs = schedule.nextDeadlineNs();
            final long tick = schedule.advance();
            room.nextDeadlineNs = schedule.nextDeadlineNs();
            final long latenessNs = startNs - deadlineNs;
            final boolean late = latenessNs > config.lateTickThresholdNs();
            tickLateness.recordValue(Math.min(latenessNs, LATENESS_HIGHEST_NS));
            counters.increment(Counter.ROOM_TICKS);
            counters.max(Counter.ROOM_TICK_LATENESS_MAX_NS, latenessNs);
            if (late)
            {
                counters.increment(Counter.ROOM_TICKS_LATE);
            }
            runTick(room, tick, startNs);
            // this room's own tick only, on the clock read just before it (startNs is on the worker's timeline)
            final long durationNs = clock.nanoTime() - tickStartClockNs;
            room.onTickMeasured(late, durationNs);
            if (durationNs > room.tickBudgetNs())
            {
                onStall(room, durationNs);
            }
            ticks++;
        }
        return ticks;
    }

    private void runTick(final Room room, final long tick, final long tickNs)
    {
        this.nowNs = tickNs;
        try
        {
            if (room.isEmptyFor(tickNs, config.emptyRoomGraceNs()))
            {
                closeRoom(room, RoomCloseReason.EMPTY);
                return;
            }
            room.expireAwayPlayers(tickNs);
            if (room.isOpen())
            {
                room.tick(tick, tickNs);
            }
        }
        catch (final Throwable ex)
        {
            onGameError(room, ex);
        }
    }

    private void onStall(final Room room, final long durationNs)
    {
        counters.increment(Counter.ROOM_STALLS);
        if (room.onStall() >= config.stallsBeforeClose() && room.isOpen())
        {
            logLimited("room {} closed: a tick took {} ns, over its budget", room.id(), durationNs);
            closeRoom(room, RoomCloseReason.STALL);
        }
    }

    private void compact()
    {
        compactPending = false;
        int kept = 0;
        for (int i = 0; i < roomList.size(); i++)
        {
            final Room room = roomList.get(i);
            if (room.isOpen())
            {
                roomList.set(kept++, room);
            }
        }
        for (int i = roomList.size() - 1; i >= kept; i--)
        {
            roomList.remove(i);
        }
    }

    private int drainCommands(final long nowNs)
    {
        final long dropped = commandsDropped.get();
        if (dropped != commandsDroppedReported)
        {
            counters.add(Counter.ROOM_COMMANDS_DROPPED, dropped - commandsDroppedReported);
            commandsDroppedReported = dropped;
        }
        int work = 0;
        RoomCommand command;
        while (work < COMMANDS_PER_CYCLE && null != (command = commands.poll()))
        {
            work++;
            if (RoomCommand.CREATE == command.kind)
            {
                createRoom(command.roomId, command.mode, command.capacity, command.tickRateHz, nowNs);
            }
            else
            {
                final Room room = rooms.get(command.roomId);
                if (null != room)
                {
                    closeRoom(room, RoomCloseReason.ENDED);
                }
            }
        }
        return work;
    }

    /**
     * Queue a command for this worker; any thread.
     *
     * @param command to run on the worker.
     * @return false if the queue is full (counted as {@code room_commands_dropped}).
     */
    boolean offer(final RoomCommand command)
    {
        if (commands.offer(command))
        {
            return true;
        }
        commandsDropped.incrementAndGet();
        return false;
    }

    /**
     * Log a line about something input from the network can cause (a limit, a game's logic throwing on it), at most
     * once a second per worker on the worker's clock ({@link RateLimitedLog}); the rest are counted by the caller.
     */
    private void logLimited(final String format, final long a, final long b)
    {
        if (log.tryAcquire(nowNs))
        {
            LOG.warn("worker " + worker + ": " + format + " ({} more since the last line; counted, logged at most " +
                "once a second)", a, b, log.takeSuppressed());
        }
    }

    private void logLimited(final String format, final long a, final Throwable ex)
    {
        if (log.tryAcquire(nowNs))
        {
            LOG.warn("worker " + worker + ": " + format + " ({} more since the last line; counted, logged at most " +
                "once a second)", a, log.takeSuppressed(), ex);
        }
    }

    /**
     * @return the gate of this worker's room log lines (for tests).
     */
    RateLimitedLog log()
    {
        return log;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Accessors.

    /**
     * @param roomId room id.
     * @return the open room, or null.
     */
    public Room room(final long roomId)
    {
        return rooms.get(roomId);
    }

    /**
     * @return open rooms.
     */
    public int roomCount()
    {
        return rooms.size();
    }

    /**
     * Lateness of every tick of this worker's rooms (start minus deadline, ns, 1 us resolution, up to 10 s). Written
     * on the worker thread without allocation; any thread may take interval histograms from it.
     *
     * @return the recorder.
     */
    public SingleWriterRecorder tickLateness()
    {
        return tickLateness;
    }

    /**
     * @return this worker's counters.
     */
    public CounterSet counters()
    {
        return counters;
    }

    /**
     * @return the game's listener of this worker.
     */
    public RoomListener listener()
    {
        return listener;
    }

    /**
     * @return worker index.
     */
    public int worker()
    {
        return worker;
    }

    /**
     * @return the room settings.
     */
    public RoomConfig config()
    {
        return config;
    }

    long nowNs()
    {
        return nowNs;
    }
}
