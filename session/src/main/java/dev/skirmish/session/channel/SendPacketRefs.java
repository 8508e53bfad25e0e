package dev.skirmish.session.channel;

import java.util.Arrays;

/**
 * The reliable chunks each sent packet carries, so that an ack or a loss of the packet reaches them: a ring of chunk
 * ids written packet after packet, and per packet (slot = packet number &amp; (capacity - 1), the sent-packet
 * tracker's capacity) where its run of ids starts and how long it is. The packet number is the tracker's payload
 * handle.
 * <pre>
 *   refs:    ... | p7: c12 c13 | p8: c14 | p9 (being built): c15 c16 ...
 *                 ^ oldest live packet's start                        ^ write
 * </pre>
 * A packet is live from {@link #record} until its ack or loss; the ring never overwrites a live packet's run
 * ({@link #free()}). A packet reported lost keeps its run readable until the ring wraps over it (or its packet slot
 * is reused), so a spurious loss can still mark its chunks acked; past that the chunks are simply resent.
 * <p>
 * <b>Memory.</b> A game session has a few packets and a few dozen chunks in flight, so both rings start at
 * {@value #MIN_CAPACITY} entries and double on demand up to their capacities: the ref ring when a chunk is added to
 * a full one ({@link #free()} counts against the full capacity, so what may be sent is as if it were allocated up
 * front); the packet table when a packet's slot still holds a live packet (at the tracker's capacity that cannot
 * happen: the tracker keeps live packets less than its capacity apart). Growing re-slots the entries under the new
 * mask. Growth is the only allocation after construction.
 * <p>
 * Not thread safe: single writer, the thread that owns the session.
 */
public final class SendPacketRefs
{
    /** Entries each ring starts with (or its capacity, if smaller): a power of two. */
    static final int MIN_CAPACITY = 64;

    private final int refCapacity;
    private final int packetCapacity;
    private long[] refs;
    private int refMask;
    // lowest position the ref ring still holds: positions before the last growth were not carried over in full
    private long readableFrom;
    private int packetMask;
    private long[] packetNumbers;
    private long[] packetStart;
    private int[] packetCount;
    private boolean[] packetLive;
    private long write;
    private long buildStart;
    private long oldestLive;
    private long largestRecorded = -1;

    /**
     * @param refCapacity    chunk references at most, a power of two.
     * @param packetCapacity the sent-packet tracker's capacity, a power of two.
     */
    public SendPacketRefs(final int refCapacity, final int packetCapacity)
    {
        this.refCapacity = refCapacity;
        this.packetCapacity = packetCapacity;
        refs = new long[Math.min(MIN_CAPACITY, refCapacity)];
        refMask = refs.length - 1;
        allocatePackets(Math.min(MIN_CAPACITY, packetCapacity));
    }

    /**
     * @return references that may still be added to the packet being built.
     */
    public long free()
    {
        return refCapacity - (write - liveStart());
    }

    /**
     * Start the run of the next packet.
     */
    public void beginPacket()
    {
        buildStart = write;
    }

    /**
     * Add a chunk to the packet being built; check {@link #free()} first.
     *
     * @param chunkId chunk.
     */
    public void add(final long chunkId)
    {
        if (write - liveStart() >= refs.length && refs.length < refCapacity)
        {
            growRefs();
        }
        refs[(int)(write++ & refMask)] = chunkId;
    }

    /**
     * The packet being built was sent and recorded by the tracker under this number: its run becomes live.
     *
     * @param packetNumber its packet number (the tracker's handle).
     */
    public void record(final long packetNumber)
    {
        while (packetNumbers.length < packetCapacity && isLiveOther(packetNumber))
        {
            growPackets();
        }
        final int slot = (int)(packetNumber & packetMask);
        packetNumbers[slot] = packetNumber;
        packetStart[slot] = buildStart;
        packetCount[slot] = (int)(write - buildStart);
        packetLive[slot] = true;
        if (largestRecorded < 0)
        {
            oldestLive = packetNumber;
        }
        largestRecorded = packetNumber;
        buildStart = write;
    }

