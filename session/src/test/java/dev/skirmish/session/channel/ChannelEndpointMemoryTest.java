package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An endpoint is created per game session (up to 10 000 per server), so a default one must cost little until its
 * traffic needs more: measure the retained heap of {@value #ENDPOINTS} default endpoints, idle and after a few
 * seconds of light game traffic (60 Hz, small reliable ordered and unreliable messages, every 7th packet lost),
 * and hold them to {@value #MAX_IDLE_BYTES} and {@value #MAX_LIGHT_TRAFFIC_BYTES} bytes each. Measured: about
 * 43 KB idle (of which the sent-packet tracker's 1024 records are 30 KB) and 60 KB under light traffic (each end
 * also holds a 4 KiB send arena, and a reorder slot table of 8 KiB and a 4 KiB store for the ordered channel);
 * 3.2 MB each when everything was preallocated.
 */
class ChannelEndpointMemoryTest
{
    private static final int ENDPOINTS = 200;
    /** Bytes one idle default endpoint may retain. */
    private static final long MAX_IDLE_BYTES = 48 * 1024;
    /** Bytes one default endpoint may retain after light traffic. */
    private static final long MAX_LIGHT_TRAFFIC_BYTES = 64 * 1024;
    private static final long MS = 1_000_000L;

    @Test
    void shouldKeepAnIdleDefaultEndpointSmall()
    {
        new ChannelEndpoint(new ChannelEndpointConfig()); // warm classes
        final ChannelEndpoint[] endpoints = new ChannelEndpoint[ENDPOINTS];
        final long before = usedHeapAfterGc();
        for (int i = 0; i < ENDPOINTS; i++)
        {
            endpoints[i] = new ChannelEndpoint(new ChannelEndpointConfig());
        }
        final long after = usedHeapAfterGc();
        Reference.reachabilityFence(endpoints);

        final long perEndpoint = (after - before) / ENDPOINTS;
        System.out.println("ChannelEndpointMemoryTest: idle " + perEndpoint + " B retained per default endpoint (" +
            ENDPOINTS + " endpoints)");
        assertTrue(perEndpoint > 0 && perEndpoint <= MAX_IDLE_BYTES, perEndpoint + " B per idle endpoint");
    }

    @Test
    void shouldKeepALightTrafficDefaultEndpointSmall()
    {
        final ByteBuf payload = Unpooled.buffer(256).writeZero(256);
        final Link warm = new Link();
        warm.run(payload); // warm classes and code paths
        final Link[] links = new Link[ENDPOINTS / 2];
        final long before = usedHeapAfterGc();
        for (int i = 0; i < links.length; i++)
        {
            links[i] = new Link();
            links[i].run(payload);
        }
        final long after = usedHeapAfterGc();
        Reference.reachabilityFence(links);

        for (final Link link : links)
        {
            assertTrue(link.handler.delivered > Link.TICKS, "delivered " + link.handler.delivered);
            assertEquals(0, link.a.protocolViolations() + link.b.protocolViolations());
            assertTrue(link.a.resends() > 0, "resends " + link.a.resends());
        }
        final long perEndpoint = (after - before) / (2L * links.length);
        System.out.println("ChannelEndpointMemoryTest: light traffic " + perEndpoint +
            " B retained per default endpoint (" + 2 * links.length + " endpoints, " + Link.TICKS +
            " ticks at 60 Hz, every 7th packet lost)");
        assertTrue(perEndpoint > 0 && perEndpoint <= MAX_LIGHT_TRAFFIC_BYTES,
            perEndpoint + " B per light-traffic endpoint");
    }

    private static long usedHeapAfterGc()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /**
     * Two default endpoints joined directly (no delay), every 7th packet of each direction dropped; the test's
     * buffers are shared and allocated once, so only the endpoints are measured.
     */
    private static final class Link
    {
        static final int TICKS = 180;
        private static final ByteBuf SCRATCH = Unpooled.buffer(2048);

        final ChannelEndpoint a = new ChannelEndpoint(new ChannelEndpointConfig());
        final ChannelEndpoint b = new ChannelEndpoint(new ChannelEndpointConfig());
        final Counting handler = new Counting();
        private final Writer aToB = new Writer(b, handler);
        private final Writer bToA = new Writer(a, handler);

        void run(final ByteBuf payload)
        {
            long nowNs = 0;
            for (int step = 0; step < TICKS * 16 + 1_000; step++)
            {
                nowNs += MS;
                if (0 == step % 16 && step < TICKS * 16)
                {
                    a.send(2, payload, 0, 20 + step % 200);
                    a.send(0, payload, 0, 40 + step % 100);
                    b.send(2, payload, 0, 10 + step % 50);
                }
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

        private static final class Writer implements ChannelEndpoint.PacketWriter
        {
            private final ChannelEndpoint to;
            private final Counting handler;
            private long next;
            long nowNs;

            Writer(final ChannelEndpoint to, final Counting handler)
            {
                this.to = to;
                this.handler = handler;
            }

            public ByteBuf claim()
            {
                return SCRATCH.clear();
            }

            public long commit(final ByteBuf body)
            {
                final long packetNumber = next++;
                if (0 != packetNumber % 7)
                {
                    to.onPacket(packetNumber, body, body.readerIndex(), body.readableBytes(), nowNs, handler);
                }
                return packetNumber;
            }
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
}
