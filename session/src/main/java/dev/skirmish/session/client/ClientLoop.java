package dev.skirmish.session.client;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One event loop of a {@link ClientGroup} and the clients registered on it, with the timer that runs their
 * {@code doWork}: clocks read once per tick, clients visited from a rotating start so none is always last.
 * <p>
 * Not thread safe: every method but {@link #eventLoop()} and {@link #start} runs on the loop.
 */
final class ClientLoop
{
    private final EventLoop eventLoop;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final ArrayList<ClientHandle> handles = new ArrayList<>();
    private final Runnable tick = this::tick;
    private ScheduledFuture<?> tickFuture;
    private int startIndex;

    ClientLoop(final EventLoop eventLoop, final NanoClock nanoClock, final EpochClock epochClock)
    {
        this.eventLoop = eventLoop;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
    }

    EventLoop eventLoop()
    {
        return eventLoop;
    }

    void start(final long tickIntervalNs)
    {
        tickFuture = eventLoop.scheduleAtFixedRate(tick, tickIntervalNs, tickIntervalNs, TimeUnit.NANOSECONDS);
    }

    void add(final ClientHandle handle)
    {
        assert eventLoop.inEventLoop();
        handles.add(handle);
    }

    void remove(final ClientHandle handle)
    {
        assert eventLoop.inEventLoop();
        handles.remove(handle);
    }

    /**
     * Close every client of this loop (they send their DISCONNECT packets first) and stop the timer.
     */
    void closeAll()
    {
        assert eventLoop.inEventLoop();
        if (null != tickFuture)
        {
            tickFuture.cancel(false);
        }
        for (int i = handles.size() - 1; i >= 0; i--)
        {
            handles.get(i).closeOnLoop();
        }
        handles.clear();
    }

    private void tick()
    {
        final int size = handles.size();
        if (0 == size)
        {
            return;
        }
        final long nowNs = nanoClock.nanoTime();
        final long nowMs = epochClock.time();
        int index = startIndex < size ? startIndex : 0;
        for (int i = 0; i < size; i++)
        {
            handles.get(index).doWork(nowNs, nowMs);
            if (++index == size)
            {
                index = 0;
            }
        }
        startIndex = startIndex + 1 < size ? startIndex + 1 : 0;
    }
}
