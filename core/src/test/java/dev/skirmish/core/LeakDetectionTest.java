package dev.skirmish.core;

import dev.skirmish.core.test.LeakDetectionExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leak detection that guards every test must itself be able to fail: a buffer dropped without release is
 * reported.
 */
class LeakDetectionTest
{
    @Test
    void shouldReportABufferThatIsNeverReleased()
    {
        LeakDetectionExtension.collectLeaks();
        final List<String> leaks;
        LeakDetectionExtension.quiet(true);
        try
        {
            leak();
            leaks = LeakDetectionExtension.collectLeaks();
        }
        finally
        {
            LeakDetectionExtension.quiet(false);
        }
        assertFalse(leaks.isEmpty(), "an unreleased pooled buffer must be reported");
        assertTrue(leaks.get(0).contains("LEAK"), leaks.get(0));
    }

    private static void leak()
    {
        final ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buffer.writeLong(42);
    }
}
