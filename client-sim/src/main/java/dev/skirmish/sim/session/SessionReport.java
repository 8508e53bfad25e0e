package dev.skirmish.sim.session;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import dev.skirmish.sim.ModeReport;
import dev.skirmish.sim.RunConfig;
import dev.skirmish.sim.report.JsonWriter;
import dev.skirmish.sim.report.RttRecorder;
import org.HdrHistogram.Histogram;

/**
 * What session mode adds to the report: how many bots connected, failed or disconnected unexpectedly and why,
 * connect times ({@value #CONNECT_HGRM_FILE}), how late the ping timers ran, and the verdict: fail when more bots
 * failed than {@code --max-failures}, or when no ping came back. Built on the controlling thread once every bot has
 * settled and left.
 */
final class SessionReport implements ModeReport
{
    /** Percentile distribution of the connect times, in µs. */
    static final String CONNECT_HGRM_FILE = "connect.hgrm";

    private static final double NS_PER_US = 1000.0;

    private final RunConfig config;
    private final int bots;
    private final int connected;
    private final int failed;
    private final int disconnected;
    private final Map<String, Integer> failedBy = new TreeMap<>();
    private final Map<String, Integer> disconnectedBy = new TreeMap<>();
    private final Histogram connectNs = new Histogram(RttRecorder.SIGNIFICANT_DIGITS);
    private final long connectPhaseNs;
    private final long maxSendLagNs;
    private final long received;
    private final long rebinds;
    private final long rebindFailures;
    private final long rebindsPerBotMin;

    SessionReport(final RunConfig config, final SessionBot[] bots, final long connectPhaseNs, final long received)
    {
        this.config = config;
        this.bots = bots.length;
        this.connectPhaseNs = connectPhaseNs;
        this.received = received;

        int connected = 0;
        int failed = 0;
        int disconnected = 0;
        long maxSendLagNs = 0;
        long rebinds = 0;
        long rebindFailures = 0;
        long rebindsPerBotMin = -1;
        for (final SessionBot bot : bots)
        {
            rebinds += bot.rebinds();
            rebindFailures += bot.rebindFailures();
            final long botConnectNs = bot.connectNs();
            if (botConnectNs >= 0)
            {
                connected++;
                connectNs.recordValue(botConnectNs);
                rebindsPerBotMin = rebindsPerBotMin < 0 ? bot.rebinds() : Math.min(rebindsPerBotMin, bot.rebinds());
            }
            switch (bot.status())
            {
                case SessionBot.FAILED:
                    failed++;
                    failedBy.merge(String.valueOf(bot.outcome()), 1, Integer::sum);
                    break;

                case SessionBot.DISCONNECTED:
                    disconnected++;
                    disconnectedBy.merge(String.valueOf(bot.outcome()), 1, Integer::sum);
                    break;

                default:
                    break;
            }
            maxSendLagNs = Math.max(maxSendLagNs, bot.maxSendLagNs());
        }
        this.connected = connected;
        this.failed = failed;
        this.disconnected = disconnected;
        this.maxSendLagNs = maxSendLagNs;
        this.rebinds = rebinds;
        this.rebindFailures = rebindFailures;
        this.rebindsPerBotMin = Math.max(0, rebindsPerBotMin);
    }

    /**
     * {@inheritDoc}
     */
    public void writeJson(final JsonWriter json)
    {
        json.name("bots").value(bots);
        json.name("connected").value(connected);
        json.name("failed").value(failed);
        json.name("disconnectedUnexpectedly").value(disconnected);
        writeReasons(json, "failedBy", failedBy);
        writeReasons(json, "disconnectedBy", disconnectedBy);
        json.name("connectPhaseMs").value(connectPhaseNs / 1e6, 1);

        json.name("connectUs").beginObject();
        writePercentile(json, "p50", connectNs.getValueAtPercentile(50.0));
        writePercentile(json, "p90", connectNs.getValueAtPercentile(90.0));
        writePercentile(json, "p99", connectNs.getValueAtPercentile(99.0));
        writePercentile(json, "max", connectNs.getMaxValue());
        json.name("count").value(connectNs.getTotalCount());
        json.endObject();

        json.name("pingRateTargetPerSec").value((long)connected * config.session().rateHz());
        json.name("maxSendLagUs").value(maxSendLagNs / NS_PER_US, 1);
        json.name("rebinds").value(rebinds);
        json.name("rebindFailures").value(rebindFailures);
        json.name("rebindsPerBotMin").value(rebindsPerBotMin);
    }

