package dev.skirmish.session.client;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.session.protect.AeadSuite;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientConfigTest
{
    @Test
    void shouldDefaultToTheProtocolsValues()
    {
        final ClientConfig config = new ClientConfig().conclude();

        assertEquals(PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH, config.maxDatagramLength());
        assertEquals(1440, config.maxPayloadLength());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), config.resendIntervalNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), config.keepaliveIntervalNs());
        assertEquals(0, config.connectTimeoutNs());
        assertEquals(10, config.disconnectRedundancy());
        assertEquals(64, config.maxAuthFailures());
        assertSame(AeadSuite.DEFAULT, config.aeadSuite());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), config.tickIntervalNs());
        assertTrue(config.toString().contains("resendIntervalNs=100000000"), config.toString());
    }

    @Test
    void shouldNameTheInvalidSetting()
    {
        assertInvalid("maxDatagramLength", (c) -> c.maxDatagramLength(1199));
        assertInvalid("maxDatagramLength", (c) -> c.maxDatagramLength(65508));
        assertInvalid("resendIntervalNs", (c) -> c.resendIntervalNs(0));
        assertInvalid("keepaliveIntervalNs", (c) -> c.keepaliveIntervalNs(-1));
        assertInvalid("connectTimeoutNs", (c) -> c.connectTimeoutNs(-1));
        assertInvalid("disconnectRedundancy", (c) -> c.disconnectRedundancy(-1));
        assertInvalid("disconnectRedundancy", (c) -> c.disconnectRedundancy(1001));
        assertInvalid("maxAuthFailures", (c) -> c.maxAuthFailures(-1));
        assertInvalid("aeadSuite", (c) -> c.aeadSuite(null));
        assertInvalid("aeadSuite", (c) -> c.aeadSuite(AeadSuite.AES_128_GCM));
        assertInvalid("tickIntervalNs", (c) -> c.tickIntervalNs(0));
        assertInvalid("tickIntervalNs", (c) -> c.tickIntervalNs(TimeUnit.SECONDS.toNanos(2)));
    }

    @Test
    void shouldValidateWhenAClientIsMade()
    {
        final ClientConfig config = new ClientConfig().resendIntervalNs(0);
        final ClientFixtures.CapturingSender sender = new ClientFixtures.CapturingSender();

        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> new SkirmishClient(config, new ClientListener() {}, sender));
        assertTrue(ex.getMessage().contains("resendIntervalNs"), ex.getMessage());
    }

    private static void assertInvalid(final String setting, final Consumer<ClientConfig> change)
    {
        final ClientConfig config = new ClientConfig();
        change.accept(config);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, config::conclude);
        assertTrue(ex.getMessage().startsWith(setting), ex.getMessage());
    }
}
