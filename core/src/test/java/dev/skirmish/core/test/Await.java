package dev.skirmish.core.test;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded waiting for conditions that depend on real threads and sockets. Every wait has a deadline; on timeout the
 * test fails with the description (and the last observed state) rather than hanging.
 */
public final class Await
{
    private Await()
    {
    }

    /**
     * Poll until the condition holds or the timeout passes.
     *
     * @param timeout     upper bound.
     * @param description what was awaited, for the failure message.
     * @param condition   polled every millisecond or so.
     */
    public static void until(final Duration timeout, final Supplier<String> description, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " +
                    description.get());
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + description.get());
            }
        }
    }

    /**
     * Poll until the condition holds, at most 10 s.
     *
     * @param description what was awaited.
     * @param condition   polled.
     */
    public static void until(final String description, final BooleanSupplier condition)
    {
        until(Duration.ofSeconds(10), () -> description, condition);
    }
}
