package dev.skirmish.core.test;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * A real UDP client for integration tests: a JDK DatagramChannel connected to the server on loopback. Receives
 * are bounded by a timeout.
 */
public final class UdpTestClient implements AutoCloseable
{
    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(65536).order(ByteOrder.LITTLE_ENDIAN);

    /**
     * @param server address to talk to (127.0.0.1 or ::1).
     * @throws IOException if the socket cannot be opened.
     */
    public UdpTestClient(final InetSocketAddress server) throws IOException
    {
        channel = DatagramChannel.open(server.getAddress() instanceof java.net.Inet6Address ?
            StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        channel.connect(server);
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /**
     * An ECHO datagram: header plus {@code payloadLength} bytes whose first 8 are {@code sequence}.
     *
     * @param sessionId     session id for routing.
     * @param sequence      written at the start of the payload.
     * @param payloadLength payload bytes, at least 8.
     * @return the datagram, flipped for sending.
     */
    public static ByteBuffer echoDatagram(final int sessionId, final long sequence, final int payloadLength)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(PacketHeader.LENGTH + payloadLength)
            .order(ByteOrder.LITTLE_ENDIAN);
        buffer.putShort((short)PacketHeader.MAGIC)
            .put((byte)PacketHeader.VERSION)
            .put((byte)PacketType.ECHO.code())
            .putInt(sessionId)
            .putLong(sequence);
        buffer.position(PacketHeader.LENGTH + payloadLength);
        buffer.flip();
        return buffer;
    }

    /**
     * Send raw bytes.
     *
     * @param datagram bytes (position to limit).
     * @throws IOException on socket error.
     */
    public void send(final ByteBuffer datagram) throws IOException
    {
        try
        {
            send0(datagram);
        }
        catch (final java.net.PortUnreachableException ex)
        {
            send0(datagram);
        }
    }

    private void send0(final ByteBuffer datagram) throws IOException
    {
        if (!datagram.hasRemaining())
        {
            // The NIO channel silently sends nothing for an empty buffer; the classic socket sends a 0-byte datagram.
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket(null))
            {
                socket.send(new java.net.DatagramPacket(new byte[0], 0, channel.getRemoteAddress()));
            }
            return;
        }
        channel.write(datagram.duplicate());
    }

    /**
     * Wait for one datagram.
     *
     * @param timeoutMs upper bound.
     * @return a copy of the datagram, or null on timeout.
     * @throws IOException on socket error.
     */
    public ByteBuffer receive(final long timeoutMs) throws IOException
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true)
        {
            receiveBuffer.clear();
            java.net.SocketAddress from = null;
            try
            {
                from = channel.receive(receiveBuffer);
            }
            catch (final java.net.PortUnreachableException ex)
            {
                // ICMP from an earlier send while nobody listened yet; keep waiting for a real reply.
            }
            if (null != from)
            {
                receiveBuffer.flip();
                final ByteBuffer copy = ByteBuffer.allocate(receiveBuffer.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                copy.put(receiveBuffer).flip();
                return copy;
            }
            final long remainingMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            if (remainingMs <= 0)
            {
                return null;
            }
            selector.select(remainingMs);
            selector.selectedKeys().clear();
        }
    }

    /**
     * @return the local address of the client socket.
     * @throws IOException on socket error.
     */
    public InetSocketAddress localAddress() throws IOException
    {
        return (InetSocketAddress)channel.getLocalAddress();
    }

    @Override
    public void close() throws IOException
    {
        selector.close();
        channel.close();
    }
}
