package dev.skirmish.sim.game;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.skirmish.sim.ModeReport;
import dev.skirmish.sim.RunConfig;
import dev.skirmish.sim.report.JsonWriter;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.session.room.FrameSyncClient;
import org.HdrHistogram.Histogram;

/**
 * What game mode adds to the report: bots connected, failed and dropped and why; frames received, missing and
 * repaired; inputs, resends and desyncs; connect time, frame jitter, session RTT and loop lag as histograms
 * ({@value #CONNECT}, {@value #FRAME_JITTER}, {@value #RTT}, {@value #LOOP_LAG} {@code .hgrm}, µs); the swarm's own
 * CPU use; and the server's GC pauses and tick lateness from its metrics endpoint. The verdict: fail when no bot
 * connected or more bots failed or dropped than {@code --max-failures}. Built on the controlling thread once every
 * bot has stopped.
 */
final class GameReport implements ModeReport
{
    static final String CONNECT = "connect";
    static final String FRAME_JITTER = "frame-jitter";
    static final String RTT = "rtt";
    static final String LOOP_LAG = "loop-lag";

    private static final double NS_PER_US = 1000.0;

    private final RunConfig config;
    private final int bots;
    private final int connected;
    private final int failed;
    private final int disconnected;
    private final Map<String, Integer> failedBy = new TreeMap<>();
    private final Map<String, Integer> disconnectedBy = new TreeMap<>();
    private final Histogram connectNs = new Histogram(RttRecorder.SIGNIFICANT_DIGITS);
    private final Histogram jitterNs;
    private final Histogram rttNs;
    private final Histogram loopLagNs;
    private final long connectPhaseNs;
    private final double cpuPercent;
    private long framesReceived;
    private long framesMissing;
    private long framesRepaired;
    private long framesFromHistory;
    private long inputsSent;
    private long inputsRefused;
    private long inputsLate;
    private long inputsHeld;
    private long catchUpRequests;
    private long resends;
    private long rebinds;
    private long rebindFailures;
    private long rebindsPerBotMin = -1;
    private long desyncs;
    private long desyncChecks;
    private final ServerMetrics serverBefore;
    private final ServerMetrics serverAfter;
    private final long serverWindowNs;
    private final String serverNote;

    GameReport(
        final RunConfig config,
        final GameBot[] bots,
        final GameMetrics metrics,
        final long connectPhaseNs,
        final long measuredNs,
        final long measuredCpuNs,
        final ServerMetrics serverBefore,
        final ServerMetrics serverAfter,
        final long serverWindowNs,
        final String serverNote)
    {
        this.config = config;
        this.bots = bots.length;
        this.connectPhaseNs = connectPhaseNs;
        this.cpuPercent = measuredCpuNs > 0 ? 100.0 * measuredCpuNs / measuredNs : -1;
        this.jitterNs = GameMetrics.drain(metrics.frameJitterNs);
        this.rttNs = GameMetrics.drain(metrics.rttNs);
        this.loopLagNs = GameMetrics.drain(metrics.measuredLoopLagNs);
        this.serverBefore = serverBefore;
        this.serverAfter = serverAfter;
        this.serverWindowNs = serverWindowNs;
        this.serverNote = serverNote;

        int connected = 0;
        int failed = 0;
        int disconnected = 0;
        for (final GameBot bot : bots)
        {
            if (bot.connectNs() >= 0)
            {
                connected++;
                connectNs.recordValue(bot.connectNs());
                rebindsPerBotMin = rebindsPerBotMin < 0 ? bot.rebinds() : Math.min(rebindsPerBotMin, bot.rebinds());
            }
            if (GameBot.FAILED == bot.status())
            {
                failed++;
                failedBy.merge(String.valueOf(bot.outcome()), 1, Integer::sum);
            }
            else if (GameBot.DISCONNECTED == bot.status())
            {
                disconnected++;
                disconnectedBy.merge(String.valueOf(bot.outcome()), 1, Integer::sum);
            }
            final FrameSyncClient sync = bot.sync();
            framesReceived += sync.framesDelivered();
            framesMissing += sync.framesLost();
            framesRepaired += sync.framesFromRedundancy() + sync.framesFromHistory();
            framesFromHistory += sync.framesFromHistory();
            inputsSent += sync.inputsSent();
            inputsRefused += sync.inputsRefused();
            inputsLate += sync.framesMissingOwnInput();
            inputsHeld += sync.inputsHeld();
            catchUpRequests += sync.catchUpRequests();
            resends += bot.resends;
            rebinds += bot.rebinds();
            rebindFailures += bot.rebindFailures();
        }
        this.connected = connected;
        this.failed = failed;
        this.disconnected = disconnected;
        compareHashes(bots);
    }

