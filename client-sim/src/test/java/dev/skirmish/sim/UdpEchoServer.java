package dev.skirmish.sim;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain JDK echo server for tests: one thread returns every datagram to its sender, optionally dropping
 * every n-th one. Stands in for the Skirmish server in echo mode, which lives in a module this one does not
 * depend on.
 */
final class UdpEchoServer implements AutoCloseable
{
    private final DatagramChannel channel;
    private final Thread thread;
    private final int dropEveryNth;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    private UdpEchoServer(final InetAddress address, final int dropEveryNth) throws IOException
    {
        this.dropEveryNth = dropEveryNth;
        channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(address, 0));
        thread = new Thread(this::echoLoop, "test-udp-echo");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Echo everything on 127.0.0.1.
     */
    static UdpEchoServer start() throws IOException
    {
        return new UdpEchoServer(InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * Echo on the given address, dropping every n-th datagram when n &gt; 0.
     */
    static UdpEchoServer start(final InetAddress address, final int dropEveryNth) throws IOException
    {
        return new UdpEchoServer(address, dropEveryNth);
    }

    /**
     * {@code HOST:PORT} as the CLI takes it.
     */
    String address() throws IOException
    {
        final InetSocketAddress local = (InetSocketAddress)channel.getLocalAddress();
        final String host = local.getAddress().getHostAddress();

        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + local.getPort();
    }

    long dropped()
    {
        return dropped.get();
    }

    long received()
    {
        return received.get();
    }

    public void close() throws IOException
    {
        channel.close();
        try
        {
            thread.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void echoLoop()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        try
        {
            while (true)
            {
                buffer.clear();
                final SocketAddress sender = channel.receive(buffer);
                final long count = received.incrementAndGet();
                if (dropEveryNth > 0 && count % dropEveryNth == 0)
                {
                    dropped.incrementAndGet();
                    continue;
                }
                buffer.flip();
                channel.send(buffer, sender);
            }
        }
        catch (final ClosedChannelException ex)
        {
            // closed by the test: done
        }
        catch (final IOException ex)
        {
            ex.printStackTrace();
        }
    }
}
