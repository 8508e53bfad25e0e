package dev.skirmish.jmh;

import dev.skirmish.session.channel.ChannelConfig;
import dev.skirmish.session.channel.ChannelEndpoint;
import dev.skirmish.session.channel.ChannelEndpointConfig;
import dev.skirmish.session.channel.ChannelMode;
import dev.skirmish.session.channel.ReceiveChannel;
import dev.skirmish.session.channel.ReceiveCounter;
import dev.skirmish.session.channel.recovery.RecoveryConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The whole channel layer per message (issue 4): two {@link ChannelEndpoint}s, A sending and B receiving, joined in
 * memory by preallocated packet buffers, on a virtual clock. One operation ({@link #roundTrip}) is a full round trip:
 * <ol>
 *   <li>A: {@link ChannelEndpoint#send} of {@code messagesPerPacket} 64-byte messages on channel 0, then
 *   {@link ChannelEndpoint#flush} (one DATA packet holding them all, with an ack of B's last packet);</li>
 *   <li>B, {@value #ONE_WAY_NS} ns later: {@link ChannelEndpoint#onPacket} of that packet, delivering every message to
 *   a handler that reads all its bytes into a {@link Blackhole}, then {@link ChannelEndpoint#flush}: an ack-only
 *   packet;</li>
 *   <li>A, {@value #ONE_WAY_NS} ns later: {@link ChannelEndpoint#onPacket} of the ack (RTT sample, congestion window,
 *   reliable chunks acked and their send queue memory reclaimed).</li>
 * </ol>
 * Both endpoints run the default {@link ChannelEndpointConfig} except the channel table, one channel of the
 * {@code mode} under test, and the ack-eliciting threshold, 1 instead of 2, so B acks every packet at once and each
 * operation is a complete round trip (with the default B would ack every second packet, or after the 5 ms max ack
 * delay). Packet protection is not included: the packet number is a counter per direction. Everything is allocated
 * in the setup, so every mode must be 0 B/op. After each iteration the counters are checked: one packet each way per
 * operation, every message delivered, nothing lost, resent, refused or malformed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class ChannelEndpointBenchmark
{
    private static final int CHANNEL = 0;
    private static final int MESSAGE_LENGTH = 64;
    private static final long ONE_WAY_NS = 50_000;

    /**
     * Delivery mode of channel 0 at both ends.
     */
    @Param({"UNRELIABLE", "UNRELIABLE_SEQUENCED", "RELIABLE_ORDERED", "RELIABLE_UNORDERED"})
    public ChannelMode mode;

    /**
     * Messages sent per operation; they all go in one packet (16 × 64 B fit the 1200 B path payload).
     */
    @Param({"1", "16"})
    public int messagesPerPacket;

    private ChannelEndpoint a;
    private ChannelEndpoint b;
    private Link aToB;
    private Link bToA;
    private ConsumingHandler handler;
    private ReceiveChannel.MessageHandler ignoringHandler;
    private ByteBuf message;
    private long nowNs;

    /**
     * Build both endpoints and the links, and run one round trip so both have received a packet.
     *
     * @param blackhole consumes the delivered bytes.
     */
    @Setup(Level.Trial)
    public void setup(final Blackhole blackhole)
    {
        a = new ChannelEndpoint(config());
        b = new ChannelEndpoint(config());
        aToB = new Link();
        bToA = new Link();
        handler = new ConsumingHandler(blackhole);
        ignoringHandler = (channel, buffer, offset, length) ->
        {
            throw new IllegalStateException("B sent a message to A");
        };
        message = PooledByteBufAllocator.DEFAULT.directBuffer(MESSAGE_LENGTH);
        for (int i = 0; i < MESSAGE_LENGTH; i++)
        {
            message.writeByte(i);
        }
        nowNs = 1_000_000_000L;
        roundTrip();
        check();
    }

    /**
     * Fail the run if an operation took another path than the intended one.
     */
    @TearDown(Level.Iteration)
    public void check()
    {
        final ReceiveChannel receiveChannel = b.receiveChannel(CHANNEL);
        final long delivered = receiveChannel.counter(ReceiveCounter.MESSAGES_DELIVERED);
        final boolean ok = a.packetsOut() == b.packetsIn() && b.packetsOut() == a.packetsIn() &&
            a.packetsOut() == b.packetsOut() &&
            a.newChunks() == a.packetsOut() * messagesPerPacket &&
            a.newChunks() == handler.delivered && delivered == handler.delivered &&
            0 == a.resends() && 0 == a.sendQueueFull() && 0 == a.bytesInFlight() &&
            0 == aToB.rejected && 0 == bToA.rejected && 0 == aToB.dropped && 0 == bToA.dropped &&
            receiveChannel.counter(ReceiveCounter.MESSAGES_RECEIVED) == delivered;
        if (!ok)
        {
            throw new IllegalStateException("unexpected path: A out=" + a.packetsOut() + " in=" + a.packetsIn() +
                " newChunks=" + a.newChunks() + " resends=" + a.resends() + " queueFull=" + a.sendQueueFull() +
                " inFlight=" + a.bytesInFlight() + "; B out=" + b.packetsOut() + " in=" + b.packetsIn() +
                " delivered=" + delivered + " handler=" + handler.delivered + "; rejected " + aToB.rejected + "/" +
                bToA.rejected + " dropped " + aToB.dropped + "/" + bToA.dropped);
        }
    }

    /**
     * Release the buffers.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        message.release();
        aToB.release();
        bToA.release();
    }

    /**
     * @return packets sent by both flushes (2), consumed by JMH.
     */
    @Benchmark
    public int roundTrip()
    {
        nowNs += ONE_WAY_NS;
        for (int i = 0; i < messagesPerPacket; i++)
        {
            a.send(CHANNEL, message, 0, MESSAGE_LENGTH);
        }
        int packets = a.flush(nowNs, aToB);

        nowNs += ONE_WAY_NS;
        aToB.deliver(b, nowNs, handler);
        packets += b.flush(nowNs, bToA);

        nowNs += ONE_WAY_NS;
        bToA.deliver(a, nowNs, ignoringHandler);
        return packets;
    }

    private ChannelEndpointConfig config()
    {
        return new ChannelEndpointConfig()
            .channels(new ChannelConfig(mode, 0))
            .recoveryConfig(new RecoveryConfig().ackElicitingThreshold(1));
    }

    /**
     * Reads every byte of a delivered message, 8 at a time, into the blackhole.
     */
    private static final class ConsumingHandler implements ReceiveChannel.MessageHandler
    {
        private final Blackhole blackhole;
        private long delivered;

        ConsumingHandler(final Blackhole blackhole)
        {
            this.blackhole = blackhole;
        }

        public void onMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            long bits = 0;
            int i = 0;
            for (; i <= length - Long.BYTES; i += Long.BYTES)
            {
                bits ^= buffer.getLong(offset + i);
            }
            for (; i < length; i++)
            {
                bits ^= buffer.getByte(offset + i);
            }
            blackhole.consume(bits);
            delivered++;
        }
    }

    /**
     * One direction: preallocated packet buffers written by the sender's flush and handed to the receiver's
     * onPacket in order; the packet number is a counter.
     */
    private static final class Link implements ChannelEndpoint.PacketWriter
    {
        private static final int SLOTS = 8;

        private final ByteBuf[] slots = new ByteBuf[SLOTS];
        private final long[] packetNumbers = new long[SLOTS];
        private int count;
        private long nextPacketNumber;
        private long rejected;
        private long dropped;

        Link()
        {
            for (int i = 0; i < SLOTS; i++)
            {
                slots[i] = PooledByteBufAllocator.DEFAULT.directBuffer(2048);
            }
        }

        public ByteBuf claim()
        {
            if (count == SLOTS)
            {
                dropped++;
                return null;
            }
            return slots[count].clear();
        }

        public long commit(final ByteBuf body)
        {
            final long packetNumber = nextPacketNumber++;
            packetNumbers[count++] = packetNumber;
            return packetNumber;
        }

        void deliver(final ChannelEndpoint to, final long nowNs, final ReceiveChannel.MessageHandler handler)
        {
            for (int i = 0; i < count; i++)
            {
                final ByteBuf body = slots[i];
                if (ChannelEndpoint.PACKET_OK !=
                    to.onPacket(packetNumbers[i], body, body.readerIndex(), body.readableBytes(), nowNs, handler))
                {
                    rejected++;
                }
            }
            count = 0;
        }

        void release()
        {
            for (final ByteBuf slot : slots)
            {
                slot.release();
            }
        }
    }
}