    /**
     * Compare the bots' hash windows room by room: a window two bots of a room both hold and hash differently is a
     * desync.
     */
    private void compareHashes(final GameBot[] bots)
    {
        final Map<Long, Map<Long, long[]>> byRoom = new HashMap<>();
        for (final GameBot bot : bots)
        {
            final Map<Long, long[]> windows = byRoom.computeIfAbsent(bot.roomId(), (room) -> new HashMap<>());
            for (int i = 0; i < GameBot.CHECKPOINTS; i++)
            {
                final long frame = bot.checkpointFrame[i];
                if (frame < 0)
                {
                    continue;
                }
                // {first hash, bots holding it, mismatches}
                final long[] window = windows.get(frame);
                if (null == window)
                {
                    windows.put(frame, new long[]{ bot.checkpointHash[i], 1, 0 });
                }
                else
                {
                    window[1]++;
                    window[2] += window[0] == bot.checkpointHash[i] ? 0 : 1;
                }
            }
        }
        for (final Map<Long, long[]> windows : byRoom.values())
        {
            for (final long[] window : windows.values())
            {
                desyncChecks += window[1] > 1 ? 1 : 0;
                desyncs += window[2] > 0 ? 1 : 0;
            }
        }
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
        json.name("framesReceived").value(framesReceived);
        json.name("framesMissing").value(framesMissing);
        json.name("framesRepaired").value(framesRepaired);
        json.name("framesFromHistory").value(framesFromHistory);
        json.name("inputsSent").value(inputsSent);
        json.name("inputsRefused").value(inputsRefused);
        json.name("inputsLate").value(inputsLate);
        json.name("inputsHeld").value(inputsHeld);
        json.name("catchUpRequests").value(catchUpRequests);
        json.name("resends").value(resends);
        json.name("rebinds").value(rebinds);
        json.name("rebindFailures").value(rebindFailures);
        json.name("rebindsPerBotMin").value(Math.max(0, rebindsPerBotMin));
        json.name("disconnects").value(disconnected);
        json.name("desyncs").value(desyncs);
        json.name("desyncWindowsCompared").value(desyncChecks);
        writeLatency(json, "connectUs", connectNs);
        writeLatency(json, "frameJitterUs", jitterNs);
        writeLatency(json, "sessionRttUs", rttNs);
        writeLatency(json, "loopLagUs", loopLagNs);
        json.name("swarm").beginObject();
        json.name("cpuPercentOfOneCore");
        if (cpuPercent >= 0)
        {
            json.value(cpuPercent, 1);
        }
        else
        {
            json.nullValue();
        }
        writeNumber(json, "cpuPercentOfOneCorePer1000Bots", cpuPercent >= 0 ? cpuPercent * 1000.0 / bots : Double.NaN);
        json.name("availableProcessors").value(Runtime.getRuntime().availableProcessors());
        json.endObject();
        writeServer(json);
    }

