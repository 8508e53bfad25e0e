package dev.skirmish.core.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The sockets and I/O threads: N event loops (Netty native epoll, or NIO where epoll is unavailable), each with its
 * own UDP socket bound to the same address and port (SO_REUSEPORT when N &gt; 1, so the kernel spreads flows across
 * them). With epoll and batch &gt; 1 each read is one recvmmsg of up to {@code batch} datagrams into one pooled
 * buffer, delivered as slices of it (no copy).
 */
public final class UdpTransport implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);

    private final TransportKind kind;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final int port;

    /**
     * Bind all sockets. On failure everything started so far is closed before the exception propagates.
     *
     * @param requested          transport requested.
     * @param bindAddress        address to bind.
     * @param port               port, 0 for ephemeral (then all sockets share the first one's port).
     * @param handlers           one per I/O thread; handler k goes on socket k.
     * @param batch              datagrams per recvmmsg; 1 for plain reads.
     * @param maxDatagramLength  largest datagram accepted (slots are one byte larger to detect truncation).
     * @param socketBufferBytes  SO_RCVBUF / SO_SNDBUF.
     * @param allocator          pooled allocator for receive buffers.
     * @param onIoThreadStart    run on I/O thread k when it starts (CPU pinning), given k.
     * @throws InterruptedException if interrupted while binding.
     */
    public UdpTransport(
        final TransportKind requested,
        final InetAddress bindAddress,
        final int port,
        final List<IoThreadHandler> handlers,
        final int batch,
        final int maxDatagramLength,
        final int socketBufferBytes,
        final ByteBufAllocator allocator,
        final IntConsumer onIoThreadStart) throws InterruptedException
    {
        kind = TransportKind.resolve(requested, "server");
        final int ioThreads = handlers.size();
        // Event loops are constructed in index order, so the n-th strategy made belongs to I/O thread n.
        final AtomicInteger nextWindow = new AtomicInteger();
        final io.netty.channel.SelectStrategyFactory strategies =
            () -> new SpinThenBlockSelectStrategy(handlers.get(nextWindow.getAndIncrement()).replyWaitWindow());
        final IoHandlerFactory ioHandlerFactory = kind == TransportKind.EPOLL ?
            EpollIoHandler.newFactory(0, strategies) :
            NioIoHandler.newFactory(SelectorProvider.provider(), strategies);
        group = new MultiThreadIoEventLoopGroup(ioThreads, ioThreadFactory(onIoThreadStart), ioHandlerFactory);

        final SocketProtocolFamily family = bindAddress instanceof Inet6Address ?
            SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        final int slot = maxDatagramLength + 1;
        final int effectiveBatch = kind == TransportKind.EPOLL ? batch : 1;
        try
        {
            int boundPort = port;
            int k = 0;
            for (final io.netty.util.concurrent.EventExecutor executor : group)
            {
                final Bootstrap bootstrap = new Bootstrap()
                    .group((EventLoop)executor)
                    .handler(handlers.get(k))
                    .option(ChannelOption.ALLOCATOR, allocator)
                    .option(ChannelOption.SO_RCVBUF, socketBufferBytes)
                    .option(ChannelOption.SO_SNDBUF, socketBufferBytes)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new BatchCountingRecvAllocator(
                        effectiveBatch * slot, Math.max(16, effectiveBatch * 4), handlers.get(k).counters()));
                if (kind == TransportKind.EPOLL)
                {
                    bootstrap.channelFactory(() -> new EpollDatagramChannel(family));
                    bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, effectiveBatch > 1 ? slot : 0);
                    if (ioThreads > 1)
                    {
                        bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
                    }
                }
                else
                {
                    bootstrap.channelFactory(() -> new NioDatagramChannel(family));
                    if (ioThreads > 1)
                    {
                        bootstrap.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
                    }
                }

                final Channel channel = bootstrap.bind(bindAddress, boundPort).sync().channel();
                channels.add(channel);
                boundPort = ((InetSocketAddress)channel.localAddress()).getPort();
                k++;
            }
            this.port = boundPort;
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            close();
            throw ex;
        }
        LOG.info("{} UDP socket(s) bound to {} port {} over {} (recvmmsg batch {})",
            ioThreads, bindAddress.getHostAddress(), port, kind, effectiveBatch);
    }

    private static ThreadFactory ioThreadFactory(final IntConsumer onStart)
    {
        final AtomicInteger next = new AtomicInteger();
        return (runnable) ->
        {
            final int k = next.getAndIncrement();
            final Thread thread = new FastThreadLocalThread(() ->
            {
                onStart.accept(k);
                runnable.run();
            }, "skirmish-io-" + k);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * @return the transport in use (never AUTO).
     */
    public TransportKind kind()
    {
        return kind;
    }

    /**
     * @return the bound UDP port.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the sockets, index k = I/O thread k.
     */
    public List<Channel> channels()
    {
        return channels;
    }

    /**
     * Close the sockets and stop the I/O threads, waiting a bounded time for them to finish.
     */
    @Override
    public void close()
    {
        for (final Channel channel : channels)
        {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
