package dev.skirmish.core.transport;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

/**
 * Event-loop select strategy: while the I/O thread's {@link ReplyWaitWindow} is open it polls (non-blocking
 * epoll_wait) and runs tasks instead of blocking, so a drain scheduled by a worker is picked up without the
 * eventfd wake-up; otherwise it behaves like Netty's default (block when there are no tasks).
 *
 * <p>One instance per event loop; used on that loop's thread only.
 */
final class SpinThenBlockSelectStrategy implements SelectStrategy
{
    private final ReplyWaitWindow window;

    SpinThenBlockSelectStrategy(final ReplyWaitWindow window)
    {
        this.window = window;
    }

    @Override
    public int calculateStrategy(final IntSupplier selectSupplier, final boolean hasTasks) throws Exception
    {
        if (hasTasks)
        {
            return selectSupplier.get();
        }
        if (!window.enabled() || !window.isOpen(System.nanoTime()))
        {
            return SelectStrategy.SELECT;
        }

        final int ready = selectSupplier.get();
        if (ready > 0)
        {
            return ready;
        }
        Thread.onSpinWait();
        return SelectStrategy.CONTINUE;
    }
}
