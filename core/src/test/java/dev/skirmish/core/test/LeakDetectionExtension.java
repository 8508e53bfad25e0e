package dev.skirmish.core.test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Fails a test class when Netty's leak detector (run at {@code paranoid}) reports a leaked buffer. Registered for
 * every test through JUnit's extension auto-detection (service file in the core test-jar), and installs its
 * detector factory before any Netty buffer class initialises, so every buffer is tracked.
 */
public final class LeakDetectionExtension implements AfterAllCallback
{
    private static final List<String> LEAKS = new ArrayList<>();
    private static volatile boolean quiet;

    static
    {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    /**
     * Collect leak reports: run the GC so unreachable unreleased buffers are enqueued, then allocate so the
     * detector polls its queue.
     *
     * @return the leak reports collected so far, cleared.
     */
    public static List<String> collectLeaks()
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
            for (int j = 0; j < 16; j++)
            {
                final ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(8);
                probe.release();
                final ByteBuf heapProbe = PooledByteBufAllocator.DEFAULT.heapBuffer(8);
                heapProbe.release();
            }
        }
        synchronized (LEAKS)
        {
            final List<String> leaks = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return leaks;
        }
    }

    /**
     * Stop Netty from logging leak reports at ERROR (they are still recorded); for the test that leaks on purpose.
     *
     * @param value true while leaks are expected.
     */
    public static void quiet(final boolean value)
    {
        quiet = value;
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        final List<String> leaks = collectLeaks();
        if (!leaks.isEmpty())
        {
            throw new AssertionError(leaks.size() + " buffer leak(s) in " + context.getDisplayName() + ":\n" +
                String.join("\n----\n", leaks));
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory
    {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
            final Class<T> resource, final int samplingInterval, final long maxActive)
        {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T>
    {
        RecordingDetector(final Class<T> resource, final int samplingInterval)
        {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(final String resourceType, final String records)
        {
            record("LEAK: " + resourceType + records);
            if (!quiet)
            {
                super.reportTracedLeak(resourceType, records);
            }
        }

        @Override
        protected void reportUntracedLeak(final String resourceType)
        {
            record("LEAK: " + resourceType + " (untraced)");
            if (!quiet)
            {
                super.reportUntracedLeak(resourceType);
            }
        }

        private static void record(final String report)
        {
            synchronized (LEAKS)
            {
                LEAKS.add(report);
            }
        }
    }
}
