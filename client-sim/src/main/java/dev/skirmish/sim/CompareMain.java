package dev.skirmish.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

import dev.skirmish.sim.cli.PercentConverter;
import dev.skirmish.sim.results.Comparison;
import dev.skirmish.sim.results.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skirmish compare}: the regression gate. Compares the tracked percentiles of every histogram that a
 * baseline and one or more runs have in common, prints a table and exits 1 when one regressed beyond the
 * tolerance (the rule: {@link Comparison}).
 * <p>
 * Exit codes: 0 no regression, 1 regression, 2 usage error or unreadable input.
 */
@Command(
    name = "skirmish compare",
    mixinStandardHelpOptions = true,
    versionProvider = BotsMain.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Regression gate: compares the p50, p90, p99 and p99.9 of every histogram (<name>.hgrm / <name>.hlog: rtt, "
            + "connect, ...) present in all runs of both sides, prints a table (metric, percentile, baseline, run, "
            + "delta %%, limit, verdict) and fails when one regressed beyond --tolerance.",
        "",
        "Each directory is a run (it holds summary.json) or a directory of runs (e.g. run-1/, run-2/, ...). The "
            + "baseline side is every run under BASELINE_DIR, the run side every run under the RUN_DIRs.",
        "",
        "Noise rule, per histogram and percentile: each run gives one value (from <name>.hlog's untagged intervals, "
            + "else <name>.hgrm); REGRESSION when median(run values) > max(baseline values) x (1 + tolerance), "
            + "i.e. the runs as a group are slower than the slowest baseline run by more than the tolerance; "
            + "'better' when median(run values) < min(baseline values) x (1 - tolerance); 'ok' otherwise. "
            + "The median of an even count is the mean of the middle two. With one run on each side: "
            + "REGRESSION when run > baseline x (1 + tolerance). A histogram empty in every run but not in the "
            + "baseline fails as NO DATA.",
        ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:no tracked percentile regressed beyond the tolerance",
        "1:a tracked percentile regressed (or has no data) - the offending rows say REGRESSION / NO DATA",
        "2:usage error: missing directory, no run in it, unreadable file, no histogram in common, runs of "
            + "different modes on one side"
    })
public final class CompareMain implements Callable<Integer>
{
    /** Exit code when nothing regressed. */
    public static final int EXIT_OK = 0;
    /** Exit code when a tracked percentile regressed. */
    public static final int EXIT_REGRESSION = 1;
    /** Exit code of a usage error or unreadable input. */
    public static final int EXIT_USAGE = 2;

    @Parameters(index = "0", paramLabel = "BASELINE_DIR",
        description = "The baseline: a run directory or a directory of runs.")
    private Path baselineDir;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "RUN_DIR",
        description = "Runs to judge: run directories or directories of runs.")
    private List<Path> runDirs;

    @Option(names = "--tolerance", paramLabel = "PERCENT", defaultValue = "10%", converter = PercentConverter.class,
        description = "How much slower than the slowest baseline run the runs' median may be, 0%%..1000%%. "
            + "Default: ${DEFAULT-VALUE}.")
    private double tolerance;

    private final PrintStream out;
    private final PrintStream err;

    private CompareMain(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Entry point; exits with the code of {@link #run(PrintStream, PrintStream, String...)}.
     *
     * @param args command line.
     */
    public static void main(final String... args)
    {
        System.exit(run(System.out, System.err, args));
    }

    /**
     * Run the comparison without exiting the JVM.
     *
     * @param out  for the table and help.
     * @param err  for usage errors.
     * @param args command line.
     * @return {@link #EXIT_OK}, {@link #EXIT_REGRESSION} or {@link #EXIT_USAGE}.
     */
    public static int run(final PrintStream out, final PrintStream err, final String... args)
    {
        final CommandLine commandLine = new CommandLine(new CompareMain(out, err));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        // an unexpected failure is not a regression: 1 is kept for the gate's verdict
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            err.println("skirmish compare: " + ex);
            ex.printStackTrace(err);
            return EXIT_USAGE;
        });

        return commandLine.execute(args);
    }

    /**
     * Read both sides, compare, print.
     *
     * @return exit code.
     */
    public Integer call()
    {
        final List<RunDirectory> baseline;
        final List<RunDirectory> runs = new ArrayList<>();
        try
        {
            baseline = RunDirectory.expand(baselineDir);
            for (final Path dir : runDirs)
            {
                runs.addAll(RunDirectory.expand(dir));
            }
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return usageError(ex.getMessage());
        }

        // a directory of runs of different modes (e.g. a demo's pingpong/, flood/, session/) is no sample of one thing
        for (final String mixed : new String[]{ mixedModes("baseline", baseline), mixedModes("run", runs) })
        {
            if (null != mixed)
            {
                return usageError(mixed);
            }
        }
        if (!Objects.equals(baseline.get(0).mode(), runs.get(0).mode()))
        {
            err.println("skirmish compare: warning: baseline mode " + baseline.get(0).mode() + ", run mode " +
                runs.get(0).mode());
        }

        final Comparison comparison = Comparison.of(baseline, runs, tolerance);
        if (comparison.rows().isEmpty())
        {
            return usageError("no histogram in common: baseline has " + baseline.get(0).metrics().keySet() +
                ", run has " + runs.get(0).metrics().keySet() +
                (comparison.notCompared().isEmpty() ? "" : " (" + String.join(", ", comparison.notCompared()) + ")"));
        }

        comparison.print(out);
        out.flush();

        return comparison.failed() ? EXIT_REGRESSION : EXIT_OK;
    }

    private int usageError(final String message)
    {
        err.println("skirmish compare: " + message);
        err.println("Usage: ./skirmish compare BASELINE_DIR RUN_DIR [RUN_DIR...] [--tolerance 10%]  (--help for more)");

        return EXIT_USAGE;
    }

    private static String mixedModes(final String side, final List<RunDirectory> runs)
    {
        for (final RunDirectory run : runs)
        {
            if (!Objects.equals(run.mode(), runs.get(0).mode()))
            {
                return "the " + side + " runs are of different modes: " + runs.get(0).path() + " is " +
                    runs.get(0).mode() + ", " + run.path() + " is " + run.mode();
            }
        }

        return null;
    }
}
