package dev.skirmish.jmh;

import dev.skirmish.core.wire.HeaderCheck;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The fixed header codec, as the I/O thread runs it on every received datagram and a worker on every reply:
 * <ul>
 *   <li>{@link #validateValid}: {@link HeaderCheck#validate} of a well formed 72-byte ECHO datagram (every check
 *   passes: length, magic, version, type);</li>
 *   <li>{@link #validateReject}: {@link HeaderCheck#validate} of a datagram that fails one check, one run per
 *   rejection kind ({@code reason} parameter), which shows how early each check returns;</li>
 *   <li>{@link #writeHeader}: {@link PacketHeader#write} into a reused buffer ({@code clear()} then write).</li>
 * </ul>
 * All buffers are pooled direct buffers from {@link PooledByteBufAllocator#DEFAULT}, allocated once in
 * {@code @Setup}, so an operation must allocate nothing: {@code gc.alloc.rate.norm} is expected to be 0 B/op.
 * Netty's accessibility and bounds checks are left on, as in production.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class HeaderCodecBenchmark
{
    /** Length of the datagrams used here: header plus a 64-byte payload, a typical small game update. */
    static final int DATAGRAM_LENGTH = 72;

    private ByteBuf writeBuffer;
    private PacketType type;
    private int sessionId;

    /**
     * Allocate the buffer that {@link #writeHeader} reuses.
     */
    @Setup
    public void setup()
    {
        writeBuffer = PooledByteBufAllocator.DEFAULT.directBuffer(DATAGRAM_LENGTH, DATAGRAM_LENGTH);
        type = PacketType.ECHO;
        sessionId = 0x1234_5678;
    }

    /**
     * Return the buffer to the pool.
     */
    @TearDown
    public void tearDown()
    {
        writeBuffer.release();
    }

    /**
     * A well formed datagram: every check runs and passes.
     */
    @State(Scope.Thread)
    public static class ValidDatagram
    {
        ByteBuf datagram;
        int maxDatagramLength;

        /**
         * Allocate and fill the datagram.
         */
        @Setup
        public void setup()
        {
            datagram = newDatagram(DATAGRAM_LENGTH);
            maxDatagramLength = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
        }

        /**
         * Return the buffer to the pool.
         */
        @TearDown
        public void tearDown()
        {
            datagram.release();
        }
    }

    /**
     * A datagram that fails exactly the check named by {@link #reason}.
     */
    @State(Scope.Thread)
    public static class RejectedDatagram
    {
        /** Which check fails. */
        @Param({"TOO_SHORT", "TOO_LONG", "BAD_MAGIC", "BAD_VERSION", "BAD_TYPE"})
        HeaderCheck reason;

        ByteBuf datagram;
        int maxDatagramLength;

        /**
         * Allocate a datagram broken in the way {@link #reason} says, and check that it is rejected for it.
         */
        @Setup
        public void setup()
        {
            maxDatagramLength = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
            switch (reason)
            {
                case TOO_SHORT:
                    datagram = newDatagram(PacketHeader.LENGTH - 1);
                    break;

                case TOO_LONG:
                    datagram = newDatagram(maxDatagramLength + 1);
                    break;

                case BAD_MAGIC:
                    datagram = newDatagram(DATAGRAM_LENGTH);
                    datagram.setShortLE(PacketHeader.MAGIC_OFFSET, 0x5A5A);
                    break;

                case BAD_VERSION:
                    datagram = newDatagram(DATAGRAM_LENGTH);
                    datagram.setByte(PacketHeader.VERSION_OFFSET, PacketHeader.VERSION + 1);
                    break;

                case BAD_TYPE:
                    datagram = newDatagram(DATAGRAM_LENGTH);
                    datagram.setByte(PacketHeader.TYPE_OFFSET, PacketType.MAX_CODE + 1);
                    break;

                default:
                    throw new IllegalArgumentException("not a rejection: " + reason);
            }

            final HeaderCheck actual = HeaderCheck.validate(datagram, maxDatagramLength);
            if (actual != reason)
            {
                throw new IllegalStateException("expected " + reason + " but validate returned " + actual);
            }
        }

        /**
         * Return the buffer to the pool.
         */
        @TearDown
        public void tearDown()
        {
            datagram.release();
        }
    }

    /**
     * Validate a well formed header.
     *
     * @param state the datagram.
     * @return the outcome, {@link HeaderCheck#VALID}.
     */
    @Benchmark
    public HeaderCheck validateValid(final ValidDatagram state)
    {
        return HeaderCheck.validate(state.datagram, state.maxDatagramLength);
    }

    /**
     * Validate a header that fails one check.
     *
     * @param state the datagram.
     * @return the rejection reason.
     */
    @Benchmark
    public HeaderCheck validateReject(final RejectedDatagram state)
    {
        return HeaderCheck.validate(state.datagram, state.maxDatagramLength);
    }

    /**
     * Clear the reused buffer and write a header into it.
     *
     * @return the buffer, so the writes cannot be eliminated.
     */
    @Benchmark
    public ByteBuf writeHeader()
    {
        final ByteBuf buffer = writeBuffer;
        buffer.clear();
        PacketHeader.write(buffer, type, sessionId);
        return buffer;
    }

    /**
     * A pooled direct buffer holding a datagram of {@code length} bytes with a valid ECHO header when it is long
     * enough for one, and a deterministic payload.
     *
     * @param length datagram length in bytes.
     * @return the buffer, reader index 0, writer index {@code length}.
     */
    static ByteBuf newDatagram(final int length)
    {
        final ByteBuf datagram = PooledByteBufAllocator.DEFAULT.directBuffer(length, length);
        if (length >= PacketHeader.LENGTH)
        {
            PacketHeader.write(datagram, PacketType.ECHO, 42);
        }
        while (datagram.isWritable())
        {
            datagram.writeByte(datagram.writerIndex());
        }
        return datagram;
    }
}
