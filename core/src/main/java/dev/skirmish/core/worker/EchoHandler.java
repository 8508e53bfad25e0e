package dev.skirmish.core.worker;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * Reference handler for the {@code echo} benchmark mode: encodes each datagram into a claimed outbound slot and
 * sends it back to its sender through the I/O thread it came from, exactly as a session encodes a reply.
 * Allocation-free.
 */
public final class EchoHandler implements DatagramHandler
{
    private final Outbound outbound;

    /**
     * @param outbound the worker's outbound path.
     */
    public EchoHandler(final Outbound outbound)
    {
        this.outbound = outbound;
    }

    @Override
    public void onDatagram(final int ioThread, final ByteBuf datagram, final InetSocketAddress sender, final long nowNs)
    {
        outbound.send(ioThread, datagram, datagram.readerIndex(), datagram.readableBytes(), sender);
    }
}
