package dev.skirmish.session.channel;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.core.impair.VirtualNetwork;
import dev.skirmish.session.channel.recovery.RecoveryCounter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two {@link ChannelEndpoint}s wired through a seeded {@link VirtualNetwork} with heavy impairment: 20% loss each
 * way, 5% duplication, 10% reordering (held 50 ms), 10 ms delay with &plusmn;50 ms jitter. Each endpoint flushes every
 * 16 ms tick and whenever its timer is due (checked every 1 ms of virtual time). The harness puts an 8-byte packet
 * number in front of each body, standing in for the AEAD sequence; duplicated datagrams reach the endpoint, whose
 * {@code AckTracker} reports them as duplicates so {@link ChannelEndpoint#onPacket} ignores them
 * ({@link ChannelEndpoint#PACKET_DUPLICATE}).
 * <p>
 * Seed: {@code -Dskirmish.test.seed=...}; message count: {@code -Dskirmish.test.endpoint.messages=...}.
 */
class ChannelEndpointImpairedTest
{
    static final long SEED = Long.getLong("skirmish.test.seed", 0x5EED_C4A1L);
    static final int MESSAGES = Integer.getInteger("skirmish.test.endpoint.messages", 100_000);
    static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(16);
    static final long STEP_NS = TimeUnit.MILLISECONDS.toNanos(1);
    static final ImpairmentProfile HARSH = ImpairmentProfile.NONE
        .withLoss(0.20)
        .withDuplicate(0.05)
        .withReorder(0.10, TimeUnit.MILLISECONDS.toNanos(50))
        .withDelayNs(TimeUnit.MILLISECONDS.toNanos(10))
        .withJitterNs(TimeUnit.MILLISECONDS.toNanos(50));

    @Test
    void shouldDeliverReliableOrderedExactlyOnceInOrderUnderImpairment()
    {
        runReliable(SEED, 2, MESSAGES);
    }

    @Test
    void shouldDeliverReliableUnorderedExactlyOnceUnderImpairment()
    {
        runReliable(SEED + 2, 3, Math.max(1000, MESSAGES / 10));
    }

    @Test
    void shouldDeliverReliableOrderedUnderImpairmentForMoreSeeds()
    {
        for (int i = 0; i < 4; i++)
        {
            runReliable(SEED + 100 + i, 2, Math.max(1000, MESSAGES / 20));
        }
    }

    @Test
    void shouldCarryReliableOrderedBothWaysBesideUnreliableTraffic()
    {
        final long seed = SEED + 3;
        final int messages = Math.max(1000, MESSAGES / 20);
        final Pair pair = new Pair(seed, HARSH);
        final OrderedStream aToB = new OrderedStream(seed, messages);
        final OrderedStream bToA = new OrderedStream(seed + 1, messages);
        final int[] unreliable = new int[2];
        final int[] tick = {0};
        pair.b.handler = (ch, buffer, offset, length) ->
        {
            if (2 == ch)
            {
                aToB.onMessage(buffer, offset, length);
            }
            else
            {
                unreliable[ch]++;
            }
        };
        pair.a.handler = (ch, buffer, offset, length) -> bToA.onMessage(buffer, offset, length);
        final ByteBuf small = Unpooled.buffer(64).writeZero(64);
        pair.a.producer = () ->
        {
            tick[0]++;
            pair.a.endpoint.send(0, small, 0, 64);
            pair.a.endpoint.send(1, small, 0, 64);
            aToB.produce(pair.a.endpoint);
        };
        pair.b.producer = () -> bToA.produce(pair.b.endpoint);

        final boolean done = pair.network.runUntil(() -> aToB.complete() && bToA.complete() ||
            null != aToB.error || null != bToA.error, TimeUnit.SECONDS.toNanos(messages / 10 + 60));
        final String context = pair.describe() + ", A to B delivered " + aToB.delivered + ", B to A delivered " +
            bToA.delivered + ", unreliable " + unreliable[0] + "/" + unreliable[1] + " of " + tick[0];
        System.out.println("both ways: " + context);
        assertTrue(null == aToB.error && null == bToA.error, aToB.error + " " + bToA.error + "; " + context);
        assertTrue(done, context);
        assertEquals(0, pair.a.endpoint.protocolViolations() + pair.b.endpoint.protocolViolations(), context);
        assertTrue(unreliable[0] > tick[0] / 2 && unreliable[1] > tick[0] / 2, context);
    }

    /**
     * Messages {@link #message} of one seed on channel 2, checked in order at the receiver.
     */
    static final class OrderedStream
    {
        final long seed;
        final int messages;
        final ByteBuf src = Unpooled.buffer(2048);
        int sent;
        int delivered;
        String error;

        OrderedStream(final long seed, final int messages)
        {
            this.seed = seed;
            this.messages = messages;
        }

        void produce(final ChannelEndpoint endpoint)
        {
            while (sent < messages)
            {
                final byte[] bytes = message(seed, sent, false);
                src.clear().writeBytes(bytes);
                if (ChannelEndpoint.SEND_OK != endpoint.send(2, src, 0, bytes.length))
                {
                    return;
                }
                sent++;
            }
        }

        void onMessage(final ByteBuf buffer, final int offset, final int length)
        {
            final byte[] expected = message(seed, delivered, false);
            if (null == error && (length != expected.length ||
                !Unpooled.wrappedBuffer(expected).equals(buffer.slice(offset, length))))
            {
                error = "message " + delivered + " of seed " + seed + " differs";
            }
            delivered++;
        }

        boolean complete()
        {
            return delivered >= messages;
        }
    }

    private static void runReliable(final long seed, final int channel, final int messages)
    {
        final Pair pair = new Pair(seed, HARSH);
        final boolean ordered = 2 == channel;
        final int[] sent = {0};
        final int[] delivered = {0};
        final boolean[] seen = new boolean[messages];
        final String[] error = {null};
        pair.b.handler = (ch, buffer, offset, length) ->
        {
            if (null != error[0])
            {
                return;
            }
            final int index = ordered ? delivered[0] : buffer.getIntLE(offset) ;
            delivered[0]++;
            if (index < 0 || index >= messages || seen[index])
            {
                error[0] = "message " + index + " out of range or delivered twice";
                return;
            }
            seen[index] = true;
            final byte[] expected = message(seed, index, !ordered);
            if (ch != channel || length != expected.length)
            {
                error[0] = "message " + index + ": channel " + ch + " length " + length + " expected " +
                    expected.length;
                return;
            }
            for (int i = 0; i < length; i++)
            {
                if (buffer.getByte(offset + i) != expected[i])
                {
                    error[0] = "message " + index + " differs at byte " + i;
                    return;
                }
            }
        };
        final ByteBuf src = Unpooled.buffer(2048);
        final long[] chunks = {0};
        final int maxWhole = pair.a.endpoint.maxWholeMessageBytes();
        final int fragmentLength = new ChannelEndpointConfig().fragmentLength();
        pair.a.producer = () ->
        {
            while (sent[0] < messages)
            {
                final byte[] bytes = message(seed, sent[0], !ordered);
                src.clear().writeBytes(bytes);
                if (ChannelEndpoint.SEND_OK != pair.a.endpoint.send(channel, src, 0, bytes.length))
                {
                    break;
                }
                chunks[0] += bytes.length > maxWhole ? (bytes.length + fragmentLength - 1) / fragmentLength : 1;
                sent[0]++;
            }
        };

        final long limitNs = TimeUnit.SECONDS.toNanos(messages / 10 + 60);
        final boolean done = pair.network.runUntil(() -> delivered[0] >= messages || null != error[0], limitNs);
        final long elapsedNs = pair.network.nowNs();
        pair.network.advance(TimeUnit.SECONDS.toNanos(2));
        final ChannelEndpoint a = pair.a.endpoint;
        final String context = pair.describe();
        System.out.printf("reliable %s: %d messages (%d chunks) in %d ms virtual; resends %d = %.3f per chunk " +
            "(ideal p/(1-p) = 0.250 at 20%% loss), spurious losses %d, PTO expiries %d, ack-eliciting loss %.1f%%, " +
            "transmissions per chunk %.3f (ideal 1/(1-p) = 1.250); %s%n",
            ordered ? "ordered" : "unordered", messages, chunks[0], TimeUnit.NANOSECONDS.toMillis(elapsedNs),
            a.resends(), a.resends() / (double)chunks[0],
            a.recoveryCounter(RecoveryCounter.PACKETS_SPURIOUSLY_LOST), a.recoveryCounter(RecoveryCounter.PTO_EXPIRIES),
            a.lossPercent(), (a.newChunks() + a.resends()) / (double)chunks[0], context);

        assertTrue(null == error[0], error[0] + "; " + context);
        assertTrue(done, "not all delivered within " + limitNs / 1_000_000 + " ms: " + delivered[0] + "/" +
            messages + "; " + context);
        assertEquals(messages, delivered[0], context);
        assertEquals(chunks[0], a.newChunks(), context);
        assertEquals(0, a.protocolViolations() + pair.b.endpoint.protocolViolations(), context);
        assertEquals(0, a.queuedBytes(), "sender queue not drained; " + context);
    }

    @Test
    void shouldNeverDuplicateNorGoBackwardsOnUnreliableChannelsUnderImpairment()
    {
        final long seed = SEED + 1;
        final Pair pair = new Pair(seed, HARSH);
        final int perChannel = Math.max(1000, MESSAGES / 5);
        final boolean[][] seen = new boolean[2][perChannel];
        final int[] received = new int[2];
        final int[] newest = {-1};
        final String[] error = {null};
        pair.b.handler = (ch, buffer, offset, length) ->
        {
            final int index = buffer.getIntLE(offset);
            if (index < 0 || index >= perChannel || ch > 1 || length != 4 + (index % 200))
            {
                error[0] = "bad message on " + ch + ": index " + index + " length " + length;
                return;
            }
            if (seen[ch][index])
            {
                error[0] = "duplicate on channel " + ch + ": " + index;
            }
            seen[ch][index] = true;
            received[ch]++;
            if (1 == ch)
            {
                if (index <= newest[0])
                {
                    error[0] = "sequenced went backwards: " + index + " after " + newest[0];
                }
                newest[0] = index;
            }
        };
        final int[] next = {0};
        final int[] refused = {0};
        final ByteBuf src = Unpooled.buffer(2048);
        pair.a.producer = () ->
        {
            // a game rate: a few messages per channel per tick
            for (int k = 0; k < 2 && next[0] < perChannel; k++, next[0]++)
            {
                final int length = 4 + (next[0] % 200);
                src.clear().writeIntLE(next[0]).writeZero(length - 4);
                for (int ch = 0; ch < 2; ch++)
                {
                    if (ChannelEndpoint.SEND_OK != pair.a.endpoint.send(ch, src, 0, length))
                    {
                        refused[0]++;
                    }
                }
            }
        };
        pair.network.runUntil(() -> next[0] >= perChannel && 0 == pair.a.endpoint.queuedBytes(),
            TimeUnit.SECONDS.toNanos(perChannel / 2 * 16 / 1000 + 60));
        pair.network.advance(TimeUnit.SECONDS.toNanos(2));
        final String context = pair.describe() + ", received unreliable " + received[0] + ", sequenced " +
            received[1] + " of " + perChannel + ", refused " + refused[0];
        System.out.println("unreliable: " + context);

        assertTrue(null == error[0], error[0] + "; " + context);
        assertEquals(0, pair.a.endpoint.resends(), context);
        assertEquals(0, refused[0], context);
        // 20% loss, plus stale sequenced messages overtaken by reordering
        assertTrue(received[0] > perChannel * 7 / 10, context);
        assertTrue(received[1] > perChannel * 6 / 10, context);
    }

    /**
     * Deterministic message {@code index} of a run: 1..1500 random bytes; tagged: 4..1503, the first 4 the index.
     */
    static byte[] message(final long seed, final int index, final boolean tagged)
    {
        final SplittableRandom random = new SplittableRandom(seed * 31 + index);
        final byte[] bytes = new byte[(tagged ? 4 : 1) + random.nextInt(1500)];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        if (tagged)
        {
            Unpooled.wrappedBuffer(bytes).setIntLE(0, index);
        }
        return bytes;
    }

    /**
     * Both endpoints on one virtual network.
     */
    static final class Pair
    {
        final long seed;
        final VirtualNetwork network;
        final Side a;
        final Side b;

        Pair(final long seed, final ImpairmentProfile profile)
        {
            this(seed, profile, new ChannelEndpointConfig(), new ChannelEndpointConfig());
        }

        Pair(final long seed, final ImpairmentProfile profile, final ChannelEndpointConfig configA,
            final ChannelEndpointConfig configB)
        {
            this.seed = seed;
            network = new VirtualNetwork(profile, profile, seed);
            a = new Side(network, true, new ChannelEndpoint(configA));
            b = new Side(network, false, new ChannelEndpoint(configB));
            network.endpoints(a, b).tickIntervalNs(STEP_NS);
        }

        String describe()
        {
            return "seed=" + seed + ", A{" + a.stats() + "}, B{" + b.stats() + "}, " + network;
        }
    }

    /**
     * One side: writes an 8-byte packet number before each body; flushes on ticks and due timers.
     */
    static final class Side implements VirtualNetwork.Endpoint, ChannelEndpoint.PacketWriter
    {
        final VirtualNetwork network;
        final boolean isA;
        final ChannelEndpoint endpoint;
        final ByteBuf scratch = Unpooled.buffer(2048);
        ReceiveChannel.MessageHandler handler = (ch, buffer, offset, length) -> {};
        Runnable producer = () -> {};
        long nextPacketNumber;
        long nextFlushNs;
        long malformed;

        Side(final VirtualNetwork network, final boolean isA, final ChannelEndpoint endpoint)
        {
            this.network = network;
            this.isA = isA;
            this.endpoint = endpoint;
        }

        public ByteBuf claim()
        {
            scratch.clear().writeLongLE(0);
            return scratch;
        }

        public long commit(final ByteBuf body)
        {
            final long packetNumber = nextPacketNumber++;
            body.setLongLE(0, packetNumber);
            if (isA)
            {
                network.sendAToB(body);
            }
            else
            {
                network.sendBToA(body);
            }
            return packetNumber;
        }

        public void onDelivery(final ByteBuf datagram, final long nowNs)
        {
            final int start = datagram.readerIndex();
            final int result = endpoint.onPacket(
                datagram.getLongLE(start), datagram, start + 8, datagram.readableBytes() - 8, nowNs, handler);
            if (ChannelEndpoint.PACKET_MALFORMED == result)
            {
                malformed++;
            }
        }

        public int doWork(final long nowNs)
        {
            int work = 0;
            if (nowNs >= endpoint.nextTimerNs())
            {
                work += endpoint.onTimer(nowNs);
                work += endpoint.flush(nowNs, this);
            }
            if (nowNs >= nextFlushNs)
            {
                nextFlushNs = nowNs + TICK_NS;
                producer.run();
                work += endpoint.flush(nowNs, this);
            }
            return work;
        }

        String stats()
        {
            final long out = endpoint.packetsOut();
            return "packetsOut=" + out + ", bytesOut=" + endpoint.bytesOut() +
                ", packetsIn=" + endpoint.packetsIn() + ", bytesIn=" + endpoint.bytesIn() +
                ", resends=" + endpoint.resends() + ", loss%=" + String.format("%.1f", endpoint.lossPercent()) +
                ", srttMs=" + endpoint.srttNs() / 1_000_000 + ", rttVarMs=" + endpoint.rttVarNs() / 1_000_000 +
                ", minRttMs=" + endpoint.minRttNs() / 1_000_000 + ", jitterMs=" + endpoint.jitterNs() / 1_000_000 +
                ", window=" + endpoint.windowBytes() + ", queuedBytes=" + endpoint.queuedBytes() +
                ", dupPackets=" + endpoint.duplicatePackets() + ", violations=" + endpoint.protocolViolations() +
                ", malformed=" + malformed;
        }
    }
}
