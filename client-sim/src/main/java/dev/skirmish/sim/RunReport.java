package dev.skirmish.sim;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import dev.skirmish.sim.report.JsonWriter;
import dev.skirmish.sim.report.TrafficCounters;
import dev.skirmish.sim.results.ReportPage;
import dev.skirmish.sim.results.RunDirectory;
import org.HdrHistogram.Histogram;

/**
 * The outcome of a run and the files it leaves in the report directory: {@value #SUMMARY_FILE} (config,
 * environment, counts and RTT percentiles), {@value #HGRM_FILE} (percentile distribution in µs), whatever the
 * mode adds ({@link ModeReport}), and last {@value ReportPage#FILE}, drawn from all of those files. The interval
 * log {@value #HLOG_FILE} is written during the run by the reporter.
 * <p>
 * Counts cover datagrams <em>sent</em> in the measurement phase, each either received or lost by the end.
 */
public final class RunReport
{
    /** Summary file name. */
    public static final String SUMMARY_FILE = "summary.json";
    /** Percentile distribution file name. */
    public static final String HGRM_FILE = "rtt.hgrm";
    /** Interval log file name. */
    public static final String HLOG_FILE = "rtt.hlog";
    /** Version of the layout of {@value #SUMMARY_FILE}; bumped when a key changes meaning or goes away. */
    public static final int SUMMARY_VERSION = 1;

    private static final double NS_PER_US = 1000.0;

    private final RunConfig config;
    private final String transport;
    private final Instant startedAt;
    private final long measuredNs;
    private final long sent;
    private final long received;
    private final long lost;
    private final long late;
    private final long invalid;
    private final long errors;
    private final Histogram rtt;
    private final ModeReport modeReport;

    /**
     * Collect the outcome of a finished run.
     *
     * @param config     of the run.
     * @param transport  as reported by the run.
     * @param startedAt  wall clock at the start of warm-up.
     * @param measuredNs length of the measurement phase as it happened.
     * @param counters   of the run, no longer written.
     * @param rtt        measurement-phase round trips in ns.
     * @param modeReport what the mode adds; {@link ModeReport#NONE} for nothing.
     */
    public RunReport(
        final RunConfig config,
        final String transport,
        final Instant startedAt,
        final long measuredNs,
        final TrafficCounters[] counters,
        final Histogram rtt,
        final ModeReport modeReport)
    {
        this.config = config;
        this.transport = transport;
        this.startedAt = startedAt;
        this.measuredNs = measuredNs;
        this.sent = TrafficCounters.sum(counters, TrafficCounters.MEASURED_SENT);
        this.received = TrafficCounters.sum(counters, TrafficCounters.MEASURED_RECEIVED);
        this.lost = TrafficCounters.sum(counters, TrafficCounters.MEASURED_LOST);
        this.late = TrafficCounters.sum(counters, TrafficCounters.LATE);
        this.invalid = TrafficCounters.sum(counters, TrafficCounters.INVALID);
        this.errors = TrafficCounters.sum(counters, TrafficCounters.ERRORS);
        this.rtt = rtt;
        this.modeReport = modeReport;
    }

    /**
     * Echoes received for datagrams sent in the measurement phase.
     *
     * @return count.
     */
    public long received()
    {
        return received;
    }

    /**
     * The mode's verdict on the run.
     *
     * @return null when the run passed its mode's checks, else why it did not.
     */
    public String modeFailure()
    {
        return modeReport.failure();
    }

    /**
     * Write {@value #SUMMARY_FILE}, {@value #HGRM_FILE} and the mode's own files, then {@value ReportPage#FILE}
     * from every file in the directory (so it draws whatever histograms the mode wrote, and the interval log).
     *
     * @param dir report directory, existing, the interval log already closed.
     * @throws IOException if a file cannot be written or read back.
     */
    public void write(final Path dir) throws IOException
    {
        Files.writeString(dir.resolve(SUMMARY_FILE), toJson(), StandardCharsets.UTF_8);
        try (OutputStream file = Files.newOutputStream(dir.resolve(config.mode().metric() + ".hgrm"));
            PrintStream out = new PrintStream(file, false, StandardCharsets.UTF_8))
        {
            rtt.outputPercentileDistribution(out, NS_PER_US);
        }
        modeReport.writeFiles(dir);
        try
        {
            ReportPage.write(RunDirectory.load(dir), List.of(), dir.resolve(ReportPage.FILE));
        }
        catch (final IOException ex)
        {
            // the run and its data files stand; only the page is missing (./skirmish report DIR retries it)
            System.err.println("skirmish bots: " + ReportPage.FILE + " not written: " + ex.getMessage());
        }
    }

