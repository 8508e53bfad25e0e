package dev.skirmish.core;

import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Default {@link ErrorHandler}: logs through SLF4J at most once per interval and counts what it suppressed, so a
 * flood of bad input or a failing peer cannot flood the log. Never throws. Thread-safe.
 */
public final class LoggingErrorHandler implements ErrorHandler
{
    private static final Logger LOG = LoggerFactory.getLogger("dev.skirmish.errors");

    private final long intervalNs;
    private final AtomicLong nextLogNs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * @param intervalNs minimum time between two log lines.
     */
    public LoggingErrorHandler(final long intervalNs)
    {
        this.intervalNs = intervalNs;
    }

    @Override
    public void onError(final Throwable throwable)
    {
        try
        {
            final long nowNs = System.nanoTime();
            final long next = nextLogNs.get();
            if ((next == Long.MIN_VALUE || nowNs - next >= 0) && nextLogNs.compareAndSet(next, nowNs + intervalNs))
            {
                final long skipped = suppressed.getAndSet(0);
                LOG.warn("error ({} similar suppressed since the last report)", skipped, throwable);
            }
            else
            {
                suppressed.incrementAndGet();
            }
        }
        catch (final Throwable ignore)
        {
            // An error handler must never throw.
        }
    }

    /**
     * @return errors not logged since the last log line.
     */
    public long suppressed()
    {
        return suppressed.get();
    }
}
