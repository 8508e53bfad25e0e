package dev.skirmish.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * What Netty's pooled allocator costs per buffer on the calling thread, the reference for deciding which thread may
 * allocate on the hot path:
 * <ul>
 *   <li>{@link #pooledDirectBuffer}: {@code PooledByteBufAllocator.DEFAULT.directBuffer(72, 72)} then
 *   {@code release()}, as a worker encoding a reply into a pooled buffer would;</li>
 *   <li>{@link #retainedSlice}: {@code retainedSlice(0, 72)} of a pooled receive buffer then {@code release()}, as
 *   Netty's epoll {@code recvmmsg} read makes one slice per received datagram.</li>
 * </ul>
 * Netty 4.2 recycles the {@code PooledByteBuf} objects ({@code Recycler}) only on a {@code FastThreadLocalThread}
 * (or inside {@code FastThreadLocalThread.runWithFastThreadLocal}), and gives a {@code PoolThreadCache} only to those
 * threads and to event-loop threads unless {@code -Dio.netty.allocator.useCacheForAllThreads=true}. JMH runs
 * benchmarks on plain threads; run with {@link FastThreadLocalExecutor} to see the Netty-thread figures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class NettyAllocatorBenchmark
{
    private PooledByteBufAllocator allocator;
    private ByteBuf receiveBuffer;
    private int length;

    /**
     * Allocate the receive buffer to slice.
     */
    @Setup
    public void setup()
    {
        allocator = PooledByteBufAllocator.DEFAULT;
        receiveBuffer = HeaderCodecBenchmark.newDatagram(HandoffBenchmark.RECEIVE_BUFFER_LENGTH);
        length = HeaderCodecBenchmark.DATAGRAM_LENGTH;
    }

    /**
     * Release the receive buffer.
     */
    @TearDown
    public void tearDown()
    {
        receiveBuffer.release();
    }

    /**
     * Allocate a pooled direct buffer of one datagram and release it. The buffer escapes to the blackhole, as it
     * would into an outbound queue.
     *
     * @param blackhole to make the buffer escape.
     * @return whether the release freed it (true).
     */
    @Benchmark
    public boolean pooledDirectBuffer(final Blackhole blackhole)
    {
        final ByteBuf buffer = allocator.directBuffer(length, length);
        blackhole.consume(buffer);
        return buffer.release();
    }

    /**
     * Take a retained slice of one datagram from the receive buffer and release it. The slice is handed to the
     * blackhole first because in the server it escapes (into a {@code DatagramPacket} and a queue); otherwise escape
     * analysis could remove the slice object and hide its cost.
     *
     * @param blackhole to make the slice escape.
     * @return whether the release freed the slice's reference (false: the receive buffer keeps its own).
     */
    @Benchmark
    public boolean retainedSlice(final Blackhole blackhole)
    {
        final ByteBuf slice = receiveBuffer.retainedSlice(0, length);
        blackhole.consume(slice);
        return slice.release();
    }
}
