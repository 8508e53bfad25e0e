package dev.skirmish.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.skirmish.core.ConfigurationException;
import dev.skirmish.sim.cli.DurationConverter;
import dev.skirmish.sim.cli.ServerAddress;
import dev.skirmish.sim.cli.U64Converter;
import dev.skirmish.sim.flood.FloodTransport;
import dev.skirmish.sim.game.GameSettings;
import dev.skirmish.sim.report.IntervalReporter;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.session.ImpairmentMix;
import dev.skirmish.sim.session.SessionSettings;
import dev.skirmish.sim.wire.EchoDatagram;
import dev.skirmish.session.channel.ChannelEndpointConfig;
import dev.skirmish.session.channel.ChannelMode;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.server.SessionServerConfig;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.TokenKey;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code skirmish bots}: the bot load generator. By default ({@code --mode game}) connects game bots to a Skirmish
 * server with rooms, where they play frame sync in rooms; {@code session} bots ping a session server at a fixed rate;
 * {@code pingpong} and {@code flood} send ECHO datagrams to a
 * server in {@code echo} or {@code raw-echo} mode. Records connect and round-trip times with HdrHistogram and writes
 * a report directory.
 * <p>
 * Exit codes: 0 success, 1 no echo received, too many bots failed or the run could not start, 2 usage error.
 */
@Command(
    name = "skirmish bots",
    mixinStandardHelpOptions = true,
    versionProvider = BotsMain.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Bot load generator. Mode game (the default): bots connect to a Skirmish server with rooms "
            + "(./skirmish server) with their own connect tokens and play frame sync in rooms of --room-size at "
            + "--tick-hz. Mode session: bots ping a session server at a fixed rate. "
            + "Modes pingpong and flood: ECHO datagrams to a server in mode echo or raw-echo.",
        "Records latencies with HdrHistogram; writes summary.json, <metric>.hgrm and .hlog (game: input-frame, "
            + "frame-jitter, rtt, connect, loop-lag; others: rtt, session also connect) and report.html (plots; ./skirmish report) to the report directory.",
        ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:no echo received (server not running?), more bots failed than --max-failures, or the run could "
            + "not start",
        "2:usage error, or a bad --token-key file"
    })
public final class BotsMain implements Callable<Integer>
{
    /** Exit code when the run worked. */
    public static final int EXIT_OK = 0;
    /** Exit code when nothing came back or the run could not start. */
    public static final int EXIT_FAILED = 1;
    /** Exit code of a usage error; picocli's default for parameter exceptions. */
    public static final int EXIT_USAGE = 2;

    /** Most clients a flood may open: one socket each. */
    public static final int MAX_CLIENTS = 10_000;
    /** Most datagrams in flight per flood client. */
    public static final int MAX_WINDOW = 1024;
    /** Most flood or session event-loop threads. */
    public static final int MAX_IO_THREADS = 64;
    /** Most session bots per room. */
    public static final int MAX_ROOM_SIZE = MAX_CLIENTS;
    /** Highest input rate per game bot: the rooms' highest tick rate. */
    public static final int MAX_TICK_HZ = 128;
    /** Port of the server's metrics endpoint unless --metrics-url says otherwise. */
    public static final int METRICS_PORT_DEFAULT = 9400;
    /** Highest ping rate per session bot. */
    public static final int MAX_RATE_HZ = 1000;
    /** Server address when none is given: the default server port on loopback. */
    public static final String SERVER_DEFAULT = "127.0.0.1:7777";
    /** {@code --protocol-id} default as the help prints it: {@link SessionServerConfig#PROTOCOL_ID_DEFAULT}. */
    public static final String PROTOCOL_ID_DEFAULT_TEXT = "0x534b0001";

