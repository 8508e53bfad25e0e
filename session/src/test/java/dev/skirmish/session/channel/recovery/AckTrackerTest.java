package dev.skirmish.session.channel.recovery;

import org.junit.jupiter.api.Test;

import static dev.skirmish.session.channel.recovery.AckTracker.NO_ACK_DUE;
import static dev.skirmish.session.channel.recovery.AckTracker.RECEIVED_DUPLICATE;
import static dev.skirmish.session.channel.recovery.AckTracker.RECEIVED_NEW;
import static dev.skirmish.session.channel.recovery.AckTracker.RECEIVED_TOO_OLD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AckTrackerTest
{
    private static final long MS = 1_000_000L;

    private final AckTracker acks = new AckTracker(new RecoveryConfig().maxAckDelayNs(5 * MS));

    @Test
    void shouldDescribeReceivedPacketsInTheBitfield()
    {
        assertFalse(acks.hasReceived());
        assertEquals(RECEIVED_NEW, acks.onPacketReceived(97, true, 0));
        assertEquals(RECEIVED_NEW, acks.onPacketReceived(99, true, 0));
        assertEquals(RECEIVED_NEW, acks.onPacketReceived(100, true, 0));

        assertTrue(acks.hasReceived());
        assertEquals(100, acks.largestReceived());
        assertEquals(0b101, acks.ackBitfield(), "99 (bit 0) and 97 (bit 2)");
        assertTrue(AckTracker.isAcked(100, 0b101, 97));
        assertFalse(AckTracker.isAcked(100, 0b101, 98));
        assertFalse(AckTracker.isAcked(100, 0b101, 101));
        assertFalse(AckTracker.isAcked(100, -1L, 35), "65 below: outside the bitfield");
        assertTrue(AckTracker.isAcked(100, -1L, 36));
    }

    @Test
    void shouldDetectDuplicatesAndTooOldPackets()
    {
        acks.onPacketReceived(200, true, 0);
        acks.onPacketReceived(190, true, 0);
        assertEquals(RECEIVED_DUPLICATE, acks.onPacketReceived(200, true, 0));
        assertEquals(RECEIVED_DUPLICATE, acks.onPacketReceived(190, true, 0));
        assertEquals(RECEIVED_NEW, acks.onPacketReceived(136, true, 0), "64 below: the last bit");
        assertEquals(RECEIVED_TOO_OLD, acks.onPacketReceived(135, true, 0));
        assertEquals(RECEIVED_TOO_OLD, acks.onPacketReceived(0, true, 0));

        assertEquals(3, acks.counter(RecoveryCounter.PACKETS_RECEIVED));
        assertEquals(2, acks.counter(RecoveryCounter.DUPLICATES_RECEIVED));
        assertEquals(2, acks.counter(RecoveryCounter.TOO_OLD_RECEIVED));
    }

    @Test
    void shouldShiftTheBitfieldOnJumps()
    {
        acks.onPacketReceived(0, true, 0);
        acks.onPacketReceived(64, true, 0);
        assertEquals(1L << 63, acks.ackBitfield(), "0 is exactly 64 below");
        acks.onPacketReceived(65, true, 0);
        assertEquals(1, acks.ackBitfield(), "0 fell out, 64 is 1 below");
        acks.onPacketReceived(1000, true, 0);
        assertEquals(0, acks.ackBitfield());
        acks.onPacketReceived(-1L, true, 0);
        assertEquals(-1L, acks.largestReceived(), "unsigned: 2^64 - 1 is above 1000");
        assertEquals(0, acks.ackBitfield());
    }

    @Test
    void shouldAckAtOnceAfterTwoAckElicitingPackets()
    {
        acks.onPacketReceived(0, true, 10 * MS);
        assertEquals(15 * MS, acks.ackDueNs(), "one packet: max ack delay");
        acks.onPacketReceived(1, true, 12 * MS);
        assertEquals(12 * MS, acks.ackDueNs(), "two packets: at once");

        acks.onAckSent(12 * MS);
        assertEquals(NO_ACK_DUE, acks.ackDueNs());
        assertFalse(acks.isAckPending());
        assertEquals(1, acks.largestReceived(), "history stays for the next ack");
        assertEquals(1, acks.ackBitfield());
        assertEquals(1, acks.counter(RecoveryCounter.ACKS_SENT));
    }

    @Test
    void shouldAckAfterMaxAckDelay()
    {
        acks.onPacketReceived(0, true, 10 * MS);
        acks.onPacketReceived(1, false, 11 * MS);
        assertEquals(15 * MS, acks.ackDueNs(), "ack-only packets do not count");
        assertEquals(4 * MS, acks.ackDelayNs(15 * MS), "since the largest (1) arrived");
        assertEquals(0, acks.ackDelayNs(0), "never negative");
    }

    @Test
    void shouldNotMakeAnAckDueForAckOnlyPackets()
    {
        acks.onPacketReceived(0, false, 0);
        acks.onPacketReceived(5, false, 0);
        assertEquals(NO_ACK_DUE, acks.ackDueNs());
        assertTrue(acks.isAckPending(), "but one may ride on the next outgoing packet");
    }

    @Test
    void shouldAckAtOnceOnGapOrReordering()
    {
        acks.onPacketReceived(0, true, 0);
        acks.onAckSent(0);
        acks.onPacketReceived(2, true, 3 * MS);
        assertEquals(3 * MS, acks.ackDueNs(), "1 is missing");
        acks.onAckSent(3 * MS);

        acks.onPacketReceived(1, true, 4 * MS);
        assertEquals(4 * MS, acks.ackDueNs(), "below the largest");
        acks.onAckSent(4 * MS);

        acks.onPacketReceived(3, true, 6 * MS);
        assertEquals(11 * MS, acks.ackDueNs(), "in order: delayed");
    }

    @Test
    void shouldResetEverything()
    {
        acks.onPacketReceived(7, true, 0);
        acks.reset();
        assertFalse(acks.hasReceived());
        assertEquals(NO_ACK_DUE, acks.ackDueNs());
        assertEquals(0, acks.counter(RecoveryCounter.PACKETS_RECEIVED));
        assertEquals(RECEIVED_NEW, acks.onPacketReceived(7, true, 0));
    }
}