    /**
     * {@inheritDoc}
     */
    public void printSummary(final PrintStream out)
    {
        final SessionSettings settings = config.session();
        out.printf(Locale.ROOT, "bots         %d in %d rooms of %d, %d Hz each: %d connected, %d failed, " +
            "%d disconnected unexpectedly%n", bots, settings.rooms(bots), settings.roomSize(), settings.rateHz(),
            connected, failed, disconnected);
        if (!failedBy.isEmpty())
        {
            out.printf(Locale.ROOT, "failed by    %s%n", failedBy);
        }
        if (!disconnectedBy.isEmpty())
        {
            out.printf(Locale.ROOT, "dropped by   %s%n", disconnectedBy);
        }
        if (connectNs.getTotalCount() > 0)
        {
            out.printf(Locale.ROOT, "connect us   p50 %.1f  p99 %.1f  max %.1f  (all in %.1f ms)%n",
                connectNs.getValueAtPercentile(50.0) / NS_PER_US,
                connectNs.getValueAtPercentile(99.0) / NS_PER_US,
                connectNs.getMaxValue() / NS_PER_US,
                connectPhaseNs / 1e6);
        }
        else
        {
            out.println("connect us   -");
        }
        out.printf(Locale.ROOT, "ping lag us  max %.1f  (how late a ping timer ran; the rtt includes it)%n",
            maxSendLagNs / NS_PER_US);
        if (rebinds > 0 || rebindFailures > 0)
        {
            out.printf(Locale.ROOT, "rebinds      %d to a new local port (at least %d per bot), %d failed%n",
                rebinds, rebindsPerBotMin, rebindFailures);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void writeFiles(final Path dir) throws IOException
    {
        try (OutputStream file = Files.newOutputStream(dir.resolve(CONNECT_HGRM_FILE));
            PrintStream out = new PrintStream(file, false, StandardCharsets.UTF_8))
        {
            connectNs.outputPercentileDistribution(out, NS_PER_US);
        }
    }

    /**
     * {@inheritDoc}
     */
    public String failure()
    {
        if (0 == connected)
        {
            return "no bot connected to " + config.server() + " " + failedBy + " \u2014 is a session server running " +
                "there (./skirmish server), with the same token key and protocol id?";
        }

        final int failures = failed + disconnected;
        if (failures > config.session().maxFailures())
        {
            return failed + " bot(s) failed to connect and " + disconnected + " disconnected unexpectedly: " +
                failures + " failure(s), more than --max-failures " + config.session().maxFailures();
        }

        if (0 == received)
        {
            return connected + " bot(s) connected to " + config.server() + " but no ping was echoed within " +
                TimeUnit.NANOSECONDS.toMillis(config.timeoutNs()) + " ms; the ping timers ran up to " +
                TimeUnit.NANOSECONDS.toMillis(maxSendLagNs) + " ms late (too many bots for --threads " +
                config.ioThreads() + " on this machine?)";
        }

        return null;
    }

    private void writePercentile(final JsonWriter json, final String name, final long valueNs)
    {
        json.name(name);
        if (connectNs.getTotalCount() > 0)
        {
            json.value(valueNs / NS_PER_US, 1);
        }
        else
        {
            json.nullValue();
        }
    }

    private static void writeReasons(final JsonWriter json, final String name, final Map<String, Integer> reasons)
    {
        json.name(name).beginObject();
        for (final Map.Entry<String, Integer> entry : reasons.entrySet())
        {
            json.name(entry.getKey()).value(entry.getValue());
        }
        json.endObject();
    }
}
