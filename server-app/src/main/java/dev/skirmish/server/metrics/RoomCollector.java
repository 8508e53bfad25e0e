package dev.skirmish.server.metrics;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.session.room.RoomHost;
import dev.skirmish.session.room.RoomServer;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.List;

/**
 * The rooms of a {@link RoomServer}, per worker, read at scrape time:
 * <ul>
 *   <li>{@code skirmish_room_tick_lateness_us{worker, quantile}}: a summary of how late ticks started (start minus
 *   deadline, µs). Quantiles 0.5, 0.99 and 1 (the max) cover the ticks since the previous scrape; {@code _count} and
 *   {@code _sum} are cumulative from the start, as a summary's must be.</li>
 *   <li>{@code skirmish_rooms_open{worker}}: rooms open (the worker's rooms_opened minus rooms_closed).</li>
 * </ul>
 * The worker records lateness into its {@code SingleWriterRecorder} without allocation or locks; a scrape takes the
 * interval histogram, which swaps the recorder's active histogram (the writer never waits for the reader). Counters
 * are single-writer slots, read lock-free.
 * <p>
 * Called from the metrics HTTP thread; {@link #collect()} is synchronized because it recycles one histogram per
 * worker, and concurrent scrapes (two Prometheus servers) must not share it. Not on any hot path.
 */
public final class RoomCollector implements MultiCollector
{
    /** Tick lateness summary, µs. */
    public static final String TICK_LATENESS = CounterCollector.PREFIX + "room_tick_lateness_us";
    /** Rooms open gauge. */
    public static final String ROOMS_OPEN = CounterCollector.PREFIX + "rooms_open";

    private static final String WORKER = "worker";
    private static final double[] QUANTILES = {0.5, 0.99, 1.0};
    private static final String LATENESS_HELP = "How late room ticks started (start minus deadline), microseconds; " +
        "quantiles over the ticks since the previous scrape, count and sum since the start";
    private static final String ROOMS_OPEN_HELP = "Rooms open on the worker";

    private final RoomServer rooms;
    private final List<MetricFamilyDescriptor> descriptors = List.of(
        MetricFamilyDescriptor.of(MetricType.SUMMARY, new MetricMetadata(TICK_LATENESS, LATENESS_HELP),
            List.of(WORKER)),
        MetricFamilyDescriptor.of(MetricType.GAUGE, new MetricMetadata(ROOMS_OPEN, ROOMS_OPEN_HELP), List.of(WORKER)));
    private Histogram[] intervals = new Histogram[0];
    private long[] counts = new long[0];
    private double[] sumsUs = new double[0];

    /**
     * @param rooms the server's rooms; workers without a host yet are skipped.
     */
    public RoomCollector(final RoomServer rooms)
    {
        this.rooms = rooms;
    }

    @Override
    public synchronized MetricSnapshots collect()
    {
        final int workers = rooms.workers();
        grow(workers);
        final SummarySnapshot.Builder lateness = SummarySnapshot.builder().name(TICK_LATENESS).help(LATENESS_HELP);
        final GaugeSnapshot.Builder open = GaugeSnapshot.builder().name(ROOMS_OPEN).help(ROOMS_OPEN_HELP);
        for (int w = 0; w < workers; w++)
        {
            final RoomHost host = rooms.host(w);
            if (null == host)
            {
                continue;
            }
            final Histogram interval = host.tickLateness().getIntervalHistogram(intervals[w]);
            intervals[w] = interval;
            counts[w] += interval.getTotalCount();
            sumsUs[w] += interval.getMean() * interval.getTotalCount() / 1000.0;
            final Quantiles.Builder quantiles = Quantiles.builder();
            for (final double q : QUANTILES)
            {
                final long ns = 0 == interval.getTotalCount() ? 0 :
                    (q >= 1.0 ? interval.getMaxValue() : interval.getValueAtPercentile(q * 100.0));
                quantiles.quantile(new Quantile(q, ns / 1000.0));
            }
            final Labels labels = Labels.of(WORKER, Integer.toString(w));
            lateness.dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder()
                .quantiles(quantiles.build()).count(counts[w]).sum(sumsUs[w]).labels(labels).build());
            final long roomsOpen = host.counters().get(Counter.ROOMS_OPENED) - host.counters().get(Counter.ROOMS_CLOSED);
            open.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(roomsOpen).labels(labels).build());
        }
        return MetricSnapshots.of(lateness.build(), open.build());
    }

    private void grow(final int workers)
    {
        if (intervals.length < workers)
        {
            intervals = Arrays.copyOf(intervals, workers);
            counts = Arrays.copyOf(counts, workers);
            sumsUs = Arrays.copyOf(sumsUs, workers);
        }
    }

    /** Constant descriptors (name, type, help, label names), so a clash fails at registration. */
    @Override
    public List<MetricFamilyDescriptor> getMetricFamilyDescriptors()
    {
        return descriptors;
    }
}