    /**
     * The summary as JSON; RTT values in µs with one decimal, null when nothing was received.
     *
     * @return the document.
     */
    public String toJson()
    {
        final JsonWriter json = new JsonWriter().beginObject();
        json.name("summaryVersion").value(SUMMARY_VERSION);
        json.name("mode").value(config.mode().cliName());
        json.name("label").value(config.label());
        writeConfig(json);
        json.name("startedAt").value(startedAt.toString());
        json.name("durationS").value(durationS(), 3);
        json.name("warmupS").value(config.warmupNs() / 1e9, 3);
        json.name("sent").value(sent);
        json.name("received").value(received);
        json.name("lost").value(lost);
        json.name("late").value(late);
        json.name("invalid").value(invalid);
        json.name("errors").value(errors);
        json.name("throughputPerSec").value(throughputPerSec(), 1);

        json.name(config.mode().summaryKey()).beginObject();
        writeRtt(json, "p50", rtt.getValueAtPercentile(50.0));
        writeRtt(json, "p90", rtt.getValueAtPercentile(90.0));
        writeRtt(json, "p99", rtt.getValueAtPercentile(99.0));
        writeRtt(json, "p999", rtt.getValueAtPercentile(99.9));
        writeRtt(json, "max", rtt.getMaxValue());
        json.name("mean");
        if (rtt.getTotalCount() > 0)
        {
            json.value(rtt.getMean() / NS_PER_US, 1);
        }
        else
        {
            json.nullValue();
        }
        json.name("count").value(rtt.getTotalCount());
        json.endObject();
        modeReport.writeJson(json);

        return json.endObject().toString();
    }

    /**
     * Print the short human summary.
     *
     * @param out       normally stdout.
     * @param reportDir where the files went.
     */
    public void printSummary(final PrintStream out, final Path reportDir)
    {
        out.printf(Locale.ROOT, "mode         %s (transport %s%s)%n", config.mode().cliName(), transport,
            null == config.label() ? "" : ", label \"" + config.label() + "\"");
        out.printf(Locale.ROOT, "server       %s%n", config.server());
        out.printf(Locale.ROOT, "duration     %.3f s measured after %.3f s warm-up%n",
            durationS(), config.warmupNs() / 1e9);
        modeReport.printSummary(out);
        out.printf(Locale.ROOT, "sent         %d%n", sent);
        out.printf(Locale.ROOT, "received     %d%n", received);
        out.printf(Locale.ROOT, "lost         %d%n", lost);
        out.printf(Locale.ROOT, "throughput   %.1f /s%n", throughputPerSec());
        if (rtt.getTotalCount() > 0)
        {
            out.printf(Locale.ROOT, "%-12s p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
                config.mode().metric() + " us", rtt.getValueAtPercentile(50.0) / NS_PER_US,
                rtt.getValueAtPercentile(90.0) / NS_PER_US,
                rtt.getValueAtPercentile(99.0) / NS_PER_US,
                rtt.getValueAtPercentile(99.9) / NS_PER_US,
                rtt.getMaxValue() / NS_PER_US);
        }
        else
        {
            out.printf(Locale.ROOT, "%-12s -%n", config.mode().metric() + " us");
        }
        if (late + invalid + errors > 0)
        {
            out.printf(Locale.ROOT, "anomalies    late %d  invalid %d  send errors %d (socket errors; in game mode " +
                "also inputs refused)%n", late, invalid, errors);
        }
        out.printf(Locale.ROOT, "report       %s%n", reportDir);
    }

    private void writeConfig(final JsonWriter json)
    {
        json.name("config").beginObject();
        json.name("mode").value(config.mode().cliName());
        json.name("server").value(config.server().toString());
        json.name("durationMs").value(config.durationNs() / 1_000_000);
        json.name("warmupMs").value(config.warmupNs() / 1_000_000);
        json.name("timeoutMs").value(config.timeoutNs() / 1_000_000);
        json.name("spinUs").value(config.spinNs() / 1_000);
        json.name("payloadBytes").value(config.payloadLength());
        json.name("clients").value(config.clients());
        json.name("window").value(config.window());
        json.name("ioThreads").value(config.ioThreads());
        json.name("transportRequested").value(config.transport().cliName());
        if (null != config.session())
        {
            config.session().writeJson(json, config.clients());
        }
        if (null != config.game())
        {
            config.game().writeJson(json);
        }
        json.name("gitRevision").value(GitRevision.read());
        json.name("reportDir").value(config.reportDir().toAbsolutePath().toString());
        json.name("label").value(config.label());
        json.name("transport").value(transport);
        json.name("javaVersion").value(System.getProperty("java.version"));
        json.name("javaVm").value(System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        json.name("jvmFlags").beginArray();
        for (final String flag : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            json.value(flag);
        }
        json.endArray();
        json.name("availableProcessors").value(Runtime.getRuntime().availableProcessors());
        json.name("osName").value(System.getProperty("os.name"));
        json.name("osArch").value(System.getProperty("os.arch"));
        json.name("osVersion").value(System.getProperty("os.version"));
        json.endObject();
    }

    private double durationS()
    {
        return measuredNs / 1e9;
    }

    private double throughputPerSec()
    {
        return measuredNs > 0 ? received / durationS() : 0.0;
    }

    private void writeRtt(final JsonWriter json, final String name, final long valueNs)
    {
        json.name(name);
        if (rtt.getTotalCount() > 0)
        {
            json.value(valueNs / NS_PER_US, 1);
        }
        else
        {
            json.nullValue();
        }
    }
}