    /** Options, by their first name, and the modes they apply to; the others ignore them with a warning. */
    private static final Map<String, List<Mode>> MODE_OPTIONS = Map.ofEntries(
        Map.entry("--clients", List.of(Mode.GAME, Mode.SESSION, Mode.FLOOD)),
        Map.entry("--threads", List.of(Mode.GAME, Mode.SESSION, Mode.FLOOD)),
        Map.entry("--transport", List.of(Mode.GAME, Mode.SESSION, Mode.FLOOD)),
        Map.entry("--window", List.of(Mode.FLOOD)),
        Map.entry("--spin", List.of(Mode.PINGPONG)),
        Map.entry("--token-key", List.of(Mode.GAME, Mode.SESSION)),
        Map.entry("--protocol-id", List.of(Mode.GAME, Mode.SESSION)),
        Map.entry("--room-size", List.of(Mode.GAME, Mode.SESSION)),
        Map.entry("--rate", List.of(Mode.SESSION)),
        Map.entry("--connect-timeout", List.of(Mode.GAME, Mode.SESSION)),
        Map.entry("--max-failures", List.of(Mode.GAME, Mode.SESSION)),
        Map.entry("--single-source", List.of(Mode.GAME, Mode.SESSION)),
        Map.entry("--channel", List.of(Mode.SESSION)),
        Map.entry("--impair", List.of(Mode.GAME, Mode.SESSION)),
        Map.entry("--seed", List.of(Mode.GAME, Mode.SESSION)),
        Map.entry("--aead-suite", List.of(Mode.GAME, Mode.SESSION)),
        Map.entry("--tick-hz", List.of(Mode.GAME)),
        Map.entry("--input-lead", List.of(Mode.GAME)),
        Map.entry("--input-timing", List.of(Mode.GAME)),
        Map.entry("--ramp", List.of(Mode.GAME)),
        Map.entry("--metrics-url", List.of(Mode.GAME)));

