package dev.skirmish.core.worker;

import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.OutboundPacket;
import io.netty.buffer.ByteBuf;
import org.jctools.queues.SpscArrayQueue;

import java.net.InetSocketAddress;

/**
 * A worker's outbound path. Zero-copy and allocation-free: {@link #claim} a preallocated slot for the I/O thread to
 * send through, encode the datagram into it, {@link #commit} it to a recipient. I/O threads are woken at most once
 * per duty cycle each, and only when they have no drain pending (their queue went from empty to non-empty as far
 * as they know), by {@link #flushWakeups()}.
 *
 * <p>One claim is outstanding at a time: claiming again, or the end of the current datagram's handling
 * ({@link #abort()}, called by the worker), takes back an uncommitted claim, so a handler that throws half-way never
 * loses a slot.
 *
 * <p>Single-threaded: called from the owning worker thread only.
 */
public final class Outbound
{
    private final int worker;
    private final Handoff handoff;
    private final CounterSet counters;
    private final IoWakeup[] ioWakeups;
    private final boolean[] pendingWakeup;
    private final OutboundPacket[] stash;
    private boolean anyPending;
    private OutboundPacket claimed;
    private int claimedIoThread;

    /**
     * @param worker    index of the owning worker.
     * @param handoff   the queues and envelope pools.
     * @param counters  the worker's counters.
     * @param ioWakeups one per I/O thread.
     */
    public Outbound(final int worker, final Handoff handoff, final CounterSet counters, final IoWakeup[] ioWakeups)
    {
        this.worker = worker;
        this.handoff = handoff;
        this.counters = counters;
        this.ioWakeups = ioWakeups;
        this.pendingWakeup = new boolean[ioWakeups.length];
        this.stash = new OutboundPacket[ioWakeups.length];
    }

    /**
     * @return the owning worker's counters (single writer: that worker), for handlers to count into.
     */
    public CounterSet counters()
    {
        return counters;
    }

    /**
     * Claim a slot to encode one datagram to be sent through I/O thread {@code ioThread}. Write the datagram into the
     * returned buffer (its readable bytes are sent; writing past its capacity, the max datagram length, throws), then
     * {@link #commit}.
     *
     * @param ioThread index of the I/O thread (socket) to send from.
     * @return an empty buffer, or null when all slots of that I/O thread are in flight (counted as
     * {@link Counter#DROP_OUTBOUND_QUEUE_FULL}).
     */
    public ByteBuf claim(final int ioThread)
    {
        abort();
        OutboundPacket envelope = stash[ioThread];
        if (null != envelope)
        {
            stash[ioThread] = null;
        }
        else
        {
            envelope = handoff.envelopes(worker, ioThread).relaxedPoll();
            if (null == envelope)
            {
                counters.increment(Counter.DROP_OUTBOUND_QUEUE_FULL);
                return null;
            }
        }
        claimed = envelope.claim();
        claimedIoThread = ioThread;
        return envelope.buffer();
    }

    /**
     * Hand the claimed datagram to its I/O thread for sending to {@code recipient}.
     *
     * @param recipient destination.
     * @return true if queued; false if nothing was claimed or the queue refused it (counted).
     */
    public boolean commit(final InetSocketAddress recipient)
    {
        final OutboundPacket envelope = claimed;
        if (null == envelope)
        {
            return false;
        }
        claimed = null;
        final int ioThread = claimedIoThread;
        final SpscArrayQueue<OutboundPacket> queue = handoff.outbound(worker, ioThread);
        if (!queue.offer(envelope.recipient(recipient)))
        {
            // Cannot happen while the pool is no larger than the queue; keep the slot rather than lose it.
            counters.increment(Counter.DROP_OUTBOUND_QUEUE_FULL);
            stash[ioThread] = envelope;
            return false;
        }
        pendingWakeup[ioThread] = true;
        anyPending = true;
        return true;
    }

    /**
     * Copy {@code length} bytes of {@code source} into a claimed slot and commit it.
     *
     * @param ioThread  index of the I/O thread (socket) to send from.
     * @param source    bytes to send; not released.
     * @param offset    of the first byte in {@code source}.
     * @param length    bytes, at most the max datagram length.
     * @param recipient destination.
     * @return true if queued, false if dropped (counted).
     * @throws IllegalArgumentException if {@code length} exceeds the max datagram length.
     */
    public boolean send(
        final int ioThread, final ByteBuf source, final int offset, final int length, final InetSocketAddress recipient)
    {
        final ByteBuf buffer = claim(ioThread);
        if (null == buffer)
        {
            return false;
        }
        if (length > buffer.capacity())
        {
            abort();
            throw new IllegalArgumentException("datagram of " + length + " bytes exceeds the max datagram length " +
                buffer.capacity());
        }
        buffer.writeBytes(source, offset, length);
        return commit(recipient);
    }

    /**
     * Take back an uncommitted claim, if any. Called by the worker after each handler call.
     */
    public void abort()
    {
        final OutboundPacket envelope = claimed;
        if (null != envelope)
        {
            claimed = null;
            stash[claimedIoThread] = envelope;
        }
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
