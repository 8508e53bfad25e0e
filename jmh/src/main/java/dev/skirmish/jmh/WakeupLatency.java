package dev.skirmish.jmh;

import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How long it takes to hand work to another thread on this machine, the number behind the data path's wake-up
 * choices (DESIGN.md, perf-results/datapath). Not a JMH benchmark: each sample is one hand-off whose latency is
 * measured from the producer's timestamp to the moment the consumer runs, recorded in HdrHistogram.
 * <ul>
 *   <li>{@code unpark}: consumer parked in {@code LockSupport.park}; producer stamps and unparks it (how an I/O thread
 *   wakes a parked worker);</li>
 *   <li>{@code eventloop}: consumer is an idle Netty event loop blocked in epoll_wait; producer stamps and calls
 *   {@code execute} (how a worker wakes an I/O thread: an eventfd write);</li>
 *   <li>{@code spin}: consumer busy-spins on a volatile; producer stamps and writes it (the cost when nobody
 *   sleeps).</li>
 * </ul>
 * Between samples the producer waits 200 µs so the consumer really goes back to sleep. Usage:
 * {@code java -cp jmh/target/benchmarks.jar dev.skirmish.jmh.WakeupLatency [samples]}.
 */
public final class WakeupLatency
{
    private static final long GAP_NS = TimeUnit.MICROSECONDS.toNanos(200);

    private WakeupLatency()
    {
    }

    /**
     * @param args optional sample count (default 20000).
     * @throws Exception on thread failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        System.out.printf("hand-off latency, %d samples each, %d CPUs, %s%n", samples,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        print("unpark (parked thread)", unpark(samples));
        print("eventloop execute (epoll_wait)", eventLoop(samples));
        print("spin (volatile flag)", spin(samples));
    }

    private static void print(final String name, final Histogram h)
    {
        System.out.printf("%-32s p50 %6.1f us  p90 %6.1f us  p99 %7.1f us  max %8.1f us%n", name,
            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
            h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    private static void pause()
    {
        final long until = System.nanoTime() + GAP_NS;
        while (System.nanoTime() < until)
        {
            Thread.onSpinWait();
        }
    }

    private static Histogram unpark(final int samples) throws InterruptedException
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final AtomicLong stamp = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final Thread consumer = new Thread(() ->
        {
            for (int i = 0; i < samples; i++)
            {
                long t;
                while ((t = stamp.get()) == 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                histogram.recordValue(System.nanoTime() - t);
                stamp.set(0);
                done.incrementAndGet();
            }
        }, "consumer");
        consumer.start();
        for (int i = 0; i < samples; i++)
        {
            pause();
            stamp.set(System.nanoTime());
            LockSupport.unpark(consumer);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (done.get() <= i && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
        }
        consumer.join(TimeUnit.SECONDS.toMillis(10));
        return histogram;
    }

    private static Histogram eventLoop(final int samples) throws Exception
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final IoHandlerFactory factory = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
        try
        {
            final EventLoop loop = group.next();
            final AtomicLong done = new AtomicLong();
            final long[] stamp = new long[1];
            for (int i = 0; i < samples; i++)
            {
                pause();
                final long t = System.nanoTime();
                stamp[0] = t;
                loop.execute(() ->
                {
                    histogram.recordValue(System.nanoTime() - t);
                    done.incrementAndGet();
                });
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (done.get() <= i && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
            }
        }
        finally
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        return histogram;
    }

    private static Histogram spin(final int samples) throws InterruptedException
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final AtomicLong stamp = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final Thread consumer = new Thread(() ->
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < samples && System.nanoTime() < deadline; i++)
            {
                long t;
                while ((t = stamp.get()) == 0)
                {
                    Thread.onSpinWait();
                }
                histogram.recordValue(System.nanoTime() - t);
                stamp.set(0);
                done.incrementAndGet();
            }
        }, "consumer");
        consumer.start();
        for (int i = 0; i < samples; i++)
        {
            pause();
            stamp.set(System.nanoTime());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (done.get() <= i && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
        }
        consumer.join(TimeUnit.SECONDS.toMillis(10));
        return histogram;
    }
}
