package dev.skirmish.sim.results;

/**
 * One named histogram of a run, e.g. {@code rtt}: its {@code <name>.hgrm}, its {@code <name>.hlog}, or both.
 * <p>
 * Percentiles come from the interval log when there is one with measurement intervals (its untagged intervals added
 * up are exactly the histogram the run summarised), else from the {@code .hgrm} rows (see
 * {@link PercentileDistribution#valueAtPercentileUs(double)}).
 */
public final class LatencyMetric
{
    private final String name;
    private final PercentileDistribution distribution;
    private final IntervalLog log;

    /**
     * Bind the files of one histogram.
     *
     * @param name         file name without extension.
     * @param distribution from {@code <name>.hgrm}, or null when there is none.
     * @param log          from {@code <name>.hlog}, or null when there is none.
     */
    public LatencyMetric(final String name, final PercentileDistribution distribution, final IntervalLog log)
    {
        if (null == distribution && null == log)
        {
            throw new IllegalArgumentException(name + ": neither a distribution nor an interval log");
        }
        this.name = name;
        this.distribution = null != distribution ?
            distribution : PercentileDistribution.of(log.total(), IntervalLog.UNITS_PER_US);
        this.log = log;
    }

    /**
     * The histogram's name, its files' name without extension.
     *
     * @return e.g. {@code rtt}.
     */
    public String name()
    {
        return name;
    }

    /**
     * The percentile distribution to plot: the {@code .hgrm} rows, or the interval log's total when there is no
     * {@code .hgrm}.
     *
     * @return the distribution.
     */
    public PercentileDistribution distribution()
    {
        return distribution;
    }

    /**
     * The interval log.
     *
     * @return it, or null when there is no {@code <name>.hlog}.
     */
    public IntervalLog log()
    {
        return log;
    }

    /**
     * Samples in the run's histogram.
     *
     * @return count.
     */
    public long totalCount()
    {
        return hasLogTotal() ? log.total().getTotalCount() : distribution.totalCount();
    }

    /**
     * The value at a percentile of the whole run.
     *
     * @param percentile 0 to 100.
     * @return value in µs, NaN when the histogram is empty.
     */
    public double valueAtPercentileUs(final double percentile)
    {
        if (hasLogTotal())
        {
            return log.total().getValueAtPercentile(percentile) / IntervalLog.UNITS_PER_US;
        }

        return distribution.valueAtPercentileUs(percentile);
    }

    /**
     * The largest value of the whole run.
     *
     * @return value in µs, NaN when the histogram is empty.
     */
    public double maxUs()
    {
        if (hasLogTotal())
        {
            return log.total().getMaxValue() / IntervalLog.UNITS_PER_US;
        }

        return distribution.maxUs();
    }

    private boolean hasLogTotal()
    {
        return null != log && log.total().getTotalCount() > 0;
    }
}
