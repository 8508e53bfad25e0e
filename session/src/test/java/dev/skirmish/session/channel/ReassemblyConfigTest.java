package dev.skirmish.session.channel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReassemblyConfigTest
{
    @Test
    void shouldDeriveDefaults()
    {
        final ReassemblyConfig config = new ReassemblyConfig().conclude();
        assertEquals(1412, ReassemblyConfig.FRAGMENT_LENGTH_DEFAULT);
        assertEquals(256 * 1024, config.maxMessageLength());
        assertEquals(186, config.maxFragments());
        assertEquals(225, new ReassemblyConfig().fragmentLength(1170).maxFragments());
        assertTrue(config.toString().contains("maxFragments=186"), config.toString());
    }

    @Test
    void shouldRejectInvalidSettings()
    {
        assertInvalid(new ReassemblyConfig().fragmentLength(0), "fragmentLength");
        assertInvalid(new ReassemblyConfig().fragmentLength(0x10000), "fragmentLength");
        assertInvalid(new ReassemblyConfig().fragmentLength(1000).maxMessageLength(1000), "maxMessageLength");
        assertInvalid(new ReassemblyConfig().fragmentLength(16).maxMessageLength(16 * 0x10000), "maxFragments");
        assertInvalid(new ReassemblyConfig().maxMessages(0), "maxMessages");
        assertInvalid(new ReassemblyConfig().maxMessages(65), "maxMessages");
        assertInvalid(new ReassemblyConfig().budgetBytes(256 * 1024 - 1), "budgetBytes");
        assertInvalid(new ReassemblyConfig().timeoutNs(0), "timeoutNs");
        assertThrows(IllegalArgumentException.class, () -> new ReassemblyBuffer(new ReassemblyConfig().maxMessages(0)));
    }

    private static void assertInvalid(final ReassemblyConfig config, final String setting)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, config::conclude);
        assertTrue(ex.getMessage().startsWith(setting), ex.getMessage());
    }
}
