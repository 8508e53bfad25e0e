package dev.skirmish.sim.results;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading run directories back: discovery of histograms, the .hgrm and .hlog readers, directories of runs.
 */
class RunDirectoryTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldDiscoverEveryHistogramByItsFiles() throws Exception
    {
        final Path dir = SyntheticRun.in(tempDir.resolve("run")).summary()
            .histogram("rtt", 1.0, 1.0)
            .hgrm("connect", 2.0, 2.0)
            .hlog("input-frame", 3.0, 3.0)
            .dir();
        Files.writeString(dir.resolve("notes.txt"), "not a histogram");

        final RunDirectory run = RunDirectory.load(dir);

        assertEquals(List.of("connect", "input-frame", "rtt"), List.copyOf(run.metrics().keySet()));
        assertEquals("session", run.mode());
        assertNull(run.metrics().get("connect").log());
        assertNotNull(run.metrics().get("input-frame").log());
        for (final double p : new double[]{ 50.0, 90.0, 99.0, 99.9 })
        {
            assertEquals(SyntheticRun.expectedUs(1.0, 1.0, p), run.metrics().get("rtt").valueAtPercentileUs(p), 1e-9);
            assertEquals(SyntheticRun.expectedUs(3.0, 3.0, p),
                run.metrics().get("input-frame").valueAtPercentileUs(p), 1e-9, "from the hlog alone");
        }
        assertTrue(run.metrics().get("input-frame").distribution().rows() > 10, "percentile curve from the hlog");
    }

    @Test
    void shouldReadIntervalLogWithWarmupTaggedAndLeftOutOfTheTotal() throws Exception
    {
        final Path dir = SyntheticRun.in(tempDir.resolve("run")).hlog("rtt", 1.0, 1.0).dir();

        final IntervalLog log = IntervalLog.read(dir.resolve("rtt.hlog"));

        assertEquals(7, log.intervals().size());
        assertEquals("warmup", log.intervals().get(0).tag());
        assertEquals("warmup", log.intervals().get(1).tag());
        assertNull(log.intervals().get(2).tag());
        assertEquals(2.0, log.intervals().get(2).startS(), 1e-9);
        assertEquals(1.0, log.intervals().get(2).lengthS(), 1e-9);
        assertEquals(SyntheticRun.SAMPLES, log.intervals().get(2).countPerSec(), 1e-9);
        assertEquals((long)SyntheticRun.SAMPLES * SyntheticRun.MEASURED_INTERVALS, log.total().getTotalCount());
        assertEquals(SyntheticRun.expectedUs(1.0, 1.0, 100.0) * 1000, log.total().getMaxValue(), 1e-9,
            "the 10x slower warm-up is not in the total");
    }

    @Test
    void shouldAnswerPercentilesFromHgrmRowsByCount() throws Exception
    {
        final Histogram histogram = new Histogram(3);
        final Random random = new Random(42);
        for (int i = 0; i < 12_345; i++)
        {
            histogram.recordValue(100_000 + (long)(random.nextDouble() * random.nextDouble() * 50_000_000));
        }
        final Path file = tempDir.resolve("x.hgrm");
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(out, 1000.0);
        }

        final PercentileDistribution distribution = PercentileDistribution.read(file);

        assertEquals(histogram.getTotalCount(), distribution.totalCount());
        assertEquals(histogram.getMaxValue() / 1000.0, distribution.maxUs(), 1e-3);
        for (final double p : new double[]{ 50.0, 90.0, 99.0, 99.9, 99.99 })
        {
            final double exactUs = histogram.getValueAtPercentile(p) / 1000.0;
            final double fromRowsUs = distribution.valueAtPercentileUs(p);
            assertTrue(fromRowsUs >= exactUs - 1e-3 && fromRowsUs <= exactUs * 1.05,
                "p" + p + ": rows say " + fromRowsUs + ", histogram " + exactUs);
        }
        assertEquals(histogram.getValueAtPercentile(50.0) / 1000.0, distribution.valueAtPercentileUs(50.0), 1e-3,
            "exact where a row sits on the percentile");
        assertEquals(histogram.getValueAtPercentile(90.0) / 1000.0, distribution.valueAtPercentileUs(90.0), 1e-3);
    }

    @Test
    void shouldExpandDirectoryOfRunsInNaturalOrder() throws Exception
    {
        for (final String name : new String[]{ "run-10", "run-2", "run-1" })
        {
            SyntheticRun.in(tempDir.resolve(name)).summary().histogram("rtt", 1.0, 1.0);
        }
        Files.createDirectories(tempDir.resolve("not-a-run"));

        final List<RunDirectory> runs = RunDirectory.expand(tempDir);

        assertEquals(List.of("run-1", "run-2", "run-10"), runs.stream().map(RunDirectory::name).toList());
        assertEquals(1, RunDirectory.expand(tempDir.resolve("run-2")).size(), "a run directory is one run");
        assertThrows(IllegalArgumentException.class, () -> RunDirectory.expand(tempDir.resolve("not-a-run")));
        assertThrows(IllegalArgumentException.class, () -> RunDirectory.expand(tempDir.resolve("missing")));
    }

    @Test
    void shouldNameTheFileWhenOneIsMalformed() throws Exception
    {
        final Path dir = SyntheticRun.in(tempDir.resolve("run")).summary().dir();
        Files.writeString(dir.resolve("rtt.hgrm"), "       Value     Percentile TotalCount 1/(1-Percentile)\n\n  12.5 abc 3 1.0\n");

        final IOException ex = assertThrows(IOException.class, () -> RunDirectory.load(dir));
        assertTrue(ex.getMessage().contains("rtt.hgrm:3"), ex.getMessage());

        Files.delete(dir.resolve("rtt.hgrm"));
        Files.writeString(dir.resolve(RunDirectory.SUMMARY_FILE), "{\"mode\": ");
        final IOException summary = assertThrows(IOException.class, () -> RunDirectory.load(dir));
        assertTrue(summary.getMessage().contains(RunDirectory.SUMMARY_FILE), summary.getMessage());
    }
}
