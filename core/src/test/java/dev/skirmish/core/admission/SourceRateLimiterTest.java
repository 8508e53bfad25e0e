package dev.skirmish.core.admission;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceRateLimiterTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long SEED = Long.getLong("skirmish.test.seed", System.nanoTime());
    private static final String REPLAY = "replay with -Dskirmish.test.seed=" + SEED;

    static
    {
        System.out.println("SourceRateLimiterTest seed=" + SEED);
    }

    private static final int IP_A = ipv4(10, 0, 0, 1);
    private static final int IP_B = ipv4(10, 0, 0, 2);

    @Test
    void shouldAllowBurstThenRefuse()
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(64, 10, 5, SEED);
        final long nowNs = 1_000 * SECOND;

        for (int i = 0; i < 5; i++)
        {
            assertTrue(limiter.tryAcquireIpv4(IP_A, nowNs), "packet " + i + " of the burst; " + REPLAY);
        }
        assertFalse(limiter.tryAcquireIpv4(IP_A, nowNs), REPLAY);
        assertFalse(limiter.tryAcquireIpv4(IP_A, nowNs + 99 * MS), REPLAY);
    }

    @Test
    void shouldRefillAtRateOverVirtualTime()
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(64, 10, 5, SEED);
        final long startNs = 7 * SECOND;
        drain(limiter, IP_A, startNs);

        assertFalse(limiter.tryAcquireIpv4(IP_A, startNs + 99 * MS), REPLAY);
        assertTrue(limiter.tryAcquireIpv4(IP_A, startNs + 100 * MS), REPLAY);
        assertFalse(limiter.tryAcquireIpv4(IP_A, startNs + 100 * MS), REPLAY);

        // One attempt per virtual ms for 10 s more: exactly R per second gets through.
        int accepted = 0;
        for (long t = startNs + 101 * MS; t <= startNs + 10_100 * MS; t += MS)
        {
            accepted += limiter.tryAcquireIpv4(IP_A, t) ? 1 : 0;
        }
        assertEquals(100, accepted, REPLAY);
    }

    @Test
    void shouldCapRefillAtBurst()
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(64, 10, 5, SEED);
        drain(limiter, IP_A, 0);

        final long laterNs = 60 * SECOND;
        assertEquals(5, drain(limiter, IP_A, laterNs), REPLAY);
    }

    @Test
    void shouldKeepDifferentIpsIndependent()
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(64, 10, 5, SEED);
        drain(limiter, IP_A, 0);

        assertFalse(limiter.tryAcquireIpv4(IP_A, 0), REPLAY);
        assertEquals(5, drain(limiter, IP_B, 0), REPLAY);
    }

    @Test
    void shouldSharePortsOfSameIp() throws UnknownHostException
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(64, 10, 5, SEED);
        final InetAddress address = InetAddress.getByAddress(new byte[]{ (byte)192, (byte)168, 1, 7 });

        for (int i = 0; i < 5; i++)
        {
            assertTrue(limiter.tryAcquire(new InetSocketAddress(address, 40_000 + i), 0), REPLAY);
        }
        assertFalse(limiter.tryAcquire(new InetSocketAddress(address, 50_000), 0), REPLAY);
        assertFalse(limiter.tryAcquireIpv4(ipv4(192, 168, 1, 7), 0), "raw int shares the bucket; " + REPLAY);
        assertTrue(limiter.tryAcquire(new InetSocketAddress(address, 50_000), 100 * MS), REPLAY);
    }

    @Test
    void shouldLimitIpv6PerAddress() throws UnknownHostException
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(64, 10, 3, SEED);
        final byte[] bytes = InetAddress.getByName("2001:db8::1").getAddress();
        final InetAddress first = InetAddress.getByAddress(bytes);
        bytes[15] = 2;
        final InetAddress sameSlash64 = InetAddress.getByAddress(bytes);
        bytes[0] = 0x20;
        bytes[1] = 0x02;
        final InetAddress otherHigh = InetAddress.getByAddress(bytes);

        for (int i = 0; i < 3; i++)
        {
            assertTrue(limiter.tryAcquire(new InetSocketAddress(first, 1000 + i), 0), REPLAY);
        }
        assertFalse(limiter.tryAcquire(new InetSocketAddress(first, 2000), 0), REPLAY);
        assertTrue(limiter.tryAcquire(new InetSocketAddress(sameSlash64, 2000), 0), REPLAY);
        assertTrue(limiter.tryAcquire(new InetSocketAddress(otherHigh, 2000), 0), REPLAY);

        // The raw-long overload names the same bucket as the InetSocketAddress.
        assertFalse(limiter.tryAcquireIpv6(0x2001_0db8_0000_0000L, 1L, 0), REPLAY);
    }

    @Test
    void shouldTreatIpv4MappedIpv6AsIpv4() throws UnknownHostException
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(64, 10, 4, SEED);
        final byte[] mapped = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0xFF, (byte)0xFF, 10, 0, 0, 1 };
        // Inet6Address.getByAddress keeps the mapped form as an Inet6Address, as a dual-stack socket may.
        final Inet6Address mappedAddress = Inet6Address.getByAddress(null, mapped, -1);

        assertTrue(limiter.tryAcquireIpv4(IP_A, 0), REPLAY);
        assertTrue(limiter.tryAcquire(new InetSocketAddress(mappedAddress, 9000), 0), REPLAY);
        assertTrue(limiter.tryAcquire(mapped, 0), REPLAY);
        assertTrue(limiter.tryAcquireIpv6(0L, 0x0000_FFFF_0A00_0001L, 0), REPLAY);
        assertFalse(limiter.tryAcquire(new byte[]{ 10, 0, 0, 1 }, 0), "all four forms share one bucket; " + REPLAY);
        assertEquals(1, limiter.size(), REPLAY);
    }

    @Test
    void shouldRefuseUnresolvedOrMalformedAddresses()
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(64, 10, 4, SEED);

        assertFalse(limiter.tryAcquire(InetSocketAddress.createUnresolved("example.invalid", 1), 0));
        assertFalse(limiter.tryAcquire(new byte[5], 0));
        assertEquals(0, limiter.size());
    }

    @Test
    void shouldBeCorrectAcrossNanoTimeWrap()
    {
        final SourceRateLimiter limiter = new SourceRateLimiter(64, 10, 2, SEED);
        final long startNs = Long.MAX_VALUE - 50 * MS;
        drain(limiter, IP_A, startNs);

        assertFalse(limiter.tryAcquireIpv4(IP_A, startNs + 99 * MS), REPLAY);
        assertTrue(limiter.tryAcquireIpv4(IP_A, startNs + 100 * MS), REPLAY);
        assertEquals(2, drain(limiter, IP_A, startNs + 10 * SECOND), REPLAY);
    }

    @Test
    void shouldKeepCapacityAndAdmitLegitimateSourceDuringForgedFlood()
    {
        final int capacity = 4096;
        final SourceRateLimiter limiter = new SourceRateLimiter(capacity, 2000, 20, SEED);
        final SplittableRandom random = new SplittableRandom(SEED);
        final int legit = random.nextInt();
        final int multiplier = random.nextInt() | 1;
        final int offset = random.nextInt();

        int forged = 0;
        int legitSent = 0;
        int legitAccepted = 0;
        long nowNs = random.nextLong();
        for (int ms = 0; ms < 100; ms++)
        {
            for (int i = 0; i < 1000; i++)
            {
                // Odd multiplier plus offset is a bijection on int: 100k distinct forged sources.
                final int source = forged++ * multiplier + offset;
                if (source != legit)
                {
                    limiter.tryAcquireIpv4(source, nowNs + i * 1000L);
                }
            }
            legitSent++;
            legitAccepted += limiter.tryAcquireIpv4(legit, nowNs + 999_999L) ? 1 : 0;
            nowNs += MS;

            assertEquals(capacity, limiter.capacity(), REPLAY);
            assertTrue(limiter.size() <= capacity, "size " + limiter.size() + "; " + REPLAY);
        }

        assertEquals(100_000, forged);
        assertEquals(capacity, limiter.size(), REPLAY);
        assertTrue(legitAccepted >= 0.99 * legitSent,
            "legitimate source accepted " + legitAccepted + " of " + legitSent + "; " + REPLAY);
    }

    @Test
    void shouldKeepLimitingHeavySourceDuringForgedFlood()
    {
        final int capacity = 4096;
        final int burst = 10;
        final SourceRateLimiter limiter = new SourceRateLimiter(capacity, 1000, burst, SEED);
        final SplittableRandom random = new SplittableRandom(SEED ^ 0x5DEECE66DL);
        final int heavy = random.nextInt();
        final int multiplier = random.nextInt() | 1;
        final int offset = random.nextInt();

        int forged = 0;
        int heavyAccepted = 0;
        long nowNs = random.nextLong();
        final int durationMs = 100;
        for (int ms = 0; ms < durationMs; ms++)
        {
            for (int i = 0; i < 1000; i++)
            {
                final int source = forged++ * multiplier + offset;
                if (source != heavy)
                {
                    limiter.tryAcquireIpv4(source, nowNs + i * 1000L);
                }
                if (i % 100 == 50)
                {
                    // Ten times its rate: the flood must not launder its limit by evicting it.
                    heavyAccepted += limiter.tryAcquireIpv4(heavy, nowNs + i * 1000L) ? 1 : 0;
                }
            }
            nowNs += MS;
        }

        assertTrue(heavyAccepted <= burst + durationMs + 1,
            "heavy source accepted " + heavyAccepted + " of " + durationMs * 10 + "; " + REPLAY);
        assertTrue(heavyAccepted >= durationMs, "heavy source still gets its rate; " + REPLAY);
    }

    @Test
    void shouldNotAllocateOnIpv4Paths() throws UnknownHostException
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final SourceRateLimiter limiter = new SourceRateLimiter(1024, 1000, 10, SEED);
        final InetSocketAddress[] sources = new InetSocketAddress[64];
        for (int i = 0; i < sources.length; i++)
        {
            sources[i] = new InetSocketAddress(InetAddress.getByAddress(new byte[]{ 10, 1, 2, (byte)i }), 5000 + i);
        }

        final int calls = 200_000;
        long sink = exercise(limiter, sources, calls, 0);
        final long beforeBytes = threads.getCurrentThreadAllocatedBytes();
        sink += exercise(limiter, sources, calls, SECOND);
        final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - beforeBytes;

        assertTrue(sink > 0);
        assertTrue(allocatedBytes < 1024, allocatedBytes + " bytes over " + calls * 2 + " calls; " + REPLAY);
    }

    @Test
    void shouldRoundCapacityAndValidateConfiguration()
    {
        assertEquals(1024, new SourceRateLimiter(1000, 1, 1, SEED).capacity());
        assertEquals(SourceRateLimiter.PROBE_WINDOW, new SourceRateLimiter(1, 1, 1, SEED).capacity());
        assertEquals(500_000_000L, new SourceRateLimiter(8, 2, 1, SEED).emissionIntervalNs());
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(0, 1, 1, SEED));
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(8, 0, 1, SEED));
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(8, Double.NaN, 1, SEED));
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(8, 1, 0, SEED));
    }

    private static long exercise(
        final SourceRateLimiter limiter, final InetSocketAddress[] sources, final int calls, final long startNs)
    {
        long accepted = 0;
        for (int i = 0; i < calls; i++)
        {
            final long nowNs = startNs + i * 10_000L;
            accepted += limiter.tryAcquire(sources[i & 63], nowNs) ? 1 : 0;
            accepted += limiter.tryAcquireIpv4(i, nowNs) ? 1 : 0;
        }

        return accepted;
    }

    private static int drain(final SourceRateLimiter limiter, final int address, final long nowNs)
    {
        int accepted = 0;
        while (limiter.tryAcquireIpv4(address, nowNs))
        {
            accepted++;
        }

        return accepted;
    }

    private static int ipv4(final int a, final int b, final int c, final int d)
    {
        return a << 24 | b << 16 | c << 8 | d;
    }
}
