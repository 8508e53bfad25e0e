package dev.skirmish.jmh;

import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JMH executor whose benchmark threads are Netty {@link FastThreadLocalThread}s, like Netty event loop threads,
 * instead of the plain threads JMH starts by default (and that Agrona's {@code AgentRunner.startOnThread} starts for
 * workers). Netty 4.2 pools {@code PooledByteBuf} objects ({@code Recycler}) and gives a {@code PoolThreadCache} only
 * to such threads, so running a benchmark on both kinds shows what the thread kind costs.
 *
 * <p>Use from the command line, in the forked JVM:
 * <pre>
 * java -jar jmh/target/benchmarks.jar -jvmArgsAppend "-Djmh.executor=CUSTOM
 *     -Djmh.executor.class=dev.skirmish.jmh.FastThreadLocalExecutor -Dio.netty.leakDetection.level=disabled" ...
 * </pre>
 * ({@code -jvmArgsAppend} on the command line replaces the one in the annotations, so repeat its flags.)
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor
{
    /**
     * Constructor JMH calls for {@code jmh.executor=CUSTOM}.
     *
     * @param maxThreads number of benchmark threads.
     * @param prefix     thread name prefix.
     */
    public FastThreadLocalExecutor(final int maxThreads, final String prefix)
    {
        super(maxThreads, maxThreads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threadFactory(prefix));
    }

    private static ThreadFactory threadFactory(final String prefix)
    {
        final AtomicInteger count = new AtomicInteger();
        return (runnable) ->
        {
            final Thread thread = new FastThreadLocalThread(runnable, prefix + "-ftl-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
