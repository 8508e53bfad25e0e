package dev.skirmish.sim.report;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

import dev.skirmish.sim.RunPhases;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The reporter thread: once a second it takes the interval histograms from the {@link RttRecorder}, appends
 * them to the {@code .hlog}, adds the measured one to the run's total and prints a progress line.
 * <p>
 * Ticks fall on whole seconds from the start of the run, plus one at the end of warm-up, after which they fall
 * on whole seconds from the start of measurement, so measurement intervals in the log line up with the
 * measurement phase. Warm-up intervals are written with the tag {@value #WARMUP_TAG}: HistogramLogProcessor
 * skips tagged intervals unless asked for them with {@code -tag warmup}.
 * <p>
 * The log writer and the total are owned by the reporter thread until {@link #finish()} has joined it; from
 * then on by the caller of {@link #finish()}.
 */
public final class IntervalReporter implements Runnable
{
    /** Length of one reporting interval. */
    public static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** Tag of warm-up intervals in the interval log. */
    public static final String WARMUP_TAG = "warmup";

    private static final long JOIN_TIMEOUT_MS = 5_000;

    private final RunPhases phases;
    private final RttRecorder rtt;
    private final TrafficCounters[] counters;
    private final IntSupplier connected;
    private final HistogramLogWriter logWriter;
    private final PrintStream progress;
    private final ProgressLine progressLine;
    private final Histogram total = new Histogram(RttRecorder.SIGNIFICANT_DIGITS);
    private final Thread thread;
    private volatile boolean running = true;

    private Histogram warmupInterval;
    private Histogram measuredInterval;
    private long lastTickNs;
    private long lastReceived;
    private long lastSent;

    /**
     * Create a reporter; {@link #start()} starts its thread.
     *
     * @param phases    of the run.
     * @param rtt       recorder the run writes to.
     * @param counters  of the run, summed for the progress line.
     * @param connected clients connected now, shown with the pings sent per second; null for modes without
     *                  connections.
     * @param logWriter interval log, header already written.
     * @param progress  where progress lines go, normally stderr.
     */
    public IntervalReporter(
        final RunPhases phases,
        final RttRecorder rtt,
        final TrafficCounters[] counters,
        final IntSupplier connected,
        final HistogramLogWriter logWriter,
        final PrintStream progress)
    {
        this(phases, rtt, counters, connected, logWriter, progress, null);
    }

    /**
     * Create a reporter whose progress line the mode composes; {@link #start()} starts its thread.
     *
     * @param phases       of the run.
     * @param rtt          recorder the run writes to.
     * @param counters     of the run.
     * @param connected    clients connected now; null for modes without connections.
     * @param logWriter    interval log, header already written.
     * @param progress     where progress lines go, normally stderr.
     * @param progressLine the mode's line, or null for the default one.
     */
    public IntervalReporter(
        final RunPhases phases,
        final RttRecorder rtt,
        final TrafficCounters[] counters,
        final IntSupplier connected,
        final HistogramLogWriter logWriter,
        final PrintStream progress,
        final ProgressLine progressLine)
    {
        this.progressLine = progressLine;
        this.phases = phases;
        this.rtt = rtt;
        this.counters = counters;
        this.connected = connected;
        this.logWriter = logWriter;
        this.progress = progress;
        this.lastTickNs = phases.startNs();
        this.thread = new Thread(this, "skirmish-bots-reporter");
        this.thread.setDaemon(true);
    }

    /**
     * Start the reporter thread.
     */
    public void start()
    {
        thread.start();
    }

    /**
     * The reporter thread's loop; ends when {@link #finish()} is called.
     */
    public void run()
    {
        long nextTickNs = nextTickNs(phases.startNs());
        while (running)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - nextTickNs >= 0)
            {
                tick(nowNs, false);
                nextTickNs = nextTickNs(nowNs);
            }
            else
            {
                LockSupport.parkNanos(this, nextTickNs - nowNs);
            }
        }
    }

    /**
     * Stop the reporter thread, then take the last interval on the calling thread.
     *
     * @return all measurement samples of the run.
     * @throws InterruptedException if interrupted while joining the reporter thread.
     */
    public Histogram finish() throws InterruptedException
    {
        running = false;
        LockSupport.unpark(thread);
        thread.join(JOIN_TIMEOUT_MS);
        if (thread.isAlive())
        {
            throw new IllegalStateException("reporter thread did not stop within " + JOIN_TIMEOUT_MS + " ms");
        }

        tick(System.nanoTime(), true);

        return total;
    }

    private long nextTickNs(final long nowNs)
    {
        final long measureStartNs = phases.measureStartNs();
        if (nowNs - measureStartNs < 0)
        {
            final long tickNs = phases.startNs() + ((nowNs - phases.startNs()) / INTERVAL_NS + 1) * INTERVAL_NS;
            return tickNs - measureStartNs < 0 ? tickNs : measureStartNs;
        }

        return measureStartNs + ((nowNs - measureStartNs) / INTERVAL_NS + 1) * INTERVAL_NS;
    }

    private void tick(final long nowNs, final boolean isFinal)
    {
        final boolean intervalInMeasurement = lastTickNs - phases.measureStartNs() >= 0;

        // fresh interval histograms (one each per second): a recycled one that the auto-resizing recorder had to
        // grow was sometimes encoded into the log with counts beyond its header's range, unreadable afterwards
        warmupInterval = rtt.warmupInterval(null);
        measuredInterval = rtt.measuredInterval(null);

        if (warmupInterval.getTotalCount() > 0)
        {
            // the recorder was created before the run started, but holds no sample from before
            warmupInterval.setStartTimeStamp(Math.max(warmupInterval.getStartTimeStamp(), phases.startEpochMs()));
            warmupInterval.setTag(WARMUP_TAG);
            logWriter.outputIntervalHistogram(warmupInterval);
        }

        // an empty measured interval is logged too, so a stall shows in the log, except the short tail at the end
        final boolean emptyTail = isFinal && measuredInterval.getTotalCount() == 0;
        if (measuredInterval.getTotalCount() > 0 || (intervalInMeasurement && !emptyTail))
        {
            // the first measured interval may have opened before warm-up ended, but holds no sample from then
            measuredInterval.setStartTimeStamp(
                Math.max(measuredInterval.getStartTimeStamp(), phases.measureStartEpochMs()));
            logWriter.outputIntervalHistogram(measuredInterval);
            total.add(measuredInterval);
        }

        if (!isFinal || warmupInterval.getTotalCount() + measuredInterval.getTotalCount() > 0)
        {
            printProgress(nowNs);
        }
        lastTickNs = nowNs;
    }

    private void printProgress(final long nowNs)
    {
        final long sent = TrafficCounters.sum(counters, TrafficCounters.SENT);
        final long received = TrafficCounters.sum(counters, TrafficCounters.RECEIVED);
        final long lost = TrafficCounters.sum(counters, TrafficCounters.LOST);
        final double intervalS = Math.max(nowNs - lastTickNs, 1) / 1e9;
        final double echoesPerS = (received - lastReceived) / intervalS;
        final double sentPerS = (sent - lastSent) / intervalS;
        lastReceived = received;
        lastSent = sent;

        final Histogram shown = measuredInterval.getTotalCount() >= warmupInterval.getTotalCount() ?
            measuredInterval : warmupInterval;
        final String latency = shown.getTotalCount() > 0 ?
            String.format(
                Locale.ROOT,
                "p50 %.1fus  p99 %.1fus",
                shown.getValueAtPercentile(50.0) / 1000.0,
                shown.getValueAtPercentile(99.0) / 1000.0) :
            "p50 -  p99 -";

        final String warmupNote = shown == warmupInterval && shown.getTotalCount() > 0 ? "  (warmup)" : "";
        if (null != progressLine)
        {
            progress.println(progressLine.line(
                nowNs, (nowNs - phases.startNs()) / 1e9, shown, shown == warmupInterval && shown.getTotalCount() > 0));
            return;
        }
        if (null != connected)
        {
            progress.printf(
                Locale.ROOT,
                "%6.1fs  connected %d  sent %d  received %d  lost %d  pings/s %.0f  echoes/s %.0f  %s%s%n",
                (nowNs - phases.startNs()) / 1e9,
                connected.getAsInt(),
                sent,
                received,
                lost,
                sentPerS,
                echoesPerS,
                latency,
                warmupNote);
            return;
        }

        progress.printf(
            Locale.ROOT,
            "%6.1fs  sent %d  received %d  lost %d  echoes/s %.0f  %s%s%n",
            (nowNs - phases.startNs()) / 1e9,
            sent,
            received,
            lost,
            echoesPerS,
            latency,
            warmupNote);
    }
}
