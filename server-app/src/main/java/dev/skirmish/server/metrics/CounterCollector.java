package dev.skirmish.server.metrics;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.Counters;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every core {@link Counter} of a node as a {@code skirmish_<label>} series, read from its {@link Counters} aggregate
 * when Prometheus scrapes: the hot path keeps incrementing its single-writer slots and pays nothing for the export.
 * {@link Counter.Kind#SUM} counters are Prometheus counters (exposed as {@code skirmish_<label>_total});
 * {@link Counter.Kind#MAX} counters are gauges (exposed as {@code skirmish_<label>}). The help text is the counter's
 * description. No labels: the value is the node-wide figure, as the stats line and the stop report print it.
 * <p>
 * Called from the metrics HTTP thread only; reads are lock-free ({@link Counters#get(Counter)}).
 */
public final class CounterCollector implements MultiCollector
{
    /** Prefix of every series this stack exports. */
    public static final String PREFIX = "skirmish_";

    private static final Counter[] COUNTERS = Counter.values();

    private final Counters counters;
    private final String[] names = new String[COUNTERS.length];
    private final List<MetricFamilyDescriptor> descriptors;

    /**
     * @param counters the node's aggregate, read at every scrape.
     */
    public CounterCollector(final Counters counters)
    {
        this.counters = counters;
        final List<MetricFamilyDescriptor> all = new ArrayList<>(COUNTERS.length);
        for (int i = 0; i < COUNTERS.length; i++)
        {
            final Counter counter = COUNTERS[i];
            names[i] = metricName(counter);
            final MetricType type = Counter.Kind.MAX == counter.kind() ? MetricType.GAUGE : MetricType.COUNTER;
            all.add(MetricFamilyDescriptor.of(type, new MetricMetadata(names[i], counter.description())));
        }
        this.descriptors = Collections.unmodifiableList(all);
    }

    /**
     * The base name of a counter's series: {@code skirmish_<label>}; a SUM counter's sample adds {@code _total}.
     *
     * @param counter the counter.
     * @return base metric name.
     */
    public static String metricName(final Counter counter)
    {
        return PREFIX + counter.label();
    }

    @Override
    public MetricSnapshots collect()
    {
        final List<MetricSnapshot> snapshots = new ArrayList<>(COUNTERS.length);
        for (int i = 0; i < COUNTERS.length; i++)
        {
            final Counter counter = COUNTERS[i];
            final double value = counters.get(counter);
            if (Counter.Kind.MAX == counter.kind())
            {
                snapshots.add(GaugeSnapshot.builder().name(names[i]).help(counter.description())
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build());
            }
            else
            {
                snapshots.add(CounterSnapshot.builder().name(names[i]).help(counter.description())
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build());
            }
        }
        return new MetricSnapshots(snapshots);
    }

    /** Constant descriptors (name, type, help, no labels), so a clash fails at registration, not at scrape time. */
    @Override
    public List<MetricFamilyDescriptor> getMetricFamilyDescriptors()
    {
        return descriptors;
    }
}