    /**
     * The packet being built was not sent or not recorded: its chunks are queued for resend and its run is dropped.
     *
     * @param queue the send queue.
     */
    public void abandon(final SendQueue queue)
    {
        for (long i = buildStart; i < write; i++)
        {
            queue.onChunkLost(refs[(int)(i & refMask)]);
        }
        write = buildStart;
    }

    /**
     * @param packetNumber a packet acked for the first time.
     * @param queue        told of its chunks.
     */
    public void onAcked(final long packetNumber, final SendQueue queue)
    {
        final int slot = (int)(packetNumber & packetMask);
        if (packetNumbers[slot] == packetNumber && packetLive[slot])
        {
            packetLive[slot] = false;
            final long start = packetStart[slot];
            for (int i = 0, count = packetCount[slot]; i < count; i++)
            {
                queue.onChunkAcked(refs[(int)((start + i) & refMask)]);
            }
        }
    }

    /**
     * @param packetNumber a packet declared lost.
     * @param queue        its chunks are queued for resend.
     */
    public void onLost(final long packetNumber, final SendQueue queue)
    {
        final int slot = (int)(packetNumber & packetMask);
        if (packetNumbers[slot] == packetNumber && packetLive[slot])
        {
            packetLive[slot] = false;
            final long start = packetStart[slot];
            for (int i = 0, count = packetCount[slot]; i < count; i++)
            {
                queue.onChunkLost(refs[(int)((start + i) & refMask)]);
            }
        }
    }

    /**
     * A packet declared lost was acked after all: its chunks arrived, so those still queued for resend need not go.
     * Ignored once the ring has wrapped over its run; the queue ignores chunk ids it no longer holds.
     *
     * @param packetNumber the packet.
     * @param queue        told of its chunks.
     */
    public void onSpuriousLoss(final long packetNumber, final SendQueue queue)
    {
        final int slot = (int)(packetNumber & packetMask);
        final long start = packetStart[slot];
        if (packetNumbers[slot] == packetNumber && !packetLive[slot] &&
            start >= write - refs.length && start >= readableFrom)
        {
            for (int i = 0, count = packetCount[slot]; i < count; i++)
            {
                queue.onChunkAcked(refs[(int)((start + i) & refMask)]);
            }
        }
    }

    /**
     * @return ring position of the oldest run still needed: the oldest live packet's, else the one being built.
     */
    private long liveStart()
    {
        while (oldestLive <= largestRecorded)
        {
            final int slot = (int)(oldestLive & packetMask);
            if (packetNumbers[slot] == oldestLive && packetLive[slot])
            {
                return packetStart[slot];
            }
            oldestLive++;
        }
        return buildStart;
    }

    private boolean isLiveOther(final long packetNumber)
    {
        final int slot = (int)(packetNumber & packetMask);
        return packetLive[slot] && packetNumbers[slot] != packetNumber;
    }

    /**
     * Double the ref ring, carrying over every position it holds (live, being built, or readable for a spurious
     * loss) to its slot under the new mask.
     */
    private void growRefs()
    {
        final long[] old = refs;
        final int oldMask = refMask;
        refs = new long[2 * old.length];
        refMask = refs.length - 1;
        readableFrom = Math.max(readableFrom, write - old.length);
        for (long position = Math.max(0, readableFrom); position < write; position++)
        {
            refs[(int)(position & refMask)] = old[(int)(position & oldMask)];
        }
    }

    private void allocatePackets(final int capacity)
    {
        packetMask = capacity - 1;
        packetNumbers = new long[capacity];
        packetStart = new long[capacity];
        packetCount = new int[capacity];
        packetLive = new boolean[capacity];
        Arrays.fill(packetNumbers, -1L);
    }

    /**
     * Double the packet table, moving every recorded packet to its slot under the new mask: packets in distinct
     * slots of the old table land in distinct slots of the new one.
     */
    private void growPackets()
    {
        final long[] numbers = packetNumbers;
        final long[] start = packetStart;
        final int[] count = packetCount;
        final boolean[] live = packetLive;
        allocatePackets(2 * numbers.length);
        for (int from = 0; from < numbers.length; from++)
        {
            if (numbers[from] >= 0)
            {
                final int to = (int)(numbers[from] & packetMask);
                packetNumbers[to] = numbers[from];
                packetStart[to] = start[from];
                packetCount[to] = count[from];
                packetLive[to] = live[from];
            }
        }
    }
}
