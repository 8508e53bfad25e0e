package dev.skirmish.session.channel.recovery;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryConfigTest
{
    @Test
    void shouldHaveValidDefaults()
    {
        final RecoveryConfig config = new RecoveryConfig().conclude();
        assertEquals(1024, config.sentPacketCapacity());
        assertEquals(100_000_000L, config.initialRttNs());
        assertEquals(25_000_000L, config.maxAckDelayNs());
        assertEquals(25_000_000L, config.peerMaxAckDelayNs());
        assertEquals(2, config.ackElicitingThreshold());
        assertEquals(1_000_000_000L, config.maxPtoNs());
        assertEquals(1472, config.maxDatagramBytes());
        assertEquals(10, config.initialWindowPackets());
        assertEquals(2, config.minWindowPackets());
        assertEquals(1L << 20, config.maxWindowBytes());
        assertTrue(config.toString().contains("sentPacketCapacity=1024"));
    }

    @Test
    void shouldRejectInvalidSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> new RecoveryConfig().sentPacketCapacity(1000).conclude());
        assertThrows(IllegalArgumentException.class, () -> new RecoveryConfig().sentPacketCapacity(8).conclude());
        assertThrows(IllegalArgumentException.class, () -> new RecoveryConfig().initialRttNs(0).conclude());
        assertThrows(IllegalArgumentException.class, () -> new RecoveryConfig().maxAckDelayNs(-1).conclude());
        assertThrows(IllegalArgumentException.class, () -> new RecoveryConfig().ackElicitingThreshold(0).conclude());
        assertThrows(IllegalArgumentException.class, () -> new RecoveryConfig().maxPtoNs(1).conclude());
        assertThrows(IllegalArgumentException.class, () -> new RecoveryConfig().minWindowPackets(1).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new RecoveryConfig().minWindowPackets(4).initialWindowPackets(3).conclude());
        assertThrows(IllegalArgumentException.class, () -> new RecoveryConfig().maxWindowBytes(1000).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new SentPacketTracker(new RecoveryConfig().sentPacketCapacity(3), null, null));
    }
}
