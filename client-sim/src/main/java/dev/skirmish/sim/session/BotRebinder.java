package dev.skirmish.sim.session;

import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.sim.RunPhases;
import dev.skirmish.sim.report.TrafficCounters;
import dev.skirmish.session.client.ClientHandle;
import dev.skirmish.session.lifecycle.SessionState;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The address changes of one bot, when its impairment profile asks for them
 * ({@link ImpairmentProfile#isRebindEnabled()}): a NAT rebinding, done with {@link ClientHandle#rebind()}, which moves
 * the client to a new local port; the server validates the new path and migrates the session. The in-process
 * {@code ImpairedLink} cannot do this, as it only sees datagrams, so the bot does.
 * <p>
 * <b>Schedule</b>: rebind {@code k} is due at {@code phases.startNs() + rebindOffsetNs + jitter + k *
 * rebindIntervalNs}, for as long as the run sends ({@link RunPhases#endNs()}). The jitter is drawn once per bot from
 * its seed, uniform in {@code [0, rebindIntervalNs)}, so that a swarm does not rebind all at once and a seed replays
 * the same schedule. A rebind is skipped while the previous one is still binding or while the client is not
 * connected.
 * <p>
 * <b>Outcome</b>: completed rebinds are counted by the handle ({@link ClientHandle#rebinds()}); a failed one is
 * counted as an error of the bot's {@link TrafficCounters} and in {@link #failures()}, never thrown.
 * <p>
 * <b>Threading:</b> {@link #begin}, {@link #stop}, the timer and the completion of each rebind run on the bot's event
 * loop, the single writer; {@link #failures()} may be read from any thread. A rebind allocates (a socket, a future):
 * at most once per {@link ImpairmentProfile#MIN_REBIND_INTERVAL_NS}, off the per-tick path.
 */
public final class BotRebinder
{
    /** Mixed into the bot's seed so that the jitter is not drawn from the same stream as its impaired link. */
    private static final long SEED_SALT = 0x5245_4249_4e44_0001L;

    private final long intervalNs;
    private final long firstDelayNs;
    private final TrafficCounters counters;
    private final Runnable tick = this::onTick;
    private final BiConsumer<InetSocketAddress, Throwable> onRebound = this::onRebound;

    // Event loop only.
    private ClientHandle handle;
    private ScheduledFuture<?> task;
    private long endNs;
    private boolean pending;

    // Written on the loop, read by the controlling thread.
    private volatile long failures;

    /**
     * The schedule of one bot; nothing is scheduled until {@link #begin}.
     *
     * @param impairment the bot's profile, or null (no rebinds).
     * @param seed       the bot's seed: picks its jitter.
     * @param counters   the bot's counters, where a failed rebind is an error.
     */
    public BotRebinder(final ImpairmentProfile impairment, final long seed, final TrafficCounters counters)
    {
        this.counters = counters;
        if (null != impairment && impairment.isRebindEnabled())
        {
            intervalNs = impairment.rebindIntervalNs();
            firstDelayNs = impairment.rebindOffsetNs() + new SplittableRandom(seed ^ SEED_SALT).nextLong(intervalNs);
        }
        else
        {
            intervalNs = 0;
            firstDelayNs = 0;
        }
    }

    /**
     * @return true when the profile asks for rebinds.
     */
    public boolean isEnabled()
    {
        return intervalNs > 0;
    }

    /**
     * Time from the start of the run to this bot's first rebind: the profile's offset plus the bot's jitter.
     *
     * @return nanoseconds; 0 when rebinds are off.
     */
    public long firstDelayNs()
    {
        return firstDelayNs;
    }

    /**
     * Start the timer. Called on the bot's event loop; does nothing when rebinds are off or already started.
     *
     * @param handle of the bot's client.
     * @param phases of the run: rebinds are due from {@code startNs} until {@code endNs}.
     */
    public void begin(final ClientHandle handle, final RunPhases phases)
    {
        assert handle.eventLoop().inEventLoop();
        if (!isEnabled() || null != task)
        {
            return;
        }
        this.handle = handle;
        this.endNs = phases.endNs();
        final long delayNs = Math.max(0, phases.startNs() + firstDelayNs - System.nanoTime());
        task = handle.eventLoop().scheduleAtFixedRate(tick, delayNs, intervalNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Stop the timer; a rebind in progress still completes and is counted. Called on the bot's event loop.
     */
    public void stop()
    {
        if (null != task)
        {
            task.cancel(false);
            task = null;
        }
    }

    /**
     * @return rebinds whose future completed exceptionally; any thread.
     */
    public long failures()
    {
        return failures;
    }

    private void onTick()
    {
        if (System.nanoTime() - endNs >= 0)
        {
            stop();
            return;
        }
        if (pending || SessionState.CONNECTED != handle.state())
        {
            return;
        }

        pending = true;
        handle.rebind().whenComplete(onRebound);
    }

    /**
     * A rebind completed: on the loop, or at once on the calling (loop) thread when it could not start.
     */
    private void onRebound(final InetSocketAddress address, final Throwable failure)
    {
        pending = false;
        if (null != failure)
        {
            failures++;
            counters.onError();
        }
    }
}