    private void writeServer(final JsonWriter json)
    {
        json.name("server").beginObject();
        json.name("metricsUrl").value(config.game().metricsUrl());
        json.name("note").value(serverNote);
        if (null != serverBefore && null != serverAfter)
        {
            final double gcSum = delta("jvm_gc_collection_seconds_sum");
            final double gcCount = delta("jvm_gc_collection_seconds_count");
            writeNumber(json, "gcPauseTotalMs", gcSum * 1000.0);
            writeNumber(json, "gcCollections", gcCount);
            final double max = gcPauseMaxSeconds();
            writeNumber(json, "gcPauseMaxMs", max * 1000.0);
            json.name("gcPauseMaxNote").value(Double.isNaN(max) ?
                "no skirmish_gc_pause_max_seconds series; mean pause " + (gcCount > 0 ?
                String.format(Locale.ROOT, "%.2f ms", gcSum * 1000.0 / gcCount) : "-") : null);
            final double serverCpu = serverCpuPercent();
            writeNumber(json, "cpuPercentOfOneCore", serverCpu);
            writeNumber(json, "cpuPercentOfOneCorePer1000Bots", serverCpu * 1000.0 / Math.max(1, bots));
            writeNumber(json, "windowMs", serverWindowNs / 1e6);
            final Map.Entry<String, Double> lateness = serverAfter.tickLatenessP99();
            json.name("tickLatenessSeries").value(null == lateness ? null : lateness.getKey());
            writeNumber(json, "tickLatenessP99", null == lateness ? Double.NaN : lateness.getValue());
            json.name("tickLatenessNote").value(null != lateness ? "value as exported (unit of the series)" :
                serverAfter.hasTickLateness() ? "tick_lateness series without a p99" : "no tick_lateness series");
            writeNumber(json, "roomDesyncs", delta("skirmish_room_desyncs_total"));
        }
        json.endObject();
    }

    private double gcPauseMaxSeconds()
    {
        final double max = serverAfter.max("skirmish_gc_pause_max_seconds");
        return Double.isNaN(max) ? serverAfter.max("jvm_gc_pause_seconds_max") : max;
    }

    /**
     * The server process's CPU over the scrape window (process_cpu_seconds_total), % of one core; NaN without it.
     */
    private double serverCpuPercent()
    {
        final double cpuSeconds = delta("process_cpu_seconds_total");
        return serverWindowNs > 0 && !Double.isNaN(cpuSeconds) ? 100.0 * cpuSeconds * 1e9 / serverWindowNs : Double.NaN;
    }

    private double delta(final String name)
    {
        return serverAfter.sum(name) - serverBefore.sum(name);
    }

    /**
     * {@inheritDoc}
     */
    public void printSummary(final PrintStream out)
    {
        out.printf(Locale.ROOT, "bots         %d in %d rooms of %d at %d Hz: %d connected, %d failed, " +
            "%d disconnected unexpectedly%n", bots, config.session().rooms(bots), config.session().roomSize(),
            config.game().tickHz(), connected, failed, disconnected);
        if (!failedBy.isEmpty())
        {
            out.printf(Locale.ROOT, "failed by    %s%n", failedBy);
        }
        if (!disconnectedBy.isEmpty())
        {
            out.printf(Locale.ROOT, "dropped by   %s%n", disconnectedBy);
        }
        out.printf(Locale.ROOT, "frames       %d received, %d missing, %d repaired (%d from history)%n",
            framesReceived, framesMissing, framesRepaired, framesFromHistory);
        out.printf(Locale.ROOT, "inputs       %d sent, %d refused, %d late (their frame closed without them), %d held; " +
            "%d resends; %d desyncs in %d windows compared%n",
            inputsSent, inputsRefused, inputsLate, inputsHeld, resends, desyncs, desyncChecks);
        if (rebinds > 0 || rebindFailures > 0)
        {
            out.printf(Locale.ROOT, "rebinds      %d to a new local port (at least %d per bot), %d failed%n",
                rebinds, Math.max(0, rebindsPerBotMin), rebindFailures);
        }
        out.printf(Locale.ROOT, "%-13s%8s %8s %8s %8s %8s   (ms)%n", "", "p50", "p90", "p99", "p99.9", "max");
        printRow(out, "connect", connectNs);
        printRow(out, "frame jitter", jitterNs);
        printRow(out, "session rtt", rttNs);
        printRow(out, "loop lag", loopLagNs);
        out.printf(Locale.ROOT, "swarm cpu    %s of one core (%d cores)%n",
            cpuPercent >= 0 ? String.format(Locale.ROOT, "%.0f%%", cpuPercent) : "-",
            Runtime.getRuntime().availableProcessors());
        if (null != serverBefore && null != serverAfter)
        {
            final double gcCount = delta("jvm_gc_collection_seconds_count");
            out.printf(Locale.ROOT, "server gc    %.0f collections, %.1f ms paused, longest %.1f ms%n", gcCount,
                delta("jvm_gc_collection_seconds_sum") * 1000.0, gcPauseMaxSeconds() * 1000.0);
            out.printf(Locale.ROOT, "server cpu   %.0f%% of one core%n", serverCpuPercent());
            final Map.Entry<String, Double> lateness = serverAfter.tickLatenessP99();
            if (null != lateness)
            {
                out.printf(Locale.ROOT, "server tick  lateness p99 %s = %s%n", lateness.getKey(), lateness.getValue());
            }
        }
        else
        {
            out.printf(Locale.ROOT, "server       %s%n", serverNote);
        }
    }

