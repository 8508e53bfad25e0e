package dev.skirmish.server.metrics;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * GC pauses as the JVM reports them, one notification per collection (HotSpot's
 * {@link GarbageCollectionNotificationInfo}; for G1 and Parallel the duration of a young or full collection is its
 * stop-the-world pause):
 * <ul>
 *   <li>{@code skirmish_gc_pause_max_seconds}: the longest pause since the previous scrape (0 when none), so a
 *   scrape at the start of a measured window and one at its end give that window's worst pause;</li>
 *   <li>{@code skirmish_gc_pause_seconds_total} and {@code skirmish_gc_pauses_total}: since the start.</li>
 * </ul>
 * The JDK's {@code jvm_gc_collection_seconds} gives sums and counts only, not the worst pause, which is what a tick
 * deadline feels. Notifications arrive on a JMX thread after each collection; nothing runs on a hot path.
 * Concurrent cycles (G1's concurrent mark: "G1 Concurrent GC") are not pauses and are skipped.
 */
public final class GcPauseCollector implements MultiCollector, NotificationListener
{
    /** Longest pause since the previous scrape, seconds. */
    public static final String PAUSE_MAX = CounterCollector.PREFIX + "gc_pause_max_seconds";
    /** Pause time since the start, seconds. */
    public static final String PAUSE_TOTAL = CounterCollector.PREFIX + "gc_pause_seconds";
    /** Pauses since the start. */
    public static final String PAUSES = CounterCollector.PREFIX + "gc_pauses";

    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private long maxSinceScrapeMs;
    private long totalMs;
    private long pauses;

    /**
     * Listen to every collector MXBean that emits notifications.
     */
    public GcPauseCollector()
    {
        for (final GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            if (bean instanceof NotificationEmitter)
            {
                final NotificationEmitter emitter = (NotificationEmitter)bean;
                emitter.addNotificationListener(this, null, null);
                emitters.add(emitter);
            }
        }
    }

    @Override
    public void handleNotification(final Notification notification, final Object handback)
    {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType()))
        {
            return;
        }
        final GarbageCollectionNotificationInfo info =
            GarbageCollectionNotificationInfo.from((CompositeData)notification.getUserData());
        if (info.getGcName().contains("Concurrent"))
        {
            return;
        }
        onPause(info.getGcInfo().getDuration());
    }

    synchronized void onPause(final long durationMs)
    {
        maxSinceScrapeMs = Math.max(maxSinceScrapeMs, durationMs);
        totalMs += durationMs;
        pauses++;
    }

    @Override
    public synchronized MetricSnapshots collect()
    {
        final double max = maxSinceScrapeMs / 1000.0;
        maxSinceScrapeMs = 0;
        return MetricSnapshots.of(
            GaugeSnapshot.builder().name(PAUSE_MAX)
                .help("Longest GC pause since the previous scrape (0 when none), seconds")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(max).build()).build(),
            CounterSnapshot.builder().name(PAUSE_TOTAL).help("GC pause time since the start, seconds")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(totalMs / 1000.0).build())
                .build(),
            CounterSnapshot.builder().name(PAUSES).help("GC pauses since the start")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(pauses).build()).build());
    }

    /**
     * Stop listening (the endpoint closed).
     */
    public void close()
    {
        for (final NotificationEmitter emitter : emitters)
        {
            try
            {
                emitter.removeNotificationListener(this);
            }
            catch (final javax.management.ListenerNotFoundException ignore)
            {
                // already removed
            }
        }
    }
}
