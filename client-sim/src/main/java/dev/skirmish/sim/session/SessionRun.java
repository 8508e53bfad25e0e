package dev.skirmish.sim.session;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.sim.BotRun;
import dev.skirmish.sim.ModeReport;
import dev.skirmish.sim.RunConfig;
import dev.skirmish.sim.RunPhases;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.report.TrafficCounters;
import dev.skirmish.sim.report.WarnOnce;
import dev.skirmish.session.client.ClientConfig;
import dev.skirmish.session.client.ClientGroup;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenGenerator;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Session mode: {@code clients} bots ({@link SessionBot}), each a session client with its own connect token and
 * socket, all on one {@link ClientGroup} of {@code threads} event loops. Bot {@code i} is client id {@code i + 1} in
 * room {@code i / roomSize}. Against a server on IPv4 loopback each bot binds its own source address,
 * {@code 127.1.0.0 + i + 1}, so that the bots look like distinct hosts to the server's per-source handshake limit,
 * which would otherwise stop a thousand bots connecting at once from one address (unless
 * {@link SessionSettings#singleSource()}).
 * <p>
 * {@link #prepare()} mints the tokens, opens every bot and waits until each has connected or failed, timing each
 * connect from {@code open} to {@code onConnected}. {@link #execute(RunPhases)} starts every connected bot's ping
 * timer, staggered over one interval so the bots do not ping in step, sleeps until the run ends, waits at most one
 * timeout for pings still in flight, then has every bot count what is left as lost and disconnect.
 * <p>
 * The controlling thread is the one that calls the constructor and the methods of {@link BotRun}; the bots live on
 * the group's event loops and report to it through the atomic counters here.
 */
public final class SessionRun implements BotRun
{
    /** Session idle timeout carried in each token, seconds. */
    public static final int TOKEN_TIMEOUT_S = 5;
    /**
     * How long a token stays valid after the connect timeout. It only has to outlive the handshake, and the server
     * remembers every used token until it expires, so longer lifetimes only fill that table.
     */
    public static final long TOKEN_SPARE_LIFETIME_MS = 60_000;
    /** First octets of the loopback block whose addresses the bots bind, one each: 127.1.0.0/16. */
    private static final int SOURCE_BLOCK = (127 << 24) | (1 << 16);

    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** Beyond the connect timeout, for the bots' own timeout to fire and be reported. */
    private static final long CONNECT_GRACE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long LOOP_TASK_TIMEOUT_MS = 2_000;

    private final RunConfig config;
    private final SessionSettings settings;
    private final PrintStream err;
    private final ClientGroup group;
    private final SessionBot[] bots;
    private final TrafficCounters[] counters;
    private final WarnOnce connectFailureWarning;
    private final WarnOnce disconnectWarning;
    private final AtomicInteger settled = new AtomicInteger();
    private final AtomicInteger connected = new AtomicInteger();
    private long connectPhaseNs;

    /**
     * Start the event loops; no socket is opened until {@link #prepare()}.
     *
     * @param config of the run, with its {@link RunConfig#session()} settings.
     * @param rtt    where round trips are recorded, from every event-loop thread.
     * @param err    for the connect progress and one-time warnings.
     * @throws IOException if the event loops cannot start, e.g. epoll was asked for and is not available.
     */
    public SessionRun(final RunConfig config, final RttRecorder rtt, final PrintStream err) throws IOException
    {
        this.config = config;
        this.settings = config.session();
        this.err = err;
        this.connectFailureWarning = new WarnOnce(err);
        this.disconnectWarning = new WarnOnce(err);

        final ClientConfig clientConfig = new ClientConfig()
            .connectTimeoutNs(settings.connectTimeoutNs())
            .aeadSuite(settings.aeadSuite());
        try
        {
            group = new ClientGroup(config.ioThreads(), transportKind(config), clientConfig);
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            throw new IOException(ex.getMessage(), ex);
        }

        bots = new SessionBot[config.clients()];
        counters = new TrafficCounters[bots.length];
        for (int i = 0; i < bots.length; i++)
        {
            bots[i] = new SessionBot(
                i, i / settings.roomSize(), settings, settings.impairmentFor(i, bots.length), config.payloadLength(),
                config.timeoutNs(), rtt, this);
            counters[i] = bots[i].counters();
        }
    }

    /**
     * {@inheritDoc}
     */
    public String transport()
    {
        return group.kind().name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@inheritDoc}
     */
    public TrafficCounters[] counters()
    {
        return counters;
    }

    /**
     * {@inheritDoc}
     */
    public IntSupplier connectedClients()
    {
        return connected::get;
    }

    /**
     * Mint a token per bot, open every bot and wait until each has connected or failed.
     *
     * @throws InterruptedException if the calling thread is interrupted.
     */
    public void prepare() throws InterruptedException
    {
        final InetSocketAddress server = config.server().socketAddress();
        final ConnectTokenGenerator tokens = new ConnectTokenGenerator(
            settings.tokenKey(), settings.protocolId(), SystemEpochClock.INSTANCE, new SecureRandom());
        final long lifetimeMs = TimeUnit.NANOSECONDS.toMillis(settings.connectTimeoutNs()) + TOKEN_SPARE_LIFETIME_MS;
        final List<InetSocketAddress> addresses = List.of(server);
        final boolean spreadSources = !settings.singleSource() &&
            server.getAddress() instanceof Inet4Address && server.getAddress().isLoopbackAddress();

        final long startNs = System.nanoTime();
        long nextProgressNs = startNs + PROGRESS_INTERVAL_NS;
        for (int i = 0; i < bots.length; i++)
        {
            final SessionBot bot = bots[i];
            final ConnectToken token = tokens.generate(
                bot.clientId(), bot.roomId(), addresses, TOKEN_TIMEOUT_S, lifetimeMs, null);
            bot.open(group, token, server, spreadSources ? sourceAddress(i) : null);
            nextProgressNs = progress(startNs, nextProgressNs);
            checkInterrupt();
        }

        final long deadlineNs = System.nanoTime() + settings.connectTimeoutNs() + CONNECT_GRACE_NS;
        while (settled.get() < bots.length && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(POLL_NS);
            nextProgressNs = progress(startNs, nextProgressNs);
            checkInterrupt();
        }
        if (settled.get() < bots.length)
        {
            onEveryLoop(SessionBot::giveUp, (bot) -> SessionBot.CONNECTING == bot.status());
        }
        connectPhaseNs = System.nanoTime() - startNs;

        err.printf(Locale.ROOT, "connected %d of %d bots in %.1f ms%s%n", connected.get(), bots.length,
            connectPhaseNs / 1e6, connected.get() < bots.length ?
            " (" + (bots.length - connected.get()) + " failed)" : "");
    }

    /**
     * {@inheritDoc}
     */
    public long execute(final RunPhases phases) throws InterruptedException
    {
        if (connected.get() == 0)
        {
            return phases.measureStartNs();
        }

        final long intervalNs = settings.intervalNs();
        for (int i = 0; i < bots.length; i++)
        {
            final SessionBot bot = bots[i];
            if (SessionBot.CONNECTED == bot.status())
            {
                final long firstNs = phases.startNs() + i * intervalNs / bots.length;
                bot.handle().execute(() -> bot.begin(phases, firstNs));
            }
        }

        parkUntil(phases.endNs());

        // every ping still in flight was sent before endNs, so one timeout settles all of them
        final long drainDeadlineNs = phases.endNs() + config.timeoutNs();
        while (inFlight() > 0 && System.nanoTime() - drainDeadlineNs < 0)
        {
            LockSupport.parkNanos(POLL_NS);
            checkInterrupt();
        }

        onEveryLoop(SessionBot::abandonInFlight, (bot) -> null != bot.handle());
        onEveryLoop(SessionBot::leave, (bot) -> SessionBot.CONNECTED == bot.status());

        return phases.endNs();
    }

    /**
     * {@inheritDoc}
     */
    public ModeReport modeReport()
    {
        return new SessionReport(
            config, bots, connectPhaseNs, TrafficCounters.sum(counters, TrafficCounters.MEASURED_RECEIVED));
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        group.close();
    }

    /**
     * A bot connected or failed to; called once per bot, from its event loop or, when its socket could not be
     * opened, from the controlling thread.
     *
     * @param bot       that settled.
     * @param connected true if it connected.
     * @param why       the failure, for the first warning; null when connected.
     */
    void onBotSettled(final SessionBot bot, final boolean connected, final String why)
    {
        if (connected)
        {
            this.connected.incrementAndGet();
        }
        else
        {
            connectFailureWarning.warn("bot " + bot.clientId() + " failed to connect to " + config.server() + ": " +
                why);
        }
        settled.incrementAndGet();
    }

    /**
     * A connected bot closed; called from its event loop.
     *
     * @param bot     that closed.
     * @param leaving true when the run asked it to leave.
     */
    void onBotDisconnected(final SessionBot bot, final boolean leaving)
    {
        connected.decrementAndGet();
        if (!leaving)
        {
            disconnectWarning.warn("bot " + bot.clientId() + " disconnected unexpectedly: " + bot.outcome());
        }
    }

    private long progress(final long startNs, final long nextProgressNs)
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextProgressNs < 0)
        {
            return nextProgressNs;
        }

        final int done = settled.get();
        final int up = connected.get();
        err.printf(Locale.ROOT, "%6.1fs  connecting: %d connected, %d failed, %d pending of %d%n",
            (nowNs - startNs) / 1e9, up, done - up, bots.length - done, bots.length);

        return nowNs + PROGRESS_INTERVAL_NS;
    }

    private void onEveryLoop(final Consumer<SessionBot> action, final Predicate<SessionBot> filter)
    {
        BotLoops.onEveryLoop(bots, SessionBot::handle, action, filter, LOOP_TASK_TIMEOUT_MS, err);
    }

    /**
     * Pings sent but neither answered nor lost; never under-estimated: the settled counts are read before the sent
     * count, which each bot increments first.
     */
    private long inFlight()
    {
        final long done = TrafficCounters.sum(counters, TrafficCounters.RECEIVED) +
            TrafficCounters.sum(counters, TrafficCounters.LOST);

        return TrafficCounters.sum(counters, TrafficCounters.SENT) - done;
    }

    /**
     * The loopback address bot {@code index} binds: 127.1.0.1 for the first, counting up.
     *
     * @param index of the bot, from 0.
     * @return its source address.
     */
    public static InetAddress sourceAddress(final int index)
    {
        final int address = SOURCE_BLOCK + index + 1;
        try
        {
            return InetAddress.getByAddress(new byte[]{
                (byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address });
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("4-byte address rejected", ex);
        }
    }

    private static TransportKind transportKind(final RunConfig config)
    {
        switch (config.transport())
        {
            case EPOLL:
                return TransportKind.EPOLL;

            case NIO:
                return TransportKind.NIO;

            default:
                return TransportKind.AUTO;
        }
    }

    private static void parkUntil(final long deadlineNs) throws InterruptedException
    {
        long remainingNs;
        while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remainingNs);
            checkInterrupt();
        }
    }

    private static void checkInterrupt() throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
    }
}
