package dev.skirmish.jmh;

import dev.skirmish.session.channel.BodyDecoder;
import dev.skirmish.session.channel.BodyEncoder;
import dev.skirmish.session.channel.ChannelMode;
import dev.skirmish.session.channel.ReceiveChannel;
import dev.skirmish.session.channel.ReceiveConfig;
import dev.skirmish.session.channel.recovery.CongestionController;
import dev.skirmish.session.channel.recovery.RecoveryConfig;
import dev.skirmish.session.channel.recovery.RecoveryHandler;
import dev.skirmish.session.channel.recovery.RttEstimator;
import dev.skirmish.session.channel.recovery.SentPacketTracker;
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

import java.util.concurrent.TimeUnit;

/**
 * The channel layer's per-message steps (issue 4), each on preallocated state, so every one must be 0 B/op:
 * <ul>
 *   <li>{@link #encodeMessage}: one 64-byte message framed into a body with {@link BodyEncoder} (body reused);</li>
 *   <li>{@link #decodeMessage}: {@link BodyDecoder#wrap} validation plus {@link BodyDecoder#nextFrame} of a body
 *   holding an ack and one 64-byte message;</li>
 *   <li>{@link #ackPacket}: one packet recorded as sent and acknowledged by the next ack
 *   ({@link SentPacketTracker#onPacketSent} + {@link SentPacketTracker#onAckReceived}, with RTT sample and
 *   congestion window update);</li>
 *   <li>{@link #receiveOrdered}: one in-order message through a reliable-ordered {@link ReceiveChannel} to its
 *   handler.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class ChannelCodecBenchmark
{
    private static final int MESSAGE_LENGTH = 64;

    private final BodyEncoder encoder = new BodyEncoder();
    private final BodyDecoder decoder = new BodyDecoder();
    private ByteBuf message;
    private ByteBuf body;
    private ByteBuf decodeBody;
    private SentPacketTracker tracker;
    private RecoveryHandler recoveryHandler;
    private ReceiveChannel orderedChannel;
    private ReceiveChannel.MessageHandler messageHandler;
    private long packetNumber;
    private long nowNs;
    private int sequence;
    private long delivered;

    /**
     * Allocate everything once.
     */
    @Setup
    public void setup()
    {
        message = PooledByteBufAllocator.DEFAULT.directBuffer(MESSAGE_LENGTH).writeZero(MESSAGE_LENGTH);
        body = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        decodeBody = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        encoder.begin(decodeBody, 1200);
        encoder.ack(1000, -1L, 32_000);
        encoder.frame(2, 7, message, 0, MESSAGE_LENGTH);

        final RecoveryConfig config = new RecoveryConfig().conclude();
        tracker = new SentPacketTracker(config, new RttEstimator(config), new CongestionController(config));
        recoveryHandler = new RecoveryHandler()
        {
            @Override
            public void onAcked(final long handle)
            {
                delivered++;
            }

            @Override
            public void onLost(final long handle)
            {
            }

            @Override
            public void onSpuriousLoss(final long handle)
            {
            }

            @Override
            public void onProbe()
            {
            }
        };
        orderedChannel = new ReceiveChannel(2, ChannelMode.RELIABLE_ORDERED, new ReceiveConfig().conclude());
        messageHandler = (channel, buffer, offset, length) -> delivered += length;
        nowNs = 1_000_000_000L;
    }

    /**
     * Release the buffers.
     */
    @TearDown
    public void tearDown()
    {
        message.release();
        body.release();
        decodeBody.release();
    }

    /**
     * @return body length, consumed by JMH.
     */
    @Benchmark
    public int encodeMessage()
    {
        body.clear();
        encoder.begin(body, 1200);
        encoder.frame(2, sequence++ & 0xFFFF, message, 0, MESSAGE_LENGTH);
        return encoder.length();
    }

    /**
     * @return data offset of the frame, consumed by JMH.
     */
    @Benchmark
    public int decodeMessage()
    {
        decoder.wrap(decodeBody, 0, decodeBody.readableBytes(), 8, 256);
        decoder.nextFrame();
        return decoder.dataOffset() + decoder.dataLength();
    }

    /**
     * @return packets acked so far, consumed by JMH.
     */
    @Benchmark
    public long ackPacket()
    {
        final long pn = packetNumber++;
        nowNs += 1_000_000;
        tracker.onPacketSent(pn, nowNs, 1200, true, pn);
        tracker.onAckReceived(pn, -1L, 0, nowNs + 500_000, recoveryHandler);
        return delivered;
    }

    /**
     * @return bytes delivered so far, consumed by JMH.
     */
    @Benchmark
    public long receiveOrdered()
    {
        orderedChannel.receive(sequence++ & 0xFFFF, message, 0, MESSAGE_LENGTH, messageHandler);
        return delivered;
    }
}
