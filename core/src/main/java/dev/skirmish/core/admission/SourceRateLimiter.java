package dev.skirmish.core.admission;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Per-source-IP token bucket for handshake packets, checked on the I/O thread before any crypto. Each source IP
 * address (never its port) gets a bucket that refills at {@code packetsPerSecond} and holds at most {@code burst}
 * packets.
 * <p>
 * <b>Threading:</b> single-writer. An instance is owned by one I/O thread and called only from it; nothing is
 * volatile and nothing is shared.
 * <p>
 * <b>Bucket:</b> each bucket is kept as one {@code long}, its theoretical arrival time ({@code tatNs}) in the generic
 * cell rate algorithm, which is exactly a token bucket of rate R and depth B: with emission interval
 * {@code T = 1e9 / R} ns and tolerance {@code tau = (B - 1) * T}, a packet at {@code nowNs} is accepted iff
 * {@code nowNs >= tatNs - tau}, and then {@code tatNs = max(tatNs, nowNs) + T}. The bucket's debt
 * {@code tatNs - nowNs} is how far it is from full; a debt of zero or less is a full bucket, indistinguishable from
 * a source never seen. Times are compared by subtraction, so any {@code nowNs} origin works (e.g.
 * {@link System#nanoTime()}), as long as it is monotonic.
 * <p>
 * <b>Key:</b> 128 bits. IPv4 {@code a.b.c.d} is stored as its IPv4-mapped IPv6 form {@code ::ffff:a.b.c.d}, so an
 * IPv4 source and the same source arriving as a mapped address on a dual-stack socket share one bucket.
 * <p>
 * <b>Table:</b> fixed capacity (a power of two), open addressing with a bounded linear probe window of
 * {@link #PROBE_WINDOW} slots, all slots in one {@code long[]} of stride 3:
 * <pre>
 *   slot i:  [ 3i + 0 ] key high 64 bits (IPv6 bytes 0..7, big-endian)
 *            [ 3i + 1 ] key low 64 bits  (IPv6 bytes 8..15, big-endian)
 *            [ 3i + 2 ] tatNs, or {@link #EMPTY} if the slot was never used
 * </pre>
 * The home slot is chosen by a keyed hash (SipHash-1-3 round structure over the two key words, with a 128-bit
 * per-instance secret), so a sender of forged sources cannot aim them all at one probe window without knowing the
 * secret, and it never sees a reply for a forged source to learn it. Slots are never emptied, so a key, if present,
 * is always before the first empty slot of its window and lookups stop there.
 * <p>
 * <b>Eviction when the window is full:</b> the slot with the smallest debt ({@code tatNs - nowNs}) in the window is
 * overwritten with the new source and a full bucket. That victim is the bucket that loses the least information:
 * a slot whose debt is {@code <= 0} is a full bucket and is overwritten at no cost at all; otherwise it is the
 * source that is closest to full. Trade-offs, deliberately:
 * <ul>
 *   <li>Memory is fixed at construction: 24 bytes per slot; a flood of any number of forged sources never grows
 *   it.</li>
 *   <li>A flood can only <em>reset</em> a real client's bucket to full by evicting it, never drain it: a real
 *   client is never refused because of other sources' traffic (fail-open for that client).</li>
 *   <li>A heavy sender that has drained its bucket carries the largest debt in its window (about {@code tau}),
 *   while fresh forged entries carry about {@code T}; it is the last to be evicted, so a flood does not launder
 *   its limit. When it is evicted anyway, it gains at most {@code B} packets, once per eviction.</li>
 *   <li>The per-source limit does not stop a flood of forged distinct sources by itself: each new source starts
 *   with a full bucket. That flood is what the stateless challenge cookie (nothing stored, no crypto beyond one
 *   MAC) and {@link HandshakeLoadDetector} are for; this class bounds what any one real address can cost.</li>
 * </ul>
 * <p>
 * <b>Allocation:</b> none per call in this class. {@link #tryAcquire(InetSocketAddress, long)} reads an IPv4 address
 * through {@link Inet4Address#hashCode()} (which is the address as an int) without allocating; for IPv6 the JDK
 * offers no allocation-free accessor, so {@link Inet6Address#getAddress()} copies the 16 bytes (one 32-byte array
 * per call). Netty has already allocated the {@link InetSocketAddress} and its {@link InetAddress} per datagram;
 * callers that hold the raw address use {@link #tryAcquireIpv4(int, long)} or
 * {@link #tryAcquireIpv6(long, long, long)}, which allocate nothing.
 */
public final class SourceRateLimiter
{
    /**
     * Number of consecutive slots probed for a key before evicting within them. Eight slots of 24 bytes span three
     * or four cache lines.
     */
    public static final int PROBE_WINDOW = 8;

    /**
     * Marker in the tat word of a slot never used. A real tat equal to it would only make that bucket read as full.
     */
    static final long EMPTY = Long.MIN_VALUE;

    private static final int STRIDE = 3;
    private static final int KEY_HIGH = 0;
    private static final int KEY_LOW = 1;
    private static final int TAT = 2;
    private static final long IPV4_MAPPED_HIGH = 0L;
    private static final long IPV4_MAPPED_LOW_PREFIX = 0x0000_FFFF_0000_0000L;

    private final int capacity;
    private final int mask;
    private final long emissionIntervalNs;
    private final long toleranceNs;
    private final int burst;
    private final long k0;
    private final long k1;
    private final long[] slots;

    private int size;
    private long evictions;

    /**
     * Create a limiter with a hash secret from {@link SecureRandom}, read once here.
     *
     * @param capacity         number of sources tracked at once; rounded up to a power of two, at least
     *                         {@link #PROBE_WINDOW}.
     * @param packetsPerSecond refill rate R of each bucket, in packets per second; greater than zero, at most 1e9.
     * @param burst            depth B of each bucket, in packets: what a fresh or idle source may send at once.
     */
    public SourceRateLimiter(final int capacity, final double packetsPerSecond, final int burst)
    {
        this(capacity, packetsPerSecond, burst, new SecureRandom().nextLong());
    }

    /**
     * Create a limiter whose hash secret derives from {@code seed}; for tests and replays.
     *
     * @param capacity         number of sources tracked at once; rounded up to a power of two, at least
     *                         {@link #PROBE_WINDOW}.
     * @param packetsPerSecond refill rate R of each bucket, in packets per second; greater than zero, at most 1e9.
     * @param burst            depth B of each bucket, in packets: what a fresh or idle source may send at once.
     * @param seed             seed of the per-instance hash secret.
     */
    public SourceRateLimiter(final int capacity, final double packetsPerSecond, final int burst, final long seed)
    {
        if (capacity < 1 || capacity > (1 << 26))
        {
            throw new IllegalArgumentException("capacity must be in [1, 2^26]: " + capacity);
        }
        if (!(packetsPerSecond > 0.0) || packetsPerSecond > 1e9)
        {
            throw new IllegalArgumentException("packetsPerSecond must be in (0, 1e9]: " + packetsPerSecond);
        }
        if (burst < 1)
        {
            throw new IllegalArgumentException("burst must be at least 1: " + burst);
        }

        final int rounded = Math.max(PROBE_WINDOW, 1 << (32 - Integer.numberOfLeadingZeros(capacity - 1)));
        this.capacity = rounded;
        this.mask = rounded - 1;
        this.emissionIntervalNs = Math.max(1L, Math.round(1e9 / packetsPerSecond));
        this.toleranceNs = Math.multiplyExact(emissionIntervalNs, (long)(burst - 1));
        this.burst = burst;

        final SplittableRandom random = new SplittableRandom(seed);
        this.k0 = random.nextLong();
        this.k1 = random.nextLong();

        slots = new long[rounded * STRIDE];
        for (int i = 0; i < rounded; i++)
        {
            slots[i * STRIDE + TAT] = EMPTY;
        }
    }

    /**
     * Take one token from the bucket of the source's IP address; the port is ignored. Called from the owning I/O
     * thread. Allocation-free for IPv4; for IPv6 see the class javadoc.
     *
     * @param source the datagram's sender.
     * @param nowNs  current time, in nanoseconds, from the caller's clock.
     * @return true if the packet is within the source's rate and should be processed, false to drop it. An
     * unresolved address (never produced by a socket) is refused.
     */
    public boolean tryAcquire(final InetSocketAddress source, final long nowNs)
    {
        final InetAddress address = source.getAddress();
        if (address instanceof Inet4Address)
        {
            // Inet4Address.hashCode() is the address as a big-endian int, without a copy.
            return tryAcquireIpv4(address.hashCode(), nowNs);
        }
        if (address instanceof Inet6Address)
        {
            return tryAcquire(address.getAddress(), nowNs);
        }

        return false;
    }

    /**
     * Take one token from the bucket of an address given as its raw bytes: 4 for IPv4, 16 for IPv6 (an
     * IPv4-mapped IPv6 address shares the bucket of its IPv4 address). Called from the owning I/O thread.
     *
     * @param address network-order address bytes.
     * @param nowNs   current time, in nanoseconds.
     * @return true to process the packet, false to drop it; false for any other length.
     */
    public boolean tryAcquire(final byte[] address, final long nowNs)
    {
        if (address.length == 4)
        {
            return tryAcquireIpv4(readInt(address, 0), nowNs);
        }
        if (address.length == 16)
        {
            return tryAcquireIpv6(readLong(address, 0), readLong(address, 8), nowNs);
        }

        return false;
    }

    /**
     * Take one token from the bucket of an IPv4 address. Called from the owning I/O thread; allocation-free.
     *
     * @param address the address as a big-endian int ({@code a.b.c.d} is {@code a << 24 | b << 16 | c << 8 | d}).
     * @param nowNs   current time, in nanoseconds.
     * @return true to process the packet, false to drop it.
     */
    public boolean tryAcquireIpv4(final int address, final long nowNs)
    {
        return acquire(IPV4_MAPPED_HIGH, IPV4_MAPPED_LOW_PREFIX | (address & 0xFFFF_FFFFL), nowNs);
    }

    /**
     * Take one token from the bucket of an IPv6 address; an IPv4-mapped address ({@code ::ffff:a.b.c.d}) shares the
     * bucket of {@code a.b.c.d}. Called from the owning I/O thread; allocation-free.
     *
     * @param high  address bytes 0..7 as a big-endian long.
     * @param low   address bytes 8..15 as a big-endian long.
     * @param nowNs current time, in nanoseconds.
     * @return true to process the packet, false to drop it.
     */
    public boolean tryAcquireIpv6(final long high, final long low, final long nowNs)
    {
        return acquire(high, low, nowNs);
    }

    /**
     * Number of slots: the most sources tracked at once. Constant for the life of the instance.
     *
     * @return the capacity, a power of two.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Number of slots in use. Never exceeds {@link #capacity()}; slots are reused, never freed.
     *
     * @return slots holding a source.
     */
    public int size()
    {
        return size;
    }

    /**
     * Number of times a tracked source whose bucket was not yet full was overwritten by a new one because its probe
     * window was full (overwriting a full bucket loses nothing and is not counted). A steadily rising count means
     * more active distinct sources than capacity, typically a forged flood.
     *
     * @return evictions since construction.
     */
    public long evictions()
    {
        return evictions;
    }

    /**
     * Interval between tokens, T = 1e9 / R.
     *
     * @return emission interval in nanoseconds.
     */
    public long emissionIntervalNs()
    {
        return emissionIntervalNs;
    }

    /**
     * Depth of each bucket.
     *
     * @return burst B, in packets.
     */
    public int burst()
    {
        return burst;
    }

    private boolean acquire(final long high, final long low, final long nowNs)
    {
        final long[] slots = this.slots;
        final int home = (int)hash(high, low) & mask;
        int victim = -1;
        long victimDebtNs = Long.MAX_VALUE;

        for (int probe = 0; probe < PROBE_WINDOW; probe++)
        {
            final int index = ((home + probe) & mask) * STRIDE;
            final long tatNs = slots[index + TAT];
            if (EMPTY == tatNs)
            {
                // Slots are never emptied, so the key is not further on: claim this one.
                size++;
                return admitFresh(slots, index, high, low, nowNs);
            }

            if (slots[index + KEY_LOW] == low && slots[index + KEY_HIGH] == high)
            {
                return admit(slots, index, tatNs, nowNs);
            }

            final long debtNs = tatNs - nowNs;
            if (debtNs < victimDebtNs)
            {
                victimDebtNs = debtNs;
                victim = index;
            }
        }

        if (victimDebtNs > 0)
        {
            // Only a bucket not yet refilled carries state worth counting as lost.
            evictions++;
        }

        return admitFresh(slots, victim, high, low, nowNs);
    }

    private boolean admit(final long[] slots, final int index, final long tatNs, final long nowNs)
    {
        if (nowNs - (tatNs - toleranceNs) < 0)
        {
            return false;
        }

        slots[index + TAT] = (nowNs - tatNs > 0 ? nowNs : tatNs) + emissionIntervalNs;
        return true;
    }

    private boolean admitFresh(
        final long[] slots, final int index, final long high, final long low, final long nowNs)
    {
        slots[index + KEY_HIGH] = high;
        slots[index + KEY_LOW] = low;
        slots[index + TAT] = nowNs + emissionIntervalNs;
        return true;
    }

    /**
     * Keyed hash of the 128-bit key: SipHash-1-3 round structure (one compression round per word, three
     * finalization rounds) over the two words, with the per-instance secret (k0, k1). Locals only.
     */
    private long hash(final long high, final long low)
    {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;

        // Rounds 0 and 1 compress high then low; rounds 2 to 4 finalize.
        for (int round = 0; round < 5; round++)
        {
            final long word = 0 == round ? high : low;
            if (round < 2)
            {
                v3 ^= word;
            }
            else if (2 == round)
            {
                v2 ^= 0xFF;
            }

            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);

            if (round < 2)
            {
                v0 ^= word;
            }
        }

        final long h = v0 ^ v1 ^ v2 ^ v3;
        return h ^ (h >>> 32);
    }

    private static int readInt(final byte[] bytes, final int offset)
    {
        return (bytes[offset] & 0xFF) << 24 |
            (bytes[offset + 1] & 0xFF) << 16 |
            (bytes[offset + 2] & 0xFF) << 8 |
            (bytes[offset + 3] & 0xFF);
    }

    private static long readLong(final byte[] bytes, final int offset)
    {
        return (readInt(bytes, offset) & 0xFFFF_FFFFL) << 32 | (readInt(bytes, offset + 4) & 0xFFFF_FFFFL);
    }
}
