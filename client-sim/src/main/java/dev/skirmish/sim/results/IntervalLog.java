package dev.skirmish.sim.results;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * An HdrHistogram interval log ({@code .hlog}) read back: per interval (one a second as the bots write them) its
 * time, tag, count and percentiles, and the total of the measurement intervals. Values are in the log's unit, ns
 * as the bots record them.
 * <p>
 * Which intervals are the measurement follows HdrHistogram's {@code HistogramLogProcessor}: the untagged ones. The
 * bots tag warm-up intervals {@code warmup}; they are listed with their tag but left out of the total.
 */
public final class IntervalLog
{
    /** Units of an interval log's values per µs: the bots record ns. */
    public static final double UNITS_PER_US = 1000.0;

    /**
     * One interval of the log.
     *
     * @param startS  start, seconds after the start of the first interval.
     * @param lengthS length in seconds.
     * @param tag     the interval's tag, null when untagged (a measurement interval).
     * @param count   samples.
     * @param p50     median, in the log's unit; 0 when empty.
     * @param p90     90th percentile.
     * @param p99     99th percentile.
     * @param max     largest sample.
     */
    public record Interval(
        double startS, double lengthS, String tag, long count, long p50, long p90, long p99, long max)
    {
        /**
         * Samples per second over the interval.
         *
         * @return rate, 0 for an interval of no length.
         */
        public double countPerSec()
        {
            return lengthS > 0 ? count / lengthS : 0.0;
        }
    }

    private final List<Interval> intervals;
    private final AbstractHistogram total;

    private IntervalLog(final List<Interval> intervals, final AbstractHistogram total)
    {
        this.intervals = intervals;
        this.total = total;
    }

    /**
     * Read an interval log.
     *
     * @param file to read.
     * @return its intervals.
     * @throws IOException if it cannot be read or an interval cannot be decoded.
     */
    public static IntervalLog read(final Path file) throws IOException
    {
        final List<Interval> intervals = new ArrayList<>();
        AbstractHistogram total = null;
        final HistogramLogReader reader;
        try
        {
            reader = new HistogramLogReader(file.toFile());
        }
        catch (final FileNotFoundException ex)
        {
            throw new IOException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
        try (reader)
        {
            double firstStartMs = Double.NaN;
            EncodableHistogram next;
            while (null != (next = reader.nextIntervalHistogram()))
            {
                if (!(next instanceof AbstractHistogram))
                {
                    throw new IOException(file + ": interval at " + next.getStartTimeStamp() +
                        " ms is not an integer-valued histogram (" + next.getClass().getSimpleName() + ")");
                }
                final AbstractHistogram histogram = (AbstractHistogram)next;
                if (Double.isNaN(firstStartMs))
                {
                    firstStartMs = histogram.getStartTimeStamp();
                }
                intervals.add(new Interval(
                    (histogram.getStartTimeStamp() - firstStartMs) / 1000.0,
                    (histogram.getEndTimeStamp() - histogram.getStartTimeStamp()) / 1000.0,
                    histogram.getTag(),
                    histogram.getTotalCount(),
                    histogram.getValueAtPercentile(50.0),
                    histogram.getValueAtPercentile(90.0),
                    histogram.getValueAtPercentile(99.0),
                    histogram.getMaxValue()));
                if (null == histogram.getTag())
                {
                    if (null == total)
                    {
                        total = new Histogram(histogram.getNumberOfSignificantValueDigits());
                    }
                    total.add(histogram);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // the reader reports a malformed line or payload with whatever runtime exception decoding threw
            throw new IOException(file + ": not a readable interval log (" + ex + ")", ex);
        }

        return new IntervalLog(Collections.unmodifiableList(intervals), null == total ? new Histogram(3) : total);
    }

    /**
     * Every interval in the order of the log, tagged ones included.
     *
     * @return the intervals.
     */
    public List<Interval> intervals()
    {
        return intervals;
    }

    /**
     * The untagged (measurement) intervals added up: the whole-run histogram that the {@code .hgrm} beside the log
     * was printed from.
     *
     * @return the histogram, empty when there are no untagged intervals; not to be modified.
     */
    public AbstractHistogram total()
    {
        return total;
    }
}
