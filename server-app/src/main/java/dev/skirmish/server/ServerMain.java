package dev.skirmish.server;

import dev.skirmish.core.ConfigurationException;
import dev.skirmish.core.DurationParser;
import dev.skirmish.core.IoMode;
import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.WorkerIdle;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.server.metrics.MetricsEndpoint;
import dev.skirmish.server.metrics.MetricsSources;
import dev.skirmish.server.metrics.RoomCollector;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.room.RoomConfig;
import dev.skirmish.session.room.RoomListener;
import dev.skirmish.session.room.RoomServer;
import dev.skirmish.session.server.SessionRegistry;
import dev.skirmish.session.server.SessionServer;
import dev.skirmish.session.server.SessionServerConfig;
import dev.skirmish.session.token.TokenKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code ./skirmish server}: the reference server. The default mode, {@code rooms}, is the battle server: a
 * {@link SessionServer} (the stateless handshake on the I/O threads, sessions on the workers) running
 * {@link RoomServer} rooms, created when the first player's connect token names them, with the room flags of
 * {@link RoomOptions}. Mode {@code session} runs the sessions with {@link SessionEchoListener} sending every payload
 * back to its session. The data-path benchmark modes stay: {@code echo} (full path: I/O thread → SPSC →
 * worker → SPSC → I/O thread, no sessions) and {@code raw-echo} (answered on the I/O thread, the baseline). Once the
 * node is up, a {@link MetricsEndpoint} serves {@code /metrics} and {@code /health} over HTTP (off with
 * {@code --metrics-port 0}). Exit codes: 0 normal stop, 1 runtime failure, 2 bad command line or configuration
 * (a metrics port that cannot be bound included).
 * <p>
 * {@code --config FILE} reads defaults from a properties file whose keys are the long flag names without dashes;
 * the command line overrides it ({@link ConfigFile}). On SIGTERM/SIGINT or at the end of {@code --duration} the
 * server stops within {@code --shutdown-timeout}: /health turns 503, connect attempts are refused with
 * DENIED(shutting down), every room closes (SERVER_SHUTDOWN), the workers disconnect every session with
 * SERVER_SHUTDOWN and the sockets close; exit 0, or 1 with a warning when the close overran the deadline.
 */
@Command(
    name = "skirmish server",
    mixinStandardHelpOptions = true,
    version = "skirmish 0.1.0",
    sortOptions = false,
    description = "Run the Skirmish UDP server. Stops on SIGTERM/SIGINT or after --duration.")
public final class ServerMain implements Callable<Integer>
{
    /** What the server runs: sessions (the default) or one of the data-path benchmark modes. */
    enum Mode
    {
        ROOMS, SESSION, ECHO, RAW_ECHO;

        boolean hasSessions()
        {
            return ROOMS == this || SESSION == this;
        }
    }

    /** Session defaults: the flags' defaults are read from here, so help and behaviour never disagree. */
    private static final SessionServerConfig SESSION_DEFAULTS = new SessionServerConfig();

    /** The session flags; given in another mode they are validated but have no effect (a note says so). */
    static final List<String> SESSION_FLAGS = List.of("--token-key", "--protocol-id", "--public-address",
        "--max-sessions", "--max-pending-sessions", "--used-token-capacity", "--max-auth-failures",
        "--keepalive-interval", "--timer-tick", "--handshake-load-threshold", "--aead-suite");

    /** Setting named first in a {@link SessionServerConfig#conclude()} message → the flag that sets it. */
    private static final Map<String, String> FLAG_OF_SETTING = Map.of(
        "maxSessions", "--max-sessions",
        "maxPendingSessions", "--max-pending-sessions",
        "usedTokenCapacity", "--used-token-capacity",
        "maxAuthFailures", "--max-auth-failures",
        "keepaliveInterval", "--keepalive-interval",
        "timerTick", "--timer-tick",
        "handshakeLoadThresholdPerSecond", "--handshake-load-threshold",
        "aeadSuite", "--aead-suite");

    /** {@code --aead-suite} default as the help prints it: {@link AeadSuite#DEFAULT}; a test checks they agree. */
    static final String AEAD_SUITE_DEFAULT_TEXT = "chacha20-poly1305";
    /** {@code --keepalive-interval} default as the help prints it; a test checks it against the config default. */
    static final String KEEPALIVE_INTERVAL_DEFAULT_TEXT = "100ms";
    /** {@code --timer-tick} default as the help prints it; a test checks it against the config default. */
    static final String TIMER_TICK_DEFAULT_TEXT = "10ms";
    /** {@code --protocol-id} default as the help prints it; a test checks it against the config default. */
    static final String PROTOCOL_ID_DEFAULT_TEXT = "0x534b0001";

    /** Default TCP port of the metrics endpoint: in the range exporters use, clear of the game's UDP port. */
    static final int METRICS_PORT_DEFAULT = 9400;
    /** Default metrics bind address: loopback, so the unauthenticated endpoint is not exposed by accident. */
    static final String METRICS_BIND_DEFAULT = "127.0.0.1";

