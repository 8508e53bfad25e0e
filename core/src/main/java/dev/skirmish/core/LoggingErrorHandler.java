package dev.skirmish.core;

import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Default {@link ErrorHandler}: logs through SLF4J at most once per interval and counts what it suppressed, so a
 * flood of bad input or a failing peer cannot flood the log. Never throws. Thread-safe.
 */
public final class LoggingErrorHandler implements ErrorHandler
{
    private static final Logger LOG = LoggerFactory.getLogger("dev.skirmish.errors");

    private final RateLimitedLog limiter;

    /**
     * @param intervalNs minimum time between two log lines.
     */
    public LoggingErrorHandler(final long intervalNs)
    {
        this.limiter = new RateLimitedLog(intervalNs);
    }

    @Override
    public void onError(final Throwable throwable)
    {
        try
        {
            if (limiter.tryAcquire(System.nanoTime()))
            {
                LOG.warn("error ({} similar suppressed since the last report)", limiter.takeSuppressed(), throwable);
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
        return limiter.suppressed();
    }
}
