package dev.skirmish.sim.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A percentile distribution as HdrHistogram's {@code outputPercentileDistribution} prints it in a {@code .hgrm}
 * file: rows of value, percentile, cumulative count (and 1/(1-percentile)), values in µs as the bots write them.
 * <p>
 * The rows are a sample of the histogram at percentile ticks, so a percentile between two rows is answered from
 * the cumulative counts as HdrHistogram would: the value of the first row whose count reaches the percentile. That
 * is exact when the tick landed on the bucket holding that percentile and otherwise an upper bound (the next row).
 */
public final class PercentileDistribution
{
    /** Ticks per half distance used when a distribution is made from a histogram, as HdrHistogram's default. */
    public static final int TICKS_PER_HALF_DISTANCE = 5;

    private final double[] valuesUs;
    private final double[] percentiles;
    private final long[] totalCounts;

    private PercentileDistribution(final double[] valuesUs, final double[] percentiles, final long[] totalCounts)
    {
        this.valuesUs = valuesUs;
        this.percentiles = percentiles;
        this.totalCounts = totalCounts;
    }

    /**
     * Read a {@code .hgrm} file.
     *
     * @param file to read.
     * @return its rows; none for an empty histogram.
     * @throws IOException if it cannot be read or a row is not numbers.
     */
    public static PercentileDistribution read(final Path file) throws IOException
    {
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        final double[] values = new double[lines.size()];
        final double[] percentiles = new double[lines.size()];
        final long[] counts = new long[lines.size()];
        int rows = 0;
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("Value"))
            {
                continue;
            }
            final String[] columns = line.split("\\s+");
            try
            {
                if (columns.length < 3)
                {
                    throw new NumberFormatException("expected value, percentile and count");
                }
                values[rows] = Double.parseDouble(columns[0]);
                percentiles[rows] = Double.parseDouble(columns[1]);
                counts[rows] = Long.parseLong(columns[2]);
            }
            catch (final NumberFormatException ex)
            {
                throw new IOException(file + ":" + (i + 1) + ": not a percentile row (" + ex.getMessage() + ")", ex);
            }
            if (rows > 0 && (counts[rows] < counts[rows - 1] || percentiles[rows] < percentiles[rows - 1]))
            {
                throw new IOException(file + ":" + (i + 1) + ": rows out of order");
            }
            rows++;
        }

        return new PercentileDistribution(
            Arrays.copyOf(values, rows), Arrays.copyOf(percentiles, rows), Arrays.copyOf(counts, rows));
    }

    /**
     * The distribution of a histogram, at the ticks {@code outputPercentileDistribution} would print.
     *
     * @param histogram    to sample.
     * @param unitsPerUs   how many of the histogram's units make a µs (1000 for ns).
     * @return its rows; none for an empty histogram.
     */
    public static PercentileDistribution of(final AbstractHistogram histogram, final double unitsPerUs)
    {
        final int capacity = 1024;
        double[] values = new double[capacity];
        double[] percentiles = new double[capacity];
        long[] counts = new long[capacity];
        int rows = 0;
        if (histogram.getTotalCount() > 0)
        {
            for (final HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
            {
                if (rows == values.length)
                {
                    values = Arrays.copyOf(values, rows * 2);
                    percentiles = Arrays.copyOf(percentiles, rows * 2);
                    counts = Arrays.copyOf(counts, rows * 2);
                }
                values[rows] = value.getValueIteratedTo() / unitsPerUs;
                percentiles[rows] = value.getPercentileLevelIteratedTo() / 100.0;
                counts[rows] = value.getTotalCountToThisValue();
                rows++;
            }
        }

        return new PercentileDistribution(
            Arrays.copyOf(values, rows), Arrays.copyOf(percentiles, rows), Arrays.copyOf(counts, rows));
    }

    /**
     * Samples in the histogram.
     *
     * @return the count of the last row, 0 when there are none.
     */
    public long totalCount()
    {
        return totalCounts.length == 0 ? 0 : totalCounts[totalCounts.length - 1];
    }

    /**
     * Rows in the distribution.
     *
     * @return count.
     */
    public int rows()
    {
        return valuesUs.length;
    }

    /**
     * Value of a row.
     *
     * @param row 0 to {@link #rows()} - 1.
     * @return value in µs.
     */
    public double valueUs(final int row)
    {
        return valuesUs[row];
    }

    /**
     * Percentile tick of a row.
     *
     * @param row 0 to {@link #rows()} - 1.
     * @return fraction, 0 to 1.
     */
    public double percentile(final int row)
    {
        return percentiles[row];
    }

    /**
     * The value at a percentile, from the cumulative counts: the first row whose count reaches it.
     *
     * @param percentile 0 to 100.
     * @return value in µs, NaN when the histogram is empty.
     */
    public double valueAtPercentileUs(final double percentile)
    {
        final long total = totalCount();
        if (total == 0)
        {
            return Double.NaN;
        }

        // the count HdrHistogram's getValueAtPercentile looks for
        final double requested = Math.min(Math.max(Math.nextDown(percentile), 0.0), 100.0);
        final long countAtPercentile = Math.max(1, (long)Math.ceil(requested / 100.0 * total));
        for (int i = 0; i < totalCounts.length; i++)
        {
            if (totalCounts[i] >= countAtPercentile)
            {
                return valuesUs[i];
            }
        }

        return valuesUs[valuesUs.length - 1];
    }

    /**
     * The largest value.
     *
     * @return value in µs of the last row, NaN when the histogram is empty.
     */
    public double maxUs()
    {
        return totalCount() == 0 ? Double.NaN : valuesUs[valuesUs.length - 1];
    }
}
