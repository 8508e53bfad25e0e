package dev.skirmish.sim.report;

import org.HdrHistogram.Histogram;

/**
 * A mode's own progress line, printed by the {@link IntervalReporter} once a second instead of the default one.
 * Called from the reporter thread.
 */
@FunctionalInterface
public interface ProgressLine
{
    /**
     * Compose the line.
     *
     * @param nowNs    {@link System#nanoTime()} of the tick.
     * @param elapsedS since the start of the run.
     * @param interval the latency samples of the last interval (measured ones, or warm-up ones while warming up).
     * @param warmup   true while the interval shown is warm-up.
     * @return the line, without a line break.
     */
    String line(long nowNs, double elapsedS, Histogram interval, boolean warmup);
}
