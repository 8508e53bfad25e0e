package dev.skirmish.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gate of network-reachable log lines: one line per interval whatever the flood, on the caller's clock, across
 * threads; and the default error handler, which uses it, writes one line for a flood of errors.
 */
class RateLimitedLogTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldAllowTheFirstLineThenOnePerInterval()
    {
        final RateLimitedLog log = new RateLimitedLog(SECOND);
        assertTrue(log.tryAcquire(-5 * SECOND), "the first line passes whatever the clock's origin");
        for (int i = 0; i < 100_000; i++)
        {
            assertFalse(log.tryAcquire(-5 * SECOND + i));
        }
        assertEquals(100_000, log.suppressed());
        assertFalse(log.tryAcquire(-4 * SECOND - 1));
        assertTrue(log.tryAcquire(-4 * SECOND), "one interval later");
        assertEquals(100_001, log.takeSuppressed());
        assertEquals(0, log.suppressed());
        assertEquals(2, log.acquired());

        final RateLimitedLog nearWrap = new RateLimitedLog(SECOND);
        assertTrue(nearWrap.tryAcquire(Long.MAX_VALUE - 10));
        assertFalse(nearWrap.tryAcquire(Long.MAX_VALUE), "compared by difference, so the clock may wrap");
        assertTrue(nearWrap.tryAcquire(Long.MAX_VALUE - 10 + SECOND), "one interval later, across the wrap");
        assertThrows(IllegalArgumentException.class, () -> new RateLimitedLog(0));
    }

    @Test
    void shouldAllowOneLinePerIntervalAcrossThreads() throws Exception
    {
        final RateLimitedLog log = new RateLimitedLog(SECOND);
        final int threads = 4;
        final int perThread = 200_000;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final Thread thread = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                for (int i = 0; i < perThread; i++)
                {
                    log.tryAcquire(42 + (i % 1000)); // all within one interval
                }
            });
            thread.start();
            running.add(thread);
        }
        start.countDown();
        for (final Thread thread : running)
        {
            thread.join();
        }
        assertEquals(1, log.acquired());
        assertEquals((long)threads * perThread - 1, log.suppressed());
    }

    @Test
    void shouldLogOneLineForAFloodOfErrors()
    {
        final Logger logger = (Logger)LoggerFactory.getLogger("dev.skirmish.errors");
        final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        final Level level = logger.getLevel();
        logger.setLevel(Level.WARN);
        try
        {
            final LoggingErrorHandler handler = new LoggingErrorHandler(60 * SECOND);
            for (int i = 0; i < 50_000; i++)
            {
                handler.onError(new IllegalStateException("hostile datagram " + i));
            }
            assertEquals(1, appender.list.size(), "one line for 50 000 errors");
            assertEquals(49_999, handler.suppressed());
        }
        finally
        {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }
    }
}
