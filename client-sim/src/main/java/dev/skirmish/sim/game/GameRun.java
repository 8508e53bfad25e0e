package dev.skirmish.sim.game;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
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
import dev.skirmish.sim.report.ProcessCpu;
import dev.skirmish.sim.report.ProgressLine;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.report.TrafficCounters;
import dev.skirmish.sim.report.WarnOnce;
import dev.skirmish.sim.session.BotLoops;
import dev.skirmish.sim.session.SessionRun;
import dev.skirmish.sim.session.SessionSettings;
import dev.skirmish.session.client.ClientConfig;
import dev.skirmish.session.client.ClientGroup;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenGenerator;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Game mode: {@code clients} bots ({@link GameBot}) on one {@link ClientGroup} of {@code threads} event loops, bot
 * {@code i} client id {@code i + 1} in room {@code i / roomSize} (its token names the room; the server creates it
 * when the first player arrives). Each bot binds its own 127.1.x.y source against an IPv4 loopback server, as in
 * session mode.
 * <p>
 * {@link #prepare()} scrapes the server's metrics, opens the bots at {@code --ramp} per second (or all at once) and
 * waits until each has connected or failed. A bot starts ticking as soon as it is connected, so the load grows with
 * the ramp; what it records before the run's warm-up ends is warm-up. {@link #execute(RunPhases)} hands every bot the
 * time line, sleeps until the run ends, lets the frames of the last inputs arrive for one {@code --timeout}, then
 * stops and disconnects every bot.
 * <p>
 * The controlling thread calls the constructor and the methods of {@link BotRun}; the reporter thread calls the
 * progress line; the bots report to both through atomics and HdrHistogram recorders.
 */
public final class GameRun implements BotRun
{
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long CONNECT_GRACE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long LOOP_TASK_TIMEOUT_MS = 5_000;

    private final RunConfig config;
    private final SessionSettings settings;
    private final GameSettings game;
    private final PrintStream err;
    private final ClientGroup group;
    private final GameBot[] bots;
    private final TrafficCounters[] counters;
    private final GameMetrics metrics = new GameMetrics();
    private final WarnOnce connectFailureWarning;
    private final WarnOnce disconnectWarning;
    private final AtomicInteger settled = new AtomicInteger();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger disconnected = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final ProcessCpu progressCpu = new ProcessCpu();
    private ServerMetrics serverBefore;
    private ServerMetrics serverAfter;
    private long serverWindowNs;
    private String serverNote;
    private long connectPhaseNs;
    private long measureCpuStartNs;
    private long measureCpuNs;

    // Reporter thread only.
    private Histogram lagInterval;
    private long lastIn;
    private long lastOut;
    private long lastProgressNs;

    /**
     * Start the event loops; no socket is opened until {@link #prepare()}.
     *
     * @param config     of the run, with its session and game settings.
     * @param inputFrame where input-to-frame latencies are recorded.
     * @param err        for progress and one-time warnings.
     * @throws IOException if the event loops cannot start.
     */
    public GameRun(final RunConfig config, final RttRecorder inputFrame, final PrintStream err) throws IOException
    {
        this.config = config;
        this.settings = config.session();
        this.game = config.game();
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

        bots = new GameBot[config.clients()];
        counters = new TrafficCounters[bots.length];
        for (int i = 0; i < bots.length; i++)
        {
            bots[i] = new GameBot(i, i / settings.roomSize(), game, settings.impairmentFor(i, bots.length), settings.seed(),
                inputFrame, metrics, this);
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
     * {@inheritDoc}
     */
    public ProgressLine progressLine()
    {
        return this::progressLine;
    }

    /**
     * Scrape the server's metrics, then open the bots at the ramp rate and wait until each has connected or failed.
     *
     * @throws InterruptedException if the calling thread is interrupted.
     */
    public void prepare() throws InterruptedException
    {
        if (null != game.metricsUrl())
        {
            try
            {
                serverBefore = ServerMetrics.scrape(game.metricsUrl());
            }
            catch (final IOException ex)
            {
                serverNote = "server metrics skipped: " + game.metricsUrl() + " unreachable (" + ex.getMessage() + ")";
                err.println("skirmish bots: " + serverNote);
            }
        }

        final InetSocketAddress server = config.server().socketAddress();
        final ConnectTokenGenerator tokens = new ConnectTokenGenerator(
            settings.tokenKey(), settings.protocolId(), SystemEpochClock.INSTANCE, new SecureRandom());
        final long rampNs = 0 == game.rampPerSec() ? 0 : TimeUnit.SECONDS.toNanos(1) / game.rampPerSec();
        final long lifetimeMs = TimeUnit.NANOSECONDS.toMillis(settings.connectTimeoutNs() + rampNs * bots.length) +
            SessionRun.TOKEN_SPARE_LIFETIME_MS;
        final List<InetSocketAddress> addresses = List.of(server);
        final boolean spreadSources = !settings.singleSource() &&
            server.getAddress() instanceof Inet4Address && server.getAddress().isLoopbackAddress();

        final long startNs = System.nanoTime();
        long nextProgressNs = startNs + PROGRESS_INTERVAL_NS;
        for (int i = 0; i < bots.length; i++)
        {
            final long dueNs = startNs + i * rampNs;
            while (System.nanoTime() - dueNs < 0)
            {
                LockSupport.parkNanos(Math.min(dueNs - System.nanoTime(), PROGRESS_INTERVAL_NS));
                nextProgressNs = progress(startNs, nextProgressNs);
                checkInterrupt();
            }
            final GameBot bot = bots[i];
            final ConnectToken token = tokens.generate(
                bot.clientId(), bot.roomId(), addresses, SessionRun.TOKEN_TIMEOUT_S, lifetimeMs, null);
            bot.open(group, token, server, spreadSources ? SessionRun.sourceAddress(i) : null);
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
            onEveryLoop(GameBot::giveUp, (bot) -> GameBot.CONNECTING == bot.status());
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

        onEveryLoop((bot) -> bot.begin(phases), (bot) -> null != bot.handle());
        final ProcessCpu cpu = new ProcessCpu();
        parkUntil(phases.measureStartNs());
        measureCpuStartNs = cpu.cpuNs();
        // the server's figures over the measured window: its summaries (tick lateness, GC pause max) restart at a scrape
        final ServerMetrics atStart = scrapeQuietly();
        final long atStartNs = System.nanoTime();
        parkUntil(phases.endNs());
        measureCpuNs = cpu.cpuNs() - measureCpuStartNs;
        final ServerMetrics atEnd = null == atStart ? null : scrapeQuietly();
        if (null != atEnd)
        {
            serverBefore = atStart;
            serverAfter = atEnd;
            serverWindowNs = System.nanoTime() - atStartNs;
        }

        // the frames that carry the last inputs arrive within a few ticks plus the network's delay
        parkUntil(phases.endNs() + config.timeoutNs());
        onEveryLoop(GameBot::stop, (bot) -> null != bot.handle());
        onEveryLoop(GameBot::leave, (bot) -> GameBot.CONNECTED == bot.status());

        return phases.endNs();
    }

    /**
     * {@inheritDoc}
     */
    public ModeReport modeReport()
    {
        if (null != serverBefore && null == serverAfter)
        {
            try
            {
                serverAfter = ServerMetrics.scrape(game.metricsUrl());
            }
            catch (final IOException ex)
            {
                serverNote = "server metrics skipped: " + game.metricsUrl() + " unreachable at the end (" +
                    ex.getMessage() + ")";
            }
        }
        else if (null == game.metricsUrl())
        {
            serverNote = "server metrics skipped: no --metrics-url";
        }

        return new GameReport(config, bots, metrics, connectPhaseNs, config.durationNs(), measureCpuNs,
            serverBefore, serverAfter, serverWindowNs, serverNote);
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        group.close();
    }

    private ServerMetrics scrapeQuietly()
    {
        if (null == game.metricsUrl() || null == serverBefore)
        {
            return null;
        }
        try
        {
            return ServerMetrics.scrape(game.metricsUrl());
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /**
     * A bot connected or failed to; once per bot, from its event loop or the controlling thread.
     */
    void onBotSettled(final GameBot bot, final boolean isConnected, final String why)
    {
        if (isConnected)
        {
            connected.incrementAndGet();
        }
        else
        {
            failed.incrementAndGet();
            connectFailureWarning.warn("bot " + bot.clientId() + " failed to connect to " + config.server() + ": " +
                why);
        }
        settled.incrementAndGet();
    }

    /**
     * A connected bot closed; from its event loop.
     */
    void onBotDisconnected(final GameBot bot, final boolean leaving)
    {
        connected.decrementAndGet();
        if (!leaving)
        {
            disconnected.incrementAndGet();
            disconnectWarning.warn("bot " + bot.clientId() + " disconnected unexpectedly: " + bot.outcome());
        }
    }

    private String progressLine(final long nowNs, final double elapsedS, final Histogram interval, final boolean warmup)
    {
        lagInterval = metrics.loopLagNs.getIntervalHistogram(lagInterval);
        final long in = TrafficCounters.sum(counters, TrafficCounters.RECEIVED);
        final long out = TrafficCounters.sum(counters, TrafficCounters.SENT);
        final long sendErrors = TrafficCounters.sum(counters, TrafficCounters.ERRORS);
        final double intervalS = Math.max(nowNs - (0 == lastProgressNs ? nowNs - PROGRESS_INTERVAL_NS :
            lastProgressNs), 1) / 1e9;
        final double inPerS = (in - lastIn) / intervalS;
        final double outPerS = (out - lastOut) / intervalS;
        lastIn = in;
        lastOut = out;
        lastProgressNs = nowNs;

        return String.format(Locale.ROOT,
            "%6.1fs  bots %d/%d  msg/s in %.0f out %.0f  input-frame p50 %s p99 %s%s  loop lag p99 %s  " +
            "cpu %.0f%%  errors %d (failed %d, disconnected %d, send %d)",
            elapsedS, connected.get(), bots.length, inPerS, outPerS,
            ms(interval, 50.0), ms(interval, 99.0), warmup ? " (warmup)" : "",
            ms(lagInterval, 99.0), progressCpu.sample(),
            failed.get() + disconnected.get() + sendErrors, failed.get(), disconnected.get(), sendErrors);
    }

    private static String ms(final Histogram histogram, final double percentile)
    {
        return histogram.getTotalCount() == 0 ? "-" :
            String.format(Locale.ROOT, "%.1fms", histogram.getValueAtPercentile(percentile) / 1e6);
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
        err.printf(Locale.ROOT, "%6.1fs  connecting: %d connected, %d failed, %d pending of %d  cpu %.0f%%%n",
            (nowNs - startNs) / 1e9, up, done - up, bots.length - done, bots.length, progressCpu.sample());

        return nowNs + PROGRESS_INTERVAL_NS;
    }

    private void onEveryLoop(final Consumer<GameBot> action, final Predicate<GameBot> filter)
    {
        BotLoops.onEveryLoop(bots, GameBot::handle, action, filter, LOOP_TASK_TIMEOUT_MS, err);
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
