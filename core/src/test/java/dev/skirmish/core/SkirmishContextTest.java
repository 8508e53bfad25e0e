package dev.skirmish.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SkirmishContextTest
{
    @Test
    void shouldRejectOutOfRangeSettingsNamingThem()
    {
        assertMessage(new SkirmishContext().port(70000), "port");
        assertMessage(new SkirmishContext().workers(0), "workers");
        assertMessage(new SkirmishContext().ioThreads(0), "ioThreads");
        assertMessage(new SkirmishContext().batch(0), "batch");
        assertMessage(new SkirmishContext().batch(1025), "batch");
        assertMessage(new SkirmishContext().maxDatagramLength(4), "maxDatagramLength");
        assertMessage(new SkirmishContext().bindAddress("no.such.host.invalid"), "bindAddress");
        assertMessage(new SkirmishContext().pinCpus(4096), "pinCpus");
        assertMessage(new SkirmishContext().inboundQueueCapacity(1), "inboundQueueCapacity");
    }

    @Test
    void shouldParseCpuLists()
    {
        assertArrayEquals(new int[] {0, 1}, SkirmishContext.parseCpuList("0,1"));
        assertArrayEquals(new int[] {0, 1, 2, 5}, SkirmishContext.parseCpuList("0-2, 5"));
        assertArrayEquals(new int[0], SkirmishContext.parseCpuList(""));
        assertThrows(ConfigurationException.class, () -> SkirmishContext.parseCpuList("a,b"));
        assertThrows(ConfigurationException.class, () -> SkirmishContext.parseCpuList("3-1"));
    }

    @Test
    void shouldPrintEveryKnob()
    {
        final String printed = new SkirmishContext().conclude().toString();
        for (final String key : new String[] {"port=", "ioThreads=", "workers=", "batch=", "transport=", "ioSpinUs=",
            "workerIdle=", "pinCpus=", "maxDatagramLength="})
        {
            assertTrue(printed.contains(key), key);
        }
    }

    private static void assertMessage(final SkirmishContext ctx, final String setting)
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, ctx::conclude);
        assertTrue(ex.getMessage().startsWith(setting), ex.getMessage());
    }
}
