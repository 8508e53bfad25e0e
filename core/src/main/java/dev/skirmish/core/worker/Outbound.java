package dev.skirmish.core.worker;

import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.OutboundPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jctools.queues.SpscArrayQueue;

import java.net.InetSocketAddress;

/**
 * A worker's outbound path: pooled buffers to encode into, and the hand-off of finished datagrams to I/O threads.
 * I/O threads are woken at most once per duty cycle each, and only when they have no drain pending (their queue
 * went from empty to non-empty as far as they know), by {@link #flushWakeups()}.
 *
 * <p>Single-threaded: called from the owning worker thread only.
 */
public final class Outbound
{
    private final int worker;
    private final Handoff handoff;
    private final ByteBufAllocator allocator;
    private final CounterSet counters;
    private final IoWakeup[] ioWakeups;
    private final boolean[] pendingWakeup;
    private boolean anyPending;

    /**
     * @param worker    index of the owning worker.
     * @param handoff   the queues.
     * @param allocator pooled allocator for outbound buffers.
     * @param counters  the worker's counters.
     * @param ioWakeups one per I/O thread.
     */
    public Outbound(
        final int worker,
        final Handoff handoff,
        final ByteBufAllocator allocator,
        final CounterSet counters,
        final IoWakeup[] ioWakeups)
    {
        this.worker = worker;
        this.handoff = handoff;
        this.allocator = allocator;
        this.counters = counters;
        this.ioWakeups = ioWakeups;
        this.pendingWakeup = new boolean[ioWakeups.length];
    }

    /**
     * Claim a pooled direct buffer to encode a datagram into. Hand it to {@link #send} or release it.
     *
     * @param capacity bytes needed.
     * @return an empty buffer with at least {@code capacity} writable bytes.
     */
    public ByteBuf allocate(final int capacity)
    {
        return allocator.directBuffer(capacity, capacity);
    }

    /**
     * Queue a datagram for sending through I/O thread {@code ioThread}. Takes ownership of {@code datagram} whatever
     * the outcome: when the queue to that I/O thread is full the datagram is released and counted as dropped.
     *
     * @param ioThread  index of the I/O thread (socket) to send from.
     * @param datagram  bytes to send (readable bytes).
     * @param recipient destination.
     * @return true if queued, false if dropped.
     */
    public boolean send(final int ioThread, final ByteBuf datagram, final InetSocketAddress recipient)
    {
        final OutboundPacket envelope = handoff.envelopes(worker, ioThread).relaxedPoll();
        if (null == envelope)
        {
            counters.increment(Counter.DROP_OUTBOUND_QUEUE_FULL);
            datagram.release();
            return false;
        }

        envelope.wrap(datagram, recipient);
        final SpscArrayQueue<OutboundPacket> queue = handoff.outbound(worker, ioThread);
        if (!queue.offer(envelope))
        {
            counters.increment(Counter.DROP_OUTBOUND_QUEUE_FULL);
            envelope.release();
            return false;
        }

        pendingWakeup[ioThread] = true;
        anyPending = true;
        return true;
    }

    /**
     * Ask every I/O thread that was sent to since the last call to drain. Called by the worker once per duty cycle.
     */
    public void flushWakeups()
    {
        if (!anyPending)
        {
            return;
        }
        anyPending = false;
        for (int k = 0; k < pendingWakeup.length; k++)
        {
            if (pendingWakeup[k])
            {
                pendingWakeup[k] = false;
                if (ioWakeups[k].requestDrain())
                {
                    counters.increment(Counter.IO_WAKEUPS);
                }
            }
        }
    }
}
