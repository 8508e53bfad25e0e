package dev.skirmish.jmh;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The single-writer counters every hot path bumps: {@link CounterSet#increment} (a plain read and a release store,
 * no locked instruction) and {@link CounterSet#add}, each from the owning thread with no concurrent reader. This is
 * the uncontended cost; a reader on another core would add cache-line traffic that this does not show.
 * Expected to allocate nothing (0 B/op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class CountersBenchmark
{
    private CounterSet counters;
    private long delta;

    /**
     * Create the counter set.
     */
    @Setup
    public void setup()
    {
        counters = new CounterSet("jmh");
        delta = 72;
    }

    /**
     * Add one to a counter, as for every datagram.
     */
    @Benchmark
    public void increment()
    {
        counters.increment(Counter.WORKER_DATAGRAMS);
    }

    /**
     * Add a delta to a counter, as for byte counts.
     */
    @Benchmark
    public void add()
    {
        counters.add(Counter.BYTES_IN, delta);
    }
}
