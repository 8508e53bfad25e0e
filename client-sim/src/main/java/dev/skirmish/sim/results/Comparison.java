package dev.skirmish.sim.results;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs compared against a baseline, percentile by percentile: the regression gate of {@code skirmish compare}.
 * <p>
 * Each side is one or more runs. For every histogram present in all runs of both sides and every tracked
 * percentile ({@link #TRACKED_PERCENTILES}) each run gives one value; the side's <em>median</em> is the median of
 * those values (the mean of the middle two for an even count). The noise rule:
 * <ul>
 *     <li><b>regression</b> when median(run values) &gt; max(baseline values) &times; (1 + tolerance): the runs
 *     as a group are slower than even the slowest baseline run, by more than the tolerance;</li>
 *     <li><b>better</b> when median(run values) &lt; min(baseline values) &times; (1 - tolerance);</li>
 *     <li><b>ok</b> otherwise.</li>
 * </ul>
 * A run whose histogram is empty (no samples) where the baseline has some is a failure too ({@code NO DATA}); a
 * baseline with an empty histogram gates nothing. With one run on each side the rule is simply
 * run &gt; baseline &times; (1 + tolerance).
 */
public final class Comparison
{
    /** Percentiles compared, 0 to 100. */
    public static final double[] TRACKED_PERCENTILES = { 50.0, 90.0, 99.0, 99.9 };

    /** What a row says. */
    public enum Verdict
    {
        /** Within the tolerance. */
        OK("ok", false),
        /** Faster than every baseline run by more than the tolerance. */
        BETTER("better", false),
        /** Slower than every baseline run by more than the tolerance. */
        REGRESSION("REGRESSION", true),
        /** The run side has no samples where the baseline has some. */
        NO_DATA("NO DATA", true),
        /** The baseline has no samples: nothing to compare against. */
        NO_BASELINE("no baseline", false);

        private final String label;
        private final boolean failure;

        Verdict(final String label, final boolean failure)
        {
            this.label = label;
            this.failure = failure;
        }

        /**
         * As printed in the table.
         *
         * @return the label.
         */
        public String label()
        {
            return label;
        }

        /**
         * Does this row fail the gate?
         *
         * @return true for {@link #REGRESSION} and {@link #NO_DATA}.
         */
        public boolean isFailure()
        {
            return failure;
        }
    }

    /**
     * One metric at one percentile.
     *
     * @param metric     histogram name, e.g. {@code rtt}.
     * @param percentile 0 to 100.
     * @param baselineUs the baseline runs' values in µs, sorted, empty histograms left out.
     * @param runUs      the runs' values in µs, sorted, empty histograms left out.
     * @param limitUs    max(baseline) &times; (1 + tolerance); NaN without baseline values.
     * @param verdict    what the rule says.
     */
    public record Row(
        String metric, double percentile, double[] baselineUs, double[] runUs, double limitUs, Verdict verdict)
    {
        /**
         * The percentile as a column label.
         *
         * @return e.g. {@code p50}, {@code p99.9}.
         */
        public String percentileName()
        {
            return percentileName(percentile);
        }

        /**
         * Median of the baseline values.
         *
         * @return µs, NaN when there are none.
         */
        public double baselineMedianUs()
        {
            return median(baselineUs);
        }

        /**
         * Median of the run values.
         *
         * @return µs, NaN when there are none.
         */
        public double runMedianUs()
        {
            return median(runUs);
        }

        /**
         * Change of the run median against the baseline median.
         *
         * @return percent, NaN when either is missing or the baseline median is 0.
         */
        public double deltaPercent()
        {
            final double baseline = baselineMedianUs();

            return baseline > 0 ? (runMedianUs() - baseline) / baseline * 100.0 : Double.NaN;
        }

        /**
         * As a label.
         *
         * @param percentile 0 to 100.
         * @return e.g. {@code p50}, {@code p99.9}.
         */
        public static String percentileName(final double percentile)
        {
            final String number = percentile == Math.rint(percentile) ?
                Long.toString((long)percentile) : Double.toString(percentile);

            return "p" + number;
        }
    }

    private final List<RunDirectory> baseline;
    private final List<RunDirectory> runs;
    private final double tolerance;
    private final List<Row> rows;
    private final List<String> notCompared;

    private Comparison(
        final List<RunDirectory> baseline,
        final List<RunDirectory> runs,
        final double tolerance,
        final List<Row> rows,
        final List<String> notCompared)
    {
        this.baseline = baseline;
        this.runs = runs;
        this.tolerance = tolerance;
        this.rows = rows;
        this.notCompared = notCompared;
    }

    /**
     * Compare.
     *
     * @param baseline  one or more baseline runs.
     * @param runs      one or more runs to judge.
     * @param tolerance allowed slowdown beyond the slowest baseline run, as a fraction (0.1 for 10 %).
     * @return the comparison; no rows when the sides have no histogram in common.
     */
    public static Comparison of(final List<RunDirectory> baseline, final List<RunDirectory> runs, final double tolerance)
    {
        if (baseline.isEmpty() || runs.isEmpty())
        {
            throw new IllegalArgumentException("need at least one baseline run and one run");
        }
        if (!(tolerance >= 0))
        {
            throw new IllegalArgumentException("tolerance must be at least 0, was " + tolerance);
        }

        final Set<String> inAll = new TreeSet<>(baseline.get(0).metrics().keySet());
        final Set<String> inAny = new TreeSet<>();
        for (final List<RunDirectory> side : List.of(baseline, runs))
        {
            for (final RunDirectory run : side)
            {
                inAll.retainAll(run.metrics().keySet());
                inAny.addAll(run.metrics().keySet());
            }
        }

        final List<String> notCompared = new ArrayList<>();
        for (final String name : inAny)
        {
            if (!inAll.contains(name))
            {
                notCompared.add(name + " (" + describePresence(name, baseline, runs) + ")");
            }
        }

        final List<Row> rows = new ArrayList<>();
        for (final String name : inAll)
        {
            for (final double percentile : TRACKED_PERCENTILES)
            {
                rows.add(row(name, percentile, values(baseline, name, percentile), values(runs, name, percentile),
                    tolerance));
            }
        }

        return new Comparison(List.copyOf(baseline), List.copyOf(runs), tolerance,
            Collections.unmodifiableList(rows), Collections.unmodifiableList(notCompared));
    }

    /**
     * Every metric and percentile compared.
     *
     * @return rows by metric name, then percentile; empty when the sides have no histogram in common.
     */
    public List<Row> rows()
    {
        return rows;
    }

    /**
     * Histograms found in some runs but not in all of both sides, with where they were found.
     *
     * @return e.g. {@code input-frame (run only)}.
     */
    public List<String> notCompared()
    {
        return notCompared;
    }

    /**
     * Did the gate fail?
     *
     * @return true when a row is a {@link Verdict#REGRESSION} or {@link Verdict#NO_DATA}.
     */
    public boolean failed()
    {
        for (final Row row : rows)
        {
            if (row.verdict().isFailure())
            {
                return true;
            }
        }

        return false;
    }

    /**
     * Print the table: the two sides, the rule, one line per metric and percentile, and the result.
     *
     * @param out normally stdout.
     */
    public void print(final PrintStream out)
    {
        out.println("baseline  " + describe(baseline));
        out.println("run       " + describe(runs));
        out.printf(Locale.ROOT, "rule      REGRESSION when median(run) > max(baseline) x (1 + %s); values are " +
            "medians [min-max] over the runs of each side%n", formatPercent(tolerance * 100.0));
        out.println();

        final List<String[]> table = new ArrayList<>();
        table.add(new String[]{ "metric", "percentile", "baseline us", "run us", "delta", "limit us", "verdict" });
        for (final Row row : rows)
        {
            table.add(new String[]{
                row.metric(),
                row.percentileName(),
                formatValues(row.baselineUs()),
                formatValues(row.runUs()),
                Double.isNaN(row.deltaPercent()) ? "-" : String.format(Locale.ROOT, "%+.1f%%", row.deltaPercent()),
                formatUs(row.limitUs()),
                row.verdict().label() });
        }
        printTable(out, table);
        out.println();

        for (final String name : notCompared)
        {
            out.println("not compared: " + name);
        }
        final List<String> failures = new ArrayList<>();
        for (final Row row : rows)
        {
            if (row.verdict().isFailure())
            {
                failures.add(row.metric() + " " + row.percentileName() + " " + row.verdict().label());
            }
        }
        if (failures.isEmpty())
        {
            out.printf(Locale.ROOT, "result    pass: no tracked percentile regressed beyond %s%n",
                formatPercent(tolerance * 100.0));
        }
        else
        {
            out.printf(Locale.ROOT, "result    FAIL: %d of %d tracked percentiles: %s%n", failures.size(), rows.size(),
                String.join(", ", failures));
        }
    }

    private static Row row(
        final String metric,
        final double percentile,
        final double[] baselineUs,
        final double[] runUs,
        final double tolerance)
    {
        if (baselineUs.length == 0)
        {
            return new Row(metric, percentile, baselineUs, runUs, Double.NaN, Verdict.NO_BASELINE);
        }

        final double limitUs = baselineUs[baselineUs.length - 1] * (1.0 + tolerance);
        final Verdict verdict;
        if (runUs.length == 0)
        {
            verdict = Verdict.NO_DATA;
        }
        else if (median(runUs) > limitUs)
        {
            verdict = Verdict.REGRESSION;
        }
        else if (median(runUs) < baselineUs[0] * (1.0 - tolerance))
        {
            verdict = Verdict.BETTER;
        }
        else
        {
            verdict = Verdict.OK;
        }

        return new Row(metric, percentile, baselineUs, runUs, limitUs, verdict);
    }

    private static double[] values(final List<RunDirectory> side, final String metric, final double percentile)
    {
        final double[] values = new double[side.size()];
        int count = 0;
        for (final RunDirectory run : side)
        {
            final double value = run.metrics().get(metric).valueAtPercentileUs(percentile);
            if (!Double.isNaN(value))
            {
                values[count++] = value;
            }
        }
        final double[] present = Arrays.copyOf(values, count);
        Arrays.sort(present);

        return present;
    }

    static double median(final double[] sorted)
    {
        final int n = sorted.length;
        if (n == 0)
        {
            return Double.NaN;
        }

        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static String describePresence(
        final String name, final List<RunDirectory> baseline, final List<RunDirectory> runs)
    {
        final int inBaseline = countWith(baseline, name);
        final int inRuns = countWith(runs, name);
        if (inRuns == 0)
        {
            return "baseline only";
        }
        if (inBaseline == 0)
        {
            return "run only";
        }

        return "in " + inBaseline + " of " + baseline.size() + " baseline runs and " + inRuns + " of " + runs.size() +
            " runs";
    }

    private static int countWith(final List<RunDirectory> side, final String name)
    {
        int count = 0;
        for (final RunDirectory run : side)
        {
            count += run.metrics().containsKey(name) ? 1 : 0;
        }

        return count;
    }

    private static String describe(final List<RunDirectory> side)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(side.size()).append(side.size() == 1 ? " run: " : " runs: ");
        for (int i = 0; i < side.size(); i++)
        {
            sb.append(i == 0 ? "" : ", ").append(side.get(i).path());
        }
        final String mode = side.get(0).mode();

        return null == mode ? sb.toString() : sb.append(" (mode ").append(mode).append(')').toString();
    }

    private static String formatValues(final double[] sortedUs)
    {
        if (sortedUs.length == 0)
        {
            return "-";
        }
        if (sortedUs.length == 1)
        {
            return formatUs(sortedUs[0]);
        }

        return formatUs(median(sortedUs)) + " [" + formatUs(sortedUs[0]) + "-" + formatUs(sortedUs[sortedUs.length - 1]) +
            "]";
    }

    private static String formatUs(final double us)
    {
        return Double.isNaN(us) ? "-" : String.format(Locale.ROOT, "%.1f", us);
    }

    private static String formatPercent(final double percent)
    {
        return BigDecimal.valueOf(percent).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString() + "%";
    }

    private static void printTable(final PrintStream out, final List<String[]> table)
    {
        final int[] widths = new int[table.get(0).length];
        for (final String[] line : table)
        {
            for (int i = 0; i < line.length; i++)
            {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (final String[] line : table)
        {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < line.length; i++)
            {
                // names left-aligned, numbers right-aligned, the verdict last and unpadded
                final boolean left = i < 2;
                final String cell = line[i];
                if (i == line.length - 1)
                {
                    sb.append(cell);
                }
                else
                {
                    final String pad = " ".repeat(widths[i] - cell.length());
                    sb.append(left ? cell + pad : pad + cell).append("  ");
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
