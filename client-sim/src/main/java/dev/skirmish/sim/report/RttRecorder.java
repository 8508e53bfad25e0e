package dev.skirmish.sim.report;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Round-trip times in nanoseconds, recorded from any number of threads and read as intervals by the reporter.
 * <p>
 * HdrHistogram's {@link Recorder} (not {@code SingleWriterRecorder}) because flood clients on several event-loop
 * threads record concurrently: its {@code recordValue} is wait-free for many writers. Values keep 3 significant
 * digits and the histograms auto-resize, so a stall of seconds is recorded as it is, not clipped.
 * <p>
 * Warm-up and measurement go to separate recorders, chosen by the datagram's send time, so no sample crosses
 * the phase boundary whatever the reporter's timing.
 */
public final class RttRecorder
{
    /** Significant decimal digits kept by every histogram of a run. */
    public static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder warmupRecorder = new Recorder(SIGNIFICANT_DIGITS);
    private final Recorder measuredRecorder = new Recorder(SIGNIFICANT_DIGITS);

    /**
     * Record one round trip; any thread, wait-free.
     *
     * @param rttNs    round-trip time, not negative.
     * @param measured the datagram was sent after warm-up.
     */
    public void record(final long rttNs, final boolean measured)
    {
        (measured ? measuredRecorder : warmupRecorder).recordValue(rttNs);
    }

    /**
     * Take the warm-up samples recorded since the previous call. Called from one reader thread at a time.
     *
     * @param recycle the histogram this method returned last time, or null.
     * @return the interval histogram, with start and end time stamps set.
     */
    public Histogram warmupInterval(final Histogram recycle)
    {
        return warmupRecorder.getIntervalHistogram(recycle);
    }

    /**
     * Take the measurement samples recorded since the previous call. Called from one reader thread at a time.
     *
     * @param recycle the histogram this method returned last time, or null.
     * @return the interval histogram, with start and end time stamps set.
     */
    public Histogram measuredInterval(final Histogram recycle)
    {
        return measuredRecorder.getIntervalHistogram(recycle);
    }
}
