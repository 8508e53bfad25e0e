package dev.skirmish.sim.session;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.skirmish.session.client.ClientHandle;

/**
 * Runs an action on the event loop of each bot of a swarm (the loop owns the bot's client) and waits, bounded, until
 * every one ran. Shared by the session and game runs.
 */
public final class BotLoops
{
    private BotLoops()
    {
    }

    /**
     * Run an action on the event loop of every bot that passes the filter, and wait until all ran or the timeout.
     *
     * @param bots      the swarm.
     * @param handleOf  a bot's client handle, or null when it has none (it is skipped).
     * @param action    run on the bot's loop.
     * @param filter    which bots (tested on the calling thread).
     * @param timeoutMs longest wait; a warning on {@code err} when exceeded.
     * @param err       for the warning.
     * @param <B>       the bot type.
     */
    public static <B> void onEveryLoop(
        final B[] bots,
        final Function<B, ClientHandle> handleOf,
        final Consumer<B> action,
        final Predicate<B> filter,
        final long timeoutMs,
        final PrintStream err)
    {
        final CompletableFuture<?>[] done = new CompletableFuture<?>[bots.length];
        int count = 0;
        for (final B bot : bots)
        {
            final ClientHandle handle = handleOf.apply(bot);
            if (null == handle || !filter.test(bot))
            {
                continue;
            }

            final CompletableFuture<Void> future = new CompletableFuture<>();
            done[count++] = future;
            try
            {
                handle.execute(() ->
                {
                    try
                    {
                        action.accept(bot);
                    }
                    finally
                    {
                        future.complete(null);
                    }
                });
            }
            catch (final RuntimeException ex)
            {
                future.complete(null);
            }
        }

        try
        {
            CompletableFuture.allOf(Arrays.copyOf(done, count)).get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            err.println("warning: event loops did not finish within " + timeoutMs + " ms: " + ex);
        }
    }
}
