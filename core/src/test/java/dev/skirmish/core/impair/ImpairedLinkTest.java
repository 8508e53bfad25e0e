package dev.skirmish.core.impair;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ImpairedLinkTest
{
    private static final long US = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long SEED = Long.getLong("skirmish.test.seed", System.nanoTime());
    private static final String REPLAY = "replay with -Dskirmish.test.seed=" + SEED;
    private static final DeliveryHandler IGNORE = (datagram, nowNs) -> {};

    static
    {
        System.out.println("ImpairedLinkTest seed=" + SEED);
    }

    @Test
    void shouldLoseConfiguredFractionWithinStatisticalBounds()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE.withLoss(0.2), SEED, 16, 64);
        final Recorder recorder = new Recorder(100_000);

        stream(link, recorder, 100_000, MS, 16);

        final double lossRate = link.dropped() / (double)link.offered();
        assertEquals(0.2, lossRate, 0.01, "20% +- 1% (7.9 sigma); " + describe(link));
        assertEquals(link.dropped(), link.counter(ImpairmentCounter.DROPPED_LOSS), describe(link));
        assertEquals(link.offered() - link.dropped(), link.delivered(), describe(link));
        assertEquals(link.delivered(), recorder.count, describe(link));
    }

    @Test
    void shouldProduceLongerLossRunsWithBurstsThanIndependentLossAtTheSameAverage()
    {
        final ImpairmentProfile bursty = ImpairmentProfile.NONE.withLoss(0.03).withBurstLoss(0.02, 0.2, 0.58);
        final double average = bursty.averageLossProbability();
        final ImpairmentProfile independent = ImpairmentProfile.NONE.withLoss(average);
        final ImpairedLink burstLink = new ImpairedLink(bursty, SEED, 16, 64);
        final ImpairedLink iidLink = new ImpairedLink(independent, SEED, 16, 64);

        final LossRuns burstRuns = lossRuns(burstLink, 100_000);
        final LossRuns iidRuns = lossRuns(iidLink, 100_000);

        assertEquals(0.08, average, 1e-12);
        assertEquals(average, burstLink.dropped() / (double)burstLink.offered(), 0.01, describe(burstLink));
        assertEquals(average, iidLink.dropped() / (double)iidLink.offered(), 0.01, describe(iidLink));
        final long inBursts = burstLink.counter(ImpairmentCounter.DROPPED_BURST);
        assertTrue(inBursts > burstLink.counter(ImpairmentCounter.DROPPED_LOSS),
            "most burst-profile losses are in bursts; " + describe(burstLink));
        final String context = "bursts " + burstRuns + " vs i.i.d. " + iidRuns + "; " + describe(burstLink) + " " +
            describe(iidLink);
        // Expected about 0.32 vs 0.08 and 1.47 vs 1.09, each measured within +- 0.015 or better.
        assertEquals(average, iidRuns.lossAfterLoss(), 0.02, "i.i.d.: a loss says nothing about the next; " + context);
        assertTrue(burstRuns.lossAfterLoss() > 0.2, "a loss makes the next one likely; " + context);
        assertTrue(burstRuns.meanRun() > 1.25 * iidRuns.meanRun(), "longer loss runs; " + context);
        assertTrue(burstRuns.longestRun > iidRuns.longestRun, "longest loss run; " + context);
    }

    @Test
    void shouldDelayEveryDatagramExactlyWithoutJitter()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE.withDelayNs(25 * MS), SEED, 64, 64);
        final Recorder recorder = new Recorder(1_000);

        stream(link, recorder, 1_000, MS, 16);

        assertEquals(1_000, recorder.count, describe(link));
        for (int i = 0; i < recorder.count; i++)
        {
            assertEquals(25 * MS, recorder.latencyNs(i), "datagram " + recorder.sequence[i] + "; " + describe(link));
            assertEquals(i, recorder.sequence[i], describe(link));
        }
    }

    @Test
    void shouldKeepIndependentJitterWithinBoundsAndCentred()
    {
        final ImpairmentProfile profile = ImpairmentProfile.NONE.withDelayNs(10 * MS).withJitterNs(5 * MS)
            .withJitterMode(ImpairmentProfile.JitterMode.INDEPENDENT);
        final ImpairedLink link = new ImpairedLink(profile, SEED, 64, 64);
        final Recorder recorder = new Recorder(20_000);

        stream(link, recorder, 20_000, MS, 16);

        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        double sum = 0;
        for (int i = 0; i < recorder.count; i++)
        {
            final long latencyNs = recorder.latencyNs(i);
            min = Math.min(min, latencyNs);
            max = Math.max(max, latencyNs);
            sum += latencyNs;
        }
        final String context = "min=" + min + " max=" + max + "; " + describe(link);
        assertTrue(min >= 5 * MS && max <= 15 * MS, "latency within 10 ms +- 5 ms: " + context);
        assertTrue(min < 5 * MS + 50 * US && max > 15 * MS - 50 * US, "jitter spans its range: " + context);
        assertEquals(10 * MS, sum / recorder.count, 0.1 * MS, "uniform jitter is centred: " + context);
        assertTrue(link.counter(ImpairmentCounter.DELIVERED_OUT_OF_ORDER) > 0,
            "independent jitter larger than the send interval reorders, as netem does: " + context);
    }

    @Test
    void shouldKeepOrderedJitterWithinBoundsAndInOrder()
    {
        final ImpairmentProfile profile = ImpairmentProfile.NONE.withDelayNs(10 * MS).withJitterNs(5 * MS);
        final ImpairedLink link = new ImpairedLink(profile, SEED, 64, 64);
        final Recorder recorder = new Recorder(20_000);

        stream(link, recorder, 20_000, MS, 16);

        for (int i = 0; i < recorder.count; i++)
        {
            final long latencyNs = recorder.latencyNs(i);
            assertTrue(latencyNs >= 5 * MS && latencyNs <= 15 * MS, "latency " + latencyNs + "; " + describe(link));
            assertEquals(i, recorder.sequence[i], "ordered jitter never reorders; " + describe(link));
        }
        assertEquals(0, link.counter(ImpairmentCounter.DELIVERED_OUT_OF_ORDER), describe(link));
    }

    @Test
    void shouldKeepOrderWithoutReorderOrJitterDespiteLoss()
    {
        final ImpairmentProfile profile = ImpairmentProfile.NONE.withDelayNs(10 * MS).withLoss(0.1)
            .withJitterMode(ImpairmentProfile.JitterMode.INDEPENDENT);
        final ImpairedLink link = new ImpairedLink(profile, SEED, 64, 64);
        final Recorder recorder = new Recorder(10_000);

        stream(link, recorder, 10_000, MS, 16);

        for (int i = 1; i < recorder.count; i++)
        {
            assertTrue(recorder.sequence[i] > recorder.sequence[i - 1], "at " + i + "; " + describe(link));
        }
        assertEquals(0, link.reordered(), describe(link));
        assertEquals(0, link.counter(ImpairmentCounter.DELIVERED_OUT_OF_ORDER), describe(link));
    }

    @Test
    void shouldReorderByHoldingBackDatagramsTheReorderDelay()
    {
        final ImpairmentProfile profile = ImpairmentProfile.NONE.withDelayNs(10 * MS).withReorder(0.1);
        final ImpairedLink link = new ImpairedLink(profile, SEED, 64, 64);
        final Recorder recorder = new Recorder(10_000);

        stream(link, recorder, 10_000, MS, 16);

        final long heldNs = 10 * MS + ImpairmentProfile.DEFAULT_REORDER_DELAY_NS;
        int held = 0;
        int inversions = 0;
        for (int i = 0; i < recorder.count; i++)
        {
            final long latencyNs = recorder.latencyNs(i);
            assertTrue(latencyNs == 10 * MS || latencyNs == heldNs, "latency " + latencyNs + "; " + describe(link));
            held += latencyNs == heldNs ? 1 : 0;
            inversions += i > 0 && recorder.sequence[i] < recorder.sequence[i - 1] ? 1 : 0;
        }
        final long reordered = link.reordered();
        final long outOfOrder = link.counter(ImpairmentCounter.DELIVERED_OUT_OF_ORDER);
        assertEquals(1_000, reordered, 150, "10% of 10k, +- 5 sigma; " + describe(link));
        assertEquals(reordered, held, describe(link));
        assertTrue(inversions > 0, describe(link));
        assertTrue(outOfOrder <= reordered && outOfOrder >= reordered - 3,
            "every held datagram but the last few is overtaken; " + describe(link));
    }

    @Test
    void shouldDuplicateAtConfiguredRate()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE.withDuplicate(0.05), SEED, 16, 64);
        final Recorder recorder = new Recorder(200_000);

        stream(link, recorder, 100_000, MS, 16);

        final int[] copies = new int[100_000];
        for (int i = 0; i < recorder.count; i++)
        {
            copies[(int)recorder.sequence[i]]++;
        }
        int twice = 0;
        for (int i = 0; i < copies.length; i++)
        {
            assertTrue(copies[i] == 1 || copies[i] == 2, "datagram " + i + " x" + copies[i] + "; " + describe(link));
            twice += copies[i] == 2 ? 1 : 0;
        }
        assertEquals(0.05, link.duplicated() / (double)link.offered(), 0.005, "5% +- 0.5%; " + describe(link));
        assertEquals(link.duplicated(), twice, describe(link));
        assertEquals(link.offered() + link.duplicated(), link.delivered(), describe(link));
    }

    @Test
    void shouldDropExactlyTheScheduledBlackoutWindows()
    {
        final ImpairmentProfile profile = ImpairmentProfile.NONE.withBlackout(200 * MS, SECOND, 300 * MS);
        for (final long startNs : new long[]{ 0, -3 * SECOND, 1_000_000 * SECOND })
        {
            final ImpairedLink link = new ImpairedLink(profile, SEED, 16, 64);
            final byte[] datagram = new byte[16];
            for (long t = startNs; t < startNs + 5 * SECOND; t += MS)
            {
                final long phaseMs = Math.floorMod(t, SECOND) / MS;
                final boolean expectDrop = phaseMs >= 300 && phaseMs < 500;
                assertEquals(!expectDrop, link.offer(datagram, 0, datagram.length, t),
                    "at " + t + " ns (phase " + phaseMs + " ms); " + describe(link));
                link.poll(t, IGNORE);
            }
            assertEquals(1_000, link.counter(ImpairmentCounter.DROPPED_BLACKOUT), describe(link));
            assertEquals(1_000, link.dropped(), describe(link));
            assertEquals(4_000, link.delivered(), describe(link));
        }
    }

    @Test
    void shouldCapThroughputAtConfiguredBandwidthOverAVirtualSecond()
    {
        // 1 Mbit/s = 125,000 B/s; 1,000 B datagrams offered at 250/s, twice the cap, with a queue that never drops.
        final ImpairmentProfile profile = ImpairmentProfile.parse("bw=1mbps,bwqueue=10s");
        final ImpairedLink link = new ImpairedLink(profile, SEED, 1024, 1500);
        final Recorder recorder = new Recorder(1_000);

        streamUntil(link, recorder, 250, 4 * MS, 1_000, SECOND);

        assertEquals(125_000, profile.bandwidthBytesPerSecond());
        final long bytesInFirstSecond = recorder.count * 1_000L;
        assertEquals(125_000, bytesInFirstSecond, 1_000, "one virtual second at the cap; " + describe(link));
        assertEquals(0, link.counter(ImpairmentCounter.DROPPED_BANDWIDTH), describe(link));
        for (int i = 0; i < recorder.count; i++)
        {
            assertEquals((i + 1) * 8 * MS, recorder.deliveryNs[i], "8 ms per 1,000 B; " + describe(link));
        }
    }

    @Test
    void shouldTailDropWhenTheBandwidthQueueExceedsItsLimit()
    {
        final ImpairmentProfile profile = ImpairmentProfile.parse("bw=1mbps,bwqueue=100ms");
        final ImpairedLink link = new ImpairedLink(profile, SEED, 1024, 1500);
        final Recorder recorder = new Recorder(4_000);

        stream(link, recorder, 1_000, 4 * MS, 1_000);

        final long lastDeliveryNs = recorder.deliveryNs[recorder.count - 1];
        final double rate = recorder.count * 1_000.0 / (lastDeliveryNs / (double)SECOND);
        assertTrue(link.counter(ImpairmentCounter.DROPPED_BANDWIDTH) > 400, describe(link));
        assertEquals(125_000, rate, 2_000, "still at the cap; " + describe(link));
        for (int i = 0; i < recorder.count; i++)
        {
            assertTrue(recorder.latencyNs(i) <= 108 * MS, "queue wait + serialization; " + describe(link));
        }
    }

    @Test
    void shouldNotDelayTrafficBelowTheBandwidthCapBeyondSerialization()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.parse("bw=1mbps"), SEED, 64, 1500);
        final Recorder recorder = new Recorder(500);

        stream(link, recorder, 500, 20 * MS, 1_000);

        assertEquals(500, recorder.count, describe(link));
        for (int i = 0; i < recorder.count; i++)
        {
            assertEquals(8 * MS, recorder.latencyNs(i), describe(link));
        }
    }

    @Test
    void shouldFlipExactlyOneByteOfCorruptedCopies()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE.withCorrupt(0.1), SEED, 16, 64);
        final byte[] original = new byte[32];
        new SplittableRandom(SEED).nextBytes(original);
        final byte[] source = original.clone();
        final int[] changed = new int[1];
        final int[] bytesChanged = new int[1];
        final DeliveryHandler handler = (datagram, nowNs) ->
        {
            int diff = 0;
            for (int i = 0; i < datagram.readableBytes(); i++)
            {
                diff += datagram.getByte(datagram.readerIndex() + i) != original[i] ? 1 : 0;
            }
            changed[0] += diff > 0 ? 1 : 0;
            bytesChanged[0] += diff;
        };

        for (int i = 0; i < 20_000; i++)
        {
            link.offer(source, 0, source.length, i * MS);
            link.poll(i * MS, handler);
        }

        assertArrayEquals(original, source, "the sender's bytes are never touched");
        assertEquals(link.corrupted(), changed[0], describe(link));
        assertEquals(link.corrupted(), bytesChanged[0], "one byte per corrupted copy; " + describe(link));
        assertEquals(0.1, link.corrupted() / 20_000.0, 0.015, "10% +- 1.5% (7 sigma); " + describe(link));
    }

    @Test
    void shouldReplayTheSameDeliveriesFromTheSameSeed()
    {
        final ImpairmentProfile profile = ImpairmentProfile.BAD_4G.withCorrupt(0.01).withBandwidth(250_000)
            .withBlackout(300 * MS, 7 * SECOND, 2 * SECOND);

        final List<String> first = trace(new ImpairedLink(profile, SEED, 512, 1500), SEED);
        final List<String> second = trace(new ImpairedLink(profile, SEED, 512, 1500), SEED);
        final List<String> otherSeed = trace(new ImpairedLink(profile, SEED + 1, 512, 1500), SEED);

        assertTrue(first.size() > 1_000, REPLAY);
        assertEquals(first, second, "same seed, same deliveries, byte for byte; " + REPLAY);
        assertNotEquals(first, otherSeed, REPLAY);
    }

    @Test
    void shouldKeepTheAccountingIdentityUnderEveryImpairment()
    {
        final ImpairmentProfile profile = ImpairmentProfile.BAD_4G.withCorrupt(0.01).withBandwidth(100_000)
            .withBlackout(300 * MS, 7 * SECOND, 2 * SECOND);
        final ImpairedLink link = new ImpairedLink(profile, SEED, 64, 1200);
        final SplittableRandom sizes = new SplittableRandom(SEED);
        final byte[] datagram = new byte[1300];
        
        for (int i = 0; i < 50_000; i++)
        {
            final long t = i * MS;
            link.poll(t, IGNORE);
            link.offer(datagram, 0, sizes.nextInt(0, 1300), t);
            assertEquals(link.offered() + link.duplicated(), link.delivered() + link.dropped() + link.inFlight(),
                "at " + i + "; " + describe(link));
        }
        for (final ImpairmentCounter counter : ImpairmentCounter.values())
        {
            if (counter != ImpairmentCounter.DROPPED_QUEUE_FULL)
            {
                assertTrue(link.counter(counter) > 0, counter.label() + " exercised; " + describe(link));
            }
        }
    }

    @Test
    void shouldDropAndCountWhenEverySlotIsInFlightThenReuseSlots()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE.withDelayNs(SECOND), SEED, 16, 64);
        final ByteBuf datagram = Unpooled.wrappedBuffer(new byte[64]);
        final Recorder recorder = new Recorder(64);

        int accepted = 0;
        for (int i = 0; i < 100; i++)
        {
            datagram.setLong(0, i);
            accepted += link.offer(datagram, 0, 16, 0) ? 1 : 0;
        }
        assertEquals(16, accepted, describe(link));
        assertEquals(16, link.inFlight(), describe(link));
        assertEquals(84, link.counter(ImpairmentCounter.DROPPED_QUEUE_FULL), describe(link));
        assertEquals(SECOND, link.nextDeliveryNs(), describe(link));

        assertEquals(0, link.poll(SECOND - 1, recorder), describe(link));
        assertEquals(16, link.poll(SECOND, recorder), describe(link));
        assertEquals(Long.MAX_VALUE, link.nextDeliveryNs(), describe(link));
        for (int i = 0; i < 16; i++)
        {
            assertEquals(i, recorder.sequence[i], describe(link));
            assertTrue(link.offer(datagram, 0, 64, SECOND), "slot reused; " + describe(link));
        }
        assertFalse(link.offer(datagram, 0, 16, SECOND), describe(link));
        assertEquals(85, link.counter(ImpairmentCounter.DROPPED_QUEUE_FULL), describe(link));
    }

    @Test
    void shouldDropOversizeDatagramsAndBoundMemoryAtConstruction()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE, SEED, 4, 100);
        final byte[] big = new byte[101];

        assertFalse(link.offer(big, 0, 101, 0), describe(link));
        assertTrue(link.offer(big, 0, 100, 0), describe(link));
        assertEquals(1, link.counter(ImpairmentCounter.DROPPED_OVERSIZE), describe(link));
        assertEquals(4, link.capacity());
        assertEquals(100, link.maxDatagramLength());

        assertThrows(IndexOutOfBoundsException.class, () -> link.offer(big, 90, 20, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> link.offer(big, 0, -1, 0));
        assertEquals(2, link.offered(), "a caller bug is thrown before counting");

        assertMessage("capacity", () -> new ImpairedLink(ImpairmentProfile.NONE, SEED, 0, 100));
        assertMessage("maxDatagramLength", () -> new ImpairedLink(ImpairmentProfile.NONE, SEED, 4, 0));
        assertMessage("maxDatagramLength", () -> new ImpairedLink(ImpairmentProfile.NONE, SEED, 4, 70_000));
        assertMessage("capacity * maxDatagramLength",
            () -> new ImpairedLink(ImpairmentProfile.NONE, SEED, 1 << 20, 2_000));
    }

    @Test
    void shouldNotDuplicateWithoutAFreeSlot()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE.withDuplicate(1.0), SEED, 1, 16);
        final Recorder recorder = new Recorder(4);

        assertTrue(link.offer(new byte[16], 0, 16, 0));
        assertEquals(1, link.poll(0, recorder));
        assertEquals(0, link.duplicated(), describe(link));
    }

    @Test
    void shouldFreeTheSlotWhenTheHandlerThrowsAndRefuseReentrantPoll()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE, SEED, 1, 16);
        final byte[] datagram = new byte[16];

        assertTrue(link.offer(datagram, 0, 16, 0));
        assertThrows(IllegalStateException.class,
            () -> link.poll(0, (datagram1, nowNs) -> link.poll(nowNs, (datagram2, laterNs) -> {})));
        assertEquals(0, link.inFlight());
        assertTrue(link.offer(datagram, 0, 16, 0), "slot returned after the throw; " + describe(link));
        assertThrows(ArithmeticException.class,
            () -> link.poll(0, (datagram1, nowNs) -> { throw new ArithmeticException("handler bug"); }));
        assertTrue(link.offer(datagram, 0, 16, 0), "slot returned after the throw; " + describe(link));
    }

    @Test
    void shouldApplyANewProfileToLaterDatagramsOnly()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE.withDelayNs(100 * MS), SEED, 8, 16);
        final Recorder recorder = new Recorder(8);
        final byte[] datagram = new byte[16];

        assertTrue(link.offer(datagram, 0, 16, 0));
        link.profile(ImpairmentProfile.NONE.withLoss(1.0));
        assertFalse(link.offer(datagram, 0, 16, MS), describe(link));
        assertEquals(100 * MS, link.nextDeliveryNs(), "in flight keeps its time; " + describe(link));
        assertEquals(1, link.poll(100 * MS, recorder));
        assertEquals(ImpairmentProfile.NONE.withLoss(1.0), link.profile());
    }

    @Test
    void shouldAcceptNettyAndByteArraySourcesWithoutTouchingThem()
    {
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE, SEED, 8, 64);
        final Recorder recorder = new Recorder(8);
        final ByteBuf buf = Unpooled.buffer(64);
        try
        {
            buf.writeLong(7).writeLong(0).writeInt(42);
            assertTrue(link.offer(buf, buf.readerIndex(), buf.readableBytes(), 0));
            assertEquals(0, buf.readerIndex());
            assertEquals(20, buf.writerIndex());
            assertEquals(1, buf.refCnt());
        }
        finally
        {
            buf.release();
        }
        final byte[] array = new byte[24];
        Unpooled.wrappedBuffer(array).setLong(4, 9);
        assertTrue(link.offer(array, 4, 16, 0));
        assertEquals(2, link.poll(0, recorder));
        assertEquals(7, recorder.sequence[0]);
        assertEquals(9, recorder.sequence[1]);
        assertEquals(36, link.counter(ImpairmentCounter.BYTES_DELIVERED));
    }

    @Test
    void shouldAcceptAgronaBuffersOnAndOffHeap()
    {
        assumeTrue(agronaBuffersUsable(),
            "Agrona 2 buffers need --add-exports java.base/jdk.internal.misc=ALL-UNNAMED, not set by the build");
        final ImpairedLink link = new ImpairedLink(ImpairmentProfile.NONE, SEED, 8, 64);
        final Recorder recorder = new Recorder(8);
        final UnsafeBuffer onHeap = new UnsafeBuffer(new byte[32], 8, 24);
        onHeap.putLong(4, 11, ByteOrder.BIG_ENDIAN);
        final UnsafeBuffer offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(32));
        offHeap.putLong(0, 12, ByteOrder.BIG_ENDIAN);

        assertTrue(link.offer(onHeap, 4, 16, 0));
        assertTrue(link.offer(offHeap, 0, 16, 0));
        assertEquals(2, link.poll(0, recorder));
        assertEquals(11, recorder.sequence[0]);
        assertEquals(12, recorder.sequence[1]);
    }

    @Test
    void shouldMeasurePresetLossCloseToItsDocumentedAverage()
    {
        for (final String name : new String[]{ "wifi", "4g", "bad-4g" })
        {
            final ImpairmentProfile preset = ImpairmentProfile.preset(name);
            final ImpairedLink link = new ImpairedLink(preset.withDelayNs(0).withJitterNs(0).withReorder(0)
                .withDuplicate(0), SEED, 16, 64);
            final byte[] datagram = new byte[16];
            for (int i = 0; i < 200_000; i++)
            {
                link.offer(datagram, 0, 16, i * MS);
                link.poll(i * MS, IGNORE);
            }
            final double measured = link.dropped() / (double)link.offered();
            assertEquals(preset.averageLossProbability(), measured, 0.2 * preset.averageLossProbability(),
                name + "; " + describe(link));
        }
    }

    @Test
    void shouldAllocateNothingPerDatagramAfterConstruction()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs com.sun.management.ThreadMXBean");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "thread allocation accounting unavailable");

        // Every feature on, all three offer paths.
        final ImpairmentProfile profile = ImpairmentProfile.BAD_4G.withCorrupt(0.01).withBandwidth(2_000_000)
            .withBlackout(200 * MS, 5 * SECOND, SECOND);
        final ImpairedLink link = new ImpairedLink(profile, SEED, 4096, 256);
        final AllocationFreeLoop loop = new AllocationFreeLoop(link);

        loop.run(0, 200_000);
        final long beforeBytes = threads.getCurrentThreadAllocatedBytes();
        loop.run(200_000, 100_000);
        final long afterBytes = threads.getCurrentThreadAllocatedBytes();
        loop.release();
        System.out.println("ImpairedLinkTest: " + (afterBytes - beforeBytes) + " bytes allocated for 100k datagrams");

        assertTrue(loop.deliveredBytes > 0, describe(link));
        assertEquals(0, link.counter(ImpairmentCounter.DROPPED_QUEUE_FULL), "sized for the run; " + describe(link));
        assertTrue(afterBytes - beforeBytes < 1024,
            "allocated " + (afterBytes - beforeBytes) + " bytes for 100k datagrams; " + describe(link));
    }

    /** Offers and polls with every field preallocated and the handler held in a field. */
    private static final class AllocationFreeLoop implements DeliveryHandler
    {
        private final ImpairedLink link;
        private final byte[] array = new byte[256];
        // Not from an allocator: paranoid leak detection would record (allocate) on every access.
        private final ByteBuf netty = Unpooled.wrappedBuffer(new byte[256]);
        long deliveredBytes;

        AllocationFreeLoop(final ImpairedLink link)
        {
            this.link = link;
        }

        void run(final int from, final int count)
        {
            for (int i = from; i < from + count; i++)
            {
                final long t = i * 100 * US;
                link.poll(t, this);
                final int length = 64 + (i & 127);
                if ((i & 1) == 0)
                {
                    array[0] = (byte)i;
                    link.offer(array, 0, length, t);
                }
                else
                {
                    netty.setLong(0, i);
                    link.offer(netty, 0, length, t);
                }
            }
        }

        void release()
        {
            netty.release();
        }

        @Override
        public void onDelivery(final ByteBuf datagram, final long nowNs)
        {
            deliveredBytes += datagram.readableBytes() + datagram.getByte(datagram.readerIndex());
        }
    }

    /** Records sequence, send time (both from the payload) and delivery time of each copy, preallocated. */
    private static final class Recorder implements DeliveryHandler
    {
        final long[] sequence;
        final long[] sentNs;
        final long[] deliveryNs;
        int count;

        Recorder(final int capacity)
        {
            sequence = new long[capacity];
            sentNs = new long[capacity];
            deliveryNs = new long[capacity];
        }

        @Override
        public void onDelivery(final ByteBuf datagram, final long nowNs)
        {
            sequence[count] = datagram.getLong(datagram.readerIndex());
            sentNs[count] = datagram.getLong(datagram.readerIndex() + 8);
            deliveryNs[count] = nowNs;
            count++;
        }

        long latencyNs(final int i)
        {
            return deliveryNs[i] - sentNs[i];
        }
    }

    /** Offer {@code count} datagrams every {@code intervalNs} from time 0, delivering each at its exact time. */
    private static void stream(
        final ImpairedLink link, final Recorder recorder, final int count, final long intervalNs, final int length)
    {
        streamUntil(link, recorder, count, intervalNs, length, Long.MAX_VALUE);
    }

    private static void streamUntil(
        final ImpairedLink link,
        final Recorder recorder,
        final int count,
        final long intervalNs,
        final int length,
        final long endNs)
    {
        final ByteBuf datagram = Unpooled.wrappedBuffer(new byte[Math.max(16, length)]);
        for (int i = 0; i < count; i++)
        {
            final long t = i * intervalNs;
            deliverUntil(link, recorder, t);
            datagram.setLong(0, i);
            datagram.setLong(8, t);
            link.offer(datagram, 0, length, t);
        }
        deliverUntil(link, recorder, endNs);
    }

    /** Jump the clock from delivery to delivery up to {@code untilNs}; bounded by what is in flight. */
    private static void deliverUntil(final ImpairedLink link, final DeliveryHandler handler, final long untilNs)
    {
        while (link.inFlight() > 0 && link.nextDeliveryNs() <= untilNs)
        {
            assertTrue(link.poll(link.nextDeliveryNs(), handler) > 0);
        }
    }

    /** Loss runs of {@code count} datagrams offered one per ms with no delay. */
    private static LossRuns lossRuns(final ImpairedLink link, final int count)
    {
        final byte[] datagram = new byte[16];
        final LossRuns runs = new LossRuns();
        boolean previousLost = false;
        int run = 0;
        for (int i = 0; i < count; i++)
        {
            final boolean lost = !link.offer(datagram, 0, 16, i * MS);
            link.poll(i * MS, IGNORE);
            if (lost)
            {
                runs.lost++;
                runs.runs += previousLost ? 0 : 1;
                run = previousLost ? run + 1 : 1;
                runs.longestRun = Math.max(runs.longestRun, run);
            }
            if (previousLost)
            {
                runs.afterLoss++;
                runs.lostAfterLoss += lost ? 1 : 0;
            }
            previousLost = lost;
        }
        return runs;
    }

    /** Statistics of consecutive losses. */
    private static final class LossRuns
    {
        long lost;
        long runs;
        long afterLoss;
        long lostAfterLoss;
        int longestRun;

        double meanRun()
        {
            return lost / (double)Math.max(1, runs);
        }

        double lossAfterLoss()
        {
            return lostAfterLoss / (double)Math.max(1, afterLoss);
        }

        @Override
        public String toString()
        {
            return "{meanRun=" + meanRun() + ", lossAfterLoss=" + lossAfterLoss() + ", longestRun=" + longestRun + "}";
        }
    }

    /** Offer a seeded mix of sizes and gaps and record every delivery: sequence, time and a CRC of the bytes. */
    private static List<String> trace(final ImpairedLink link, final long scheduleSeed)
    {
        final SplittableRandom schedule = new SplittableRandom(scheduleSeed);
        final List<String> deliveries = new ArrayList<>();
        final CRC32 crc = new CRC32();
        final byte[] copy = new byte[1500];
        final DeliveryHandler handler = (received, nowNs) ->
        {
            final int length = received.readableBytes();
            received.readBytes(copy, 0, length);
            crc.reset();
            crc.update(copy, 0, length);
            deliveries.add(Unpooled.wrappedBuffer(copy).getLong(0) + "@" + nowNs + "#" +
                Long.toHexString(crc.getValue()));
        };
        final ByteBuf datagram = Unpooled.wrappedBuffer(new byte[1500]);
        long t = 0;
        for (int i = 0; i < 5_000; i++)
        {
            t += schedule.nextLong(0, 4 * MS);
            deliverUntil(link, handler, t);
            datagram.setLong(0, i);
            datagram.setLong(8, t);
            link.offer(datagram, 0, schedule.nextInt(16, 1500), t);
        }
        deliverUntil(link, handler, Long.MAX_VALUE);
        deliveries.add(Arrays.toString(new long[]{ link.offered(), link.delivered(), link.dropped() }));
        return deliveries;
    }

    private static void assertMessage(final String expected, final Runnable action)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(ex.getMessage().contains(expected), "'" + ex.getMessage() + "' names " + expected);
    }

    private static boolean agronaBuffersUsable()
    {
        try
        {
            return 0 == new UnsafeBuffer(new byte[1]).getByte(0);
        }
        catch (final LinkageError ex)
        {
            return false;
        }
    }

    private static String describe(final ImpairedLink link)
    {
        return REPLAY + "; " + link;
    }
}