    private static final DateTimeFormatter RUN_DIR_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Spec
    private CommandSpec spec;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "game", converter = Mode.Converter.class,
        description = "game (bots in rooms of --room-size play frame sync at --tick-hz against a server with rooms: "
            + "input-to-frame latency, frame jitter, RTT), session (bots connect to a session server and ping at --rate), pingpong (one ECHO "
            + "datagram in flight) or flood (--clients x --window in flight); pingpong and flood need a server "
            + "in mode echo or raw-echo. Default: ${DEFAULT-VALUE}.")
    private Mode mode;

    @Option(names = "--server", paramLabel = "HOST:PORT", defaultValue = SERVER_DEFAULT,
        converter = ServerAddress.Converter.class,
        description = "Server to send to, e.g. 127.0.0.1:7777 or [::1]:7777. Session mode also puts it into "
            + "every token, so it must be an address the server accepts tokens for. Default: ${DEFAULT-VALUE}.")
    private ServerAddress server;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
        description = "Measurement time after warm-up: 500ms, 10s, 2m. Default: ${DEFAULT-VALUE}.")
    private Duration duration;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "1s", converter = DurationConverter.class,
        description = "Warm-up before measuring; its samples are not in the summary. Default: ${DEFAULT-VALUE}.")
    private Duration warmup;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "64",
        description = "Session: DATA payload per ping; pingpong, flood: ECHO payload after the 8-byte header. "
            + "16..1400. Default: ${DEFAULT-VALUE}.")
    private int payloadLength;

    @Option(names = { "--clients", "--bots" }, paramLabel = "N", defaultValue = "4",
        description = "Game, session: bots; flood: clients. Each has its own socket, 1..10000. "
            + "Default: ${DEFAULT-VALUE}.")
    private int clients;

    @Option(names = "--window", paramLabel = "W", defaultValue = "8",
        description = "Flood: datagrams in flight per client, 1..1024. Default: ${DEFAULT-VALUE}.")
    private int window;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "200ms", converter = DurationConverter.class,
        description = "A datagram or ping without echo after this is counted lost. Default: ${DEFAULT-VALUE}.")
    private Duration timeout;

    @Option(names = "--spin", paramLabel = "TIME", defaultValue = "0s", converter = DurationConverter.class,
        description = "Pingpong: poll for the echo this long before blocking (0s blocks at once). A poll hides "
            + "the client's own wake-up only when the server answers within it, which favours whichever server "
            + "path is faster than the window; 0s makes both paths pay it. Default: ${DEFAULT-VALUE}.")
    private Duration spin;

    @Option(names = { "--threads", "--io-threads" }, paramLabel = "N", defaultValue = "1",
        description = "Game, session, flood: client event-loop threads, 1..64. Default: ${DEFAULT-VALUE}.")
    private int ioThreads;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "auto", converter = FloodTransport.Converter.class,
        description = "Game, session, flood: auto (epoll if available, else nio), epoll or nio. Default: ${DEFAULT-VALUE}.")
    private FloodTransport transport;

    @Option(names = "--token-key", paramLabel = "FILE",
        description = "Game, session: key file the bots' connect tokens are sealed with, 64 hex characters or 32 raw bytes "
            + "(as ./skirmish server --token-key). Default: the public development key.")
    private Path tokenKeyFile;

    @Option(names = "--protocol-id", paramLabel = "N", defaultValue = PROTOCOL_ID_DEFAULT_TEXT,
        converter = U64Converter.class,
        description = "Game, session: u64 naming the game and build, decimal or 0x-hex; must match the server's. "
            + "Default: ${DEFAULT-VALUE}.")
    private long protocolId;

    @Option(names = "--room-size", paramLabel = "K", defaultValue = "4",
        description = "Game, session: bots per room; bot i joins room i / K. 1..10000. Default: ${DEFAULT-VALUE}.")
    private int roomSize;

    @Option(names = "--rate", paramLabel = "HZ", defaultValue = "30",
        description = "Session: pings per second per bot, 1..1000. Default: ${DEFAULT-VALUE}.")
    private int rateHz;

    @Option(names = "--input-lead", paramLabel = "FRAMES", defaultValue = "0",
        description = "Game: frames beyond the first one a bot's input can still reach that it targets "
            + "(FrameSyncClient's inputLeadFrames): more absorbs jitter, fewer cuts input-to-frame latency. 0..64. "
            + "Default: ${DEFAULT-VALUE}.")
    private int inputLead;

    @Option(names = "--input-timing", paramLabel = "aligned|free", defaultValue = "aligned",
        description = "Game: 'aligned' moves each bot's ticks to just before its input's deadline once the room's "
            + "tick phase is known (just-in-time input, as a lockstep client samples it); 'free' keeps the phase the "
            + "bot connected at, so inputs also wait 0..1 tick for their frame. Default: ${DEFAULT-VALUE}.")
    private String inputTiming;

    @Option(names = "--tick-hz", paramLabel = "HZ", defaultValue = "30",
        description = "Game: inputs per second per bot; should be the server's room tick rate. 1..128. "
            + "Default: ${DEFAULT-VALUE}.")
    private int tickHz;

    @Option(names = "--ramp", paramLabel = "R/s",
        description = "Game: connect this many bots per second, e.g. 200/s. Default: as fast as possible.")
    private String ramp;

    @Option(names = "--metrics-url", paramLabel = "URL",
        description = "Game: the server's Prometheus endpoint, scraped at the start and end for GC pauses and tick "
            + "lateness; 'none' to skip. Default: http://<server host>:9400/metrics.")
    private String metricsUrl;

    @Option(names = "--connect-timeout", paramLabel = "TIME", defaultValue = "5s", converter = DurationConverter.class,
        description = "Game, session: a bot not connected this long after it started connecting has failed. "
            + "Default: ${DEFAULT-VALUE}.")
    private Duration connectTimeout;

    @Option(names = "--max-failures", paramLabel = "N", defaultValue = "0",
        description = "Game, session: bots that may fail to connect or disconnect unexpectedly before the run fails "
            + "(exit 1). Default: ${DEFAULT-VALUE}.")
    private int maxFailures;

    @Option(names = "--single-source",
        description = "Game, session: every bot binds the same local address. Without it, against a server on IPv4 "
            + "loopback each bot binds its own address in 127.1.0.0/16, so that many bots connecting at once do not "
            + "trip the server's per-source handshake limit.")
    private boolean singleSource;

    @Option(names = "--channel", paramLabel = "N", defaultValue = "0",
        description = "Session: channel of the pings, 0..3 (default table: 0 unreliable, 1 unreliable sequenced, "
            + "2 reliable ordered, 3 reliable unordered; the server's table must be the same); the echo server "
            + "answers on the same one. "
            + "Default: ${DEFAULT-VALUE}.")
    private int channel;

    @Option(names = "--impair", paramLabel = "PROFILE",
        description = "Game, session: an in-process impaired network between each bot and the server, both ways: a preset "
            + "(none, lan, wifi, 4g, bad-4g) and/or items, e.g. 'loss=5%%,delay=10ms,jitter=2ms' or '4g,bw=2mbps'. "
            + "rebind=D[@D] moves each bot to a new local port every D (first at the offset, default D, plus a "
            + "seeded per-bot jitter below D): a NAT rebinding the server migrates. "
            + "A mix of groups, separated by '|', each optionally led by a whole-number share: "
            + "'70%%=wifi|30%%=bad-4g,bw=1mbps'; shares for all groups or none (equal), 1..100%% each, summing to "
            + "100%%; bots are assigned by index in proportion (the first 70%% get wifi). "
            + "Seeded (see --seed). Default: none.")
    private String impair;

    @Option(names = "--seed", paramLabel = "N",
        description = "Game, session: seed of the --impair network (bot i uses seed+2i, seed+2i+1). Default: random, "
            + "printed.")
    private Long seed;

    @Option(names = "--aead-suite", paramLabel = "SUITE",
        description = "Game, session: AEAD protecting the bots' session packets; not negotiated, so it must be the "
            + "server's --aead-suite: chacha20-poly1305 or aes-256-gcm. Default: chacha20-poly1305 (AeadSuite.DEFAULT).")
    private String aeadSuite;

    @Option(names = "--report", paramLabel = "DIR",
        description = "Report directory. Default: perf-results/runs/<yyyyMMdd-HHmmss>-<mode>/ under the "
            + "current directory.")
    private Path reportDir;

    @Option(names = "--label", paramLabel = "TEXT",
        description = "Free text stored in the summary, e.g. \"echo batch16\".")
    private String label;

    private final PrintStream out;
    private final PrintStream err;

    private BotsMain(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Entry point of {@code java -jar skirmish-bots.jar}; exits with the code of {@link #run(String...)}.
     *
     * @param args command line.
     */
    public static void main(final String... args)
    {
        // As the server: Netty's default leak detection samples 1 buffer in 128 and records a stack trace for it,
        // which shows in the swarm's profile. Off unless asked for (tests run at paranoid).
        if (null == System.getProperty("io.netty.leakDetection.level"))
        {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        System.exit(run(args));
    }

    /**
     * Run the tool with stdout and stderr, without exiting the JVM.
     *
     * @param args command line.
     * @return exit code: {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_USAGE}.
     */
    public static int run(final String... args)
    {
        return run(System.out, System.err, args);
    }

    /**
     * Run the tool, without exiting the JVM.
     *
     * @param out  for the summary and help.
     * @param err  for progress lines, warnings and usage errors.
     * @param args command line.
     * @return exit code: {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_USAGE}.
     */
    public static int run(final PrintStream out, final PrintStream err, final String... args)
    {
        // Netty would otherwise look for an SLF4J provider, which this tool does not ship
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);

        final CommandLine commandLine = new CommandLine(new BotsMain(out, err));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        return commandLine.execute(args);
    }

    /**
     * Validate the options, run the mode and write the report.
     *
     * @return exit code.
     * @throws Exception on an unexpected failure, reported by picocli with exit code 1.
     */
    public Integer call() throws Exception
    {
        final RunConfig config = conclude();
        warnAboutIgnoredOptions();
        if (null != config.session() && null == config.session().tokenKeyFile())
        {
            err.println("skirmish bots: no --token-key: tokens are sealed with the public development key (" +
                TokenKey.DEVELOPMENT.fingerprint() + "), accepted only by a server that uses it too");
        }

        final Path dir = config.reportDir();
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            err.println("cannot create report directory " + dir + ": " + ex);
            return EXIT_FAILED;
        }

        final RttRecorder rtt = new RttRecorder();
        final BotRun run;
        try
        {
            run = config.mode().newRun(config, rtt, err);
        }
        catch (final IOException ex)
        {
            err.println("cannot start " + config.mode().cliName() + " run against " + config.server() + ": " +
                ex.getMessage());
            return EXIT_FAILED;
        }

        final RunReport report;
        try (run)
        {
            err.printf("skirmish bots: %s to %s, %swarm-up %s, duration %s, transport %s, report %s%n",
                config.mode().cliName(), config.server(), describeSession(config), warmup.toMillis() + "ms",
                duration.toMillis() + "ms", run.transport(), dir);

            final HistogramLogWriter logWriter = new HistogramLogWriter(
                dir.resolve(config.mode().metric() + ".hlog").toFile());
            try
            {
                run.prepare();
                final RunPhases phases = RunPhases.startingNow(config.warmupNs(), config.durationNs());
                writeLogHeader(logWriter, config, phases);
                final IntervalReporter reporter = new IntervalReporter(
                    phases, rtt, run.counters(), run.connectedClients(), logWriter, err, run.progressLine());
                reporter.start();

                long stopNs = phases.endNs();
                Histogram total;
                try
                {
                    stopNs = run.execute(phases);
                }
                finally
                {
                    total = reporter.finish();
                }

                report = new RunReport(
                    config,
                    run.transport(),
                    Instant.ofEpochMilli(phases.startEpochMs()),
                    stopNs - phases.measureStartNs(),
                    run.counters(),
                    total,
                    run.modeReport());
            }
            finally
            {
                logWriter.close();
            }
        }

        report.write(dir);
        report.printSummary(out, dir);
        out.flush();

        final String failure = report.modeFailure();
        if (null != failure)
        {
            err.println(failure);
            return EXIT_FAILED;
        }
        if (report.received() == 0)
        {
            err.println("no replies from " + config.server() + " \u2014 is the server running?");
            return EXIT_FAILED;
        }

        return EXIT_OK;
    }

    private RunConfig conclude()
    {
        if (duration.isZero())
        {
            throw usage("--duration must be more than 0");
        }
        if (timeout.isZero())
        {
            throw usage("--timeout must be more than 0");
        }
        checkRange("--payload", payloadLength, EchoDatagram.MIN_PAYLOAD_LENGTH, EchoDatagram.MAX_PAYLOAD_LENGTH);
        checkRange("--clients", clients, 1, MAX_CLIENTS);
        checkRange("--window", window, 1, MAX_WINDOW);
        checkRange("--threads", ioThreads, 1, MAX_IO_THREADS);

        final boolean flood = mode == Mode.FLOOD;
        final boolean game = mode == Mode.GAME;
        final boolean session = mode == Mode.SESSION || game;
        final boolean manyClients = flood || session;
        if (manyClients && transport == FloodTransport.EPOLL)
        {
            try
            {
                transport.resolve();
            }
            catch (final IllegalStateException ex)
            {
                throw usage("--transport epoll: " + ex.getMessage());
            }
        }

        final SessionSettings sessionSettings = session ? concludeSession() : null;
        final int clientWindow = game ? 1 : session ? sessionSettings.slots(timeout.toNanos()) : flood ? window : 1;

        return new RunConfig(
            mode,
            server,
            duration.toNanos(),
            warmup.toNanos(),
            timeout.toNanos(),
            payloadLength,
            manyClients ? clients : 1,
            clientWindow,
            manyClients ? ioThreads : 1,
            transport,
            null != reportDir ? reportDir : defaultReportDir(mode),
            label,
            mode == Mode.PINGPONG ? spin.toNanos() : 0,
            sessionSettings,
            game ? concludeGame() : null);
    }

    private GameSettings concludeGame()
    {
        checkRange("--tick-hz", tickHz, 1, MAX_TICK_HZ);
        checkRange("--input-lead", inputLead, 0, 64);
        int rampPerSec = 0;
        if (null != ramp)
        {
            final String count = ramp.endsWith("/s") ? ramp.substring(0, ramp.length() - 2) : ramp;
            try
            {
                rampPerSec = Integer.parseInt(count.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw usage("--ramp must be bots per second, e.g. 200/s, was '" + ramp + "'");
            }
            checkRange("--ramp", rampPerSec, 1, 1_000_000);
        }
        String url = metricsUrl;
        if (null == url)
        {
            final java.net.InetSocketAddress address = server.socketAddress();
            final String host = address.getAddress() instanceof java.net.Inet6Address ?
                "[" + address.getAddress().getHostAddress() + "]" : address.getAddress().getHostAddress();
            url = "http://" + host + ":" + METRICS_PORT_DEFAULT + "/metrics";
        }
        else if ("none".equals(url))
        {
            url = null;
        }
        else if (!url.startsWith("http://") && !url.startsWith("https://"))
        {
            throw usage("--metrics-url must be an http:// URL or 'none', was '" + url + "'");
        }

        if (!"aligned".equals(inputTiming) && !"free".equals(inputTiming))
        {
            throw usage("--input-timing must be 'aligned' or 'free', not '" + inputTiming + "'");
        }
        return new GameSettings(tickHz, rampPerSec, url, inputLead, "aligned".equals(inputTiming));
    }

    private SessionSettings concludeSession()
    {
        checkRange("--room-size", roomSize, 1, MAX_ROOM_SIZE);
        final int pingOrTickHz = mode == Mode.GAME ? tickHz : rateHz;
        checkRange("--rate", rateHz, 1, MAX_RATE_HZ);
        checkRange("--max-failures", maxFailures, 0, MAX_CLIENTS);
        if (connectTimeout.toMillis() < 1)
        {
            throw usage("--connect-timeout must be at least 1ms");
        }

        final TokenKey tokenKey;
        try
        {
            tokenKey = null == tokenKeyFile ? TokenKey.DEVELOPMENT : TokenKey.load(tokenKeyFile);
        }
        catch (final ConfigurationException ex)
        {
            throw usage("--token-key: " + ex.getMessage());
        }

        final ChannelEndpointConfig channels = new ChannelEndpointConfig().conclude();
        checkRange("--channel", channel, 0, channels.channels().length - 1);
        final ChannelMode channelMode = channels.channels()[channel].mode();
        if (!channelMode.isReliable() && payloadLength > channels.maxWholeMessageBytes())
        {
            throw usage("--payload " + payloadLength + " does not fit one packet (" + channels.maxWholeMessageBytes() +
                " B), which a message on channel " + channel + " (" + channelMode + ") must: use a smaller payload " +
                "or a reliable channel");
        }
        ImpairmentMix profile = null;
        if (null != impair)
        {
            try
            {
                profile = ImpairmentMix.parse(impair);
            }
            catch (final IllegalArgumentException ex)
            {
                throw usage("--impair: " + ex.getMessage());
            }
        }
        final AeadSuite suite = concludeAeadSuite();
        final long impairSeed = null != seed ? seed : new SecureRandom().nextLong();
        if (null != profile)
        {
            err.println("skirmish bots: impairment " + profile + " both ways, seed " + impairSeed);
        }

        return new SessionSettings(
            tokenKey,
            null == tokenKeyFile ? null : tokenKeyFile.toString(),
            protocolId,
            roomSize,
            pingOrTickHz,
            connectTimeout.toNanos(),
            maxFailures,
            singleSource,
            channel,
            profile,
            impairSeed,
            suite);
    }

    private AeadSuite concludeAeadSuite()
    {
        if (null == aeadSuite)
        {
            return AeadSuite.DEFAULT;
        }
        final String name = aeadSuite.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (final AeadSuite suite : AeadSuite.values())
        {
            if (suite.name().equals(name) && suite.keyLength() == ConnectTokenDescriptor.KEY_LENGTH)
            {
                return suite;
            }
        }
        throw usage("--aead-suite must be chacha20-poly1305 or aes-256-gcm (the server's --aead-suite), was '" +
            aeadSuite + "'");
    }

    private static String describeSession(final RunConfig config)
    {
        final SessionSettings session = config.session();
        if (null == session)
        {
            return "";
        }

        return String.format(Locale.ROOT, "%d bots in %d rooms of %d, %d Hz each, ", config.clients(),
            session.rooms(config.clients()), session.roomSize(), session.rateHz());
    }

    private void warnAboutIgnoredOptions()
    {
        for (final OptionSpec option : spec.commandLine().getParseResult().matchedOptions())
        {
            final String name = option.names()[0];
            final List<Mode> modes = MODE_OPTIONS.get(name);
            if (null != modes && !modes.contains(mode))
            {
                warnIgnored(name, modes);
            }
        }
    }

    private void warnIgnored(final String name, final List<Mode> modes)
    {
        final StringBuilder names = new StringBuilder();
        for (final Mode applies : modes)
        {
            names.append(names.length() == 0 ? "" : " and ").append(applies.cliName());
        }
        err.println("warning: " + name + " applies to --mode " + names + " only; ignored");
    }

    private void checkRange(final String option, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw usage(option + " must be " + min + ".." + max + ", was " + value);
        }
    }

    private ParameterException usage(final String message)
    {
        return new ParameterException(spec.commandLine(), message);
    }

    private static Path defaultReportDir(final Mode mode)
    {
        final Path runs = Path.of("perf-results", "runs");
        final String name = LocalDateTime.now().format(RUN_DIR_TIME) + "-" + mode.cliName();
        Path dir = runs.resolve(name);
        for (int i = 2; Files.exists(dir) && i < 1000; i++)
        {
            dir = runs.resolve(name + "-" + i);
        }

        return dir;
    }

    private static void writeLogHeader(final HistogramLogWriter logWriter, final RunConfig config, final RunPhases phases)
    {
        final String label = null == config.label() ? "" : " label \"" + oneLine(config.label()) + "\"";
        logWriter.outputComment("skirmish bots " + config.mode().cliName() + " to " + config.server() + label +
            ": " + (config.mode() == Mode.GAME ? "input-to-frame latencies" : "round-trip times") + " in ns; warm-up intervals tagged " + IntervalReporter.WARMUP_TAG);
        logWriter.outputLogFormatVersion();
        logWriter.outputStartTime(phases.startEpochMs());
        logWriter.setBaseTime(phases.startEpochMs());
        logWriter.outputBaseTime(phases.startEpochMs());
        logWriter.outputLegend();
    }

    private static String oneLine(final String text)
    {
        final StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c);
        }

        return sb.toString();
    }

    /**
     * {@code --version}: the version stamped into the jar's manifest, or {@code dev} when run from classes.
     */
    static final class Version implements IVersionProvider
    {
        /**
         * {@inheritDoc}
         */
        public String[] getVersion()
        {
            final String version = BotsMain.class.getPackage().getImplementationVersion();

            return new String[]{ "skirmish-bots " + (null == version ? "dev" : version) };
        }
    }
}
