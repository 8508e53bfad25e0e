package dev.skirmish.sim.game;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import dev.skirmish.sim.report.RttRecorder;

/**
 * The histograms game bots record into besides input-to-frame latency (which goes to the run's
 * {@link RttRecorder}, so the interval log and the progress line show it): frame jitter, sampled session RTT and
 * loop lag, in ns. HdrHistogram {@link Recorder}s: wait-free from every event-loop thread, without allocation.
 * <p>
 * Jitter and RTT keep only measured samples (sent or received after warm-up); loop lag keeps all, split into the
 * interval the progress line shows and the measured total for the summary.
 */
final class GameMetrics
{
    final Recorder frameJitterNs = new Recorder(RttRecorder.SIGNIFICANT_DIGITS);
    final Recorder rttNs = new Recorder(RttRecorder.SIGNIFICANT_DIGITS);
    final Recorder loopLagNs = new Recorder(RttRecorder.SIGNIFICANT_DIGITS);
    final Recorder measuredLoopLagNs = new Recorder(RttRecorder.SIGNIFICANT_DIGITS);

    /**
     * Take everything a recorder holds. Called from the controlling thread once the bots have stopped.
     */
    static Histogram drain(final Recorder recorder)
    {
        return recorder.getIntervalHistogram();
    }
}
