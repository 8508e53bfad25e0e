package dev.skirmish.core.worker;

import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.OutboundPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundTest
{
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9);

    private final Handoff handoff = new Handoff(2, 1, 4, 2);
    private final CounterSet counters = new CounterSet("worker-0");
    private final AtomicInteger drainRequests = new AtomicInteger();
    private final Outbound outbound = new Outbound(0, handoff, PooledByteBufAllocator.DEFAULT, counters,
        new IoWakeup[] {() -> drainRequests.incrementAndGet() > 0, () -> false});

    private ByteBuf datagram()
    {
        final ByteBuf buffer = outbound.allocate(16);
        buffer.writeLong(1).writeLong(2);
        return buffer;
    }

    @Test
    void shouldDropAndReleaseWhenEnvelopesRunOutThenRecoverWhenTheyReturn()
    {
        assertTrue(outbound.send(0, datagram(), PEER));
        assertTrue(outbound.send(0, datagram(), PEER));
        final ByteBuf third = datagram();
        assertFalse(outbound.send(0, third, PEER));
        assertEquals(0, third.refCnt(), "a dropped datagram is released");
        assertEquals(1, counters.get(Counter.DROP_OUTBOUND_QUEUE_FULL));

        // The I/O thread writes one and Netty releases it: its envelope returns to the pool.
        final OutboundPacket written = handoff.outbound(0, 0).poll();
        assertSame(PEER, written.recipient());
        written.release();
        assertTrue(outbound.send(0, datagram(), PEER));

        drain(0);
    }

    @Test
    void shouldWakeEachIoThreadOncePerFlushOnlyForThreadsSentTo()
    {
        outbound.send(0, datagram(), PEER);
        outbound.send(0, datagram(), PEER);
        outbound.flushWakeups();
        assertEquals(1, drainRequests.get());
        assertEquals(1, counters.get(Counter.IO_WAKEUPS));

        outbound.flushWakeups();
        assertEquals(1, drainRequests.get(), "nothing sent since: no wake-up");

        outbound.send(1, datagram(), PEER);
        outbound.flushWakeups();
        assertEquals(1, drainRequests.get(), "I/O thread 1 was asked, not 0");
        assertEquals(1, counters.get(Counter.IO_WAKEUPS), "thread 1 reported a drain already pending");
        drain(0);
        drain(1);
    }

    private void drain(final int k)
    {
        OutboundPacket packet;
        while (null != (packet = handoff.outbound(0, k).poll()))
        {
            packet.release();
        }
    }
}
