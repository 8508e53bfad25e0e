package dev.skirmish.sim.session;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.sim.RunPhases;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.report.TrafficCounters;
import dev.skirmish.sim.wire.PingPayload;
import dev.skirmish.session.client.ClientGroup;
import dev.skirmish.session.client.ClientImpairment;
import dev.skirmish.session.client.ClientHandle;
import dev.skirmish.session.client.ClientListener;
import dev.skirmish.session.client.SkirmishClient;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.token.ConnectToken;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One session bot: a {@link SkirmishClient} of a {@link ClientGroup} that connects with its own token, then sends a
 * ping (a DATA payload, {@link PingPayload}) at a fixed rate and times the server's echo of it.
 * <p>
 * <b>Open loop.</b> Ping {@code k} is due at {@code firstSendNs + k * intervalNs}, whether or not earlier echoes came
 * back. The ping timer runs at a fixed rate on the bot's event loop; when the loop falls behind, Netty runs the missed
 * ticks back to back. Each ping carries the time it was <em>due</em>, not the time it left, so a late tick adds its
 * lateness to the round trip: the coordinated-omission correction of a constant-rate load generator. Every ping is
 * recorded once, so no synthetic samples are added.
 * <p>
 * <b>Slots.</b> Ping {@code k} uses slot {@code k % slots}, so an echo finds its ping without a map. A ping without
 * echo within the timeout of the moment it actually left, or still unanswered when its slot comes round again, is
 * counted lost; an echo for a ping no longer in flight is counted late. Loss is timed from the actual send so that
 * a bot running behind its schedule does not count its own lateness as loss; its round trips include it.
 * <p>
 * <b>Rebinds</b>: when the impairment profile asks for them, a {@link BotRebinder} moves the client to a new local
 * port on schedule from {@link #begin} to the end of the run; the server migrates the session. Pings whose echo
 * went to the old port before the server moved are lost, as behind a real NAT.
 * <p>
 * <b>Threading:</b> the listener callbacks, the timer and {@link #begin}, {@link #abandonInFlight} and {@link #leave}
 * run on the bot's event loop, the single writer of the slots and the counters. The controlling thread writes
 * {@link #open} and reads the volatile status fields.
 */
final class SessionBot implements ClientListener
{
    /** Opening its socket, or connecting. */
    static final int CONNECTING = 0;
    /** Connected: pinging, or ready to. */
    static final int CONNECTED = 1;
    /** Never connected: open failed, denied, timed out. */
    static final int FAILED = 2;
    /** Was connected, then closed before the run asked it to leave. */
    static final int DISCONNECTED = 3;
    /** Left when the run asked it to. */
    static final int LEFT = 4;

    /** {@link #outcome()} of a bot whose socket could not be opened. */
    static final String OPEN_FAILED = "OPEN_FAILED";
    /** {@link #outcome()} of a bot still connecting when the connect phase ended. */
    static final String GAVE_UP = "NOT_CONNECTED_IN_TIME";

    private final int index;
    private final long clientId;
    private final long roomId;
    private final int payloadLength;
    private final long intervalNs;
    private final long timeoutNs;
    private final int slots;
    private final RttRecorder rtt;
    private final SessionRun run;
    private final TrafficCounters counters = new TrafficCounters();
    private final Runnable pingTick = this::onPingTick;
    private final byte[] payload;
    private final int channel;
    private final ImpairmentProfile impairment;
    private final long seed;
    private final BotRebinder rebinder;

    // Event loop only.
    private final long[] slotSequence;
    private final long[] slotSendNs;
    private final long[] slotSentAtNs;
    private final boolean[] slotInFlight;
    private RunPhases phases;
    private ScheduledFuture<?> pingTask;
    private long firstSendNs;
    private long nextSequence;
    private long oldestSequence;
    private boolean leaving;

    // Written by the controlling thread: openStartNs before open() hands the client to its loop; handle when open()
    // returns, which may be after onConnected, so only tasks submitted later (begin, leave, giveUp) read it there.
    private long openStartNs;
    private ClientHandle handle;

    // Written on the loop (or by the controlling thread before the bot has a loop), read by the controlling thread.
    private volatile int status = CONNECTING;
    private volatile long connectNs = -1;
    private volatile String outcome;
    private volatile long maxSendLagNs;

    SessionBot(
        final int index,
        final long roomId,
        final SessionSettings settings,
        final ImpairmentProfile impairment,
        final int payloadLength,
        final long timeoutNs,
        final RttRecorder rtt,
        final SessionRun run)
    {
        this.index = index;
        this.clientId = index + 1L;
        this.roomId = roomId;
        this.payloadLength = payloadLength;
        this.intervalNs = settings.intervalNs();
        this.timeoutNs = timeoutNs;
        this.slots = settings.slots(timeoutNs);
        this.rtt = rtt;
        this.run = run;
        this.payload = new byte[payloadLength];
        this.channel = settings.channel();
        this.impairment = impairment;
        this.seed = settings.seed() + 2L * index;
        this.rebinder = new BotRebinder(impairment, seed, counters);
        this.slotSequence = new long[slots];
        this.slotSendNs = new long[slots];
        this.slotSentAtNs = new long[slots];
        this.slotInFlight = new boolean[slots];
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

    /**
     * Why the bot failed or disconnected, as counted in the report: a {@link DisconnectReason} name,
     * {@code DENIED_<deny reason>}, {@value #OPEN_FAILED} or {@value #GAVE_UP}.
     *
     * @return the key, or null while connecting or connected, or after leaving as asked.
     */
    String outcome()
    {
        return outcome;
    }

    long maxSendLagNs()
    {
        return maxSendLagNs;
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
     *
     * @param group  to open the client on.
     * @param token  this bot's connect token.
     * @param server address to connect to.
     * @param source local address to bind, or null to let the group choose.
     * @return true if the client is connecting (or already connected).
     */
    boolean open(
        final ClientGroup group, final ConnectToken token, final InetSocketAddress server, final InetAddress source)
    {
        openStartNs = System.nanoTime();
        try
        {
            handle = group.open(token, server, this, source, null == impairment ? null :
                new ClientImpairment(impairment, impairment, seed, ClientImpairment.CAPACITY_DEFAULT));
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
     * {@inheritDoc}
     */
    public void onConnected(final SkirmishClient client)
    {
        connectNs = System.nanoTime() - openStartNs;
        status = CONNECTED;
        run.onBotSettled(this, true, null);
    }

    /**
     * {@inheritDoc}
     */
    public void onDisconnected(final SkirmishClient client, final DisconnectReason reason)
    {
        final int previous = status;
        stopPinging();
        rebinder.stop();
        if (CONNECTED == previous)
        {
            abandonInFlight();
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
        final long nowNs = System.nanoTime();
        if (length != payloadLength || null == phases)
        {
            counters.onInvalid();
            return;
        }

        final long sequence = PingPayload.sequence(buffer, offset);
        if (sequence < 0 || sequence >= nextSequence)
        {
            counters.onInvalid();
            return;
        }

        final int slot = (int)(sequence % slots);
        if (!slotInFlight[slot] || slotSequence[slot] != sequence)
        {
            counters.onLate();
            return;
        }

        final long sendNs = slotSendNs[slot];
        if (PingPayload.sendNs(buffer, offset) != sendNs)
        {
            counters.onInvalid();
            return;
        }

        slotInFlight[slot] = false;
        final boolean measured = phases.isMeasured(sendNs);
        rtt.record(nowNs - sendNs, measured);
        counters.onReceived(measured);
    }

    /**
     * Start the ping timer. Called on the event loop; does nothing unless connected.
     *
     * @param phases  of the run: pings are due from {@code firstNs} until {@link RunPhases#endNs()}.
     * @param firstNs when ping 0 is due, {@link System#nanoTime()}; now if that has passed.
     */
    void begin(final RunPhases phases, final long firstNs)
    {
        assert handle.eventLoop().inEventLoop();
        this.phases = phases;
        if (CONNECTED != status)
        {
            return;
        }

        // Netty sets the timer's deadlines from its clock read a moment after this one, so they trail the due times
        // by well under a microsecond. Started late, the schedule shifts to now rather than carrying the delay into
        // every round trip.
        final long nowNs = System.nanoTime();
        final long delayNs = Math.max(0, firstNs - nowNs);
        firstSendNs = nowNs + delayNs;
        pingTask = handle.eventLoop().scheduleAtFixedRate(pingTick, delayNs, intervalNs, TimeUnit.NANOSECONDS);
        rebinder.begin(handle, phases);
    }

    /**
     * Stop pinging and count every ping still in flight as lost. Called on the event loop after the drain time.
     */
    void abandonInFlight()
    {
        stopPinging();
        rebinder.stop();
        if (null == phases)
        {
            return;
        }

        for (int slot = 0; slot < slots; slot++)
        {
            if (slotInFlight[slot])
            {
                slotInFlight[slot] = false;
                counters.onLost(phases.isMeasured(slotSendNs[slot]));
            }
        }
    }

    /**
     * Disconnect because the run is over; the close that follows is expected. Called on the event loop.
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

    private void onPingTick()
    {
        final long nowNs = System.nanoTime();
        expireInFlight(nowNs);

        final long sequence = nextSequence;
        final long dueNs = firstSendNs + sequence * intervalNs;
        if (dueNs - phases.endNs() >= 0 || CONNECTED != status)
        {
            stopPinging();
            return;
        }

        final int slot = (int)(sequence % slots);
        if (slotInFlight[slot])
        {
            // a whole round of slots without echo: lost even if the timeout has not passed yet
            slotInFlight[slot] = false;
            counters.onLost(phases.isMeasured(slotSendNs[slot]));
        }

        // Netty runs a tick at or after its deadline, which is at or after dueNs; min() guards a negative lag anyway
        final long sendNs = Math.min(dueNs, nowNs);
        final long lagNs = nowNs - sendNs;
        if (lagNs > maxSendLagNs)
        {
            maxSendLagNs = lagNs;
        }

        PingPayload.write(payload, sendNs, sequence);
        slotSequence[slot] = sequence;
        slotSendNs[slot] = sendNs;
        slotSentAtNs[slot] = nowNs;
        slotInFlight[slot] = true;
        nextSequence = sequence + 1;
        final boolean measured = phases.isMeasured(sendNs);
        counters.onSent(measured);

        boolean sent;
        try
        {
            sent = handle.send(channel, payload);
        }
        catch (final RuntimeException ex)
        {
            sent = false;
        }
        if (!sent)
        {
            // not written (socket not writable): an error, and a ping that cannot come back
            slotInFlight[slot] = false;
            counters.onError();
            counters.onLost(measured);
        }
    }

    /**
     * Count pings sent longer than the timeout ago as lost. In-flight pings were sent in sequence order, so the scan
     * stops at the first one that is still young: amortised constant work per tick.
     */
    private void expireInFlight(final long nowNs)
    {
        while (oldestSequence < nextSequence)
        {
            final int slot = (int)(oldestSequence % slots);
            if (slotInFlight[slot] && slotSequence[slot] == oldestSequence)
            {
                if (nowNs - slotSentAtNs[slot] < timeoutNs)
                {
                    return;
                }
                slotInFlight[slot] = false;
                counters.onLost(phases.isMeasured(slotSendNs[slot]));
            }
            oldestSequence++;
        }
    }

    private void stopPinging()
    {
        if (null != pingTask)
        {
            pingTask.cancel(false);
            pingTask = null;
        }
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "SessionBot{index=" + index + ", clientId=" + clientId + ", roomId=" + roomId + ", status=" + status +
            '}';
    }
}
