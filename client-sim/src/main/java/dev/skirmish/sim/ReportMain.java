package dev.skirmish.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.skirmish.sim.results.ReportPage;
import dev.skirmish.sim.results.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skirmish report}: (re)writes a run directory's {@code report.html}, optionally with baseline runs drawn
 * over its curves. The bots write the same page at the end of every run ({@link RunReport#write(Path)}).
 * <p>
 * Exit codes: 0 written, 1 the page could not be written, 2 usage error or unreadable input.
 */
@Command(
    name = "skirmish report",
    mixinStandardHelpOptions = true,
    versionProvider = BotsMain.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Writes RUN_DIR/report.html: one self-contained page (no network access; open it in any browser) with the "
            + "run's config and counts from summary.json and, for every <name>.hgrm / <name>.hlog in RUN_DIR, a "
            + "percentile plot (log percentile axis as HdrHistogram's plotter) and per-second p50/p99/max and "
            + "samples/s from the interval log. With --baseline the baseline runs are drawn dashed over each plot.",
        ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the page was written",
        "1:the page could not be written",
        "2:usage error: RUN_DIR or DIR missing, not a run, or a file in it unreadable"
    })
public final class ReportMain implements Callable<Integer>
{
    /** Exit code when the page was written. */
    public static final int EXIT_OK = 0;
    /** Exit code when the page could not be written. */
    public static final int EXIT_FAILED = 1;
    /** Exit code of a usage error or unreadable input. */
    public static final int EXIT_USAGE = 2;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run: a directory holding summary.json.")
    private Path runDir;

    @Option(names = "--baseline", paramLabel = "DIR",
        description = "Baseline to draw over the run: a run directory, or a directory of runs (run-1/, run-2/, "
            + "...; each drawn).")
    private Path baselineDir;

    @Option(names = { "-o", "--output" }, paramLabel = "FILE",
        description = "Where to write the page. Default: RUN_DIR/report.html.")
    private Path output;

    private final PrintStream out;
    private final PrintStream err;

    private ReportMain(final PrintStream out, final PrintStream err)
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
     * Write the page without exiting the JVM.
     *
     * @param out  for the path of the page and help.
     * @param err  for errors.
     * @param args command line.
     * @return {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_USAGE}.
     */
    public static int run(final PrintStream out, final PrintStream err, final String... args)
    {
        final CommandLine commandLine = new CommandLine(new ReportMain(out, err));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        return commandLine.execute(args);
    }

    /**
     * Read the run and the baseline, write the page.
     *
     * @return exit code.
     */
    public Integer call()
    {
        final RunDirectory run;
        final List<RunDirectory> baselines;
        try
        {
            if (!RunDirectory.isRun(runDir))
            {
                return usageError(runDir + ": not a run directory (no " + RunDirectory.SUMMARY_FILE + ")");
            }
            run = RunDirectory.load(runDir);
            baselines = null == baselineDir ? List.of() : RunDirectory.expand(baselineDir);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return usageError(ex.getMessage());
        }

        final Path file = null != output ? output : runDir.resolve(ReportPage.FILE);
        try
        {
            ReportPage.write(run, baselines, file);
        }
        catch (final IOException ex)
        {
            err.println("skirmish report: cannot write " + file + ": " + ex);
            return EXIT_FAILED;
        }
        out.println(file);

        return EXIT_OK;
    }

    private int usageError(final String message)
    {
        err.println("skirmish report: " + message);
        err.println("Usage: ./skirmish report RUN_DIR [--baseline DIR] [--output FILE]  (--help for more)");

        return EXIT_USAGE;
    }
}
