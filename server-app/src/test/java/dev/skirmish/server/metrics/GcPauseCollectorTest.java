package dev.skirmish.server.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class GcPauseCollectorTest
{
    private static double value(final MetricSnapshots snapshots, final String name)
    {
        for (final MetricSnapshot snapshot : snapshots)
        {
            if (snapshot.getMetadata().getPrometheusName().equals(name))
            {
                return snapshot instanceof GaugeSnapshot ?
                    ((GaugeSnapshot)snapshot).getDataPoints().get(0).getValue() :
                    ((CounterSnapshot)snapshot).getDataPoints().get(0).getValue();
            }
        }
        throw new AssertionError(name + " missing");
    }

    @Test
    void shouldReportTheLongestPauseSinceThePreviousScrapeAndTotalsSinceTheStart()
    {
        final GcPauseCollector collector = new GcPauseCollector();
        try
        {
            collector.collect(); // whatever the JVM did before
            final double totalBefore = value(collector.collect(), "skirmish_gc_pause_seconds");
            collector.onPause(12);
            collector.onPause(40);
            collector.onPause(3);
            final MetricSnapshots first = collector.collect();
            assertTrue(value(first, "skirmish_gc_pause_max_seconds") >= 0.040);
            assertTrue(value(first, "skirmish_gc_pause_seconds") - totalBefore >= 0.055 - 1e-9);
            collector.onPause(5);
            final MetricSnapshots second = collector.collect();
            final double max = value(second, "skirmish_gc_pause_max_seconds");
            assertTrue(max >= 0.005 && max < 0.040, "the max restarts at each scrape: " + max);
        }
        finally
        {
            collector.close();
        }
    }

    @Test
    void shouldSeeARealCollection()
    {
        final GcPauseCollector collector = new GcPauseCollector();
        try
        {
            final double pausesBefore = value(collector.collect(), "skirmish_gc_pauses");
            System.gc();
            final long deadline = System.nanoTime() + 5_000_000_000L;
            double pauses = pausesBefore;
            while (pauses == pausesBefore && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
                pauses = value(collector.collect(), "skirmish_gc_pauses");
            }
            assertTrue(pauses >= pausesBefore + 1, "System.gc() is a pause (notified asynchronously): " + pauses);
        }
        finally
        {
            collector.close();
        }
    }
}
