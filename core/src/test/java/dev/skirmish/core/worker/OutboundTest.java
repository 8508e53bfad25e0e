package dev.skirmish.core.worker;

import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.OutboundPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundTest
{
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9);
    private static final int SLOT = 64;

    private final Handoff handoff = new Handoff(2, 1, 4, 2, SLOT);
    private final CounterSet counters = new CounterSet("worker-0");
    private final AtomicInteger drainRequests = new AtomicInteger();
    private final Outbound outbound = new Outbound(0, handoff, counters,
        new IoWakeup[] {() -> drainRequests.incrementAndGet() > 0, () -> false});
    private final ByteBuf payload = Unpooled.buffer(16).writeLong(1).writeLong(2);

    private boolean send(final int ioThread)
    {
        return outbound.send(ioThread, payload, 0, payload.readableBytes(), PEER);
    }

    @Test
    void shouldDropWhenSlotsRunOutThenRecoverWhenTheyReturn()
    {
        assertTrue(send(0));
        assertTrue(send(0));
        assertFalse(send(0));
        assertEquals(1, counters.get(Counter.DROP_OUTBOUND_QUEUE_FULL));
        assertTrue(send(1), "each I/O thread has its own slots");

        // The I/O thread writes one and Netty releases it: its slot returns to the pool, bytes as sent.
        final OutboundPacket written = handoff.outbound(0, 0).poll();
        assertSame(PEER, written.recipient());
        assertEquals(payload, written.content());
        written.release();
        assertTrue(send(0));

        drain(0);
        drain(1);
    }

    @Test
    void shouldKeepAnAbortedClaimForTheNextOne()
    {
        assertNotNull(outbound.claim(0));
        assertNotNull(outbound.claim(0), "re-claim reuses the uncommitted slot");
        outbound.abort();
        assertNotNull(outbound.claim(0));
        outbound.abort();
        assertTrue(send(0));
        assertTrue(send(0), "the pool of 2 is intact after aborted claims");
        assertNull(outbound.claim(0));
        assertFalse(outbound.commit(PEER), "nothing claimed, nothing committed");
        drain(0);
    }

    @Test
    void shouldRefuseDatagramsLargerThanASlot()
    {
        final ByteBuf big = Unpooled.buffer(SLOT + 1).writeZero(SLOT + 1);
        assertThrows(IllegalArgumentException.class, () -> outbound.send(0, big, 0, SLOT + 1, PEER));
        assertTrue(send(0));
        assertTrue(send(0), "the refused datagram did not cost a slot");
        drain(0);
    }

    @Test
    void shouldWakeEachIoThreadOncePerFlushOnlyForThreadsSentTo()
    {
        send(0);
        send(0);
        outbound.flushWakeups();
        assertEquals(1, drainRequests.get());
        assertEquals(1, counters.get(Counter.IO_WAKEUPS));

        outbound.flushWakeups();
        assertEquals(1, drainRequests.get(), "nothing sent since: no wake-up");

        send(1);
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
