package dev.skirmish.session.channel;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.core.impair.VirtualNetwork;
import dev.skirmish.session.channel.recovery.RecoveryCounter;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reliable-ordered stream at a steady game rate through links that black out for 2 s every 5 s (plus 10 ms
 * delay) each way: the stream completes in order, exactly once, byte-exact, and neither side ever goes as long as a
 * session's idle timeout ({@link #IDLE_TIMEOUT_NS}) without receiving a packet, so no session would be disconnected.
 * Wiring as in {@link ChannelEndpointImpairedTest} (seeded {@link VirtualNetwork}, virtual clock, 16 ms flush tick,
 * timers checked every 1 ms), with each side's deliveries observed to measure the longest receive gap.
 * <p>
 * Seed: {@code -Dskirmish.test.seed=...}; message count: {@code -Dskirmish.test.blackout.messages=...}.
 */
class ChannelEndpointBlackoutTest
{
    static final long SEED = Long.getLong("skirmish.test.seed", 0xB1AC_0057L);
    static final int MESSAGES = Integer.getInteger("skirmish.test.blackout.messages", 5_000);
    static final int MESSAGES_PER_SECOND = 60;
    static final long IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    static final long BLACKOUT_PERIOD_NS = TimeUnit.SECONDS.toNanos(5);
    static final String SPEC = "delay=10ms,blackout=2s/5s";
    static final int CHANNEL = 2;

    @Test
    void shouldCompleteReliableOrderedStreamThroughBlackoutsWithoutIdleTimeout()
    {
        final ImpairmentProfile profile = ImpairmentProfile.parse(SPEC);
        assertEquals(TimeUnit.SECONDS.toNanos(2), profile.blackoutDurationNs());
        assertEquals(BLACKOUT_PERIOD_NS, profile.blackoutPeriodNs());

        final ChannelEndpointImpairedTest.Pair pair = new ChannelEndpointImpairedTest.Pair(SEED, profile);
        final GapRecorder gapA = new GapRecorder(pair.a);
        final GapRecorder gapB = new GapRecorder(pair.b);
        pair.network.endpoints(gapA, gapB);

        final ChannelEndpointImpairedTest.OrderedStream stream =
            new ChannelEndpointImpairedTest.OrderedStream(SEED, MESSAGES);
        final int[] refused = {0};
        pair.b.handler = (ch, buffer, offset, length) ->
        {
            if (CHANNEL != ch)
            {
                stream.error = "message on channel " + ch;
                return;
            }
            stream.onMessage(buffer, offset, length);
        };
        pair.a.producer = () -> produceAtRate(pair, stream, refused);

        final long limitNs = TimeUnit.SECONDS.toNanos(MESSAGES / MESSAGES_PER_SECOND + 120);
        final boolean done = pair.network.runUntil(() -> stream.complete() || null != stream.error, limitNs);
        final long elapsedNs = pair.network.nowNs();
        // gaps up to completion count too: a session would still be waiting on the next packet
        gapA.close(elapsedNs);
        gapB.close(elapsedNs);
        pair.network.advance(TimeUnit.SECONDS.toNanos(2));

        final ChannelEndpoint a = pair.a.endpoint;
        final String context = pair.describe() + ", delivered " + stream.delivered + "/" + MESSAGES;
        System.out.printf("blackout %s: seed=%d, %d messages in %d ms virtual (%.1f blackout cycles), " +
            "resends %d, PTO expiries %d, spurious losses %d, send queue full %d, " +
            "max receive gap A %d ms (at %d ms), B %d ms (at %d ms), idle timeout %d ms; %s%n",
            SPEC, SEED, MESSAGES, TimeUnit.NANOSECONDS.toMillis(elapsedNs), elapsedNs / (double)BLACKOUT_PERIOD_NS,
            a.resends(), a.recoveryCounter(RecoveryCounter.PTO_EXPIRIES),
            a.recoveryCounter(RecoveryCounter.PACKETS_SPURIOUSLY_LOST), refused[0],
            TimeUnit.NANOSECONDS.toMillis(gapA.maxGapNs), TimeUnit.NANOSECONDS.toMillis(gapA.maxGapEndNs),
            TimeUnit.NANOSECONDS.toMillis(gapB.maxGapNs), TimeUnit.NANOSECONDS.toMillis(gapB.maxGapEndNs),
            TimeUnit.NANOSECONDS.toMillis(IDLE_TIMEOUT_NS), context);

        assertTrue(null == stream.error, stream.error + "; " + context);
        assertTrue(done, "not all delivered within " + limitNs / 1_000_000 + " ms; " + context);
        assertEquals(MESSAGES, stream.delivered, context);
        assertEquals(MESSAGES, stream.sent, context);
        assertTrue(elapsedNs >= 3 * BLACKOUT_PERIOD_NS, "stream spanned fewer than 3 blackout cycles; " + context);
        assertTrue(a.resends() > 0, "blackouts caused no resends; " + context);
        assertTrue(gapB.maxGapNs < IDLE_TIMEOUT_NS, "B went " + gapB.maxGapNs / 1_000_000 + " ms without a packet; " +
            context);
        assertTrue(gapA.maxGapNs < IDLE_TIMEOUT_NS, "A went " + gapA.maxGapNs / 1_000_000 + " ms without a packet; " +
            context);
        assertEquals(0, a.protocolViolations() + pair.b.endpoint.protocolViolations(), context);
        assertEquals(0, pair.a.malformed + pair.b.malformed, context);
        assertEquals(0, a.queuedBytes(), "sender queue not drained; " + context);
    }

    /**
     * Offer every message whose send time ({@code index / MESSAGES_PER_SECOND}) has come; a refused one waits for
     * the next tick, as a game would keep it.
     */
    private static void produceAtRate(
        final ChannelEndpointImpairedTest.Pair pair,
        final ChannelEndpointImpairedTest.OrderedStream stream,
        final int[] refused)
    {
        final long nowNs = pair.network.nowNs();
        final long due = Math.min(stream.messages, nowNs * MESSAGES_PER_SECOND / 1_000_000_000L + 1);
        final ByteBuf src = stream.src;
        while (stream.sent < due)
        {
            final byte[] bytes = ChannelEndpointImpairedTest.message(stream.seed, stream.sent, false);
            src.clear().writeBytes(bytes);
            if (ChannelEndpoint.SEND_OK != pair.a.endpoint.send(CHANNEL, src, 0, bytes.length))
            {
                refused[0]++;
                return;
            }
            stream.sent++;
        }
    }

    /**
     * Passes deliveries and ticks to a side and records the longest time between two received datagrams.
     */
    static final class GapRecorder implements VirtualNetwork.Endpoint
    {
        final ChannelEndpointImpairedTest.Side side;
        long lastRxNs;
        long maxGapNs;
        long maxGapEndNs;

        GapRecorder(final ChannelEndpointImpairedTest.Side side)
        {
            this.side = side;
        }

        public void onDelivery(final ByteBuf datagram, final long nowNs)
        {
            close(nowNs);
            side.onDelivery(datagram, nowNs);
        }

        public int doWork(final long nowNs)
        {
            return side.doWork(nowNs);
        }

        void close(final long nowNs)
        {
            final long gapNs = nowNs - lastRxNs;
            if (gapNs > maxGapNs)
            {
                maxGapNs = gapNs;
                maxGapEndNs = nowNs;
            }
            lastRxNs = nowNs;
        }
    }
}
