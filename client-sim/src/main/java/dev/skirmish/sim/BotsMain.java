package dev.skirmish.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

import dev.skirmish.sim.cli.DurationConverter;
import dev.skirmish.sim.cli.ServerAddress;
import dev.skirmish.sim.flood.FloodTransport;
import dev.skirmish.sim.report.IntervalReporter;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.wire.EchoDatagram;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code skirmish bots}: the bot load generator. Sends ECHO datagrams to a Skirmish server in {@code echo} or
 * {@code raw-echo} mode, records round-trip times with HdrHistogram and writes a report directory.
 * <p>
 * Exit codes: 0 success, 1 no echo received or the run could not start, 2 usage error.
 */
@Command(
    name = "skirmish bots",
    mixinStandardHelpOptions = true,
    versionProvider = BotsMain.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Bot load generator: sends ECHO datagrams to a Skirmish server (modes echo, raw-echo) and records "
            + "round-trip times with HdrHistogram.",
        "Writes summary.json, rtt.hgrm and rtt.hlog to the report directory.",
        ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:no echo received (server not running?) or the run could not start",
        "2:usage error"
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
    /** Most flood event-loop threads. */
    public static final int MAX_IO_THREADS = 64;

    private static final DateTimeFormatter RUN_DIR_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Spec
    private CommandSpec spec;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "pingpong", converter = Mode.Converter.class,
        description = "pingpong (one datagram in flight) or flood (--clients x --window in flight). "
            + "Default: ${DEFAULT-VALUE}.")
    private Mode mode;

    @Option(names = "--server", paramLabel = "HOST:PORT", required = true, converter = ServerAddress.Converter.class,
        description = "Server to send to, e.g. 127.0.0.1:7777 or [::1]:7777.")
    private ServerAddress server;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
        description = "Measurement time after warm-up: 500ms, 10s, 2m. Default: ${DEFAULT-VALUE}.")
    private Duration duration;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "1s", converter = DurationConverter.class,
        description = "Warm-up before measuring; its samples are not in the summary. Default: ${DEFAULT-VALUE}.")
    private Duration warmup;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "64",
        description = "ECHO payload after the 8-byte header, 16..1400. Default: ${DEFAULT-VALUE}.")
    private int payloadLength;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "4",
        description = "Flood: clients, each with its own socket and session id, 1..10000. Default: ${DEFAULT-VALUE}.")
    private int clients;

    @Option(names = "--window", paramLabel = "W", defaultValue = "8",
        description = "Flood: datagrams in flight per client, 1..1024. Default: ${DEFAULT-VALUE}.")
    private int window;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "200ms", converter = DurationConverter.class,
        description = "A datagram without echo after this is counted lost and its slot re-armed. "
            + "Default: ${DEFAULT-VALUE}.")
    private Duration timeout;

    @Option(names = "--spin", paramLabel = "TIME", defaultValue = "0s", converter = DurationConverter.class,
        description = "Pingpong: poll for the echo this long before blocking (0s blocks at once). A poll hides "
            + "the client's own wake-up only when the server answers within it, which favours whichever server "
            + "path is faster than the window; 0s makes both paths pay it. Default: ${DEFAULT-VALUE}.")
    private Duration spin;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "1",
        description = "Flood: event-loop threads, 1..64. Default: ${DEFAULT-VALUE}.")
    private int ioThreads;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "auto", converter = FloodTransport.Converter.class,
        description = "Flood: auto (epoll if available, else nio), epoll or nio. Default: ${DEFAULT-VALUE}.")
    private FloodTransport transport;

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
            err.printf("skirmish bots: %s to %s, warm-up %s, duration %s, transport %s, report %s%n",
                config.mode().cliName(), config.server(), warmup.toMillis() + "ms", duration.toMillis() + "ms",
                run.transport(), dir);

            final HistogramLogWriter logWriter = new HistogramLogWriter(dir.resolve(RunReport.HLOG_FILE).toFile());
            try
            {
                final RunPhases phases = RunPhases.startingNow(config.warmupNs(), config.durationNs());
                writeLogHeader(logWriter, config, phases);
                final IntervalReporter reporter = new IntervalReporter(phases, rtt, run.counters(), logWriter, err);
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
                    total);
            }
            finally
            {
                logWriter.close();
            }
        }

        report.write(dir);
        report.printSummary(out, dir);
        out.flush();

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
        checkRange("--io-threads", ioThreads, 1, MAX_IO_THREADS);

        final boolean flood = mode == Mode.FLOOD;
        if (flood && transport == FloodTransport.EPOLL)
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

        return new RunConfig(
            mode,
            server,
            duration.toNanos(),
            warmup.toNanos(),
            timeout.toNanos(),
            payloadLength,
            flood ? clients : 1,
            flood ? window : 1,
            flood ? ioThreads : 1,
            transport,
            null != reportDir ? reportDir : defaultReportDir(mode),
            label,
            flood ? 0 : spin.toNanos());
    }

    private void warnAboutIgnoredOptions()
    {
        if (mode != Mode.FLOOD)
        {
            for (final String name : new String[]{ "--clients", "--window", "--io-threads", "--transport" })
            {
                if (spec.commandLine().getParseResult().hasMatchedOption(name))
                {
                    err.println("warning: " + name + " applies to --mode flood only; ignored");
                }
            }
        }
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
            ": round-trip times in ns; warm-up intervals tagged " + IntervalReporter.WARMUP_TAG);
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
