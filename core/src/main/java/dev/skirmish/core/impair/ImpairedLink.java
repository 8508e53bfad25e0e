package dev.skirmish.core.impair;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.DirectBuffer;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One direction of a virtual link: decides for each offered datagram whether it is dropped, duplicated, reordered
 * or corrupted and when it arrives, per an {@link ImpairmentProfile}, and holds it until then. Skirmish's
 * equivalent of Aeron's {@code LossGenerator} and of netem, for kernels and tests without {@code tc}.
 * <p>
 * <b>Threading:</b> single-threaded. One thread offers, polls and reads the counters; nothing is volatile.
 * <p>
 * <b>Time is an input:</b> {@code offer} and {@code poll} take {@code nowNs}, non-decreasing from call to call, on
 * any clock (a virtual one in tests, {@link System#nanoTime()} in a bot). Times are compared by subtraction, so any
 * origin works. {@link #nextDeliveryNs()} lets a virtual clock jump straight to the next delivery.
 * <p>
 * <b>Determinism:</b> every random decision is drawn from one {@link SplittableRandom} seeded at construction, in
 * a fixed order, so the same seed, profile and sequence of calls give the same deliveries, byte for byte.
 * <p>
 * <b>What happens to an offered datagram</b>, in this order (each drop is counted under its own
 * {@link ImpairmentCounter}, and ends the list):
 * <ol>
 *   <li>Counted as offered.</li>
 *   <li>Longer than {@link #maxDatagramLength()}: dropped as oversize (the link's MTU).</li>
 *   <li>Offered inside a blackout window: dropped as blackout.</li>
 *   <li>Loss, drawn with the loss probability of the Gilbert-Elliott state the datagram finds (the plain loss when
 *   burst loss is off): dropped as loss (good state) or burst (bad state). Then the chain takes one step. Datagrams
 *   dropped in 2 or 3 do not step it: bursts are counted in datagrams that reach the lossy hop.</li>
 *   <li>Bandwidth cap: the datagram leaves the bottleneck {@code length / rate} after the previous one has left (or
 *   after now, if the link is idle); if it would wait more than the profile's queue limit first, it is tail-dropped
 *   as bandwidth.</li>
 *   <li>No free slot: dropped as queue full.</li>
 *   <li>Copied into its slot. With the duplication probability a second copy goes into another slot (if one is
 *   free; otherwise no copy is made).</li>
 *   <li>Each copy, with the corruption probability, gets one random byte XORed with a random non-zero value.</li>
 *   <li>Each copy arrives at {@code departure + delay + jitter} (never before its departure); in
 *   {@link ImpairmentProfile.JitterMode#ORDERED} mode never before the last copy scheduled that was not reordered.
 *   With the reorder probability the original (not its duplicate) is held back a further reorder delay and holds
 *   back no one: copies offered within that time after it overtake it.</li>
 * </ol>
 * <b>Delivery:</b> {@link #poll(long, DeliveryHandler, int)} hands each due copy to a {@link DeliveryHandler} as a
 * read-only Netty view of its slot (no Agrona buffer is used, so no {@code --add-exports} is needed).
 * <p>
 * <b>Memory:</b> fixed at construction, {@code capacity * maxDatagramLength} bytes of slot storage plus 36 bytes
 * of bookkeeping per slot. Nothing is allocated per datagram: slots come from a free stack and the delivery order is
 * a binary min-heap of slot indices.
 */
public final class ImpairedLink
{
    /** Largest accepted maximum datagram length: the largest UDP payload over IPv4, 65,507 bytes. */
    public static final int MAX_DATAGRAM_LENGTH = 65_507;

    /** Largest accepted slot storage, {@code capacity * maxDatagramLength}: 1 GiB. */
    public static final long MAX_STORAGE_BYTES = 1L << 30;

    private static final int NO_SLOT = -1;
    private static final long NS_PER_SECOND = 1_000_000_000L;

    private static final int OFFERED = ImpairmentCounter.OFFERED.id();
    private static final int DELIVERED = ImpairmentCounter.DELIVERED.id();
    private static final int DROPPED_LOSS = ImpairmentCounter.DROPPED_LOSS.id();
    private static final int DROPPED_BURST = ImpairmentCounter.DROPPED_BURST.id();
    private static final int DROPPED_BLACKOUT = ImpairmentCounter.DROPPED_BLACKOUT.id();
    private static final int DROPPED_BANDWIDTH = ImpairmentCounter.DROPPED_BANDWIDTH.id();
    private static final int DROPPED_QUEUE_FULL = ImpairmentCounter.DROPPED_QUEUE_FULL.id();
    private static final int DROPPED_OVERSIZE = ImpairmentCounter.DROPPED_OVERSIZE.id();
    private static final int DUPLICATED = ImpairmentCounter.DUPLICATED.id();
    private static final int REORDERED = ImpairmentCounter.REORDERED.id();
    private static final int CORRUPTED = ImpairmentCounter.CORRUPTED.id();
    private static final int DELIVERED_OUT_OF_ORDER = ImpairmentCounter.DELIVERED_OUT_OF_ORDER.id();
    private static final int BYTES_OFFERED = ImpairmentCounter.BYTES_OFFERED.id();
    private static final int BYTES_DELIVERED = ImpairmentCounter.BYTES_DELIVERED.id();

    private final long seed;
    private final int capacity;
    private final int maxDatagramLength;
    private final SplittableRandom random;
    private final byte[] storage;
    private final ByteBuf view;
    private final int[] lengths;
    private final long[] sequences;
    private final int[] freeSlots;
    private final DeliverySchedule deliveries;
    private final long[] counters = new long[ImpairmentCounter.count()];

    private ImpairmentProfile profile;
    private double lossProbability;
    private boolean burstEnabled;
    private double burstEnterProbability;
    private double burstExitProbability;
    private double burstLossProbability;
    private long delayNs;
    private long jitterNs;
    private boolean orderedJitter;
    private double duplicateProbability;
    private double reorderProbability;
    private long reorderDelayNs;
    private double corruptProbability;
    private long bandwidthBytesPerSecond;
    private long bandwidthQueueNs;
    private long blackoutDurationNs;
    private long blackoutPeriodNs;
    private long blackoutOffsetNs;

    private int freeCount;
    private boolean started;
    private boolean inBurst;
    private boolean polling;
    private long linkFreeNs;
    private long orderFloorNs;
    private long departureNs;
    private long nextSequence;
    private long nextOrder;
    private long highestDeliveredSequence = -1;

    /**
     * Create a link with all its memory.
     *
     * @param profile           what the link does to datagrams.
     * @param seed              seed of every random decision; log it so a failure can be replayed.
     * @param capacity          datagram copies in flight at once, 1 or more; beyond it datagrams are dropped as queue
     *                          full. Size it for the bandwidth-delay product: send rate times the longest delay.
     * @param maxDatagramLength longest datagram carried, 1 to {@link #MAX_DATAGRAM_LENGTH}; longer ones are dropped
     *                          as oversize.
     * @throws IllegalArgumentException naming the parameter when one is out of range, or when the slot storage
     *                                  would exceed {@link #MAX_STORAGE_BYTES}.
     */
    public ImpairedLink(
        final ImpairmentProfile profile, final long seed, final int capacity, final int maxDatagramLength)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        if (maxDatagramLength < 1 || maxDatagramLength > MAX_DATAGRAM_LENGTH)
        {
            throw new IllegalArgumentException(
                "maxDatagramLength must be in [1, " + MAX_DATAGRAM_LENGTH + "]: " + maxDatagramLength);
        }
        if ((long)capacity * maxDatagramLength > MAX_STORAGE_BYTES)
        {
            throw new IllegalArgumentException("capacity * maxDatagramLength must not exceed " + MAX_STORAGE_BYTES +
                " bytes: " + capacity + " * " + maxDatagramLength);
        }

        this.seed = seed;
        this.capacity = capacity;
        this.maxDatagramLength = maxDatagramLength;
        this.random = new SplittableRandom(seed);
        this.storage = new byte[capacity * maxDatagramLength];
        // One view for every delivery: read-only, and unreleasable so a handler's release cannot free the storage.
        this.view = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(storage).asReadOnly());
        this.lengths = new int[capacity];
        this.sequences = new long[capacity];
        this.freeSlots = new int[capacity];
        this.deliveries = new DeliverySchedule(capacity);
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
        profile(profile);
    }

    /**
     * Offer a datagram to the link. Never throws for a datagram the link refuses: it is dropped and counted.
     *
     * @param src    datagram bytes; copied, so the caller may reuse it on return.
     * @param offset first byte in {@code src}.
     * @param length datagram length.
     * @param nowNs  current time on the link's clock.
     * @return true when at least one copy is in flight, false when it was dropped.
     * @throws IndexOutOfBoundsException when {@code offset} and {@code length} are not within {@code src}.
     */
    public boolean offer(final byte[] src, final int offset, final int length, final long nowNs)
    {
        Objects.checkFromIndexSize(offset, length, src.length);
        final int slot = admit(length, nowNs);
        if (NO_SLOT == slot)
        {
            return false;
        }
        System.arraycopy(src, offset, storage, slotOffset(slot), length);
        schedule(slot, length);
        return true;
    }

    /**
     * Offer a datagram held in an Agrona buffer. See {@link #offer(byte[], int, int, long)}. Note that Agrona 2's
     * buffers need {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} on Java 17; this class itself uses
     * none.
     *
     * @param src    datagram bytes; copied.
     * @param offset first byte in {@code src}.
     * @param length datagram length.
     * @param nowNs  current time on the link's clock.
     * @return true when at least one copy is in flight, false when it was dropped.
     * @throws IndexOutOfBoundsException when {@code offset} and {@code length} are not within {@code src}.
     */
    public boolean offer(final DirectBuffer src, final int offset, final int length, final long nowNs)
    {
        Objects.checkFromIndexSize(offset, length, src.capacity());
        final int slot = admit(length, nowNs);
        if (NO_SLOT == slot)
        {
            return false;
        }
        src.getBytes(offset, storage, slotOffset(slot), length);
        schedule(slot, length);
        return true;
    }

    /**
     * Offer a datagram held in a Netty buffer, without changing its indices or reference count. See
     * {@link #offer(byte[], int, int, long)}.
     *
     * @param src    datagram bytes; copied.
     * @param index  absolute index of the first byte in {@code src}.
     * @param length datagram length.
     * @param nowNs  current time on the link's clock.
     * @return true when at least one copy is in flight, false when it was dropped.
     * @throws IndexOutOfBoundsException when {@code index} and {@code length} are not within {@code src}.
     */
    public boolean offer(final ByteBuf src, final int index, final int length, final long nowNs)
    {
        Objects.checkFromIndexSize(index, length, src.capacity());
        final int slot = admit(length, nowNs);
        if (NO_SLOT == slot)
        {
            return false;
        }
        src.getBytes(index, storage, slotOffset(slot), length);
        schedule(slot, length);
        return true;
    }

    /**
     * Deliver, in delivery-time order (ties in the order they were scheduled), every copy due at {@code nowNs},
     * up to {@code limit}. Must not be called from its own handler.
     *
     * @param nowNs   current time on the link's clock.
     * @param handler receives each copy; a copy's slot is freed when the handler returns or throws.
     * @param limit   most copies delivered by this call; bounds the work even if the handler offers more datagrams
     *                due at once.
     * @return number of copies delivered.
     * @throws IllegalStateException when called from inside its own handler.
     */
    public int poll(final long nowNs, final DeliveryHandler handler, final int limit)
    {
        if (polling)
        {
            throw new IllegalStateException("ImpairedLink.poll called from its own delivery handler");
        }
        polling = true;
        int delivered = 0;
        try
        {
            while (delivered < limit && !deliveries.isEmpty() && deliveries.peekTimeNs() - nowNs <= 0)
            {
                final int slot = deliveries.poll();
                final int length = lengths[slot];
                final long sequence = sequences[slot];
                counters[DELIVERED]++;
                counters[BYTES_DELIVERED] += length;
                if (sequence < highestDeliveredSequence)
                {
                    counters[DELIVERED_OUT_OF_ORDER]++;
                }
                else
                {
                    highestDeliveredSequence = sequence;
                }
                delivered++;

                final int offset = slotOffset(slot);
                view.setIndex(offset, offset + length);
                try
                {
                    handler.onDelivery(view, nowNs);
                }
                finally
                {
                    freeSlots[freeCount++] = slot;
                }
            }
        }
        finally
        {
            polling = false;
        }
        return delivered;
    }

    /**
     * Deliver every copy due at {@code nowNs}, at most {@link #capacity()} of them.
     *
     * @param nowNs   current time on the link's clock.
     * @param handler receives each copy.
     * @return number of copies delivered.
     * @see #poll(long, DeliveryHandler, int)
     */
    public int poll(final long nowNs, final DeliveryHandler handler)
    {
        return poll(nowNs, handler, capacity);
    }

    /**
     * When the earliest copy in flight is due.
     *
     * @return its delivery time, or {@link Long#MAX_VALUE} when nothing is in flight (check {@link #inFlight()} when
     * the clock may be near that value).
     */
    public long nextDeliveryNs()
    {
        return deliveries.isEmpty() ? Long.MAX_VALUE : deliveries.peekTimeNs();
    }

    /**
     * Copies scheduled and not yet delivered.
     *
     * @return 0 to {@link #capacity()}.
     */
    public int inFlight()
    {
        return deliveries.size();
    }

    /**
     * Change what the link does from now on. Copies in flight keep their delivery times; the Gilbert-Elliott state
     * is kept unless burst loss is turned off.
     *
     * @param profile the new profile.
     */
    public void profile(final ImpairmentProfile profile)
    {
        this.profile = Objects.requireNonNull(profile, "profile");
        lossProbability = profile.lossProbability();
        burstEnabled = profile.isBurstLossEnabled();
        burstEnterProbability = profile.burstEnterProbability();
        burstExitProbability = profile.burstExitProbability();
        burstLossProbability = profile.burstLossProbability();
        delayNs = profile.delayNs();
        jitterNs = profile.jitterNs();
        orderedJitter = profile.jitterMode() == ImpairmentProfile.JitterMode.ORDERED;
        duplicateProbability = profile.duplicateProbability();
        reorderProbability = profile.reorderProbability();
        reorderDelayNs = profile.reorderDelayNs();
        corruptProbability = profile.corruptProbability();
        bandwidthBytesPerSecond = profile.bandwidthBytesPerSecond();
        bandwidthQueueNs = profile.bandwidthQueueNs();
        blackoutDurationNs = profile.blackoutDurationNs();
        blackoutPeriodNs = profile.blackoutPeriodNs();
        blackoutOffsetNs = profile.blackoutOffsetNs();
        inBurst &= burstEnabled;
    }

    /**
     * The profile in force.
     *
     * @return profile.
     */
    public ImpairmentProfile profile()
    {
        return profile;
    }

    /**
     * Seed of the random decisions.
     *
     * @return seed given at construction.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * Datagram copies that can be in flight at once.
     *
     * @return slots.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Longest datagram carried.
     *
     * @return bytes.
     */
    public int maxDatagramLength()
    {
        return maxDatagramLength;
    }

    /**
     * Whether the Gilbert-Elliott chain is in its bad (burst) state.
     *
     * @return true in a burst.
     */
    public boolean inBurst()
    {
        return inBurst;
    }

    /**
     * Value of a counter.
     *
     * @param counter which one.
     * @return its value.
     */
    public long counter(final ImpairmentCounter counter)
    {
        return counters[counter.id()];
    }

    /**
     * Datagrams offered.
     *
     * @return count.
     */
    public long offered()
    {
        return counters[OFFERED];
    }

    /**
     * Copies delivered, duplicates included.
     *
     * @return count.
     */
    public long delivered()
    {
        return counters[DELIVERED];
    }

    /**
     * Datagrams dropped for any reason: the sum of the {@code DROPPED_*} counters.
     *
     * @return count.
     */
    public long dropped()
    {
        return counters[DROPPED_LOSS] + counters[DROPPED_BURST] + counters[DROPPED_BLACKOUT] +
            counters[DROPPED_BANDWIDTH] + counters[DROPPED_QUEUE_FULL] + counters[DROPPED_OVERSIZE];
    }

    /**
     * Extra copies made by duplication.
     *
     * @return count.
     */
    public long duplicated()
    {
        return counters[DUPLICATED];
    }

    /**
     * Datagrams held back by the reorder delay.
     *
     * @return count.
     */
    public long reordered()
    {
        return counters[REORDERED];
    }

    /**
     * Copies with a byte flipped.
     *
     * @return count.
     */
    public long corrupted()
    {
        return counters[CORRUPTED];
    }

    /**
     * The seed, profile, copies in flight and every non-zero counter, for failure messages and logs.
     *
     * @return e.g. {@code ImpairedLink{seed=42, profile=loss=5%, inFlight=3, offered=100, delivered=92, ...}}.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(256)
            .append("ImpairedLink{seed=").append(seed)
            .append(", profile=").append(profile)
            .append(", inFlight=").append(inFlight());
        for (int id = 0; id < counters.length; id++)
        {
            if (counters[id] != 0)
            {
                sb.append(", ").append(ImpairmentCounter.get(id).label()).append('=').append(counters[id]);
            }
        }
        return sb.append('}').toString();
    }

    private int admit(final int length, final long nowNs)
    {
        counters[OFFERED]++;
        counters[BYTES_OFFERED] += length;
        if (!started)
        {
            started = true;
            linkFreeNs = nowNs;
            orderFloorNs = nowNs;
        }

        if (length > maxDatagramLength)
        {
            counters[DROPPED_OVERSIZE]++;
            return NO_SLOT;
        }
        if (blackoutDurationNs > 0 &&
            Math.floorMod(nowNs - blackoutOffsetNs, blackoutPeriodNs) < blackoutDurationNs)
        {
            counters[DROPPED_BLACKOUT]++;
            return NO_SLOT;
        }
        if (isLost())
        {
            return NO_SLOT;
        }

        long departure = nowNs;
        if (bandwidthBytesPerSecond > 0)
        {
            final long startNs = linkFreeNs - nowNs > 0 ? linkFreeNs : nowNs;
            if (startNs - nowNs > bandwidthQueueNs)
            {
                counters[DROPPED_BANDWIDTH]++;
                return NO_SLOT;
            }
            departure = startNs + (length * NS_PER_SECOND + bandwidthBytesPerSecond - 1) / bandwidthBytesPerSecond;
        }
        if (0 == freeCount)
        {
            counters[DROPPED_QUEUE_FULL]++;
            return NO_SLOT;
        }

        if (bandwidthBytesPerSecond > 0)
        {
            linkFreeNs = departure;
        }
        departureNs = departure;
        return freeSlots[--freeCount];
    }

    private boolean isLost()
    {
        final boolean bad = inBurst;
        final double lossNow = bad ? burstLossProbability : lossProbability;
        final boolean lost = lossNow > 0.0 && random.nextDouble() < lossNow;
        if (burstEnabled)
        {
            if (bad)
            {
                inBurst = !(random.nextDouble() < burstExitProbability);
            }
            else
            {
                inBurst = random.nextDouble() < burstEnterProbability;
            }
        }
        if (lost)
        {
            counters[bad ? DROPPED_BURST : DROPPED_LOSS]++;
        }
        return lost;
    }

    private void schedule(final int slot, final int length)
    {
        final long sequence = nextSequence++;
        lengths[slot] = length;
        sequences[slot] = sequence;

        int copy = NO_SLOT;
        if (duplicateProbability > 0.0 && random.nextDouble() < duplicateProbability && freeCount > 0)
        {
            copy = freeSlots[--freeCount];
            System.arraycopy(storage, slotOffset(slot), storage, slotOffset(copy), length);
            lengths[copy] = length;
            sequences[copy] = sequence;
            counters[DUPLICATED]++;
        }
        final boolean reorder = reorderProbability > 0.0 && random.nextDouble() < reorderProbability;

        maybeCorrupt(slot, length);
        long timeNs = deliveryTimeNs(!reorder);
        if (reorder)
        {
            timeNs += reorderDelayNs;
            counters[REORDERED]++;
        }
        deliveries.add(slot, timeNs, nextOrder++);

        if (NO_SLOT != copy)
        {
            maybeCorrupt(copy, length);
            deliveries.add(copy, deliveryTimeNs(true), nextOrder++);
        }
    }

    private long deliveryTimeNs(final boolean holdsBackLater)
    {
        long timeNs = departureNs + delayNs;
        if (jitterNs > 0)
        {
            timeNs += random.nextLong(-jitterNs, jitterNs + 1);
            if (timeNs - departureNs < 0)
            {
                timeNs = departureNs;
            }
        }
        if (holdsBackLater && orderedJitter)
        {
            if (timeNs - orderFloorNs < 0)
            {
                timeNs = orderFloorNs;
            }
            orderFloorNs = timeNs;
        }
        return timeNs;
    }

    private void maybeCorrupt(final int slot, final int length)
    {
        if (corruptProbability > 0.0 && random.nextDouble() < corruptProbability && length > 0)
        {
            final int index = slotOffset(slot) + random.nextInt(length);
            storage[index] ^= (byte)(1 + random.nextInt(255));
            counters[CORRUPTED]++;
        }
    }

    private int slotOffset(final int slot)
    {
        return slot * maxDatagramLength;
    }
}
