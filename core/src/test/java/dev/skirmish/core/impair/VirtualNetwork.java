package dev.skirmish.core.impair;

import dev.skirmish.core.wire.PacketHeader;
import io.netty.buffer.ByteBuf;
import org.agrona.DirectBuffer;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Two endpoints, A and B, joined by two {@link ImpairedLink}s (A to B and B to A, each with its own profile and
 * seed) on one virtual clock: a client and a server state machine can be wired through it without sockets, threads
 * or sleeps. Shipped in core's test-jar for the tests of every module.
 * <p>
 * <b>Time</b> starts at 0 and moves only in {@link #advance(long)} and {@link #runUntil(BooleanSupplier, long)},
 * which jump from event to event: a delivery (handed to the receiving endpoint with {@code nowNs} equal to its
 * delivery time) or, when {@link #tickIntervalNs(long)} is set, a tick (every endpoint's
 * {@link Endpoint#doWork(long)}, A first). At one instant the order is fixed: deliveries to B, deliveries to A,
 * then the tick. Endpoints send from their callbacks with {@link #sendAToB} and {@link #sendBToA}, at the current
 * time.
 * <p>
 * <b>Bounded:</b> every run stops at its time limit, and more than {@link #MAX_EVENTS_PER_INSTANT} events at one
 * instant (e.g. two endpoints answering each other over a zero-delay link forever) fails with an
 * {@link IllegalStateException} rather than spinning.
 * <p>
 * <b>Threading:</b> single-threaded: the test thread does everything.
 */
public final class VirtualNetwork
{
    /**
     * One side of the network: receives the datagrams sent by the other side and, if ticks are on, does its timed
     * work. Called on the test thread.
     */
    public interface Endpoint extends DeliveryHandler
    {
        /**
         * Timers, resends, sending: called every tick interval when ticks are on.
         *
         * @param nowNs virtual time.
         * @return work done, 0 when idle (informational).
         */
        default int doWork(final long nowNs)
        {
            return 0;
        }
    }

    /** Copies in flight per direction by default. */
    public static final int DEFAULT_CAPACITY = 4096;

    /** Longest datagram by default: the stack's default maximum datagram length. */
    public static final int DEFAULT_MAX_DATAGRAM_LENGTH = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;

    /** Most events (polls with deliveries, ticks) at one instant before a run fails as a livelock. */
    public static final int MAX_EVENTS_PER_INSTANT = 100_000;

    private static final Endpoint DISCARD = (datagram, nowNs) -> {};

    private final ImpairedLink aToB;
    private final ImpairedLink bToA;
    private Endpoint a = DISCARD;
    private Endpoint b = DISCARD;
    private long nowNs;
    private long tickIntervalNs;
    private long nextTickNs;
    private int eventsThisInstant;

    /**
     * A network with default capacity and datagram length; the two link seeds derive from {@code seed}
     * (the first two {@code nextLong()} of a {@link SplittableRandom} seeded with it).
     *
     * @param aToB profile of the A to B direction.
     * @param bToA profile of the B to A direction.
     * @param seed seed of both links; print it so a failure replays.
     */
    public VirtualNetwork(final ImpairmentProfile aToB, final ImpairmentProfile bToA, final long seed)
    {
        this(aToB, linkSeed(seed, 0), bToA, linkSeed(seed, 1), DEFAULT_CAPACITY, DEFAULT_MAX_DATAGRAM_LENGTH);
    }

    /**
     * A network with explicit seeds and sizes.
     *
     * @param aToB              profile of the A to B direction.
     * @param seedAToB          seed of the A to B link.
     * @param bToA              profile of the B to A direction.
     * @param seedBToA          seed of the B to A link.
     * @param capacity          copies in flight per direction.
     * @param maxDatagramLength longest datagram per direction.
     */
    public VirtualNetwork(
        final ImpairmentProfile aToB,
        final long seedAToB,
        final ImpairmentProfile bToA,
        final long seedBToA,
        final int capacity,
        final int maxDatagramLength)
    {
        this.aToB = new ImpairedLink(aToB, seedAToB, capacity, maxDatagramLength);
        this.bToA = new ImpairedLink(bToA, seedBToA, capacity, maxDatagramLength);
    }

    /**
     * Set both endpoints.
     *
     * @param a receives what B sends.
     * @param b receives what A sends.
     * @return this.
     */
    public VirtualNetwork endpoints(final Endpoint a, final Endpoint b)
    {
        this.a = null == a ? DISCARD : a;
        this.b = null == b ? DISCARD : b;
        return this;
    }

    /**
     * Call both endpoints' {@link Endpoint#doWork(long)} every {@code tickIntervalNs} of virtual time, starting now;
     * 0 turns ticks off (the default), leaving only deliveries.
     *
     * @param tickIntervalNs interval, 0 or more.
     * @return this.
     */
    public VirtualNetwork tickIntervalNs(final long tickIntervalNs)
    {
        if (tickIntervalNs < 0)
        {
            throw new IllegalArgumentException("tickIntervalNs must not be negative: " + tickIntervalNs);
        }
        this.tickIntervalNs = tickIntervalNs;
        this.nextTickNs = nowNs;
        return this;
    }

    /**
     * Virtual time.
     *
     * @return ns since the network was created.
     */
    public long nowNs()
    {
        return nowNs;
    }

    /**
     * The A to B link, for its counters.
     *
     * @return link.
     */
    public ImpairedLink aToB()
    {
        return aToB;
    }

    /**
     * The B to A link, for its counters.
     *
     * @return link.
     */
    public ImpairedLink bToA()
    {
        return bToA;
    }

    /**
     * Send from A to B now.
     *
     * @param src    datagram; copied.
     * @param offset first byte.
     * @param length bytes.
     * @return false when the link dropped it.
     */
    public boolean sendAToB(final DirectBuffer src, final int offset, final int length)
    {
        return aToB.offer(src, offset, length, nowNs);
    }

    /**
     * Send from A to B now.
     *
     * @param src    datagram; copied.
     * @param offset first byte.
     * @param length bytes.
     * @return false when the link dropped it.
     */
    public boolean sendAToB(final byte[] src, final int offset, final int length)
    {
        return aToB.offer(src, offset, length, nowNs);
    }

    /**
     * Send from A to B now: the readable bytes of {@code src}, whose indices and reference count are unchanged.
     *
     * @param src datagram; copied.
     * @return false when the link dropped it.
     */
    public boolean sendAToB(final ByteBuf src)
    {
        return aToB.offer(src, src.readerIndex(), src.readableBytes(), nowNs);
    }

    /**
     * Send from B to A now.
     *
     * @param src    datagram; copied.
     * @param offset first byte.
     * @param length bytes.
     * @return false when the link dropped it.
     */
    public boolean sendBToA(final DirectBuffer src, final int offset, final int length)
    {
        return bToA.offer(src, offset, length, nowNs);
    }

    /**
     * Send from B to A now.
     *
     * @param src    datagram; copied.
     * @param offset first byte.
     * @param length bytes.
     * @return false when the link dropped it.
     */
    public boolean sendBToA(final byte[] src, final int offset, final int length)
    {
        return bToA.offer(src, offset, length, nowNs);
    }

    /**
     * Send from B to A now: the readable bytes of {@code src}, whose indices and reference count are unchanged.
     *
     * @param src datagram; copied.
     * @return false when the link dropped it.
     */
    public boolean sendBToA(final ByteBuf src)
    {
        return bToA.offer(src, src.readerIndex(), src.readableBytes(), nowNs);
    }

    /**
     * Run every event up to and including {@code nowNs + durationNs}, then set the clock there.
     *
     * @param durationNs virtual time to pass, 0 or more.
     * @throws IllegalStateException on a livelock at one instant.
     */
    public void advance(final long durationNs)
    {
        if (durationNs < 0)
        {
            throw new IllegalArgumentException("durationNs must not be negative: " + durationNs);
        }
        final long targetNs = nowNs + durationNs;
        while (step(targetNs))
        {
            // step until nothing is due by the target
        }
        moveTo(targetNs);
    }

    /**
     * Run events until the condition holds (checked first, then after every event) or {@code maxNs} of virtual time
     * have passed.
     *
     * @param condition what to wait for.
     * @param maxNs     virtual time limit, 0 or more.
     * @return true when the condition holds; false when the limit was reached first (the clock is then at it).
     * @throws IllegalStateException on a livelock at one instant.
     */
    public boolean runUntil(final BooleanSupplier condition, final long maxNs)
    {
        if (maxNs < 0)
        {
            throw new IllegalArgumentException("maxNs must not be negative: " + maxNs);
        }
        final long deadlineNs = nowNs + maxNs;
        if (condition.getAsBoolean())
        {
            return true;
        }
        while (step(deadlineNs))
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
        }
        moveTo(deadlineNs);
        return condition.getAsBoolean();
    }

    /**
     * Seeds, virtual time and both links' counters, for failure messages.
     *
     * @return description.
     */
    @Override
    public String toString()
    {
        return "VirtualNetwork{nowNs=" + nowNs + ", aToB=" + aToB + ", bToA=" + bToA + "}";
    }

    private static long linkSeed(final long seed, final int index)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        long linkSeed = random.nextLong();
        for (int i = 0; i < index; i++)
        {
            linkSeed = random.nextLong();
        }
        return linkSeed;
    }

    private boolean step(final long limitNs)
    {
        long nextNs = Long.MAX_VALUE;
        boolean pending = false;
        if (aToB.inFlight() > 0)
        {
            nextNs = aToB.nextDeliveryNs();
            pending = true;
        }
        if (bToA.inFlight() > 0)
        {
            nextNs = Math.min(nextNs, bToA.nextDeliveryNs());
            pending = true;
        }
        if (tickIntervalNs > 0)
        {
            nextNs = Math.min(nextNs, nextTickNs);
            pending = true;
        }
        if (!pending || nextNs > limitNs)
        {
            return false;
        }

        moveTo(Math.max(nextNs, nowNs));
        if (++eventsThisInstant > MAX_EVENTS_PER_INSTANT)
        {
            throw new IllegalStateException("more than " + MAX_EVENTS_PER_INSTANT + " events at nowNs=" + nowNs +
                ": endpoints answering each other over a zero-delay link? " + this);
        }

        aToB.poll(nowNs, b);
        bToA.poll(nowNs, a);
        if (tickIntervalNs > 0 && nextTickNs <= nowNs)
        {
            nextTickNs = nowNs + tickIntervalNs;
            a.doWork(nowNs);
            b.doWork(nowNs);
        }
        return true;
    }

    private void moveTo(final long timeNs)
    {
        if (timeNs != nowNs)
        {
            nowNs = timeNs;
            eventsThisInstant = 0;
        }
    }
}
