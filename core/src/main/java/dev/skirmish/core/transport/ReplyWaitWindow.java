package dev.skirmish.core.transport;

/**
 * How long I/O thread k keeps polling instead of blocking in epoll_wait: opened when the thread hands datagrams to
 * workers (replies are likely within microseconds), closed as soon as it has written replies, or when the window
 * expires. Polling only while replies are expected saves the ~25 µs thread wake-up on the reply path without
 * spinning while the peer is thinking, so on a small machine the core stays free for the peer and the workers.
 *
 * <p>Shared by the channel handler and the select strategy of one event loop: used on that I/O thread only.
 */
final class ReplyWaitWindow
{
    private final long windowNs;
    private long untilNs;

    ReplyWaitWindow(final long windowNs)
    {
        this.windowNs = windowNs;
    }

    void open(final long nowNs)
    {
        if (windowNs > 0)
        {
            untilNs = nowNs + windowNs;
        }
    }

    void close()
    {
        untilNs = 0;
    }

    boolean isOpen(final long nowNs)
    {
        return untilNs != 0 && nowNs - untilNs < 0;
    }

    boolean enabled()
    {
        return windowNs > 0;
    }
}
