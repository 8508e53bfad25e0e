package dev.skirmish.core.transport;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

/**
 * Event-loop select strategy that keeps polling (non-blocking epoll_wait/selectNow) for a short window after the
 * last I/O or task, then blocks. A reply handed over by a worker within the window is written without paying the
 * cost of waking a blocked thread (~25 µs on the reference VM); past the window the loop blocks and costs no CPU.
 * A window of 0 is Netty's default behaviour.
 *
 * <p>One instance per event loop; used on that loop's thread only.
 */
final class SpinThenBlockSelectStrategy implements SelectStrategy
{
    private final long spinWindowNs;
    private long lastActiveNs;

    SpinThenBlockSelectStrategy(final long spinWindowNs)
    {
        this.spinWindowNs = spinWindowNs;
    }

    @Override
    public int calculateStrategy(final IntSupplier selectSupplier, final boolean hasTasks) throws Exception
    {
        if (spinWindowNs <= 0)
        {
            return hasTasks ? selectSupplier.get() : SelectStrategy.SELECT;
        }

        final int ready = selectSupplier.get();
        final long nowNs = System.nanoTime();
        if (ready > 0 || hasTasks)
        {
            lastActiveNs = nowNs;
            return ready;
        }
        if (nowNs - lastActiveNs < spinWindowNs)
        {
            Thread.onSpinWait();
            return SelectStrategy.CONTINUE;
        }
        return SelectStrategy.SELECT;
    }
}
