package dev.skirmish.sim.game;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.sim.RunPhases;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.report.TrafficCounters;
import dev.skirmish.sim.session.BotRebinder;
import dev.skirmish.session.client.ClientGroup;
import dev.skirmish.session.client.ClientHandle;
import dev.skirmish.session.client.ClientImpairment;
import dev.skirmish.session.client.ClientListener;
import dev.skirmish.session.client.SkirmishClient;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.room.FrameSyncClient;
import dev.skirmish.session.room.FrameSyncClientConfig;
import dev.skirmish.session.room.FrameView;
import dev.skirmish.session.token.ConnectToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One game bot: a {@link SkirmishClient} with a {@link FrameSyncClient} that joins the room its token names and,
 * once connected, sends one input per tick and receives the room's frames.
 * <p>
 * <b>Input-to-frame latency</b>: tick {@code k} is due at {@code firstTickNs + k * tickPeriodNs}; the input it sends
 * targets a frame, and the receipt of that frame carrying the bot's input, minus the tick's <em>due</em> time, is
 * recorded. Timing from the due time, not the actual send, puts a late timer's delay into the latency
 * (coordinated-omission correction); the delay itself is recorded as loop lag.
 * <p>
 * <b>Jitter</b>: the arrival of each message that advances the newest frame by exactly one, minus the previous such
 * arrival, minus the tick period, absolute. <b>RTT</b>: the session's smoothed RTT, sampled once a second.
 * <b>Desyncs</b>: each bot hashes every window of {@value #CHECKPOINT_FRAMES} frames, reports the hash to the server
 * and keeps the last {@value #CHECKPOINTS}; the run compares them across the bots of a room.
 * <p>
 * <b>Rebinds</b>: when the impairment profile asks for them, a {@link BotRebinder} moves the client to a new local
 * port on schedule from {@link #begin} to the end of the run; the server migrates the session.
 * <p>
 * <b>Threading:</b> listener callbacks, the tick timer, {@link #onOpened}, {@link #stop}, {@link #leave} and
 * {@link #giveUp} run on the bot's event loop, the single writer of everything but the fields the controlling thread
 * writes before it hands the bot to its loop. Nothing is allocated per tick, input or frame.
 */
final class GameBot implements ClientListener, FrameSyncClient.Listener
{
    static final int CONNECTING = 0;
    static final int CONNECTED = 1;
    static final int FAILED = 2;
    static final int DISCONNECTED = 3;
    static final int LEFT = 4;

    static final String OPEN_FAILED = "OPEN_FAILED";
    static final String GAVE_UP = "NOT_CONNECTED_IN_TIME";

    /** Frames per hash window. */
    static final int CHECKPOINT_FRAMES = 32;
    /** Hash windows each bot keeps for the run's comparison. */
    static final int CHECKPOINTS = 16;
    /** Due times kept by target frame: more than the client's input history. */
    private static final int DUE_RING = 128;
    /** Aligned ticks fire this long before the input deadline: the event loop's timer lateness. */
    private static final long ALIGN_SLACK_NS = 5_000_000L;
    /** Ticks between two alignment checks. */
    private static final int ALIGN_CHECK_TICKS = 1;
    /** Aligned ticks move when further than this from where they should be. */
    private static final long ALIGN_TOLERANCE_NS = 1_500_000L;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int index;
    private final long clientId;
    private final long roomId;
    private final long tickPeriodNs;
    private final boolean alignInputs;
    private final int rttSampleTicks;
    private final RttRecorder inputFrame;
    private final GameMetrics metrics;
    private final GameRun run;
    private final TrafficCounters counters = new TrafficCounters();
    private final ImpairmentProfile impairment;
    private final long seed;
    private final BotRebinder rebinder;
    private final FrameSyncClient sync;
    private final ByteBuf input = Unpooled.buffer(GameSettings.INPUT_BYTES, GameSettings.INPUT_BYTES);
    private final Runnable tick = this::onTick;

    // Event loop only (read by the controlling thread once the bot has stopped or closed).
    private final long[] dueFrame = new long[DUE_RING];
    private final long[] dueNs = new long[DUE_RING];
    final long[] checkpointFrame = new long[CHECKPOINTS];
    final long[] checkpointHash = new long[CHECKPOINTS];
    private SkirmishClient client;
    private RunPhases phases;
    private ScheduledFuture<?> tickTask;
    private boolean opened;
    private boolean leaving;
    private long aligned;
    private long firstTickNs;
    private long ticks;
    private long lastNewestNs;
    private long windowHash = FNV_OFFSET;
    private int windowFrames;
    long resends;

    // Written by the controlling thread before the bot's first task on its loop.
    private long openStartNs;
    private ClientHandle handle;

    // Written on the loop, read by the controlling thread.
    private volatile int status = CONNECTING;
    private volatile long connectNs = -1;
    private volatile String outcome;

    GameBot(
        final int index,
        final long roomId,
        final GameSettings game,
        final ImpairmentProfile impairment,
        final long seed,
        final RttRecorder inputFrame,
        final GameMetrics metrics,
        final GameRun run)
    {
        this.index = index;
        this.clientId = index + 1L;
        this.roomId = roomId;
        this.tickPeriodNs = game.tickPeriodNs();
        this.alignInputs = game.alignInputs();
        this.rttSampleTicks = game.tickHz();
        this.inputFrame = inputFrame;
        this.metrics = metrics;
        this.run = run;
        this.impairment = impairment;
        this.seed = seed + 2L * index;
        this.rebinder = new BotRebinder(impairment, this.seed, counters);
        this.sync = new FrameSyncClient(
            new FrameSyncClientConfig().inputLeadFrames(game.inputLeadFrames()), this::sendMessage, this);
        for (int i = 0; i < CHECKPOINTS; i++)
        {
            checkpointFrame[i] = -1;
        }
    }

    long clientId()
    {
        return clientId;
    }

    long roomId()
    {
        return roomId;
    }

    TrafficCounters counters()
    {
        return counters;
    }

    FrameSyncClient sync()
    {
        return sync;
    }

    ClientHandle handle()
    {
        return handle;
    }

    int status()
    {
        return status;
    }

    long connectNs()
    {
        return connectNs;
    }

    String outcome()
    {
        return outcome;
    }

    /**
     * @return rebinds this bot's client completed; any thread.
     */
    long rebinds()
    {
        final ClientHandle current = handle;
        return null == current ? 0 : current.rebinds();
    }

    /**
     * @return rebinds that failed (each also counted as an error); any thread.
     */
    long rebindFailures()
    {
        return rebinder.failures();
    }

    /**
     * Open the bot's socket and start connecting. Called from the controlling thread; a failure to open is recorded
     * as this bot's failure, not thrown.
     */
    boolean open(
        final ClientGroup group, final ConnectToken token, final InetSocketAddress server, final InetAddress source)
    {
        openStartNs = System.nanoTime();
        try
        {
            handle = group.open(token, server, this, source, null == impairment ? null :
                new ClientImpairment(impairment, impairment, seed, ClientImpairment.CAPACITY_DEFAULT));
            handle.execute(this::onOpened);
            return true;
        }
        catch (final RuntimeException ex)
        {
            outcome = OPEN_FAILED;
            status = FAILED;
            run.onBotSettled(this, false, ex.getMessage());
            return false;
        }
    }

    /**
     * The controlling thread has stored the handle: ticks may start. Called on the event loop.
     */
    void onOpened()
    {
        opened = true;
        startTicking();
    }

    /**
     * The run's time line, from now on. Called on the event loop.
     */
    void begin(final RunPhases phases)
    {
        this.phases = phases;
        if (CONNECTED == status)
        {
            rebinder.begin(handle, phases);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onConnected(final SkirmishClient client)
    {
        this.client = client;
        connectNs = System.nanoTime() - openStartNs;
        status = CONNECTED;
        run.onBotSettled(this, true, null);
        startTicking();
    }

    /**
     * {@inheritDoc}
     */
    public void onDisconnected(final SkirmishClient client, final DisconnectReason reason)
    {
        final int previous = status;
        stopTicking();
        rebinder.stop();
        if (CONNECTED == previous)
        {
            if (!leaving)
            {
                outcome = reason.name();
            }
            status = leaving ? LEFT : DISCONNECTED;
            run.onBotDisconnected(this, leaving);
        }
        else if (CONNECTING == previous)
        {
            if (null == outcome)
            {
                outcome = DisconnectReason.DENIED == reason && null != client.denyReason() ?
                    "DENIED_" + client.denyReason() : reason.name();
            }
            status = FAILED;
            run.onBotSettled(this, false, outcome);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onMessage(
        final SkirmishClient client, final int channel, final ByteBuf buffer, final int offset, final int length)
    {
        final long nowNs = client.lastReceiveNs();
        final long newestBefore = sync.newestFrame();
        sync.onMessage(channel, buffer, offset, length, nowNs);
        final boolean measured = isMeasured(nowNs);
        counters.onReceived(measured);

        final long newest = sync.newestFrame();
        if (newest > newestBefore)
        {
            if (newest == newestBefore + 1 && newestBefore >= 0 && 0 != lastNewestNs && measured)
            {
                metrics.frameJitterNs.recordValue(Math.abs(nowNs - lastNewestNs - tickPeriodNs));
            }
            lastNewestNs = nowNs;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onFrame(final FrameSyncClient client, final FrameView frame)
    {
        final long number = frame.frame();
        hashWindow(frame);
        if (frame.carriesOwnInput())
        {
            final int slot = (int)(number & (DUE_RING - 1));
            final long sentNs = dueFrame[slot] == number ? dueNs[slot] : frame.inputSentNs();
            final long latencyNs = frame.receivedNs() - sentNs;
            if (sentNs > 0 && latencyNs >= 0)
            {
                inputFrame.record(latencyNs, isMeasured(sentNs));
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onFramesLost(final FrameSyncClient client, final long fromFrame, final long toFrame)
    {
        counters.onLost(isMeasured(System.nanoTime()));
        windowFrames = -CHECKPOINT_FRAMES;
    }

    /**
     * Stop sending inputs and take the last figures from the client. Called on the event loop when the run is over.
     */
    void stop()
    {
        stopTicking();
        rebinder.stop();
        if (null != client)
        {
            resends = client.stats().resends();
        }
    }

    /**
     * Disconnect because the run is over. Called on the event loop.
     */
    void leave()
    {
        leaving = true;
        handle.client().disconnect(System.nanoTime());
    }

    /**
     * Stop connecting because the connect phase is over: the bot has failed. Called on the event loop.
     */
    void giveUp()
    {
        if (CONNECTING == status)
        {
            outcome = GAVE_UP;
            handle.client().disconnect(System.nanoTime());
        }
    }

    private void startTicking()
    {
        if (!opened || CONNECTED != status || null != tickTask)
        {
            return;
        }

        firstTickNs = System.nanoTime();
        tickTask = handle.eventLoop().scheduleAtFixedRate(tick, 0, tickPeriodNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Keep this bot's ticks just before the deadline of the frame its next input targets, as a lockstep client
     * samples its input just in time: the input then waits for its frame's close by the margin only, not by a
     * free-running phase (0 to 1 tick). Checked every {@value #ALIGN_CHECK_TICKS} ticks once the frame-sync client
     * knows the room's tick phase; the ticks move when they are more than {@value #ALIGN_TOLERANCE_NS} ns off.
     */
    private void alignTicks(final long nowNs)
    {
        // the frame the next input will target when it is on time
        final long deadlineNs = sync.inputDeadlineNs(sync.lastInputFrame() + 1);
        if (Long.MIN_VALUE == deadlineNs || null == tickTask)
        {
            return;
        }
        long nextNs = deadlineNs - ALIGN_SLACK_NS;
        while (nextNs - nowNs < tickPeriodNs / 4)
        {
            nextNs += tickPeriodNs;
        }
        final long scheduledNs = firstTickNs + ticks * tickPeriodNs;
        final long offNs = Math.floorMod(nextNs - scheduledNs, tickPeriodNs);
        if (Math.min(offNs, tickPeriodNs - offNs) <= ALIGN_TOLERANCE_NS)
        {
            return;
        }
        aligned++;
        tickTask.cancel(false);
        // tick number `ticks` is now due at nextNs: due times (and their coordinated-omission accounting) follow
        firstTickNs = nextNs - ticks * tickPeriodNs;
        tickTask = handle.eventLoop().scheduleAtFixedRate(
            tick, nextNs - System.nanoTime(), tickPeriodNs, TimeUnit.NANOSECONDS);
    }

    private void stopTicking()
    {
        if (null != tickTask)
        {
            tickTask.cancel(false);
            tickTask = null;
        }
    }

    private void onTick()
    {
        final long nowNs = System.nanoTime();
        final long dueTickNs = firstTickNs + ticks * tickPeriodNs;
        ticks++;
        final long lagNs = Math.max(0, nowNs - dueTickNs);
        metrics.loopLagNs.recordValue(lagNs);
        final boolean measured = isMeasured(dueTickNs);
        if (measured)
        {
            metrics.measuredLoopLagNs.recordValue(lagNs);
        }
        if (CONNECTED != status)
        {
            stopTicking();
            return;
        }

        final boolean sending = null == phases || dueTickNs - phases.endNs() < 0;
        if (sending && sync.isWelcomed())
        {
            input.setLongLE(0, clientId << 32 | (ticks & 0xffff_ffffL));
            final long frame = sync.sendInput(input, 0, GameSettings.INPUT_BYTES, nowNs);
            if (frame >= 0)
            {
                final int slot = (int)(frame & (DUE_RING - 1));
                dueFrame[slot] = frame;
                dueNs[slot] = dueTickNs;
                counters.onSent(measured);
            }
            else if (FrameSyncClient.HELD != frame)
            {
                counters.onError();
            }
        }
        sync.doWork(nowNs);
        if (null != client)
        {
            sync.pathRtt(client.stats().minRttNs());
            if (alignInputs && 0 == ticks % ALIGN_CHECK_TICKS)
            {
                alignTicks(nowNs);
            }
        }
        if (measured && 0 == ticks % rttSampleTicks)
        {
            final long srttNs = client.stats().srttNs();
            if (srttNs > 0)
            {
                metrics.rttNs.recordValue(srttNs);
            }
        }
        handle.flush();
    }

    private boolean sendMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
    {
        return null != client && client.send(channel, buffer, offset, length);
    }

    private boolean isMeasured(final long ns)
    {
        return null != phases && phases.isMeasured(ns);
    }

    /**
     * FNV-1a over every frame of a window; a window complete in this bot is kept and reported to the server.
     */
    private void hashWindow(final FrameView frame)
    {
        final ByteBuf buffer = frame.buffer();
        final int end = frame.offset() + frame.length();
        long hash = windowHash;
        for (int i = frame.offset(); i < end; i++)
        {
            hash = (hash ^ (buffer.getByte(i) & 0xff)) * FNV_PRIME;
        }
        windowHash = hash;
        windowFrames++;

        final long number = frame.frame();
        if (CHECKPOINT_FRAMES - 1 == number % CHECKPOINT_FRAMES)
        {
            if (CHECKPOINT_FRAMES == windowFrames)
            {
                final int slot = (int)((number / CHECKPOINT_FRAMES) % CHECKPOINTS);
                checkpointFrame[slot] = number;
                checkpointHash[slot] = hash;
                sync.reportHash(number, hash, frame.receivedNs());
            }
            windowHash = FNV_OFFSET;
            windowFrames = 0;
        }
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "GameBot{index=" + index + ", clientId=" + clientId + ", roomId=" + roomId + ", status=" + status + '}';
    }
}
