package dev.skirmish.session.client;

import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.session.token.ConnectToken;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many {@link SkirmishClient}s on a few threads with real sockets: N Netty event loops (native epoll, or NIO), each
 * client with its own UDP socket on an ephemeral port, registered on one of the loops round-robin. Each loop runs a
 * timer every {@link ClientConfig#tickIntervalNs()} that reads the clocks once and calls {@code doWork} on each of its
 * clients, and hands every datagram from a client's server to {@code onDatagram}, releasing it after. A client and its
 * listener live on their loop only; {@link ClientHandle} offers the thread-safe ways in.
 * <p>
 * For bots, load tests and system tests. Each send wraps the datagram in one Netty {@code DatagramPacket} (the
 * sockets are not connected, so every write carries the address); everything else on the path is pooled.
 * <p>
 * Thread safe: {@link #open} and {@link #close()} may be called from any thread that is not one of the group's loops.
 */
public final class ClientGroup implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientGroup.class);
    private static final long OPEN_TIMEOUT_MS = 10_000;
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    private final TransportKind kind;
    private final ClientConfig config;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final EventLoopGroup group;
    private final ClientLoop[] loops;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final AtomicInteger openClients = new AtomicInteger();
    private volatile boolean closed;

    /**
     * A group on the system clocks.
     *
     * @param threads event loops, at least 1.
     * @param kind    socket implementation; AUTO picks epoll where available.
     * @param config  settings of the clients and of the timer; validated now, read by each {@link #open}.
     * @throws IllegalStateException    if EPOLL is requested and unavailable.
     * @throws IllegalArgumentException if threads &lt; 1 or the config is invalid.
     */
    public ClientGroup(final int threads, final TransportKind kind, final ClientConfig config)
    {
        this(threads, kind, config, SystemNanoClock.INSTANCE, SystemEpochClock.INSTANCE);
    }

    /**
     * A group on the given clocks, read once per timer tick and once per received datagram.
     *
     * @param threads    event loops, at least 1.
     * @param kind       socket implementation; AUTO picks epoll where available.
     * @param config     settings of the clients and of the timer; validated now, read by each {@link #open}.
     * @param nanoClock  monotonic time for the clients, ns.
     * @param epochClock epoch time for token expiry, ms.
     * @throws IllegalStateException    if EPOLL is requested and unavailable.
     * @throws IllegalArgumentException if threads &lt; 1 or the config is invalid.
     */
    public ClientGroup(
        final int threads,
        final TransportKind kind,
        final ClientConfig config,
        final NanoClock nanoClock,
        final EpochClock epochClock)
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.config = Objects.requireNonNull(config, "config").conclude();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.epochClock = Objects.requireNonNull(epochClock, "epochClock");
        this.kind = TransportKind.resolve(Objects.requireNonNull(kind, "kind"), "client group");

        final IoHandlerFactory ioHandlerFactory = this.kind == TransportKind.EPOLL ?
            EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(threads, threadFactory(), ioHandlerFactory);
        loops = new ClientLoop[threads];
        int k = 0;
        for (final EventExecutor executor : group)
        {
            loops[k] = new ClientLoop((EventLoop)executor, nanoClock, epochClock);
            loops[k].start(config.tickIntervalNs());
            k++;
        }
        LOG.info("client group: {} event loop(s) over {}, {}", threads, this.kind, config);
    }

    /**
     * Open a client: bind a new UDP socket on one of the loops, and start connecting to the server with the token.
     * Blocks until the socket is bound and the first CONNECT_REQUEST is sent (a bounded wait). The config is read now.
     *
     * @param token    the public connect token for this client.
     * @param server   the server's resolved address (normally one of the token's).
     * @param listener told about the client's events, on its loop.
     * @return the handle of the new client.
     * @throws IllegalStateException    if the group is closed, called from one of its loops, or binding failed.
     * @throws IllegalArgumentException if the server address is unresolved.
     */
    public ClientHandle open(final ConnectToken token, final InetSocketAddress server, final ClientListener listener)
    {
        return open(token, server, listener, null);
    }

    /**
     * Open a client whose socket binds a given local IP (any free port), e.g. one of many 127.x.y.z addresses so that
     * bots look like distinct hosts to a server's per-source limits. Rebinds keep that IP. Otherwise as
     * {@link #open(ConnectToken, InetSocketAddress, ClientListener)}.
     *
     * @param token        the public connect token for this client.
     * @param server       the server's resolved address.
     * @param listener     told about the client's events, on its loop.
     * @param localAddress local IP to bind, of the server's family; null chooses as the 3-argument overload.
     * @return the handle of the new client.
     */
    public ClientHandle open(
        final ConnectToken token,
        final InetSocketAddress server,
        final ClientListener listener,
        final InetAddress localAddress)
    {
        return open(token, server, listener, localAddress, null);
    }

    /**
     * Open a client behind an in-process impaired network (seeded loss, delay, jitter, duplication, reordering,
     * bandwidth cap, blackouts in each direction). Otherwise as
     * {@link #open(ConnectToken, InetSocketAddress, ClientListener, InetAddress)}.
     *
     * @param token        the public connect token for this client.
     * @param server       the server's resolved address.
     * @param listener     told about the client's events, on its loop.
     * @param localAddress local IP to bind, or null.
     * @param impairment   the network between client and server, or null for none.
     * @return the handle of the new client.
     */
    public ClientHandle open(
        final ConnectToken token,
        final InetSocketAddress server,
        final ClientListener listener,
        final InetAddress localAddress,
        final ClientImpairment impairment)
    {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(listener, "listener");
        if (server.isUnresolved())
        {
            throw new IllegalArgumentException("server address is unresolved: " + server);
        }
        checkNotOnLoop("open");
        if (closed)
        {
            throw new IllegalStateException("client group is closed");
        }

        final ClientLoop loop = loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
        final ClientHandle handle = new ClientHandle(this, loop, server, config, listener, impairment);
        handle.localBindAddress = localAddress;
        final CompletableFuture<ClientHandle> opened = new CompletableFuture<>();
        bind(handle).addListener((ChannelFuture future) ->
        {
            if (!future.isSuccess())
            {
                opened.completeExceptionally(future.cause());
                return;
            }
            try
            {
                handle.onOpened(future.channel(), token);
                openClients.incrementAndGet();
                opened.complete(handle);
            }
            catch (final RuntimeException | Error ex)
            {
                // an Error too (e.g. out of memory allocating the client's buffers): the caller must hear of it
                future.channel().close();
                opened.completeExceptionally(ex);
            }
        });
        return await(opened, "open client to " + server);
    }

    /**
     * @return the socket implementation in use (never AUTO).
     */
    public TransportKind kind()
    {
        return kind;
    }

    /**
     * @return event loops.
     */
    public int threads()
    {
        return loops.length;
    }

    /**
     * @return clients opened and not yet closed.
     */
    public int clientCount()
    {
        return openClients.get();
    }

    /**
     * Disconnect every client that is connecting or connected (sending its DISCONNECT packets), close its socket,
     * and stop the loops, waiting a bounded time. Idempotent.
     *
     * @throws IllegalStateException if called from one of the group's loops.
     */
    @Override
    public void close()
    {
        checkNotOnLoop("close");
        if (closed)
        {
            return;
        }
        closed = true;

        final List<CompletableFuture<Void>> stopped = new ArrayList<>(loops.length);
        for (final ClientLoop loop : loops)
        {
            final CompletableFuture<Void> done = new CompletableFuture<>();
            stopped.add(done);
            try
            {
                loop.eventLoop().execute(() ->
                {
                    try
                    {
                        loop.closeAll();
                    }
                    finally
                    {
                        done.complete(null);
                    }
                });
            }
            catch (final RejectedExecutionException ex)
            {
                done.complete(null);
            }
        }
        try
        {
            CompletableFuture.allOf(stopped.toArray(new CompletableFuture<?>[0]))
                .get(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            LOG.warn("client group: clients did not close within {} ms", CLOSE_TIMEOUT_MS, ex);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_TIMEOUT_MS);
    }

    boolean isClosed()
    {
        return closed;
    }

    NanoClock nanoClock()
    {
        return nanoClock;
    }

    EpochClock epochClock()
    {
        return epochClock;
    }

    void onClientClosed()
    {
        openClients.decrementAndGet();
    }

    /**
     * Bind a new socket for a handle on the handle's loop; listeners of the future run on that loop.
     */
    @SuppressWarnings("deprecation") // RCVBUF_ALLOCATOR: as core's UdpTransport, until 4.2's read handles are adopted
    ChannelFuture bind(final ClientHandle handle)
    {
        final InetSocketAddress server = handle.serverAddress();
        final boolean ipv6 = server.getAddress() instanceof Inet6Address;
        final SocketProtocolFamily family = ipv6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        final Bootstrap bootstrap = new Bootstrap()
            .group(handle.eventLoop())
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.SO_RCVBUF, config.socketReceiveBufferBytes())
            // One byte more than the largest datagram, so that an oversized one arrives truncated to max + 1 and fails
            // the header's length check instead of passing cut short.
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(config.maxDatagramLength() + 1))
            .handler(new ClientHandle.InboundHandler(handle));
        if (kind == TransportKind.EPOLL)
        {
            bootstrap.channelFactory(() -> new EpollDatagramChannel(family));
        }
        else
        {
            bootstrap.channelFactory(() -> new NioDatagramChannel(family));
        }
        final InetAddress local = handle.localBindAddress;
        return bootstrap.bind(new InetSocketAddress(null != local ? local : localAddressFor(server.getAddress()), 0));
    }

    /**
     * Loopback for a loopback server (so the socket is not reachable from outside), else the wildcard of the
     * server's family.
     */
    static InetAddress localAddressFor(final InetAddress server)
    {
        final boolean ipv6 = server instanceof Inet6Address;
        try
        {
            if (server.isLoopbackAddress())
            {
                return InetAddress.getByName(ipv6 ? "::1" : "127.0.0.1");
            }
            return InetAddress.getByName(ipv6 ? "::" : "0.0.0.0");
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("IP literal rejected", ex);
        }
    }

    private void checkNotOnLoop(final String operation)
    {
        for (final ClientLoop loop : loops)
        {
            if (loop.eventLoop().inEventLoop())
            {
                throw new IllegalStateException(operation + "() blocks: do not call it from a client event loop");
            }
        }
    }

    static <T> T await(final CompletableFuture<T> future, final String what)
    {
        try
        {
            return future.get(OPEN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(what + ": " + ex.getCause(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(what + ": no answer within " + OPEN_TIMEOUT_MS + " ms", ex);
        }
    }

    private static ThreadFactory threadFactory()
    {
        final AtomicInteger next = new AtomicInteger();
        return (runnable) ->
        {
            final Thread thread = new FastThreadLocalThread(runnable, "skirmish-client-" + next.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
    }
}
