package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state send, flush, receive, ack, loss and resend allocate nothing: two endpoints joined by a preallocated
 * delay line (20 ms each way, every 5th packet dropped), reliable ordered and unreliable traffic with fragmented
 * messages, 1 ms steps; measured after a warm-up of the same length.
 */
class ChannelEndpointAllocationTest
{
    private static final long MS = 1_000_000L;
    private static final int STEPS = 20_000;

    @Test
    void shouldNotAllocateInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ChannelEndpoint a = new ChannelEndpoint(new ChannelEndpointConfig());
        final ChannelEndpoint b = new ChannelEndpoint(new ChannelEndpointConfig());
        final Line aToB = new Line();
        final Line bToA = new Line();
        final Counting handler = new Counting();
        final ByteBuf payload = Unpooled.buffer(3000).writeZero(3000);

        final long[] now = {0};
        // warm-up: the JIT, and the send queue and packet refs growing to what this loss pattern needs
        run(a, b, aToB, bToA, handler, payload, now);
        run(a, b, aToB, bToA, handler, payload, now);
        final long deliveredBefore = handler.delivered;
        final long resendsBefore = a.resends();
        final long before = threads.getCurrentThreadAllocatedBytes();
        run(a, b, aToB, bToA, handler, payload, now);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        final String context = "delivered " + deliveredBefore + " then " + handler.delivered + ", A queued " +
            a.queuedBytes() + " window " + a.windowBytes() + " inFlight " + a.bytesInFlight() + " resends " +
            a.resends() + " packetsOut " + a.packetsOut() + " B in " + b.packetsIn() + " out " + b.packetsOut() +
            " violations " + b.protocolViolations() + " nextTimer " + a.nextTimerNs() + " now " + now[0];
        assertTrue(handler.delivered - deliveredBefore > STEPS / 20, context);
        assertTrue(a.resends() > resendsBefore, "resends " + a.resends());
        assertEquals(0, b.protocolViolations());
        assertTrue(allocated < 1024, allocated + " bytes allocated over " + STEPS + " steps; " + context);
    }

    private static void run(
        final ChannelEndpoint a,
        final ChannelEndpoint b,
        final Line aToB,
        final Line bToA,
        final Counting handler,
        final ByteBuf payload,
        final long[] now)
    {
        for (int step = 0; step < STEPS; step++)
        {
            final long nowNs = now[0] += MS;
            if (0 == step % 16)
            {
                if (a.queuedBytes() < 64 * 1024)
                {
                    a.send(2, payload, 0, 1 + step % 2999);
                }
                a.send(0, payload, 0, 1 + step % 1000);
            }
            aToB.deliver(b, nowNs, handler);
            bToA.deliver(a, nowNs, handler);
            if (nowNs >= a.nextTimerNs())
            {
                a.onTimer(nowNs);
            }
            if (nowNs >= b.nextTimerNs())
            {
                b.onTimer(nowNs);
            }
            aToB.nowNs = nowNs;
            bToA.nowNs = nowNs;
            a.flush(nowNs, aToB);
            b.flush(nowNs, bToA);
        }
    }

    private static final class Counting implements ReceiveChannel.MessageHandler
    {
        long delivered;

        public void onMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            delivered++;
        }
    }

    /**
     * A preallocated one-way delay line of 20 ms that drops every 5th packet.
     */
    private static final class Line implements ChannelEndpoint.PacketWriter
    {
        private static final int SLOTS = 4096;
        private final ByteBuf[] slots = new ByteBuf[SLOTS];
        private final long[] dueNs = new long[SLOTS];
        private final long[] packetNumbers = new long[SLOTS];
        private final ByteBuf scratch = Unpooled.buffer(2048);
        private long head;
        private long tail;
        private long next;
        long nowNs;

        Line()
        {
            for (int i = 0; i < SLOTS; i++)
            {
                slots[i] = Unpooled.buffer(2048);
            }
        }

        public ByteBuf claim()
        {
            return tail - head < SLOTS ? scratch.clear() : null;
        }

        public long commit(final ByteBuf body)
        {
            final long packetNumber = next++;
            if (0 != packetNumber % 5)
            {
                final int slot = (int)(tail++ & (SLOTS - 1));
                slots[slot].clear().writeBytes(body, body.readerIndex(), body.readableBytes());
                dueNs[slot] = nowNs + 20 * MS;
                packetNumbers[slot] = packetNumber;
            }
            return packetNumber;
        }

        void deliver(final ChannelEndpoint to, final long nowNs, final ReceiveChannel.MessageHandler handler)
        {
            while (head < tail && dueNs[(int)(head & (SLOTS - 1))] <= nowNs)
            {
                final int slot = (int)(head++ & (SLOTS - 1));
                to.onPacket(packetNumbers[slot], slots[slot], 0, slots[slot].readableBytes(), nowNs, handler);
            }
        }
    }
}