    @Option(names = "--port", description = "UDP port (0 = ephemeral). Default: ${DEFAULT-VALUE}.")
    int port = SkirmishContext.PORT_DEFAULT;

    @Option(names = "--bind", description = "Address to bind; '::' or '::1' for IPv6. Default: ${DEFAULT-VALUE}.")
    String bind = SkirmishContext.BIND_ADDRESS_DEFAULT;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Properties file of defaults: keys are the long flag names without dashes (tick-hz=60); " +
            "flags on the command line override it; an unknown key or a bad value exits 2.")
    Path configFile;

    @Option(names = "--mode", converter = ModeConverter.class,
        description = "rooms (battle server: sessions in frame-sync rooms created from the token's room id), " +
            "session (handshake + sessions, each payload echoed to its session), echo (benchmark: " +
            "full path through workers, no sessions) or raw-echo (benchmark baseline on the I/O thread). " +
            "Default: rooms.")
    Mode mode = Mode.ROOMS;

    @Option(names = "--io-threads", description = "I/O threads, one SO_REUSEPORT socket each. Default: ${DEFAULT-VALUE}.")
    int ioThreads = SkirmishContext.IO_THREADS_DEFAULT;

    @Option(names = "--workers", description = "Worker threads (session shards). Default: ${DEFAULT-VALUE}.")
    int workers = SkirmishContext.WORKERS_DEFAULT;

    @Option(names = "--batch", description = "Datagrams per recvmmsg; 1 turns batching off. Default: ${DEFAULT-VALUE}.")
    int batch = SkirmishContext.BATCH_DEFAULT;

    @Option(names = "--max-datagram", description = "Largest datagram accepted, bytes. Default: ${DEFAULT-VALUE}.")
    int maxDatagram = SkirmishContext.MAX_DATAGRAM_LENGTH_DEFAULT;

    @Option(names = "--inbound-queue", description = "Capacity of each I/O->worker queue. Default: ${DEFAULT-VALUE}.")
    int inboundQueue = SkirmishContext.INBOUND_QUEUE_CAPACITY_DEFAULT;

    @Option(names = "--outbound-queue", description = "Capacity of each worker->I/O queue. Default: ${DEFAULT-VALUE}.")
    int outboundQueue = SkirmishContext.OUTBOUND_QUEUE_CAPACITY_DEFAULT;

    @Option(names = "--transport", description = "auto, epoll or nio. Default: ${DEFAULT-VALUE}.",
        converter = TransportConverter.class)
    TransportKind transport = TransportKind.AUTO;

    @Option(names = "--aead-suite", converter = AeadSuiteConverter.class,
        description = "AEAD protecting session packets; not negotiated, clients must use the same: "
            + "chacha20-poly1305 (Skirmish's own constant-time engine, 0 B of garbage per packet) or aes-256-gcm "
            + "(JDK with AES-NI: less CPU per packet above ~100 B, ~1 KB of garbage per packet per direction on "
            + "Java 17). aes-128-gcm is refused: sessions take the token's 32-byte keys. "
            + "Default: " + AEAD_SUITE_DEFAULT_TEXT + ".")
    AeadSuite aeadSuite = AeadSuite.DEFAULT;

    @Option(names = "--idle", description = "Worker idle strategy: backoff, spin or yield. Default: backoff.",
        converter = IdleConverter.class)
    WorkerIdle idle = WorkerIdle.BACKOFF;

    @Option(names = "--io-spin-us",
        description = "How long an I/O thread polls for worker replies after a hand-off before blocking in " +
            "epoll_wait, µs (0 = block at once). Default: ${DEFAULT-VALUE}.")
    long ioSpinUs = SkirmishContext.IO_SPIN_US_DEFAULT;

    @Option(names = "--worker-spin-us",
        description = "How long an idle worker busy-spins before yielding and parking (backoff idle), µs. " +
            "Default: ${DEFAULT-VALUE}.")
    long workerSpinUs = SkirmishContext.BACKOFF_SPIN_US_DEFAULT;

    @Option(names = "--pin-cpus", description = "CPU list to pin threads to (workers first, then I/O threads), " +
        "e.g. 0,1 or 0-3. Default: no pinning.")
    String pinCpus = "";

    @Option(names = "--socket-buffer", description = "SO_RCVBUF/SO_SNDBUF bytes. Default: ${DEFAULT-VALUE}.")
    int socketBuffer = SkirmishContext.SOCKET_BUFFER_BYTES_DEFAULT;

    @Option(names = "--duration", converter = DurationConverter.class,
        description = "Stop after this long (e.g. 30s, 5m). Default: run until SIGTERM/SIGINT.")
    Duration duration;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Longest the stop may take (disconnecting every session with SERVER_SHUTDOWN, closing the " +
            "sockets); past it the server exits anyway with a warning and exit code 1. Default: " +
            SHUTDOWN_TIMEOUT_DEFAULT_TEXT + ".")
    Duration shutdownTimeout = DurationParser.parse(SHUTDOWN_TIMEOUT_DEFAULT_TEXT);

    @Option(names = "--stats-interval", converter = DurationConverter.class,
        description = "Print a counters line to stderr this often; 0s turns it off. Default: 5s.")
    Duration statsInterval = Duration.ofSeconds(5);

    @Option(names = "--metrics-port", paramLabel = "PORT",
        description = "TCP port of the HTTP endpoint serving /metrics (Prometheus text format: skirmish_* counters, " +
            "jvm_* and process_* metrics) and /health (200 while serving, 503 once shutting down); 0 turns it " +
            "off. Default: ${DEFAULT-VALUE}.")
    int metricsPort = METRICS_PORT_DEFAULT;

    @Option(names = "--metrics-bind", paramLabel = "ADDR",
        description = "Address the metrics endpoint listens on. The default, loopback, keeps the unauthenticated " +
            "endpoint private to this host (a Prometheus or agent running beside the server); give a private " +
            "interface address, or 0.0.0.0, for a remote Prometheus. Default: ${DEFAULT-VALUE}.")
    String metricsBind = METRICS_BIND_DEFAULT;

    @Option(names = "--token-key", paramLabel = "FILE",
        description = "Session mode: key that opens connect tokens, 64 hex characters (or 32 raw bytes), shared " +
            "with the token issuer (./skirmish token --token-key). Default: the public development key, with a " +
            "warning (never use it in production).")
    Path tokenKeyFile;

    @Option(names = "--protocol-id", paramLabel = "N", converter = TokenMain.U64Converter.class,
        description = "Session mode: u64 naming the game and build, decimal or 0x-hex; tokens for any other are " +
            "rejected. Default: " + PROTOCOL_ID_DEFAULT_TEXT + " (as ./skirmish token).")
    long protocolId = SessionServerConfig.PROTOCOL_ID_DEFAULT;

    @Option(names = "--public-address", paramLabel = "HOST:PORT", converter = TokenMain.ServerAddressConverter.class,
        description = "Session mode: an address clients reach this server at, as tokens name it; repeatable. " +
            "IPv6 in brackets: [::1]:7777. Default: the bound address and port (loopback when bound to a " +
            "wildcard address).")
    List<InetSocketAddress> publicAddresses = new ArrayList<>();

    @Option(names = "--max-sessions", paramLabel = "N",
        description = "Session mode: most sessions at once (1..16777216); more are denied SERVER_FULL. " +
            "Default: ${DEFAULT-VALUE}.")
    int maxSessions = SESSION_DEFAULTS.maxSessions();

    @Option(names = "--max-pending-sessions", paramLabel = "N",
        description = "Session mode: most sessions allocated but not yet confirmed by the client (>= 1); more " +
            "are denied SERVER_BUSY. Default: ${DEFAULT-VALUE}.")
    int maxPendingSessions = SESSION_DEFAULTS.maxPendingSessions();

    @Option(names = "--used-token-capacity", paramLabel = "N",
        description = "Session mode: used tokens remembered until they expire (>= --max-pending-sessions, about " +
            "100 B each); when full of unexpired tokens new sessions are denied SERVER_BUSY. " +
            "Default: ${DEFAULT-VALUE}.")
    int usedTokenCapacity = SESSION_DEFAULTS.usedTokenCapacity();

    @Option(names = "--max-auth-failures", paramLabel = "N",
        description = "Session mode: packets failing authentication a session tolerates before it is closed " +
            "(>= 1). Default: ${DEFAULT-VALUE}.")
    int maxAuthFailures = SESSION_DEFAULTS.maxAuthFailures();

    @Option(names = "--keepalive-interval", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Session mode: send a keepalive when nothing was sent to a session for this long (>= 1ms). " +
            "Default: " + KEEPALIVE_INTERVAL_DEFAULT_TEXT + ".")
    Duration keepaliveInterval = Duration.ofNanos(SESSION_DEFAULTS.keepaliveIntervalNs());

    @Option(names = "--timer-tick", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Session mode: how often a worker checks its sessions for timeouts and keepalives " +
            "(100us..1s). Default: " + TIMER_TICK_DEFAULT_TEXT + ".")
    Duration timerTick = Duration.ofNanos(SESSION_DEFAULTS.timerTickNs());

    @Option(names = "--handshake-load-threshold", paramLabel = "N",
        description = "Session mode: handshake packets per second per I/O thread above which each source IP is " +
            "rate limited and connect requests are challenged before decryption (>= 0; 0 = always). " +
            "Default: ${DEFAULT-VALUE}.")
    long handshakeLoadThreshold = SESSION_DEFAULTS.handshakeLoadThresholdPerSecond();

    @Mixin
    RoomOptions roomOptions = new RoomOptions();

    @Spec
    CommandSpec spec;

    /** {@code --shutdown-timeout} default: long enough to close a loaded server, short of a 10 s orchestrator kill. */
    static final String SHUTDOWN_TIMEOUT_DEFAULT_TEXT = "5s";
    /** Extra time a SIGTERM waits, past the shutdown timeout, for the final report before the JVM exits anyway. */
    private static final long REPORT_GRACE_MS = 1_000;

    /** The config file read before parsing, or null: where values not on the command line came from. */
    ConfigFile config;

    private final PrintStream out;
    private final PrintStream err;
    /** Counted down by SIGTERM/SIGINT (the shutdown hook) or {@link #stop()}. */
    private final CountDownLatch stop = new CountDownLatch(1);

    ServerMain(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Build the core context from the flags. Invalid values surface as {@link ConfigurationException} on conclude.
     *
     * @return the concluded context.
     */
    SkirmishContext context()
    {
        return new SkirmishContext()
            .port(port)
            .bindAddress(bind)
            .ioMode(Mode.RAW_ECHO == mode ? IoMode.RAW_ECHO : IoMode.WORKERS)
            .ioThreads(ioThreads)
            .workers(workers)
            .batch(batch)
            .maxDatagramLength(maxDatagram)
            .inboundQueueCapacity(inboundQueue)
            .outboundQueueCapacity(outboundQueue)
            .transport(transport)
            .workerIdle(idle)
            .ioSpinUs(ioSpinUs)
            .backoffSpinUs(workerSpinUs)
            .pinCpus(SkirmishContext.parseCpuList(pinCpus))
            .socketBufferBytes(socketBuffer)
            .conclude();
    }

    /**
     * Build the session settings from the flags and load the token key. Invalid values surface as
     * {@link ConfigurationException}, whose message names the key file or the setting.
     *
     * @return the concluded session settings.
     */
    SessionServerConfig sessionConfig()
    {
        final TokenKey tokenKey;
        try
        {
            tokenKey = null == tokenKeyFile ? TokenKey.DEVELOPMENT : TokenKey.load(tokenKeyFile);
        }
        catch (final ConfigurationException ex)
        {
            throw new ConfigurationException("--token-key: " + ex.getMessage());
        }
        final SessionServerConfig config = new SessionServerConfig()
            .tokenKey(tokenKey)
            .aeadSuite(aeadSuite)
            .protocolId(protocolId)
            .publicAddresses(publicAddresses)
            .maxSessions(maxSessions)
            .maxPendingSessions(maxPendingSessions)
            .usedTokenCapacity(usedTokenCapacity)
            .maxAuthFailures(maxAuthFailures)
            .keepaliveIntervalNs(keepaliveInterval.toNanos())
            .timerTickNs(timerTick.toNanos())
            .handshakeLoadThresholdPerSecond(handshakeLoadThreshold);
        try
        {
            return config.conclude();
        }
        catch (final ConfigurationException ex)
        {
            final String message = ex.getMessage();
            final int space = message.indexOf(' ');
            final String flag = FLAG_OF_SETTING.get(space < 0 ? message : message.substring(0, space));
            throw null == flag ? ex : new ConfigurationException(flag + ": " + message);
        }
    }

    @Override
    public Integer call() throws Exception
    {
        final SkirmishContext ctx;
        final SessionServerConfig sessionConfig;
        final RoomConfig roomConfig;
        final InetSocketAddress metricsAddress;
        try
        {
            ctx = context();
            // Validated in every mode, so a bad session or room flag never waits for the day the mode changes.
            sessionConfig = sessionConfig();
            roomConfig = roomOptions.roomConfig();
            validateModeAndDuration();
            metricsAddress = metricsAddress();
        }
        catch (final ConfigurationException ex)
        {
            err.println("skirmish server: invalid configuration: " + ex.getMessage() + sourceNote(ex.getMessage()));
            return 2;
        }
        final boolean sessions = mode.hasSessions();
        final boolean roomsMode = Mode.ROOMS == mode;
        printStart(ctx, sessions ? sessionConfig : null, roomsMode ? roomConfig : null);

        final SessionEchoListener.Group listeners =
            Mode.SESSION == mode ? new SessionEchoListener.Group(ctx.workers()) : null;
        // The reference battle server has no game logic: frame sync relays the inputs, the clients simulate.
        final RoomServer rooms = roomsMode ? new RoomServer(roomConfig, (worker) -> new RoomListener()
        {
        }) : null;
        final SessionServer server;
        final SkirmishNode node;
        try
        {
            server = sessions ?
                SessionServer.launch(ctx, sessionConfig, roomsMode ? rooms.listenerFactory() : listeners) : null;
            node = sessions ? server.node() : SkirmishNode.launch(ctx);
        }
        catch (final Exception ex)
        {
            err.println("skirmish server: cannot start: " + ex);
            return 1;
        }

        out.println("skirmish server: listening on udp " + ctx.bindAddress() + ":" + node.port() +
            " (" + node.transportKind() + ", mode " + modeName() + ")");
        if (sessions)
        {
            out.println("skirmish server: accepting tokens for " + server.publicAddresses() + ", protocol id 0x" +
                Long.toHexString(sessionConfig.protocolId()));
        }
        out.flush();

        final AutoCloseable running = sessions ? server : node;
        MetricsEndpoint metrics = null;
        if (null != metricsAddress)
        {
            try
            {
                metrics = startMetrics(metricsAddress, node, rooms);
            }
            catch (final IOException ex)
            {
                err.println("skirmish server: invalid configuration: --metrics-port " + metricsPort + ": cannot " +
                    "listen on " + hostPort(metricsAddress) + ": " + ex.getMessage() + " (choose a free port with " +
                    "--metrics-port, or 0 to turn the endpoint off)");
                running.close();
                return 2;
            }
            out.println("skirmish server: metrics on http://" + hostPort(metrics.address()) +
                MetricsEndpoint.METRICS_PATH + ", health on " + MetricsEndpoint.HEALTH_PATH);
            out.flush();
        }

        final StatsPrinter stats = new StatsPrinter(
            node.counters(), sessions ? server.registry() : null, new ThreadAllocation(), err);
        // The listener report is taken after close: it includes the sessions closed by the shutdown itself.
        return runUntilStopped(stats, running, metrics, null != listeners ? listeners::report : () -> "");
    }

    /**
     * Ask a running server to stop, as SIGTERM does: it closes, prints its report and {@link #call()} returns 0.
     * For tests and for code embedding the command.
     */
    void stop()
    {
        stop.countDown();
    }

    /**
     * The metrics endpoint address from the flags.
     *
     * @return where to listen, or null when {@code --metrics-port 0} turns the endpoint off.
     * @throws ConfigurationException naming the flag.
     */
    private InetSocketAddress metricsAddress()
    {
        if (metricsPort < 0 || metricsPort > 65535)
        {
            throw new ConfigurationException("--metrics-port must be in 0..65535 (0 = off), was " + metricsPort);
        }
        try
        {
            final InetAddress address = InetAddress.getByName(metricsBind);
            return 0 == metricsPort ? null : new InetSocketAddress(address, metricsPort);
        }
        catch (final UnknownHostException ex)
        {
            throw new ConfigurationException("--metrics-bind: unknown host '" + metricsBind + "'");
        }
    }

    /**
     * Start the metrics endpoint over the node's counters and the JVM metrics. Layers above core register their
     * scrape-time collectors on the sources here (see {@link MetricsSources}).
     *
     * @param address where to listen.
     * @param node    the running node.
     * @param rooms   the rooms in rooms mode (tick lateness, rooms open), else null.
     * @return the running endpoint.
     * @throws IOException if the address cannot be bound.
     */
    private static MetricsEndpoint startMetrics(
        final InetSocketAddress address, final SkirmishNode node, final RoomServer rooms) throws IOException
    {
        final MetricsSources sources = MetricsSources.withDefaults(node.counters());
        if (null != rooms)
        {
            sources.register(new RoomCollector(rooms));
        }
        return MetricsEndpoint.start(address, sources);
    }

    private static String hostPort(final InetSocketAddress address)
    {
        final String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Checks across flags that no single setting can make.
     *
     * @throws ConfigurationException naming the flag.
     */
    private void validateModeAndDuration()
    {
        if (null != duration && (duration.isNegative() || duration.isZero()))
        {
            throw new ConfigurationException("--duration must be > 0");
        }
        if (shutdownTimeout.isNegative() || shutdownTimeout.isZero())
        {
            throw new ConfigurationException("--shutdown-timeout must be > 0");
        }
        if (mode.hasSessions() && maxDatagram < HandshakeDescriptor.CONNECT_REQUEST_LENGTH)
        {
            throw new ConfigurationException("--max-datagram must be >= " +
                HandshakeDescriptor.CONNECT_REQUEST_LENGTH + " in modes rooms and session (the size of a connect request), was " +
                maxDatagram);
        }
    }

    /**
     * The warnings and the effective configuration, before anything is bound.
     *
     * @param ctx           core settings.
     * @param sessionConfig session settings, or null outside modes rooms and session.
     * @param roomConfig    room settings, or null outside rooms mode.
     */
    private void printStart(
        final SkirmishContext ctx, final SessionServerConfig sessionConfig, final RoomConfig roomConfig)
    {
        if (null == roomConfig)
        {
            noteIgnoredFlags("room", RoomOptions.ROOM_FLAGS);
        }
        if (null == sessionConfig)
        {
            noteIgnoredFlags("session", SESSION_FLAGS);
        }
        else if (sessionConfig.tokenKey().isDevelopmentKey())
        {
            // Also logged by SessionServer.launch; printed here so it shows whatever the logging configuration.
            err.println("WARNING: using the public DEVELOPMENT token key (" + sessionConfig.tokenKey().fingerprint() +
                "): anyone can mint tokens for this server. NEVER use it in production: pass --token-key FILE.");
            err.flush();
        }
        out.println("skirmish server: effective configuration");
        out.print(ctx.toString().replaceAll("(?m)^", "  "));
        if (null != sessionConfig)
        {
            out.println("  session:");
            out.print(sessionConfig.toString().replaceAll("(?m)^", "    "));
        }
        if (null != roomConfig)
        {
            out.println("  rooms:");
            out.println("    " + roomConfig.toString().replace(", ", "\n    ")
                .replace("RoomConfig{", "").replace("}", ""));
        }
        out.println("  shutdownTimeout=" + shutdownTimeout.toMillis() + "ms");
        out.println("  sources: " + sources());
    }

    /**
     * @return which flags the command line and the config file set; everything else is a default.
     */
    private String sources()
    {
        final List<String> commandLine = new ArrayList<>();
        for (final CommandLine.Model.OptionSpec option : spec.commandLine().getParseResult().matchedOptions())
        {
            commandLine.add(option.longestName());
        }
        final String fromLine = "command line " + (commandLine.isEmpty() ? "(none)" : String.join(" ", commandLine));
        final String fromFile = null == config ? "" : "; " + config.path() + " " + config.keysNotOn(commandLine);
        return fromLine + fromFile + "; everything else default";
    }

    /**
     * @param message a configuration error starting with a flag.
     * @return a note naming the config file when that flag's value came from it, else "".
     */
    private String sourceNote(final String message)
    {
        if (null == config || null == spec)
        {
            return "";
        }
        final int colon = message.indexOf(':');
        final int space = message.indexOf(' ');
        final int end = colon < 0 ? space : (space < 0 ? colon : Math.min(colon, space));
        final String flag = end < 0 ? message : message.substring(0, end);
        return flag.startsWith("--") && !spec.commandLine().getParseResult().hasMatchedOption(flag) &&
            config.has(flag) ? " (key " + flag.substring(2) + " in " + config.path() + ")" : "";
    }

    /**
     * Print stats lines until SIGTERM/SIGINT or the end of {@code --duration}, then stop within
     * {@code --shutdown-timeout}: /health turns 503, the report is taken, the server closes (the workers disconnect
     * every session with SERVER_SHUTDOWN, the sockets close), the final report is printed. A SIGTERM waits for all
     * this and then ends the JVM with the same exit code (0, not the 143 of a signalled JVM).
     *
     * @param stats      the stats printer.
     * @param server     what to close: the session server or the node.
     * @param metrics    the metrics endpoint, or null when off: 503 on /health from the stop on, closed last.
     * @param afterClose more report lines, taken after the close.
     * @return 0 when the server closed within the deadline, 1 when it did not (a warning says so).
     * @throws Exception if interrupted while waiting.
     */
    private int runUntilStopped(
        final StatsPrinter stats,
        final AutoCloseable server,
        final MetricsEndpoint metrics,
        final Supplier<String> afterClose) throws Exception
    {
        final CountDownLatch stopped = new CountDownLatch(1);
        final int[] exitCode = {0};
        // On SIGTERM/SIGINT: tell the main loop to stop, hold the JVM until it has closed and reported, then exit
        // with its code: halt, because the JVM is already exiting and System.exit would block.
        final Thread hook = new Thread(() ->
        {
            stop.countDown();
            try
            {
                final boolean reported =
                    stopped.await(shutdownTimeout.toMillis() + REPORT_GRACE_MS, TimeUnit.MILLISECONDS);
                err.flush();
                out.flush();
                Runtime.getRuntime().halt(reported ? exitCode[0] : 1);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "skirmish-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        final long endNs = null == duration ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        final long intervalNs = statsInterval.isZero() ? Long.MAX_VALUE : statsInterval.toNanos();
        while (true)
        {
            final long nowNs = System.nanoTime();
            final long waitNs = Math.min(intervalNs, endNs - nowNs);
            if (waitNs <= 0 || stop.await(waitNs, TimeUnit.NANOSECONDS))
            {
                break;
            }
            if (intervalNs != Long.MAX_VALUE)
            {
                stats.printInterval();
            }
        }

        final long stopStartNs = System.nanoTime();
        err.println("skirmish server: stopping (deadline " + shutdownTimeout.toMillis() + " ms): " +
            "disconnecting every session with SERVER_SHUTDOWN");
        err.flush();
        if (null != metrics)
        {
            metrics.beginShutdown();
        }
        if (server instanceof SessionServer)
        {
            // From here on connect attempts get DENIED(shutting down); no session is created during the stop.
            ((SessionServer)server).beginShutdown();
        }
        // Per-thread figures are only readable while the threads live: take the report before closing.
        final String report = stats.finalReport();
        final boolean closed = closeWithin(server, stopStartNs + shutdownTimeout.toNanos());
        if (null != metrics)
        {
            metrics.close();
        }
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignore)
        {
            // Already shutting down: the hook waits for the report below.
        }
        final long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStartNs);
        out.println("skirmish server: stopped in " + stopMs + " ms");
        out.print(report);
        if (closed)
        {
            out.print(afterClose.get());
        }
        else
        {
            err.println("skirmish server: WARNING: the stop overran --shutdown-timeout " +
                shutdownTimeout.toMillis() + " ms: exiting anyway (exit code 1); sessions not yet told may time out");
            exitCode[0] = 1;
        }
        out.flush();
        err.flush();
        stopped.countDown();
        return exitCode[0];
    }

    /**
     * Close on another thread and wait for it until the deadline, so a close that hangs cannot hold the stop.
     *
     * @param server     what to close.
     * @param deadlineNs {@link System#nanoTime()} by which it must have closed.
     * @return true if it closed (or failed, reported) in time.
     * @throws InterruptedException if interrupted while waiting.
     */
    private boolean closeWithin(final AutoCloseable server, final long deadlineNs) throws InterruptedException
    {
        final CompletableFuture<Void> close = new CompletableFuture<>();
        final Thread closer = new Thread(() ->
        {
            try
            {
                server.close();
                close.complete(null);
            }
            catch (final Throwable ex)
            {
                close.completeExceptionally(ex);
            }
        }, "skirmish-close");
        closer.setDaemon(true);
        closer.start();
        try
        {
            close.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            return false;
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            err.println("skirmish server: error while closing: " + ex.getCause());
            return true;
        }
    }

    private String modeName()
    {
        return mode.name().toLowerCase().replace('_', '-');
    }

    private void noteIgnoredFlags(final String kind, final List<String> flags)
    {
        final List<String> given = new ArrayList<>();
        for (final String flag : flags)
        {
            if (spec.commandLine().getParseResult().hasMatchedOption(flag) || (null != config && config.has(flag)))
            {
                given.add(flag);
            }
        }
        if (!given.isEmpty())
        {
            err.println("skirmish server: note: " + kind + " flags have no effect in mode " + modeName() + ": " +
                String.join(", ", given));
        }
    }

    /**
     * Entry point for tests: parse and run, return the exit code instead of exiting. Warnings and errors go to
     * {@link System#err}.
     *
     * @param out  where the banner and report go.
     * @param args command line.
     * @return exit code.
     */
    static int run(final PrintStream out, final String... args)
    {
        return run(out, System.err, args);
    }

    /**
     * Entry point for tests that check stderr: parse and run, return the exit code instead of exiting.
     *
     * @param out  where the banner and report go.
     * @param err  where warnings, errors, usage and the stats lines go.
     * @param args command line.
     * @return exit code.
     */
    static int run(final PrintStream out, final PrintStream err, final String... args)
    {
        return execute(new ServerMain(out, err), args);
    }

    /**
     * Entry point for tests that stop the server with {@link #stop()}: parse and run, return the exit code.
     *
     * @param main the command, made with its output streams.
     * @param args command line.
     * @return exit code.
     */
    static int execute(final ServerMain main, final String... args)
    {
        final PrintStream out = main.out;
        final PrintStream err = main.err;
        final CommandLine cli = new CommandLine(main);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final Path configPath = ConfigFile.findIn(args);
        if (null != configPath)
        {
            try
            {
                main.config = ConfigFile.load(configPath, cli.getCommandSpec());
            }
            catch (final ConfigurationException ex)
            {
                err.println("skirmish server: invalid configuration: " + ex.getMessage());
                return 2;
            }
            cli.setDefaultValueProvider(main.config);
            final CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
            cli.setParameterExceptionHandler((ex, rest) ->
            {
                // A bad value from the file: name the key and the file rather than print the usage.
                final CommandLine.Model.ArgSpec arg = ex.getArgSpec();
                if (arg instanceof CommandLine.Model.OptionSpec &&
                    main.config.has(((CommandLine.Model.OptionSpec)arg).longestName()) &&
                    !ex.getCommandLine().getParseResult().hasMatchedOption((CommandLine.Model.OptionSpec)arg))
                {
                    err.println("skirmish server: invalid configuration: --config " + configPath + ": key " +
                        ((CommandLine.Model.OptionSpec)arg).longestName().substring(2) + ": " + ex.getMessage());
                    return 2;
                }
                return usage.handleParseException(ex, rest);
            });
        }
        return cli.execute(args);
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        // Netty's default leak detection samples 1 buffer in 128 and allocates a tracker for it: ~12 B per datagram
        // on average. Off unless the operator asks for it (tests run at paranoid).
        if (null == System.getProperty("io.netty.leakDetection.level"))
        {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        System.exit(run(System.out, System.err, args));
    }

    /** Case-insensitive enum flag values; '-' stands for '_'. The message lists what is accepted. */
    abstract static class EnumConverter<E extends Enum<E>> implements CommandLine.ITypeConverter<E>
    {
        private final Class<E> type;

        EnumConverter(final Class<E> type)
        {
            this.type = type;
        }

        @Override
        public E convert(final String value)
        {
            try
            {
                return Enum.valueOf(type, value.trim().toUpperCase().replace('-', '_'));
            }
            catch (final IllegalArgumentException ex)
            {
                final StringBuilder accepted = new StringBuilder();
                for (final E constant : type.getEnumConstants())
                {
                    accepted.append(accepted.length() == 0 ? "" : ", ")
                        .append(constant.name().toLowerCase().replace('_', '-'));
                }
                throw new CommandLine.TypeConversionException("expected one of " + accepted + ", got '" + value + "'");
            }
        }
    }

    static final class ModeConverter extends EnumConverter<Mode>
    {
        ModeConverter()
        {
            super(Mode.class);
        }
    }

    static final class TransportConverter extends EnumConverter<TransportKind>
    {
        TransportConverter()
        {
            super(TransportKind.class);
        }
    }

    static final class AeadSuiteConverter extends EnumConverter<AeadSuite>
    {
        AeadSuiteConverter()
        {
            super(AeadSuite.class);
        }
    }

    static final class IdleConverter extends EnumConverter<WorkerIdle>
    {
        IdleConverter()
        {
            super(WorkerIdle.class);
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration>
    {
        @Override
        public Duration convert(final String value)
        {
            try
            {
                return DurationParser.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage());
            }
        }
    }

    /**
     * Prints counters, and the garbage and CPU our threads spend per datagram, at intervals and at the end; in
     * session mode also the sessions open. The end report's per-datagram figures cover the steady state: from the
     * end of the first whole interval with traffic (start-up and JIT warm-up excluded) to the stop; without interval
     * lines they cover the whole run.
     */
    static final class StatsPrinter
    {
        private static final String IO = "skirmish-io-";
        private static final String WORKER = "skirmish-worker-";

        private final dev.skirmish.core.metrics.Counters counters;
        private final SessionRegistry sessions;
        private final ThreadAllocation threads;
        private final PrintStream err;
        private final long[] start;
        private long[] last;
        private long[] baseline;
        private int trafficIntervals;

        StatsPrinter(
            final dev.skirmish.core.metrics.Counters counters,
            final SessionRegistry sessions,
            final ThreadAllocation threads,
            final PrintStream err)
        {
            this.counters = counters;
            this.sessions = sessions;
            this.threads = threads;
            this.err = err;
            this.start = sample();
            this.last = start;
        }

        /** nowNs, datagrams in, datagrams out, io bytes, worker bytes, io cpu ns, worker cpu ns. */
        private long[] sample()
        {
            return new long[] {System.nanoTime(), counters.get(Counter.DATAGRAMS_IN),
                counters.get(Counter.DATAGRAMS_OUT), threads.allocatedBytes(IO), threads.allocatedBytes(WORKER),
                threads.cpuNs(IO), threads.cpuNs(WORKER)};
        }

        void printInterval()
        {
            final long[] now = sample();
            // Steady state starts after one whole interval with traffic (JIT and pools warmed up).
            if (null == baseline && now[1] - last[1] > 0 && ++trafficIntervals == 2)
            {
                baseline = now;
            }
            final double seconds = (now[0] - last[0]) / 1e9;
            final long dIn = now[1] - last[1];
            err.printf("stats: in %.0f/s out %.0f/s drops %d%s | per datagram in: alloc io %.1f B, workers %.1f B;" +
                " cpu io %.0f ns, workers %.0f ns%n",
                dIn / seconds, (now[2] - last[2]) / seconds, drops(),
                null == sessions ? "" : " | sessions open " + sessions.sessionCount() + " (pending " +
                    sessions.pendingCount() + ")",
                perDatagram(now[3] - last[3], dIn), perDatagram(now[4] - last[4], dIn),
                perDatagram(now[5] - last[5], dIn), perDatagram(now[6] - last[6], dIn));
            last = now;
        }

        private static double perDatagram(final long amount, final long datagrams)
        {
            return datagrams == 0 ? 0.0 : (double)amount / datagrams;
        }

        long drops()
        {
            long drops = 0;
            for (final Counter counter : Counter.values())
            {
                if (counter.label().startsWith("drop_"))
                {
                    drops += counters.get(counter);
                }
            }
            return drops;
        }

        String finalReport()
        {
            final StringBuilder sb = new StringBuilder("counters:\n");
            for (final Counter counter : Counter.values())
            {
                sb.append("  ").append(counter.label()).append(' ').append(counters.get(counter)).append('\n');
            }
            if (null != sessions)
            {
                sb.append("sessions at stop (before the shutdown closes them):\n");
                sb.append("  open ").append(sessions.sessionCount()).append('\n');
                sb.append("  pending ").append(sessions.pendingCount()).append('\n');
            }
            final long[] from = null == baseline ? start : baseline;
            final long[] now = sample();
            final long datagrams = now[1] - from[1];
            sb.append(String.format("per datagram in (%s, %d datagrams):%n",
                null == baseline ? "whole run" : "steady state, after the first interval with traffic", datagrams));
            sb.append(String.format("  alloc_io_bytes %.1f%n", perDatagram(now[3] - from[3], datagrams)));
            sb.append(String.format("  alloc_worker_bytes %.1f%n", perDatagram(now[4] - from[4], datagrams)));
            sb.append(String.format("  cpu_io_ns %.0f%n", perDatagram(now[5] - from[5], datagrams)));
            sb.append(String.format("  cpu_worker_ns %.0f%n", perDatagram(now[6] - from[6], datagrams)));
            return sb.toString();
        }
    }
}
