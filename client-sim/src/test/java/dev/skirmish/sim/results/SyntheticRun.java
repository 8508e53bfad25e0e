package dev.skirmish.sim.results;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.skirmish.sim.report.JsonWriter;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Writes a small run directory as the bots would: summary.json, and per histogram a {@code .hgrm} (µs) and/or a
 * {@code .hlog} (ns; two warm-up intervals tagged {@code warmup}, then {@value #MEASURED_INTERVALS} measured ones).
 * <p>
 * Each measured interval holds {@value #SAMPLES} samples: {@code 1000 + k} µs for k below 980, times {@code scale}
 * (so p50 = 1499 x scale, p90 = 1899 x scale), and a tail of {@code 5000 + 250 (k - 980)} µs times
 * {@code tailScale} (p99 = 7250 x tailScale, p99.9 = 9500 x tailScale; HdrHistogram rounds to 3 digits). Warm-up
 * intervals are 10 times slower, so a reader that counted them would see it.
 */
public final class SyntheticRun
{
    /** Samples per interval. */
    public static final int SAMPLES = 1000;
    /** Measured intervals in an interval log. */
    public static final int MEASURED_INTERVALS = 5;

    private static final int WARMUP_INTERVALS = 2;
    private static final long START_MS = 1_795_629_650_000L;

    private final Path dir;
    private String mode = "session";
    private String label;

    private SyntheticRun(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * Start a run directory (created on {@link #summary()}).
     *
     * @param dir the run directory.
     * @return the builder.
     */
    public static SyntheticRun in(final Path dir)
    {
        return new SyntheticRun(dir);
    }

    /**
     * The run's mode.
     *
     * @param mode as summary.json names it.
     * @return this.
     */
    public SyntheticRun mode(final String mode)
    {
        this.mode = mode;
        return this;
    }

    /**
     * The run's label.
     *
     * @param label free text.
     * @return this.
     */
    public SyntheticRun label(final String label)
    {
        this.label = label;
        return this;
    }

    /**
     * Write summary.json.
     *
     * @return this.
     * @throws IOException if it cannot be written.
     */
    public SyntheticRun summary() throws IOException
    {
        Files.createDirectories(dir);
        final JsonWriter json = new JsonWriter().beginObject();
        json.name("summaryVersion").value(1);
        json.name("mode").value(mode);
        json.name("label").value(label);
        json.name("config").beginObject();
        json.name("mode").value(mode);
        json.name("clients").value(100);
        json.name("jvmFlags").beginArray().value("-Xmx256m").endArray();
        json.endObject();
        json.name("durationS").value(5.0, 3);
        json.name("sent").value((long)SAMPLES * MEASURED_INTERVALS);
        json.name("received").value((long)SAMPLES * MEASURED_INTERVALS);
        json.name("lost").value(0);
        json.name("rttUs").beginObject().name("p50").value(1499.0, 1).endObject();
        Files.writeString(dir.resolve(RunDirectory.SUMMARY_FILE), json.endObject().toString(), StandardCharsets.UTF_8);
        return this;
    }

    /**
     * Write {@code name.hgrm} and {@code name.hlog}.
     *
     * @param name      histogram name.
     * @param scale     factor on the body of the distribution.
     * @param tailScale factor on the top 2 %.
     * @return this.
     * @throws IOException if a file cannot be written.
     */
    public SyntheticRun histogram(final String name, final double scale, final double tailScale) throws IOException
    {
        hgrm(name, scale, tailScale);
        return hlog(name, scale, tailScale);
    }

    /**
     * Write only {@code name.hgrm}, the measured total.
     *
     * @param name      histogram name.
     * @param scale     factor on the body of the distribution.
     * @param tailScale factor on the top 2 %.
     * @return this.
     * @throws IOException if it cannot be written.
     */
    public SyntheticRun hgrm(final String name, final double scale, final double tailScale) throws IOException
    {
        final Histogram total = new Histogram(3);
        for (int i = 0; i < MEASURED_INTERVALS; i++)
        {
            total.add(interval(scale, tailScale, 0, 0));
        }
        return hgrm(name, total);
    }

    /**
     * Write an empty {@code name.hgrm}, as a run whose histogram got no samples.
     *
     * @param name histogram name.
     * @return this.
     * @throws IOException if it cannot be written.
     */
    public SyntheticRun emptyHgrm(final String name) throws IOException
    {
        return hgrm(name, new Histogram(3));
    }

    /**
     * Write only {@code name.hlog}.
     *
     * @param name      histogram name.
     * @param scale     factor on the body of the distribution.
     * @param tailScale factor on the top 2 %.
     * @return this.
     * @throws IOException if it cannot be written.
     */
    public SyntheticRun hlog(final String name, final double scale, final double tailScale) throws IOException
    {
        Files.createDirectories(dir);
        final HistogramLogWriter writer = new HistogramLogWriter(dir.resolve(name + ".hlog").toFile());
        try
        {
            writer.outputComment("synthetic " + name + " in ns");
            writer.outputLogFormatVersion();
            writer.outputStartTime(START_MS);
            writer.setBaseTime(START_MS);
            writer.outputBaseTime(START_MS);
            writer.outputLegend();
            for (int i = 0; i < WARMUP_INTERVALS + MEASURED_INTERVALS; i++)
            {
                final Histogram interval = i < WARMUP_INTERVALS ?
                    interval(scale * 10, tailScale * 10, i, i + 1) : interval(scale, tailScale, i, i + 1);
                if (i < WARMUP_INTERVALS)
                {
                    interval.setTag("warmup");
                }
                writer.outputIntervalHistogram(interval);
            }
        }
        finally
        {
            writer.close();
        }
        return this;
    }

    /**
     * The run directory.
     *
     * @return its path.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * Value at a percentile of the measured distribution, computed the way the readers should.
     *
     * @param scale      factor on the body.
     * @param tailScale  factor on the tail.
     * @param percentile 0 to 100.
     * @return µs.
     */
    public static double expectedUs(final double scale, final double tailScale, final double percentile)
    {
        return interval(scale, tailScale, 0, 0).getValueAtPercentile(percentile) / 1000.0;
    }

    private SyntheticRun hgrm(final String name, final Histogram histogram) throws IOException
    {
        Files.createDirectories(dir);
        try (OutputStream file = Files.newOutputStream(dir.resolve(name + ".hgrm"));
            PrintStream out = new PrintStream(file, false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(out, 1000.0);
        }
        return this;
    }

    private static Histogram interval(final double scale, final double tailScale, final int startS, final int endS)
    {
        final Histogram histogram = new Histogram(3);
        for (int k = 0; k < SAMPLES; k++)
        {
            final double us = k < 980 ? (1000 + k) * scale : (5000 + 250.0 * (k - 980)) * tailScale;
            histogram.recordValue(Math.round(us * 1000));
        }
        histogram.setStartTimeStamp(START_MS + startS * 1000L);
        histogram.setEndTimeStamp(START_MS + endS * 1000L);
        return histogram;
    }
}
