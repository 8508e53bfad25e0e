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
 * ({@link #free()}). A packet reported lost keeps its run readable until the ring wraps over it, so a spurious loss
 * can still mark its chunks acked. The tracker keeps live packets less than its capacity apart, so live slots never
 * collide.
 * <p>
 * Not thread safe: single writer, the thread that owns the session. Allocates only when constructed.
 */
public final class SendPacketRefs
{
    private final long[] refs;
    private final int refMask;
    private final int packetMask;
    private final long[] packetNumbers;
    private final long[] packetStart;
    private final int[] packetCount;
    private final boolean[] packetLive;
    private long write;
    private long buildStart;
    private long oldestLive;
    private long largestRecorded = -1;

    /**
     * @param refCapacity    chunk references, a power of two.
     * @param packetCapacity the sent-packet tracker's capacity, a power of two.
     */
    public SendPacketRefs(final int refCapacity, final int packetCapacity)
    {
        refs = new long[refCapacity];
        refMask = refCapacity - 1;
        packetMask = packetCapacity - 1;
        packetNumbers = new long[packetCapacity];
        packetStart = new long[packetCapacity];
        packetCount = new int[packetCapacity];
        packetLive = new boolean[packetCapacity];
        Arrays.fill(packetNumbers, -1L);
    }

    /**
     * @return references that may still be added to the packet being built.
     */
    public long free()
    {
        while (oldestLive <= largestRecorded)
        {
            final int slot = (int)(oldestLive & packetMask);
            if (packetNumbers[slot] == oldestLive && packetLive[slot])
            {
                return refs.length - (write - packetStart[slot]);
            }
            oldestLive++;
        }
        return refs.length - (write - buildStart);
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
        refs[(int)(write++ & refMask)] = chunkId;
    }

    /**
     * The packet being built was sent and recorded by the tracker under this number: its run becomes live.
     *
     * @param packetNumber its packet number (the tracker's handle).
     */
    public void record(final long packetNumber)
    {
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
        if (packetNumbers[slot] == packetNumber && !packetLive[slot] && start >= write - refs.length)
        {
            for (int i = 0, count = packetCount[slot]; i < count; i++)
            {
                queue.onChunkAcked(refs[(int)((start + i) & refMask)]);
            }
        }
    }
}
