package dev.skirmish.server;

import dev.skirmish.core.ConfigurationException;
import dev.skirmish.session.room.MissingInputPolicy;
import dev.skirmish.session.room.RoomConfig;
import dev.skirmish.session.room.RoomMode;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code --mode rooms} flags of {@code ./skirmish server}: one per {@link RoomConfig} setting (the clock aside),
 * defaults read from a fresh {@link RoomConfig} so help and behaviour never disagree. {@link #roomConfig()} concludes
 * them and names the flag of the first bad one. A picocli mixin of {@link ServerMain}.
 */
final class RoomOptions
{
    /** Room defaults: the flags' defaults are read from here. */
    private static final RoomConfig DEFAULTS = new RoomConfig();

    /** The room flags; given in another mode they are validated but have no effect (a note says so). */
    static final List<String> ROOM_FLAGS = List.of("--tick-hz", "--room-capacity", "--room-mode",
        "--auto-create-rooms", "--max-rooms-per-worker", "--max-input-bytes", "--input-window", "--frame-redundancy",
        "--missing-input", "--history-frames", "--history-bytes", "--hash-window", "--catch-up-frames-per-tick",
        "--max-room-message", "--frame-channel", "--reliable-channel", "--max-relay-input-bytes",
        "--relay-inbox-bytes", "--relay-inbox-messages", "--empty-room-grace", "--reconnect-grace", "--stall-budget",
        "--stalls-before-close", "--late-tick-threshold", "--max-ticks-per-cycle", "--max-tick-backlog",
        "--room-command-queue");

    /** Setting named first in a {@link RoomConfig#conclude()} message → the flag that sets it. */
    private static final Map<String, String> FLAG_OF_SETTING = Map.ofEntries(
        Map.entry("tickRateHz", "--tick-hz"),
        Map.entry("capacity", "--room-capacity"),
        Map.entry("maxRoomsPerWorker", "--max-rooms-per-worker"),
        Map.entry("maxInputBytes", "--max-input-bytes"),
        Map.entry("inputWindowFrames", "--input-window"),
        Map.entry("redundancy", "--frame-redundancy"),
        Map.entry("historyFrames", "--history-frames"),
        Map.entry("historyBytes", "--history-bytes"),
        Map.entry("hashWindowFrames", "--hash-window"),
        Map.entry("catchUpFramesPerTick", "--catch-up-frames-per-tick"),
        Map.entry("maxMessageBytes", "--max-room-message"),
        Map.entry("frameChannel", "--frame-channel"),
        Map.entry("reliableChannel", "--reliable-channel"),
        Map.entry("maxRelayInputBytes", "--max-relay-input-bytes"),
        Map.entry("relayInboxBytes", "--relay-inbox-bytes"),
        Map.entry("relayInboxMessages", "--relay-inbox-messages"),
        Map.entry("emptyRoomGraceNs", "--empty-room-grace"),
        Map.entry("reconnectGraceNs", "--reconnect-grace"),
        Map.entry("tickBudgetNs", "--stall-budget"),
        Map.entry("stallsBeforeClose", "--stalls-before-close"),
        Map.entry("lateTickThresholdNs", "--late-tick-threshold"),
        Map.entry("maxTicksPerCycle", "--max-ticks-per-cycle"),
        Map.entry("maxTickBacklog", "--max-tick-backlog"),
        Map.entry("commandQueueCapacity", "--room-command-queue"));

    @Option(names = "--tick-hz", paramLabel = "HZ",
        description = "Rooms mode: tick rate of rooms (" + RoomConfig.MIN_TICK_RATE_HZ + ".." +
            RoomConfig.MAX_TICK_RATE_HZ + "). Default: ${DEFAULT-VALUE}.")
    int tickHz = DEFAULTS.tickRateHz();

    @Option(names = "--room-capacity", paramLabel = "N",
        description = "Rooms mode: player slots per room (1..64, within what a frame can carry). " +
            "Default: ${DEFAULT-VALUE}.")
    int capacity = DEFAULTS.capacity();

    @Option(names = "--room-mode", paramLabel = "MODE", converter = RoomModeConverter.class,
        description = "Rooms mode: frame-sync (lockstep: the server relays every player's inputs as frames) or " +
            "state-relay (the server relays game messages). Default: frame-sync.")
    RoomMode roomMode = DEFAULTS.mode();

    @Option(names = "--auto-create-rooms", paramLabel = "BOOL", arity = "1",
        description = "Rooms mode: the first player whose token names an unknown room id creates it; false " +
            "refuses such players (ROOM_CLOSED). Default: ${DEFAULT-VALUE}.")
    boolean autoCreateRooms = DEFAULTS.autoCreateRooms();

    @Option(names = "--max-rooms-per-worker", paramLabel = "N",
        description = "Rooms mode: rooms per worker at most; beyond, joins are refused. Default: ${DEFAULT-VALUE}.")
    int maxRoomsPerWorker = DEFAULTS.maxRoomsPerWorker();

    @Option(names = "--max-input-bytes", paramLabel = "BYTES",
        description = "Frame sync: largest input of a player for one frame (0..255). Default: ${DEFAULT-VALUE}.")
    int maxInputBytes = DEFAULTS.maxInputBytes();

    @Option(names = "--input-window", paramLabel = "FRAMES",
        description = "Frame sync: frames ahead that inputs may target (power of two, 4..128). " +
            "Default: ${DEFAULT-VALUE}.")
    int inputWindowFrames = DEFAULTS.inputWindowFrames();

    @Option(names = "--frame-redundancy", paramLabel = "K",
        description = "Frame sync: previous frames repeated in every FRAMES message (0..15). " +
            "Default: ${DEFAULT-VALUE}.")
    int redundancy = DEFAULTS.redundancy();

    @Option(names = "--missing-input", paramLabel = "POLICY", converter = MissingInputConverter.class,
        description = "Frame sync: what a frame holds for a missing input: empty, or repeat (the player's last " +
            "input, flagged REPEATED). Default: empty.")
    MissingInputPolicy missingInput = DEFAULTS.missingInputPolicy();

    @Option(names = "--history-frames", paramLabel = "FRAMES",
        description = "Frame sync: frames kept for catch-up (power of two). Default: ${DEFAULT-VALUE}.")
    int historyFrames = DEFAULTS.historyFrames();

    @Option(names = "--history-bytes", paramLabel = "BYTES",
        description = "Frame sync: bytes of frames kept for catch-up per room. Default: ${DEFAULT-VALUE}.")
    int historyBytes = DEFAULTS.historyBytes();

    @Option(names = "--hash-window", paramLabel = "FRAMES",
        description = "Frame sync: frames back a state hash is compared (power of two). Default: ${DEFAULT-VALUE}.")
    int hashWindowFrames = DEFAULTS.hashWindowFrames();

    @Option(names = "--catch-up-frames-per-tick", paramLabel = "N",
        description = "Frame sync: catch-up frames sent per player per tick (1..4096). Default: ${DEFAULT-VALUE}.")
    int catchUpFramesPerTick = DEFAULTS.catchUpFramesPerTick();

    @Option(names = "--max-room-message", paramLabel = "BYTES",
        description = "Frame sync: largest FRAMES/HISTORY message (64..65507). Default: ${DEFAULT-VALUE}.")
    int maxMessageBytes = DEFAULTS.maxMessageBytes();

    @Option(names = "--frame-channel", paramLabel = "ID",
        description = "Frame sync: unreliable channel of FRAMES (0..7). Default: ${DEFAULT-VALUE}.")
    int frameChannel = DEFAULTS.frameChannel();

    @Option(names = "--reliable-channel", paramLabel = "ID",
        description = "Rooms mode: reliable ordered channel of WELCOME and HISTORY (0..7). Default: ${DEFAULT-VALUE}.")
    int reliableChannel = DEFAULTS.reliableChannel();

    @Option(names = "--max-relay-input-bytes", paramLabel = "BYTES",
        description = "State relay: largest input message. Default: ${DEFAULT-VALUE}.")
    int maxRelayInputBytes = DEFAULTS.maxRelayInputBytes();

    @Option(names = "--relay-inbox-bytes", paramLabel = "BYTES",
        description = "State relay: input bytes held per player between ticks (<= 1 MiB). Default: ${DEFAULT-VALUE}.")
    int relayInboxBytes = DEFAULTS.relayInboxBytes();

    @Option(names = "--relay-inbox-messages", paramLabel = "N",
        description = "State relay: input messages held per player between ticks (1..4096). " +
            "Default: ${DEFAULT-VALUE}.")
    int relayInboxMessages = DEFAULTS.relayInboxMessages();

    @Option(names = "--empty-room-grace", paramLabel = "DURATION", converter = ServerMain.DurationConverter.class,
        description = "Rooms mode: how long a room without a connected player lives. Default: 10s.")
    Duration emptyRoomGrace = Duration.ofNanos(DEFAULTS.emptyRoomGraceNs());

    @Option(names = "--reconnect-grace", paramLabel = "DURATION", converter = ServerMain.DurationConverter.class,
        description = "Rooms mode: how long a lost player's slot is held for it to reconnect. Default: 10s.")
    Duration reconnectGrace = Duration.ofNanos(DEFAULTS.reconnectGraceNs());

    @Option(names = "--stall-budget", paramLabel = "DURATION", converter = ServerMain.DurationConverter.class,
        description = "Rooms mode: longest a room's tick may take before it counts as a stall; 0 = one tick " +
            "period. Default: 0.")
    Duration stallBudget = Duration.ofNanos(DEFAULTS.tickBudgetNs());

    @Option(names = "--stalls-before-close", paramLabel = "N",
        description = "Rooms mode: consecutive stalls that close a room (>= 1). Default: ${DEFAULT-VALUE}.")
    int stallsBeforeClose = DEFAULTS.stallsBeforeClose();

    @Option(names = "--late-tick-threshold", paramLabel = "DURATION", converter = ServerMain.DurationConverter.class,
        description = "Rooms mode: lateness above which a tick counts as late. Default: 2ms.")
    Duration lateTickThreshold = Duration.ofNanos(DEFAULTS.lateTickThresholdNs());

    @Option(names = "--max-ticks-per-cycle", paramLabel = "N",
        description = "Rooms mode: ticks one room runs per worker cycle when behind (1..1024). " +
            "Default: ${DEFAULT-VALUE}.")
    int maxTicksPerCycle = DEFAULTS.maxTicksPerCycle();

    @Option(names = "--max-tick-backlog", paramLabel = "N",
        description = "Rooms mode: due ticks a room may be behind before the older are skipped (>= 1). " +
            "Default: ${DEFAULT-VALUE}.")
    int maxTickBacklog = DEFAULTS.maxTickBacklog();

    @Option(names = "--room-command-queue", paramLabel = "N",
        description = "Rooms mode: room commands queued per worker (power of two >= 2). Default: ${DEFAULT-VALUE}.")
    int commandQueueCapacity = DEFAULTS.commandQueueCapacity();

    /**
     * Build and conclude the room settings from the flags.
     *
     * @return the concluded settings.
     * @throws ConfigurationException naming the flag of the first bad setting.
     */
    RoomConfig roomConfig()
    {
        final RoomConfig config = new RoomConfig()
            .tickRateHz(tickHz)
            .capacity(capacity)
            .mode(roomMode)
            .autoCreateRooms(autoCreateRooms)
            .maxRoomsPerWorker(maxRoomsPerWorker)
            .maxInputBytes(maxInputBytes)
            .inputWindowFrames(inputWindowFrames)
            .redundancy(redundancy)
            .missingInputPolicy(missingInput)
            .historyFrames(historyFrames)
            .historyBytes(historyBytes)
            .hashWindowFrames(hashWindowFrames)
            .catchUpFramesPerTick(catchUpFramesPerTick)
            .maxMessageBytes(maxMessageBytes)
            .frameChannel(frameChannel)
            .reliableChannel(reliableChannel)
            .maxRelayInputBytes(maxRelayInputBytes)
            .relayInboxBytes(relayInboxBytes)
            .relayInboxMessages(relayInboxMessages)
            .emptyRoomGraceNs(emptyRoomGrace.toNanos())
            .reconnectGraceNs(reconnectGrace.toNanos())
            .tickBudgetNs(stallBudget.toNanos())
            .stallsBeforeClose(stallsBeforeClose)
            .lateTickThresholdNs(lateTickThreshold.toNanos())
            .maxTicksPerCycle(maxTicksPerCycle)
            .maxTickBacklog(maxTickBacklog)
            .commandQueueCapacity(commandQueueCapacity);
        try
        {
            return config.conclude();
        }
        catch (final ConfigurationException ex)
        {
            final String message = ex.getMessage();
            final int space = message.indexOf(' ');
            final String flag = FLAG_OF_SETTING.get(space < 0 ? message : message.substring(0, space));
            // The capacity check names no setting: it is about the room capacity against the input and message size.
            throw new ConfigurationException((null == flag ? "--room-capacity" : flag) + ": " + message);
        }
    }

    static final class RoomModeConverter extends ServerMain.EnumConverter<RoomMode>
    {
        RoomModeConverter()
        {
            super(RoomMode.class);
        }
    }

    /** {@code empty} or {@code repeat} ({@code repeat-last} also accepted). */
    static final class MissingInputConverter implements CommandLine.ITypeConverter<MissingInputPolicy>
    {
        @Override
        public MissingInputPolicy convert(final String value)
        {
            switch (value.trim().toLowerCase())
            {
                case "empty":
                    return MissingInputPolicy.EMPTY;
                case "repeat":
                case "repeat-last":
                    return MissingInputPolicy.REPEAT_LAST;
                default:
                    throw new CommandLine.TypeConversionException("expected empty or repeat, got '" + value + "'");
            }
        }
    }
}
