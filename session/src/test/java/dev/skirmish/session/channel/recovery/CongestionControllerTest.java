package dev.skirmish.session.channel.recovery;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CongestionControllerTest
{
    private static final int MSS = 1200;

    private final CongestionController congestion = new CongestionController(
        new RecoveryConfig().maxDatagramBytes(MSS).initialWindowPackets(10).minWindowPackets(2)
            .maxWindowBytes(100 * MSS));

    @Test
    void shouldStartAtTheInitialWindow()
    {
        assertEquals(10 * MSS, congestion.window());
        assertEquals(10 * MSS, congestion.availableBytes());
        assertEquals(2 * MSS, congestion.minWindow());
        assertEquals(Long.MAX_VALUE, congestion.slowStartThreshold());

        congestion.onPacketSent(MSS);
        assertEquals(MSS, congestion.bytesInFlight());
        assertEquals(9 * MSS, congestion.availableBytes());
    }

    @Test
    void shouldGrowByAckedBytesInSlowStartWhenWindowLimited()
    {
        for (int i = 0; i < 10; i++)
        {
            congestion.onPacketSent(MSS);
        }
        assertEquals(0, congestion.availableBytes());

        for (int i = 0; i < 10; i++)
        {
            congestion.onPacketAcked(MSS, 0);
        }
        // nothing is sent in between: from the 5th ack on, less than half the (grown) window is in flight
        assertEquals(14 * MSS, congestion.window());
        assertEquals(0, congestion.bytesInFlight());
    }

    @Test
    void shouldNotGrowWhenApplicationLimited()
    {
        congestion.onPacketSent(MSS);
        congestion.onPacketAcked(MSS, 0);
        assertEquals(10 * MSS, congestion.window());
    }

    @Test
    void shouldHalveOncePerRecoveryPeriod()
    {
        fill(10);
        assertTrue(congestion.onPacketsLost(MSS, 50, 100));
        assertEquals(5 * MSS, congestion.window());
        assertEquals(5 * MSS, congestion.slowStartThreshold());

        assertFalse(congestion.onPacketsLost(MSS, 100, 110), "sent before the period started (at 100)");
        assertEquals(5 * MSS, congestion.window());

        congestion.onPacketAcked(MSS, 90);
        assertEquals(5 * MSS, congestion.window(), "acks of packets sent before the period do not grow it");

        assertTrue(congestion.onPacketsLost(MSS, 101, 200), "sent after the period started: a new one");
        assertEquals(5 * MSS / 2, congestion.window());
        assertEquals(2, congestion.congestionEvents());
    }

    @Test
    void shouldNeverGoBelowTheFloor()
    {
        for (int i = 0; i < 10; i++)
        {
            congestion.onPacketsLost(0, i * 10 + 1, i * 10 + 5);
            assertTrue(congestion.window() >= 2 * MSS);
        }
        assertEquals(2 * MSS, congestion.window());
    }

    @Test
    void shouldGrowByOneDatagramPerWindowInCongestionAvoidance()
    {
        fill(10);
        congestion.onPacketsLost(MSS, 1, 2);
        final long window = congestion.window();
        assertEquals(5 * MSS, window);
        assertEquals(9 * MSS, congestion.bytesInFlight());

        // keep the window full: each ack of a packet sent after the period is replaced by a new send
        for (int i = 0; i < 4; i++)
        {
            congestion.onPacketAcked(MSS, 10);
            congestion.onPacketSent(MSS);
        }
        assertEquals(window, congestion.window(), "4 of 5 datagrams acked");
        congestion.onPacketAcked(MSS, 10);
        assertEquals(window + MSS, congestion.window(), "a window's worth acked");
    }

    @Test
    void shouldCollapseToTheFloorOnPersistentCongestion()
    {
        fill(10);
        congestion.onPacketsLost(5 * MSS, 1, 2);
        congestion.onPersistentCongestion();
        assertEquals(2 * MSS, congestion.window());
        assertFalse(congestion.isInRecovery(1), "the recovery period ended");
        assertEquals(1, congestion.persistentCongestionEvents());
    }

    @Test
    void shouldStopAtTheCeiling()
    {
        for (int round = 0; round < 20; round++)
        {
            final long window = congestion.window();
            for (long sent = 0; sent < window; sent += MSS)
            {
                congestion.onPacketSent(MSS);
            }
            for (long acked = 0; acked < window; acked += MSS)
            {
                congestion.onPacketAcked(MSS, round);
            }
            assertTrue(congestion.window() <= 100 * MSS);
        }
        assertEquals(100 * MSS, congestion.window());
    }

    @Test
    void shouldResetToTheInitialWindow()
    {
        fill(10);
        congestion.onPacketsLost(MSS, 1, 2);
        congestion.reset();
        assertEquals(10 * MSS, congestion.window());
        assertEquals(0, congestion.bytesInFlight());
        assertFalse(congestion.isInRecovery(0));
    }

    private void fill(final int packets)
    {
        for (int i = 0; i < packets; i++)
        {
            congestion.onPacketSent(MSS);
        }
    }
}
