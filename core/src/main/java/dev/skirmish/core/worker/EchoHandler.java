package dev.skirmish.core.worker;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * Reference handler for the {@code echo} benchmark mode: copies each datagram into a pooled buffer and sends it
 * back to its sender through the I/O thread it came from, exactly as a session encodes a reply. Allocation-free.
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
        final int length = datagram.readableBytes();
        final ByteBuf reply = outbound.allocate(length);
        reply.writeBytes(datagram, datagram.readerIndex(), length);
        outbound.send(ioThread, reply, sender);
    }
}
