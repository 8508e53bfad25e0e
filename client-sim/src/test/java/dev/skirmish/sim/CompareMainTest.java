package dev.skirmish.sim;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.skirmish.sim.results.SyntheticRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code skirmish compare} on synthetic run directories: exit codes, the flagged rows and the noise rule.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompareMainTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldPassWhenRunEqualsBaseline() throws Exception
    {
        final Path baseline = run("baseline", 1.0, 1.0);
        final Path run = run("run", 1.0, 1.0);

        final Outcome outcome = compare(baseline.toString(), run.toString());

        assertEquals(CompareMain.EXIT_OK, outcome.exitCode, outcome.all());
        for (final String metric : new String[]{ "connect", "rtt" })
        {
            for (final String percentile : new String[]{ "p50", "p90", "p99", "p99.9" })
            {
                final String row = row(outcome.out, metric, percentile);
                assertTrue(row.contains("+0.0%") && row.endsWith("ok"), row);
            }
        }
        assertTrue(outcome.out.contains("result    pass"), outcome.out);
    }

    @Test
    void shouldFailAndFlagTheRowThatRegressedBeyondTolerance() throws Exception
    {
        final Path baseline = run("baseline", 1.0, 1.0);
        final Path run = run("run", 1.0, 1.5);

        final Outcome outcome = compare(baseline.toString(), run.toString());

        assertEquals(CompareMain.EXIT_REGRESSION, outcome.exitCode, outcome.all());
        assertTrue(row(outcome.out, "rtt", "p99").endsWith("REGRESSION"), outcome.out);
        assertTrue(row(outcome.out, "rtt", "p99").contains("+50.0%"), outcome.out);
        assertTrue(row(outcome.out, "rtt", "p99.9").endsWith("REGRESSION"), outcome.out);
        assertTrue(row(outcome.out, "rtt", "p50").endsWith("ok"), "the body did not move: " + outcome.out);
        assertTrue(outcome.out.contains("FAIL: 4 of 8"), outcome.out);
    }

    @Test
    void shouldAllowTheTolerance() throws Exception
    {
        final Path baseline = run("baseline", 1.0, 1.0);
        final Path run = run("run", 1.08, 1.08);

        assertEquals(CompareMain.EXIT_OK, compare(baseline.toString(), run.toString()).exitCode, "8% < default 10%");
        final Outcome strict = compare(baseline.toString(), run.toString(), "--tolerance", "5%");
        assertEquals(CompareMain.EXIT_REGRESSION, strict.exitCode, strict.all());
        assertTrue(strict.out.contains("(1 + 5%)"), strict.out);
        assertEquals(CompareMain.EXIT_OK, compare(baseline.toString(), run.toString(), "--tolerance", "8.5").exitCode);
    }

    @Test
    void shouldPassAndSayBetterWhenTheRunImproved() throws Exception
    {
        final Path baseline = run("baseline", 1.0, 1.0);
        final Path run = run("run", 0.5, 0.5);

        final Outcome outcome = compare(baseline.toString(), run.toString());

        assertEquals(CompareMain.EXIT_OK, outcome.exitCode, outcome.all());
        assertTrue(row(outcome.out, "rtt", "p50").endsWith("better"), outcome.out);
        assertTrue(row(outcome.out, "rtt", "p50").contains("-50.0%"), outcome.out);
    }

    @Test
    void shouldJudgeTheMedianOfTheRunsAgainstTheSlowestBaselineRun() throws Exception
    {
        // baseline runs at 1.0, 1.3 and 1.0: limit 1.3 x 1.1 = 1.43
        run("baseline/run-1", 1.0, 1.0);
        run("baseline/run-2", 1.3, 1.3);
        run("baseline/run-3", 1.0, 1.0);
        final String baseline = tempDir.resolve("baseline").toString();

        // one noisy run among good ones: median 1.0
        run("noisy/run-1", 1.0, 1.0);
        run("noisy/run-2", 1.6, 1.6);
        run("noisy/run-3", 1.02, 1.02);
        final Outcome noisy = compare(baseline, tempDir.resolve("noisy").toString());
        assertEquals(CompareMain.EXIT_OK, noisy.exitCode, noisy.all());
        assertTrue(noisy.out.contains("baseline  3 runs"), noisy.out);
        assertTrue(noisy.out.contains("run       3 runs"), noisy.out);

        // slower than the baseline's median but within the slowest baseline run + 10%: median 1.4
        final Outcome withinNoise = compare(baseline,
            run("slow-1", 1.4, 1.4).toString(), run("slow-2", 1.4, 1.4).toString(), run("slow-3", 1.0, 1.0).toString());
        assertEquals(CompareMain.EXIT_OK, withinNoise.exitCode, withinNoise.all());
        assertTrue(row(withinNoise.out, "rtt", "p50").contains("+40.0%"), withinNoise.out);

        // the runs as a group beyond it: median 1.5 > 1.43, although one run is fine
        final Outcome regressed = compare(baseline,
            run("slower-1", 1.5, 1.5).toString(), run("slower-2", 1.5, 1.5).toString(), run("slower-3", 1.0, 1.0).toString());
        assertEquals(CompareMain.EXIT_REGRESSION, regressed.exitCode, regressed.all());
        final String p50 = row(regressed.out, "rtt", "p50");
        assertTrue(p50.endsWith("REGRESSION"), regressed.out);
        final double slowerUs = SyntheticRun.expectedUs(1.5, 1.5, 50.0);
        assertTrue(p50.contains(format(slowerUs) + " [" + format(SyntheticRun.expectedUs(1.0, 1.0, 50.0)) + "-" +
            format(slowerUs) + "]"), "run median [min-max]: " + p50);
        assertTrue(p50.contains(format(SyntheticRun.expectedUs(1.3, 1.3, 50.0) * 1.1)), "limit: " + p50);
    }

    @Test
    void shouldCompareEveryHistogramBothSidesHave() throws Exception
    {
        final Path baseline = SyntheticRun.in(tempDir.resolve("baseline")).summary()
            .histogram("rtt", 1.0, 1.0).histogram("input-frame", 1.0, 1.0).hgrm("connect", 1.0, 1.0).dir();
        final Path run = SyntheticRun.in(tempDir.resolve("run")).summary()
            .histogram("rtt", 1.0, 1.0).histogram("input-frame", 2.0, 2.0).hlog("jitter", 1.0, 1.0).dir();

        final Outcome outcome = compare(baseline.toString(), run.toString());

        assertEquals(CompareMain.EXIT_REGRESSION, outcome.exitCode, outcome.all());
        assertTrue(row(outcome.out, "input-frame", "p90").endsWith("REGRESSION"), outcome.out);
        assertTrue(row(outcome.out, "rtt", "p90").endsWith("ok"), outcome.out);
        assertTrue(outcome.out.contains("not compared: connect (baseline only)"), outcome.out);
        assertTrue(outcome.out.contains("not compared: jitter (run only)"), outcome.out);
    }

    @Test
    void shouldFailWhenTheRunHasNoSamples() throws Exception
    {
        final Path baseline = run("baseline", 1.0, 1.0);
        final Path run = SyntheticRun.in(tempDir.resolve("run")).summary()
            .histogram("rtt", 1.0, 1.0).emptyHgrm("connect").dir();

        final Outcome outcome = compare(baseline.toString(), run.toString());

        assertEquals(CompareMain.EXIT_REGRESSION, outcome.exitCode, outcome.all());
        assertTrue(row(outcome.out, "connect", "p50").endsWith("NO DATA"), outcome.out);
    }

    @Test
    void shouldExitTwoOnUsageErrors() throws Exception
    {
        final Path baseline = run("baseline", 1.0, 1.0);
        final Path run = run("run", 1.0, 1.0);
        final Path empty = Files.createDirectories(tempDir.resolve("empty"));
        final Path other = SyntheticRun.in(tempDir.resolve("other")).summary().histogram("jitter", 1.0, 1.0).dir();
        SyntheticRun.in(tempDir.resolve("mixed/a")).summary().histogram("rtt", 1.0, 1.0);
        SyntheticRun.in(tempDir.resolve("mixed/b")).mode("flood").summary().histogram("rtt", 1.0, 1.0);

        assertUsage(compare(baseline.toString()), "RUN_DIR");
        assertUsage(compare(), "BASELINE_DIR");
        assertUsage(compare(tempDir.resolve("missing").toString(), run.toString()), "no such directory");
        assertUsage(compare(baseline.toString(), tempDir.resolve("missing").toString()), "no such directory");
        assertUsage(compare(baseline.toString(), empty.toString()), "not a run directory");
        assertUsage(compare(baseline.toString(), other.toString()), "no histogram in common");
        assertUsage(compare(baseline.toString(), run.toString(), "--tolerance", "ten"), "percentage");
        assertUsage(compare(baseline.toString(), run.toString(), "--tolerance", "-5%"), "0%");
        assertUsage(compare(tempDir.resolve("mixed").toString(), run.toString()), "different modes");
        assertUsage(compare(baseline.toString(), run.toString(), "--bogus"), "--bogus");
    }

    @Test
    void shouldDocumentTheRuleInHelp()
    {
        final Outcome help = compare("--help");

        assertEquals(CompareMain.EXIT_OK, help.exitCode, help.all());
        final String text = help.out.replaceAll("\\s+", " ");
        assertTrue(text.contains("median(run values) > max(baseline values) x (1 + tolerance)"), help.out);
        assertTrue(help.out.contains("--tolerance"), help.out);
        assertTrue(help.out.contains("Default: 10%"), help.out);
    }

    private Path run(final String name, final double scale, final double tailScale) throws Exception
    {
        return SyntheticRun.in(tempDir.resolve(name)).label(name).summary()
            .histogram("rtt", scale, tailScale).hgrm("connect", scale, tailScale).dir();
    }

    private static void assertUsage(final Outcome outcome, final String expected)
    {
        assertEquals(CompareMain.EXIT_USAGE, outcome.exitCode, outcome.all());
        assertTrue(outcome.err.contains(expected), "expected '" + expected + "' in: " + outcome.err);
        assertFalse(outcome.out.contains("result"), outcome.out);
    }

    /** The table line of one metric and percentile. */
    private static String row(final String table, final String metric, final String percentile)
    {
        for (final String line : table.split("\n"))
        {
            final String[] columns = line.trim().split("\\s+");
            if (columns.length > 2 && columns[0].equals(metric) && columns[1].equals(percentile))
            {
                return line.trim();
            }
        }
        throw new AssertionError("no row " + metric + " " + percentile + " in:\n" + table);
    }

    private static String format(final double us)
    {
        return String.format(Locale.ROOT, "%.1f", us);
    }

    private static Outcome compare(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode = CompareMain.run(
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);

        return new Outcome(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Outcome(int exitCode, String out, String err)
    {
        String all()
        {
            return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }
}
