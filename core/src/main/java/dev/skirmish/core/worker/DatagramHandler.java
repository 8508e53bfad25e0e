package dev.skirmish.core.worker;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * What a worker does with the datagrams routed to it: the session layer plugs in here. One instance per worker,
 * called from that worker's thread only, so implementations own their state single-threaded.
 */
public interface DatagramHandler
{
    /**
     * A datagram whose fixed header is valid arrived for this worker. Called from the worker thread.
     *
     * @param ioThread index of the I/O thread (socket) it arrived on; reply through the same one.
     * @param datagram the datagram, header at the reader index. Valid only during the call: the worker releases it
     *                 afterwards, so retain it to keep it.
     * @param sender   source address. Allocated by the transport per datagram; safe to keep.
     * @param nowNs    the worker's clock, read once for this duty cycle.
     */
    void onDatagram(int ioThread, ByteBuf datagram, InetSocketAddress sender, long nowNs);

    /**
     * Timers and ticks: called once per duty cycle after the inbound queues are drained. Called from the worker
     * thread.
     *
     * @param nowNs the worker's clock, read once for this duty cycle.
     * @return work done (0 when idle), used by the idle strategy.
     */
    default int doWork(final long nowNs)
    {
        return 0;
    }

    /**
     * The worker is stopping; release what you hold. Called from the worker thread.
     */
    default void onClose()
    {
    }
}