    /**
     * Print one latency row of the summary table, in ms; also used for the input-to-frame row by the caller.
     */
    static void printRow(final PrintStream out, final String name, final Histogram histogram)
    {
        if (0 == histogram.getTotalCount())
        {
            out.printf(Locale.ROOT, "%-13s%8s%n", name, "-");
            return;
        }
        out.printf(Locale.ROOT, "%-13s%8.2f %8.2f %8.2f %8.2f %8.2f%n", name,
            histogram.getValueAtPercentile(50.0) / 1e6, histogram.getValueAtPercentile(90.0) / 1e6,
            histogram.getValueAtPercentile(99.0) / 1e6, histogram.getValueAtPercentile(99.9) / 1e6,
            histogram.getMaxValue() / 1e6);
    }

    /**
     * {@inheritDoc}
     */
    public void writeFiles(final Path dir) throws IOException
    {
        writeHgrm(dir, CONNECT, connectNs);
        writeHgrm(dir, FRAME_JITTER, jitterNs);
        writeHgrm(dir, RTT, rttNs);
        writeHgrm(dir, LOOP_LAG, loopLagNs);
    }

    /**
     * {@inheritDoc}
     */
    public String failure()
    {
        if (0 == connected)
        {
            return "no bot connected to " + config.server() + " " + failedBy + " \u2014 is a session server with " +
                "rooms running there (./skirmish server), with the same token key and protocol id?";
        }
        final int failures = failed + disconnected;
        if (failures > config.session().maxFailures())
        {
            return failed + " bot(s) failed to connect and " + disconnected + " disconnected unexpectedly: " +
                failures + " failure(s), more than --max-failures " + config.session().maxFailures();
        }
        return null;
    }

    private static void writeHgrm(final Path dir, final String name, final Histogram histogram) throws IOException
    {
        try (OutputStream file = Files.newOutputStream(dir.resolve(name + ".hgrm"));
            PrintStream out = new PrintStream(file, false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(out, NS_PER_US);
        }
    }

    private static void writeLatency(final JsonWriter json, final String name, final Histogram histogram)
    {
        json.name(name).beginObject();
        final boolean empty = 0 == histogram.getTotalCount();
        writeUs(json, "p50", empty, histogram.getValueAtPercentile(50.0));
        writeUs(json, "p90", empty, histogram.getValueAtPercentile(90.0));
        writeUs(json, "p99", empty, histogram.getValueAtPercentile(99.0));
        writeUs(json, "p999", empty, histogram.getValueAtPercentile(99.9));
        writeUs(json, "max", empty, histogram.getMaxValue());
        json.name("count").value(histogram.getTotalCount());
        json.endObject();
    }

    private static void writeUs(final JsonWriter json, final String name, final boolean empty, final long valueNs)
    {
        json.name(name);
        if (empty)
        {
            json.nullValue();
        }
        else
        {
            json.value(valueNs / NS_PER_US, 1);
        }
    }

    private static void writeNumber(final JsonWriter json, final String name, final double value)
    {
        json.name(name);
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            json.nullValue();
        }
        else
        {
            json.value(value, 3);
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
