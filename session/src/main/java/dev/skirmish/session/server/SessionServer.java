package dev.skirmish.session.server;

import dev.skirmish.core.RateLimitedLog;
import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.metrics.Counters;
import dev.skirmish.core.worker.Outbound;
import dev.skirmish.session.token.ConnectTokenDecoder;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A session server: a {@link SkirmishNode} whose I/O threads run the stateless handshake ({@link ServerHandshake})
 * and whose workers own sessions ({@link ServerSessions}) and hand their events and payloads to the game
 * ({@link SessionListener}).
 *
 * <pre>{@code
 * SessionServer server = SessionServer.launch(new SkirmishContext().port(7777),
 *     new SessionServerConfig().tokenKey(TokenKey.load(path)), (worker, sessions) -> new MyGame(sessions));
 * }</pre>
 */
public final class SessionServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SessionServer.class);

    private final SessionServerConfig config;
    private final SessionRegistry registry;
    private final ChallengeSecretSchedule secretSchedule;
    private final AtomicReferenceArray<ServerSessions> workerSessions;
    private final RateLimitedLog limitLog = new RateLimitedLog(RateLimitedLog.DEFAULT_INTERVAL_NS);
    private volatile InetSocketAddress[] publicAddresses = new InetSocketAddress[0];
    private volatile boolean shuttingDown;
    private SkirmishNode node;

    SessionServer(final SessionServerConfig config, final int workers)
    {
        if (!config.isConcluded())
        {
            config.conclude();
        }
        this.config = config;
        this.registry = new SessionRegistry(
            config.maxSessions(), config.maxPendingSessions(), config.usedTokenCapacity());
        this.secretSchedule = new ChallengeSecretSchedule(config.challengeSecretRotationMs());
        this.workerSessions = new AtomicReferenceArray<>(workers);
    }

    /**
     * Configure {@code ctx} for sessions (its handshake gate and handler factories are replaced), launch the node
     * and work out the server's public addresses.
     *
     * @param ctx       transport and threading configuration.
     * @param config    session settings.
     * @param listeners creates the game's listener of each worker.
     * @return the running server.
     * @throws InterruptedException if interrupted while binding.
     */
    public static SessionServer launch(
        final SkirmishContext ctx, final SessionServerConfig config, final SessionListener.Factory listeners)
        throws InterruptedException
    {
        if (null == ctx.resolvedBindAddress())
        {
            ctx.conclude();
        }
        final SessionServer server = new SessionServer(config, ctx.workers());
        final NanoClock nanoClock = ctx.nanoClock();
        final EpochClock epochClock = ctx.epochClock();
        ctx.handshakeGateFactory((ioThread, counters, workers) ->
            server.newHandshake(counters, workers, nanoClock, epochClock));
        ctx.handlerFactory((worker, outbound) ->
            server.newSessions(worker, ctx.workers(), outbound, null, epochClock, ctx.maxDatagramLength(), listeners));
        server.node = SkirmishNode.launch(ctx);
        server.publicAddresses(server.resolvePublicAddresses(ctx.resolvedBindAddress(), server.node.port()));
        if (config.tokenKey().isDevelopmentKey())
        {
            LOG.warn("*** USING THE PUBLIC DEVELOPMENT TOKEN KEY: anyone can mint tokens for this server. " +
                "NEVER use it in production: pass --token-key FILE (see ./skirmish token --help). ***");
        }
        LOG.info("session server up on port {}, accepting tokens for {}", server.node.port(),
            List.of(server.publicAddresses));
        return server;
    }

    ServerHandshake newHandshake(
        final CounterSet counters, final int workers, final NanoClock nanoClock, final EpochClock epochClock)
    {
        return new ServerHandshake(this, counters, workers, nanoClock, epochClock);
    }

    ServerSessions newSessions(
        final int worker,
        final int workers,
        final Outbound outbound,
        final CounterSet counters,
        final EpochClock epochClock,
        final int maxDatagramLength,
        final SessionListener.Factory listeners)
    {
        final ServerSessions sessions = new ServerSessions(
            this, worker, workers, outbound, null == counters ? outbound.counters() : counters, epochClock,
            maxDatagramLength);
        if (null != listeners)
        {
            sessions.listener(listeners.newListener(worker, sessions));
        }
        workerSessions.set(worker, sessions);
        return sessions;
    }

    private List<InetSocketAddress> resolvePublicAddresses(final InetAddress bindAddress, final int port)
    {
        if (!config.publicAddresses().isEmpty())
        {
            return config.publicAddresses();
        }
        final List<InetSocketAddress> addresses = new ArrayList<>();
        if (bindAddress.isAnyLocalAddress())
        {
            addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            if (bindAddress instanceof Inet6Address)
            {
                addresses.add(new InetSocketAddress("::1", port));
            }
            LOG.warn("bound to the wildcard address without --public-address: only tokens naming {} are accepted",
                addresses);
        }
        else
        {
            addresses.add(new InetSocketAddress(bindAddress, port));
        }
        return addresses;
    }

    void publicAddresses(final List<InetSocketAddress> addresses)
    {
        this.publicAddresses = addresses.toArray(new InetSocketAddress[0]);
    }

    /**
     * Check 5 of the validation order: does the decoded token name one of this server's public addresses?
     */
    boolean isOwnAddress(final ConnectTokenDecoder decoder)
    {
        for (final InetSocketAddress address : publicAddresses)
        {
            if (decoder.validFor(address))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The worker that owns a room: every session of the room is allocated there, so a room and its players share
     * one thread.
     *
     * @param roomId  from the token.
     * @param workers number of workers.
     * @return worker index.
     */
    static int workerForRoom(final long roomId, final int workers)
    {
        return (int)Long.remainderUnsigned(roomId, workers);
    }

    /**
     * A configured limit was hit: the caller counted it; log at most once per second across the server. Allocates
     * nothing unless it logs (the arguments are boxed then only).
     *
     * @param format what, an SLF4J format with one {} per argument.
     * @param a      first argument.
     */
    void limitHit(final String format, final long a)
    {
        if (limitLog.tryAcquire(System.nanoTime()))
        {
            LOG.warn("limit hit: " + format + " ({} more hits since the last line; counted, logged at most once a " +
                "second)", a, limitLog.takeSuppressed());
        }
    }

    /**
     * As {@link #limitHit(String, long)} with two arguments.
     */
    void limitHit(final String format, final long a, final long b)
    {
        if (limitLog.tryAcquire(System.nanoTime()))
        {
            LOG.warn("limit hit: " + format + " ({} more hits since the last line; counted, logged at most once a " +
                "second)", a, b, limitLog.takeSuppressed());
        }
    }

    /**
     * @return the gate of the server's limit-hit log lines (for tests and stats).
     */
    RateLimitedLog limitLog()
    {
        return limitLog;
    }

    /**
     * @return session settings.
     */
    public SessionServerConfig config()
    {
        return config;
    }

    /**
     * @return shared session bookkeeping (counts, client ids, used tokens).
     */
    public SessionRegistry registry()
    {
        return registry;
    }

    ChallengeSecretSchedule secretSchedule()
    {
        return secretSchedule;
    }

    /**
     * @return the addresses tokens must name for this server.
     */
    public List<InetSocketAddress> publicAddresses()
    {
        return List.of(publicAddresses);
    }

    /**
     * @param worker index.
     * @return that worker's sessions; only touch them from that worker (or in INVOKER mode from the driving thread).
     */
    public ServerSessions sessions(final int worker)
    {
        return workerSessions.get(worker);
    }

    /**
     * @return the node underneath.
     */
    public SkirmishNode node()
    {
        return node;
    }

    /**
     * @return bound UDP port.
     */
    public int port()
    {
        return node.port();
    }

    /**
     * @return all counters.
     */
    public Counters counters()
    {
        return node.counters();
    }

    /**
     * Begin the stop: from now on every connect request and challenge response that reaches the handshake is refused
     * with DENIED(shutting down) ({@code denied_shutting_down}) and no session is allocated, on the I/O threads and
     * on the workers alike. Sessions already open carry on until {@link #close()}. Idempotent; any thread.
     */
    public void beginShutdown()
    {
        if (!shuttingDown)
        {
            shuttingDown = true;
            LOG.info("session server stopping: new connections are refused (DENIED shutting down)");
        }
    }

    /**
     * @return true once {@link #beginShutdown()} or {@link #close()} was called.
     */
    public boolean isShuttingDown()
    {
        return shuttingDown;
    }

    /**
     * Stop: {@link #beginShutdown()} (connect attempts are refused from now on), then each worker tells its game
     * ({@link SessionListener#onShutdown}: rooms close there) and closes its sessions (reason SERVER_SHUTDOWN, sent
     * redundantly), then the sockets close.
     */
    @Override
    public void close()
    {
        beginShutdown();
        if (null != node)
        {
            node.close();
        }
    }
}
