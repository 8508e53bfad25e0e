package dev.skirmish.core.handoff;

import dev.skirmish.core.transport.OutboundPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import org.jctools.queues.SpscArrayQueue;

import java.nio.ByteBuffer;

/**
 * The bounded single-producer single-consumer queues between I/O threads and workers:
 * <ul>
 *   <li>{@code inbound(k, w)}: I/O thread k produces received datagrams, worker w consumes them;</li>
 *   <li>{@code outbound(w, k)}: worker w produces datagrams to send, I/O thread k consumes them;</li>
 *   <li>{@code returns(k, w)}: received datagrams worker w has finished with, handed back for I/O thread k to
 *   release. Netty recycles the per-datagram slice objects into the thread that made them; a release on another
 *   thread goes through a growing MPSC queue that allocates (measured ~5 B per datagram on the worker), a release
 *   on the I/O thread allocates nothing;</li>
 *   <li>{@code envelopes(w, k)}: the free {@link OutboundPacket}s of the (w, k) pair, returned by I/O thread k after
 *   the write and taken again by worker w. Their number bounds the datagrams of that pair in flight. Each owns a
 *   fixed slot of {@code slotLength} bytes in one direct slab per pair, allocated here once: sending never calls an
 *   allocator.</li>
 * </ul>
 * Capacities are fixed at construction (rounded up to a power of two by JCTools); a failed offer is the caller's to
 * count and drop. Nothing here is shared beyond its one producer and one consumer.
 */
public final class Handoff
{
    private final int ioThreads;
    private final int workers;
    private final SpscArrayQueue<DatagramPacket>[] inbound;
    private final SpscArrayQueue<OutboundPacket>[] outbound;
    private final SpscArrayQueue<OutboundPacket>[] envelopes;
    private final SpscArrayQueue<DatagramPacket>[] returns;

    /**
     * @param ioThreads        number of I/O threads.
     * @param workers          number of workers.
     * @param inboundCapacity  capacity of each inbound queue, in datagrams.
     * @param outboundCapacity capacity of each outbound queue, in datagrams; also the envelope pool size per pair.
     * @param slotLength       bytes of each outbound envelope's buffer: the largest datagram a worker can send.
     */
    @SuppressWarnings("unchecked")
    public Handoff(
        final int ioThreads, final int workers, final int inboundCapacity, final int outboundCapacity,
        final int slotLength)
    {
        this.ioThreads = ioThreads;
        this.workers = workers;
        inbound = new SpscArrayQueue[ioThreads * workers];
        outbound = new SpscArrayQueue[ioThreads * workers];
        envelopes = new SpscArrayQueue[ioThreads * workers];
        returns = new SpscArrayQueue[ioThreads * workers];
        for (int k = 0; k < ioThreads; k++)
        {
            for (int w = 0; w < workers; w++)
            {
                inbound[k * workers + w] = new SpscArrayQueue<>(inboundCapacity);
                returns[k * workers + w] = new SpscArrayQueue<>(inboundCapacity);
                outbound[w * ioThreads + k] = new SpscArrayQueue<>(outboundCapacity);
                final SpscArrayQueue<OutboundPacket> pool = new SpscArrayQueue<>(outboundCapacity);
                // Not leak-tracked and never released: the slab lives as long as this Handoff and is freed with it.
                final ByteBuf slab = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(outboundCapacity * slotLength));
                for (int i = 0; i < outboundCapacity; i++)
                {
                    pool.offer(new OutboundPacket(pool, slab.slice(i * slotLength, slotLength)));
                }
                envelopes[w * ioThreads + k] = pool;
            }
        }
    }

    /**
     * @return number of I/O threads.
     */
    public int ioThreads()
    {
        return ioThreads;
    }

    /**
     * @return number of workers.
     */
    public int workers()
    {
        return workers;
    }

    /**
     * Queue from I/O thread {@code k} to worker {@code w}.
     *
     * @param k I/O thread index.
     * @param w worker index.
     * @return the queue.
     */
    public SpscArrayQueue<DatagramPacket> inbound(final int k, final int w)
    {
        return inbound[k * workers + w];
    }

    /**
     * Finished received datagrams from worker {@code w} back to I/O thread {@code k}, for release there.
     *
     * @param k I/O thread index.
     * @param w worker index.
     * @return the queue.
     */
    public SpscArrayQueue<DatagramPacket> returns(final int k, final int w)
    {
        return returns[k * workers + w];
    }

    /**
     * Queue from worker {@code w} to I/O thread {@code k}.
     *
     * @param w worker index.
     * @param k I/O thread index.
     * @return the queue.
     */
    public SpscArrayQueue<OutboundPacket> outbound(final int w, final int k)
    {
        return outbound[w * ioThreads + k];
    }

    /**
     * Free envelopes of the (w, k) pair.
     *
     * @param w worker index.
     * @param k I/O thread index.
     * @return the pool.
     */
    public SpscArrayQueue<OutboundPacket> envelopes(final int w, final int k)
    {
        return envelopes[w * ioThreads + k];
    }
}
