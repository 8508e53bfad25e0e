package dev.skirmish.core.impair;

import dev.skirmish.core.impair.ImpairmentProfile.JitterMode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImpairmentProfileTest
{
    private static final long US = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long SEED = Long.getLong("skirmish.test.seed", System.nanoTime());
    private static final String REPLAY = "replay with -Dskirmish.test.seed=" + SEED;

    static
    {
        System.out.println("ImpairmentProfileTest seed=" + SEED);
    }

    @Test
    void shouldResolveEveryPresetByNameAndSpec()
    {
        assertEquals(List.of("none", "lan", "wifi", "4g", "bad-4g"), ImpairmentProfile.presetNames());
        for (final String name : ImpairmentProfile.presetNames())
        {
            final ImpairmentProfile preset = ImpairmentProfile.preset(name);
            assertSame(preset, ImpairmentProfile.preset(" " + name.toUpperCase() + " "));
            assertEquals(preset, ImpairmentProfile.parse(name), name);
            assertEquals(preset, ImpairmentProfile.parse(preset.toString()), name + " -> " + preset);
        }
        assertEquals("none", ImpairmentProfile.NONE.toString());
        assertSame(ImpairmentProfile.NONE, ImpairmentProfile.parse(""));
        assertSame(ImpairmentProfile.NONE, ImpairmentProfile.parse("  "));
    }

    @Test
    void shouldHaveTheDocumentedPresetParameters()
    {
        final ImpairmentProfile lan = ImpairmentProfile.preset("lan");
        assertEquals(200 * US, lan.delayNs());
        assertEquals(50 * US, lan.jitterNs());
        assertEquals(0.0, lan.averageLossProbability());

        final ImpairmentProfile wifi = ImpairmentProfile.preset("wifi");
        assertEquals(2 * MS, wifi.delayNs());
        assertEquals(2 * MS, wifi.jitterNs());
        assertEquals(1.0 / 101, wifi.averageLossProbability(), 1e-12, "(0.5% + 0.5%) / 101");

        final ImpairmentProfile mobile = ImpairmentProfile.preset("4g");
        assertEquals(30 * MS, mobile.delayNs());
        assertEquals(10 * MS, mobile.jitterNs());
        assertEquals(0.02, mobile.averageLossProbability(), 1e-9);
        assertTrue(mobile.isBurstLossEnabled());

        final ImpairmentProfile bad = ImpairmentProfile.preset("bad-4g");
        assertEquals(80 * MS, bad.delayNs());
        assertEquals(40 * MS, bad.jitterNs());
        assertEquals(0.08, bad.averageLossProbability(), 1e-9);
        assertEquals(0.005, bad.duplicateProbability());
        assertEquals(0.02, bad.reorderProbability());
        assertEquals(40 * MS, bad.reorderDelayNs());

        for (final String name : ImpairmentProfile.presetNames())
        {
            final ImpairmentProfile preset = ImpairmentProfile.preset(name);
            assertEquals(0, preset.bandwidthBytesPerSecond(), name);
            assertEquals(0.0, preset.corruptProbability(), name);
            assertTrue(!preset.isBlackoutEnabled(), name);
            assertTrue(!preset.isRebindEnabled(), name);
        }
    }

    @Test
    void shouldWriteTheBriefsExampleSpecBackVerbatim()
    {
        final String spec = "loss=5%,delay=10ms,jitter=5ms,dup=1%,reorder=10%,bw=1mbps,blackout=2s/5s";
        final ImpairmentProfile profile = ImpairmentProfile.parse(spec);

        assertEquals(0.05, profile.lossProbability());
        assertEquals(10 * MS, profile.delayNs());
        assertEquals(5 * MS, profile.jitterNs());
        assertEquals(0.01, profile.duplicateProbability());
        assertEquals(0.1, profile.reorderProbability());
        assertEquals(ImpairmentProfile.DEFAULT_REORDER_DELAY_NS, profile.reorderDelayNs());
        assertEquals(125_000, profile.bandwidthBytesPerSecond());
        assertEquals(2 * SECOND, profile.blackoutDurationNs());
        assertEquals(5 * SECOND, profile.blackoutPeriodNs());
        assertEquals(0, profile.blackoutOffsetNs());
        assertEquals(spec, profile.toString());
    }

    @Test
    void shouldRoundTripEveryField()
    {
        final ImpairmentProfile profile = ImpairmentProfile.NONE
            .withLoss(0.123456789)
            .withBurstLoss(0.001, 0.333, 0.9)
            .withDelayNs(1_234_567)
            .withJitterNs(7 * US)
            .withJitterMode(JitterMode.INDEPENDENT)
            .withDuplicate(1e-6)
            .withReorder(0.25, 3 * SECOND)
            .withCorrupt(0.5)
            .withBandwidth(187_500, 250 * MS)
            .withBlackout(90 * SECOND, 60 * 60 * SECOND, 60 * SECOND)
            .withRebind(10 * SECOND, 3 * SECOND);

        final String spec = profile.toString();

        assertEquals("loss=12.3456789%,burst=0.1%/33.3%/90%,delay=1234567ns,jitter=7us,jittermode=independent," +
            "dup=0.0001%,reorder=25%/3s,corrupt=50%,bw=1500kbps,bwqueue=250ms,blackout=90s/1h@1m,rebind=10s@3s", spec);
        assertEquals(profile, ImpairmentProfile.parse(spec));
        assertEquals(profile.hashCode(), ImpairmentProfile.parse(spec).hashCode());
    }

    @Test
    void shouldRoundTripRandomProfiles()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 2_000; i++)
        {
            final long periodNs = random.nextLong(1, ImpairmentProfile.MAX_DURATION_NS + 1);
            final double p = random.nextDouble();
            ImpairmentProfile profile = ImpairmentProfile.NONE
                .withLoss(random.nextDouble())
                .withBurstLoss(p, p > 0 ? random.nextDouble(Double.MIN_VALUE, 1.0) : 0.0, random.nextDouble())
                .withDelayNs(randomDuration(random))
                .withJitterNs(randomDuration(random))
                .withDuplicate(random.nextBoolean() ? 0.0 : random.nextDouble())
                .withReorder(random.nextDouble(), randomDuration(random))
                .withCorrupt(random.nextInt(4) == 0 ? 1.0 : random.nextDouble())
                .withBandwidth(random.nextLong(0, ImpairmentProfile.MAX_BANDWIDTH_BYTES_PER_SECOND + 1),
                    randomDuration(random))
                .withBlackout(random.nextLong(0, periodNs + 1), periodNs, random.nextLong(0, periodNs));
            if (random.nextBoolean())
            {
                profile = profile.withJitterMode(JitterMode.INDEPENDENT);
            }
            if (random.nextBoolean())
            {
                final long intervalNs = random.nextBoolean() ?
                    random.nextLong(1, 1_000) * 100 * MS :
                    random.nextLong(ImpairmentProfile.MIN_REBIND_INTERVAL_NS, ImpairmentProfile.MAX_DURATION_NS + 1);
                profile = random.nextBoolean() ?
                    profile.withRebind(intervalNs) : profile.withRebind(intervalNs, randomDuration(random));
            }

            final String spec = profile.toString();
            assertEquals(profile, ImpairmentProfile.parse(spec), "case " + i + ": " + spec + "; " + REPLAY);
            assertEquals(spec, ImpairmentProfile.parse(spec).toString(), "case " + i + "; " + REPLAY);
        }
    }

    @Test
    void shouldApplyItemsOverALeadingPreset()
    {
        final ImpairmentProfile profile = ImpairmentProfile.parse("bad-4g, bw=2mbps ,LOSS=1%");

        assertEquals(ImpairmentProfile.BAD_4G.withBandwidth(250_000).withLoss(0.01), profile);
        assertEquals(ImpairmentProfile.BAD_4G.burstEnterProbability(), profile.burstEnterProbability());
    }

    @Test
    void shouldAcceptEquivalentSpellings()
    {
        assertEquals(ImpairmentProfile.parse("loss=5%"), ImpairmentProfile.parse("loss=0.05"));
        assertEquals(ImpairmentProfile.parse("loss=0.5%"), ImpairmentProfile.parse("loss=0.005"));
        assertEquals(ImpairmentProfile.NONE.withBurstLoss(0.01, 0.3, 1.0), ImpairmentProfile.parse("burst=1%/30%"));
        assertEquals(8_000, ImpairmentProfile.parse("bw=64kbps").bandwidthBytesPerSecond());
        assertEquals(187_500, ImpairmentProfile.parse("bw=1.5Mbps").bandwidthBytesPerSecond());
        assertEquals(125_000_000, ImpairmentProfile.parse("bw=1gbps").bandwidthBytesPerSecond());
        assertEquals(0, ImpairmentProfile.parse("4g,bw=0").bandwidthBytesPerSecond());
        assertEquals(0, ImpairmentProfile.parse("bw=unlimited").bandwidthBytesPerSecond());
        assertEquals(0, ImpairmentProfile.parse("bw=0kbps").bandwidthBytesPerSecond());
        assertEquals(1, ImpairmentProfile.parse("bw=8bps").bandwidthBytesPerSecond());
        assertEquals(500, ImpairmentProfile.parse("jitter=500ns").jitterNs());
        assertEquals(30 * MS, ImpairmentProfile.parse("reorder=10%/30ms").reorderDelayNs());
        assertEquals(ImpairmentProfile.NONE.withBlackout(300 * MS, 30 * SECOND, 10 * SECOND),
            ImpairmentProfile.parse("blackout=300ms/30s@10s"));
        assertEquals(ImpairmentProfile.NONE.withRebind(10 * SECOND, 10 * SECOND),
            ImpairmentProfile.parse("rebind=10s"));
        assertEquals(ImpairmentProfile.NONE.withRebind(500 * MS, 0), ImpairmentProfile.parse("rebind=500ms@0s"));
        assertEquals(ImpairmentProfile.NONE, ImpairmentProfile.parse("rebind=0s"));
        assertEquals(JitterMode.INDEPENDENT, ImpairmentProfile.parse("jittermode=Independent").jitterMode());
        assertEquals(ImpairmentProfile.NONE, ImpairmentProfile.parse("jittermode=ordered"));
    }

    @Test
    void shouldRejectBadSpecsNamingTheItem()
    {
        assertRejected("loss=150%", "loss=150%", "between 0% and 100%");
        assertRejected("loss=-1%", "loss=-1%", "between 0% and 100%");
        assertRejected("loss=lots", "loss=lots", "not a probability");
        assertRejected("loss=", "loss=", "not a probability");
        assertRejected("delay=10", "delay=10", "not a duration");
        assertRejected("delay=-5ms", "delay=-5ms", "not a duration");
        assertRejected("delay=25h", "delay=25h", "longer than");
        assertRejected("jitter=1.5ms", "jitter=1.5ms", "not a duration");
        assertRejected("jitter=ns", "jitter=ns", "not a duration");
        assertRejected("jittermode=random", "jittermode=random", "ordered or independent");
        assertRejected("bw=fast", "bw=fast", "not a bandwidth");
        assertRejected("bw=1mb", "bw=1mb", "not a bandwidth");
        assertRejected("bw=4bps", "bw=4bps", "below one byte per second");
        assertRejected("bw=-1mbps", "bw=-1mbps", "between 8bps and 1000gbps");
        assertRejected("bw=2000gbps", "bw=2000gbps", "between 8bps and 1000gbps");
        assertRejected("bwqueue=forever", "bwqueue=forever", "not a duration");
        assertRejected("blackout=5s/2s", "blackout=5s/2s", "blackoutDurationNs must not exceed blackoutPeriodNs");
        assertRejected("blackout=2s", "blackout=2s", "duration/period");
        assertRejected("blackout=1s/5s@5s", "blackout=1s/5s@5s", "blackoutOffsetNs must be below");
        assertRejected("blackout=1s/0s", "blackout=1s/0s", "blackoutPeriodNs must be above 0");
        assertRejected("blackout=1s/x", "blackout=1s/x", "blackout period");
        assertRejected("rebind=50ms", "rebind=50ms", "rebindIntervalNs must be 0 (off) or at least");
        assertRejected("rebind=25h", "rebind=25h", "longer than");
        assertRejected("rebind=soon", "rebind=soon", "rebind interval");
        assertRejected("rebind=10s@x", "rebind=10s@x", "rebind offset");
        assertRejected("rebind=10s@1s@2s", "rebind=10s@1s@2s", "interval or interval@offset");
        assertRejected("rebind=0s@1s", "rebind=0s@1s", "rebindOffsetNs must be 0 when rebindIntervalNs is 0");
        assertRejected("burst=1%", "burst=1%", "p/r or p/r/h");
        assertRejected("burst=1%/0%/50%", "burst=1%/0%/50%", "burstExitProbability");
        assertRejected("reorder=10%/5ms/1ms", "reorder=10%/5ms/1ms", "p or p/delay");
        assertRejected("reorder=10%/soon", "reorder=10%/soon", "reorder delay");
        assertRejected("foo=1", "unknown key 'foo'", "loss, burst, delay");
        assertRejected("loss=5%,loss=6%", "loss is given twice", "loss=5%,loss=6%");
        assertRejected("loss=5%,,delay=1ms", "empty item at position 2", "loss=5%,,delay=1ms");
        assertRejected("loss=5%,", "empty item at position 2", "loss=5%,");
        assertRejected("turbo", "unknown impairment preset 'turbo'", "bad-4g");
        assertRejected("loss=5%,wifi", "'wifi' is not key=value", "only the first item may be a preset");
    }

    @Test
    void shouldValidateEveryWithMethodNamingTheField()
    {
        final ImpairmentProfile none = ImpairmentProfile.NONE;
        assertRejectedField("lossProbability", () -> none.withLoss(1.5));
        assertRejectedField("lossProbability", () -> none.withLoss(-0.1));
        assertRejectedField("lossProbability", () -> none.withLoss(Double.NaN));
        assertRejectedField("burstEnterProbability", () -> none.withBurstLoss(2.0, 0.5, 0.5));
        assertRejectedField("burstExitProbability", () -> none.withBurstLoss(0.1, 0.0, 0.5));
        assertRejectedField("burstLossProbability", () -> none.withBurstLoss(0.1, 0.5, 1.01));
        assertRejectedField("delayNs", () -> none.withDelayNs(-1));
        assertRejectedField("jitterNs", () -> none.withJitterNs(ImpairmentProfile.MAX_DURATION_NS + 1));
        assertRejectedField("jitterMode", () -> none.withJitterMode(null));
        assertRejectedField("duplicateProbability", () -> none.withDuplicate(Double.POSITIVE_INFINITY));
        assertRejectedField("reorderProbability", () -> none.withReorder(1.1));
        assertRejectedField("reorderDelayNs", () -> none.withReorder(0.1, -1));
        assertRejectedField("corruptProbability", () -> none.withCorrupt(2.0));
        assertRejectedField("bandwidthBytesPerSecond", () -> none.withBandwidth(-1));
        assertRejectedField("bandwidthBytesPerSecond",
            () -> none.withBandwidth(ImpairmentProfile.MAX_BANDWIDTH_BYTES_PER_SECOND + 1));
        assertRejectedField("bandwidthQueueNs", () -> none.withBandwidth(1_000, -1));
        assertRejectedField("blackoutDurationNs", () -> none.withBlackout(-1, SECOND, 0));
        assertRejectedField("blackoutDurationNs", () -> none.withBlackout(2 * SECOND, SECOND, 0));
        assertRejectedField("blackoutPeriodNs", () -> none.withBlackout(SECOND, 0, 0));
        assertRejectedField("blackoutOffsetNs", () -> none.withBlackout(SECOND, 5 * SECOND, 5 * SECOND));
        assertRejectedField("rebindIntervalNs", () -> none.withRebind(-1));
        assertRejectedField("rebindIntervalNs", () -> none.withRebind(99 * MS));
        assertRejectedField("rebindIntervalNs", () -> none.withRebind(ImpairmentProfile.MAX_DURATION_NS + 1));
        assertRejectedField("rebindOffsetNs", () -> none.withRebind(SECOND, -1));
        assertRejectedField("rebindOffsetNs", () -> none.withRebind(SECOND, ImpairmentProfile.MAX_DURATION_NS + 1));
        assertRejectedField("rebindOffsetNs", () -> none.withRebind(0, SECOND));
    }

    @Test
    void shouldCopyOnEveryChangeAndCompareByValue()
    {
        final ImpairmentProfile base = ImpairmentProfile.NONE.withDelayNs(10 * MS);
        final ImpairmentProfile lossy = base.withLoss(0.1);

        assertEquals(0.0, base.lossProbability());
        assertEquals(0.1, lossy.lossProbability());
        assertEquals(10 * MS, lossy.delayNs());
        assertNotEquals(base, lossy);
        assertEquals(base, lossy.withLoss(0.0));
        assertEquals(base.hashCode(), lossy.withLoss(0.0).hashCode());
        assertEquals(ImpairmentProfile.NONE, ImpairmentProfile.MOBILE_4G.withoutBurstLoss().withLoss(0)
            .withDelayNs(0).withJitterNs(0));
        assertEquals(ImpairmentProfile.NONE, ImpairmentProfile.NONE.withBlackout(SECOND, 2 * SECOND, 0)
            .withoutBlackout());
        assertEquals(ImpairmentProfile.NONE, ImpairmentProfile.NONE.withRebind(SECOND).withoutRebind());
        assertEquals(ImpairmentProfile.BAD_4G, ImpairmentProfile.BAD_4G.withRebind(SECOND, 0).withoutRebind());
    }

    @Test
    void shouldScheduleRebindsWithTheOffsetDefaultingToTheInterval()
    {
        final ImpairmentProfile every10s = ImpairmentProfile.parse("4g,rebind=10s");

        assertTrue(every10s.isRebindEnabled());
        assertEquals(10 * SECOND, every10s.rebindIntervalNs());
        assertEquals(10 * SECOND, every10s.rebindOffsetNs());
        assertEquals(ImpairmentProfile.MOBILE_4G.withRebind(10 * SECOND), every10s);
        assertEquals("loss=1%,burst=1%/30%/32%,delay=30ms,jitter=10ms,rebind=10s", every10s.toString());

        final ImpairmentProfile phased = ImpairmentProfile.parse("rebind=10s@3s");
        assertEquals(10 * SECOND, phased.rebindIntervalNs());
        assertEquals(3 * SECOND, phased.rebindOffsetNs());
        assertEquals("rebind=10s@3s", phased.toString());
        assertEquals("rebind=100ms@0s", ImpairmentProfile.NONE.withRebind(100 * MS, 0).toString());
        assertEquals(ImpairmentProfile.MAX_DURATION_NS,
            ImpairmentProfile.parse("rebind=24h").rebindIntervalNs(), "the longest accepted interval");

        assertTrue(!ImpairmentProfile.NONE.isRebindEnabled());
        assertEquals(0, ImpairmentProfile.NONE.rebindIntervalNs());
        assertEquals(0, ImpairmentProfile.NONE.rebindOffsetNs());
        assertNotEquals(phased, ImpairmentProfile.parse("rebind=10s@4s"));
    }

    @Test
    void shouldComputeTheStationaryAverageLoss()
    {
        final ImpairmentProfile profile = ImpairmentProfile.NONE.withLoss(0.01).withBurstLoss(0.05, 0.45, 0.5);

        // Bad share 0.05 / 0.5 = 10%: 0.9 * 1% + 0.1 * 50%.
        assertEquals(0.059, profile.averageLossProbability(), 1e-12);
        assertEquals(0.01, profile.withoutBurstLoss().averageLossProbability());
    }

    private static long randomDuration(final SplittableRandom random)
    {
        switch (random.nextInt(4))
        {
            case 0:
                return 0;

            case 1:
                return random.nextLong(0, 1_000) * MS;

            case 2:
                return random.nextLong(0, 1_000_000) * US;

            default:
                return random.nextLong(0, ImpairmentProfile.MAX_DURATION_NS + 1);
        }
    }

    private static void assertRejected(final String spec, final String expected, final String alsoExpected)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> ImpairmentProfile.parse(spec), spec);
        assertTrue(ex.getMessage().contains(expected) && ex.getMessage().contains(alsoExpected),
            "'" + spec + "' rejected with '" + ex.getMessage() + "', expected it to mention '" + expected +
            "' and '" + alsoExpected + "'");
    }

    private static void assertRejectedField(final String field, final Runnable change)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, change::run, field);
        assertTrue(ex.getMessage().startsWith(field), "'" + ex.getMessage() + "' names " + field);
    }
}
