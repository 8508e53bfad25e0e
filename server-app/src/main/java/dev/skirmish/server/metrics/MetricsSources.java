package dev.skirmish.server.metrics;

import dev.skirmish.core.metrics.Counters;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What {@code /metrics} reports: the extension point where each layer of the server registers the callbacks that read
 * its figures at scrape time. {@link #withDefaults(Counters)} holds the core counters ({@link CounterCollector}) and
 * the JVM and process metrics ({@code jvm_*}, {@code process_*}); a layer above core adds its own with
 * {@link #register(MultiCollector)} or {@link #register(Collector)}, before or after the endpoint starts.
 * <p>
 * Rules for a collector, which runs on the metrics HTTP thread at every scrape:
 * <ol>
 *   <li>Only read what its owner publishes for other threads (a single-writer counter, a {@code volatile} or
 *       {@code AtomicLong}, a histogram the owner hands over, e.g. an HdrHistogram {@code Recorder}'s interval
 *       histogram): never take a lock the hot path holds, never make the owner allocate or wait.</li>
 *   <li>Names start with {@code skirmish_}, snake_case, the unit last ({@code _seconds}, {@code _bytes}); counters
 *       are named without {@code _total} (the exposition adds it). Per-worker or per-room figures use a label
 *       ({@code worker="0"}), never one series name per instance; keep label values bounded (no ids of sessions).</li>
 *   <li>Declare constant families (name, type, help, label names) in
 *       {@link MultiCollector#getMetricFamilyDescriptors()}, so a clash fails at registration instead of corrupting
 *       a scrape.</li>
 * </ol>
 * Thread safe: registration may happen on any thread, while scrapes run.
 */
public final class MetricsSources
{
    private final PrometheusRegistry registry = new PrometheusRegistry();

    /**
     * Sources with the standard set: the node's counters, GC pauses ({@link GcPauseCollector}) and the JVM/process
     * metrics.
     *
     * @param counters the node's counters aggregate.
     * @return the sources, ready for more registrations.
     */
    public static MetricsSources withDefaults(final Counters counters)
    {
        final MetricsSources sources = new MetricsSources();
        sources.register(new CounterCollector(counters));
        sources.register(new GcPauseCollector());
        JvmMetrics.builder().register(sources.registry);
        return sources;
    }

    /**
     * Add a collector that reads several series at scrape time.
     *
     * @param collector read at every scrape.
     * @return this.
     * @throws IllegalArgumentException if one of its names is already registered.
     */
    public MetricsSources register(final MultiCollector collector)
    {
        registry.register(collector);
        return this;
    }

    /**
     * Add a collector that reads one series at scrape time, e.g. a {@code GaugeWithCallback}.
     *
     * @param collector read at every scrape.
     * @return this.
     * @throws IllegalArgumentException if its name is already registered.
     */
    public MetricsSources register(final Collector collector)
    {
        registry.register(collector);
        return this;
    }

    /**
     * Remove a collector, e.g. when the layer it reads is closed before the endpoint.
     *
     * @param collector registered before.
     */
    public void unregister(final MultiCollector collector)
    {
        registry.unregister(collector);
    }

    /**
     * Remove a collector, e.g. when the layer it reads is closed before the endpoint.
     *
     * @param collector registered before.
     */
    public void unregister(final Collector collector)
    {
        registry.unregister(collector);
    }

    /**
     * The registry the endpoint scrapes.
     *
     * @return the registry.
     */
    PrometheusRegistry registry()
    {
        return registry;
    }
}
