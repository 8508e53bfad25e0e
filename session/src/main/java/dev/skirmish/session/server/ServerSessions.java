package dev.skirmish.session.server;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.core.worker.DatagramHandler;
import dev.skirmish.core.worker.Outbound;
import dev.skirmish.session.channel.ChannelEndpoint;
import dev.skirmish.session.channel.ReceiveChannel;
import dev.skirmish.session.channel.recovery.RecoveryCounter;
import dev.skirmish.session.handshake.DenyReason;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.protect.ReplayWindow;
import dev.skirmish.session.token.ConnectTokenDecoder;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.TokenCheck;
import io.netty.buffer.ByteBuf;
import org.agrona.DeadlineTimerWheel;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.SplittableRandom;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import static dev.skirmish.session.handshake.HandshakeDescriptor.DENIED_LENGTH;
import static dev.skirmish.session.handshake.HandshakeDescriptor.RESPONSE_TOKEN_OFFSET;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.PAYLOAD_OFFSET;

/**
 * The sessions of one worker and everything that happens to them: allocation on a valid challenge response (the
 * authoritative checks 6-8), opening protected packets (replay window, authentication failure limit), lifecycle
 * (keepalive, idle timeout, redundant disconnect), connection migration with path validation, and the channel
 * layer of every session (a {@link ChannelEndpoint} each: DATA bodies in, the game's messages out).
 * <p>
 * Duty cycle: datagrams ({@link #onDatagram}), then {@link #doWork}: channel timers (acks, loss, probes) from a
 * timer wheel, the lifecycle scan every timer tick, the game's {@link SessionListener#doWork}, and last one flush of
 * every session that received, sent or timed out in this cycle (so messages queued in the cycle share packets).
 *
 * <p>Not thread safe: owned by one worker, called from that worker thread only.
 */
public final class ServerSessions implements DatagramHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(ServerSessions.class);
    private static final int PATH_DATA_LENGTH = Long.BYTES;
    /** Channel timer wheel tick: 2^19 ns (~0.52 ms), below the 1 ms loss-timer granularity and 5 ms ack delay. */
    private static final long TIMER_RESOLUTION_NS = 1L << 19;
    private static final int TIMER_TICKS_PER_WHEEL = 1024;
    /** Wheel ticks caught up per duty cycle at most (~2 s of ticks), so a stalled worker never loops unbounded. */
    private static final int MAX_TIMER_TICKS_PER_CYCLE = 4096;
    private static final int TIMER_EXPIRY_LIMIT = 1 << 16;

    private final SessionServer server;
    private final SessionServerConfig config;
    private final SessionRegistry registry;
    private final int worker;
    private final int workers;
    private final Outbound outbound;
    private final CounterSet counters;
    private final EpochClock epochClock;
    private final ConnectTokenDecoder decoder;
    private final Int2ObjectHashMap<ServerSession> sessions = new Int2ObjectHashMap<>();
    private final ArrayList<ServerSession> sessionList = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private final byte[] serverPart = new byte[ConnectTokenDescriptor.SERVER_PART_LENGTH];
    private final byte[] tag = new byte[ConnectTokenDescriptor.TAG_LENGTH];
    private final byte[] key = new byte[ConnectTokenDescriptor.KEY_LENGTH];
    private final int maxPayloadLength;
    private final DeadlineTimerWheel timers = new DeadlineTimerWheel(
        TimeUnit.NANOSECONDS, 0, TIMER_RESOLUTION_NS, TIMER_TICKS_PER_WHEEL);
    private final DeadlineTimerWheel.TimerHandler timerHandler = this::onChannelTimer;
    private final Long2ObjectHashMap<ServerSession> timerSessions = new Long2ObjectHashMap<>();
    private final ArrayList<ServerSession> dirtySessions = new ArrayList<>();
    private final SessionPacketWriter packetWriter = new SessionPacketWriter();
    private final MessageDelivery delivery = new MessageDelivery();
    private boolean timersStarted;
    private SessionListener listener = new SessionListener()
    {
    };
    private long nextSessionSequence = 1;
    private long nextTimerNs = Long.MIN_VALUE;
    private long nowNs;

    ServerSessions(
        final SessionServer server,
        final int worker,
        final int workers,
        final Outbound outbound,
        final CounterSet counters,
        final EpochClock epochClock,
        final int maxDatagramLength)
    {
        this.server = server;
        this.config = server.config();
        this.registry = server.registry();
        this.worker = worker;
        this.workers = workers;
        this.outbound = outbound;
        this.counters = counters;
        this.epochClock = epochClock;
        this.decoder = new ConnectTokenDecoder(config.tokenKey(), config.protocolId());
        this.maxPayloadLength = ProtectedPacketDescriptor.maxPayloadLength(maxDatagramLength);
        if (config.channels().pathPayloadBytes() > maxPayloadLength)
        {
            throw new dev.skirmish.core.ConfigurationException("channels.pathPayloadBytes " +
                config.channels().pathPayloadBytes() + " exceeds the protected payload of a " + maxDatagramLength +
                " B datagram (" + maxPayloadLength + " B)");
        }
    }

    void listener(final SessionListener listener)
    {
        this.listener = listener;
    }

    @Override
    public void onDatagram(final int ioThread, final ByteBuf datagram, final InetSocketAddress sender, final long nowNs)
    {
        this.nowNs = nowNs;
        startTimers(nowNs);
        final int type = PacketHeader.typeCode(datagram);
        if (type == PacketType.CHALLENGE_RESPONSE.code())
        {
            onChallengeResponse(ioThread, datagram, sender, nowNs);
        }
        else if (type == PacketType.DATA.code() || type == PacketType.KEEPALIVE.code() ||
            type == PacketType.DISCONNECT.code() || type == PacketType.PATH_RESPONSE.code())
        {
            onProtected(ioThread, datagram, sender, type, nowNs);
        }
        else
        {
            counters.increment(Counter.HANDSHAKE_WRONG_DIRECTION);
        }
    }

    private void onChallengeResponse(
        final int ioThread, final ByteBuf datagram, final InetSocketAddress sender, final long nowNs)
    {
        if (datagram.readableBytes() != HandshakeDescriptor.CHALLENGE_RESPONSE_LENGTH)
        {
            // The gate routes only full-size responses; a handler must still never throw on what it is given.
            counters.increment(Counter.HANDSHAKE_BAD_SIZE);
            return;
        }
        final long nowMs = epochClock.time();
        datagram.getBytes(datagram.readerIndex() + RESPONSE_TOKEN_OFFSET, serverPart);
        final TokenCheck check = decoder.decodeServerPart(serverPart, 0, serverPart.length, nowMs);
        if (TokenCheck.VALID != check)
        {
            // The I/O thread checked it a moment ago; it may have expired since.
            counters.increment(ServerHandshake.counterFor(check));
            return;
        }
        decoder.getTag(tag, 0);
        if (server.isShuttingDown())
        {
            // Routed before the stop began: still no session once it has.
            counters.increment(Counter.DENIED_SHUTTING_DOWN);
            deny(ioThread, sender, DenyReason.SHUTTING_DOWN);
            return;
        }
        final long tagHigh = TokenTags.high(tag);
        final long tagLow = TokenTags.low(tag);
        final long clientId = decoder.clientId();

        final SessionRegistry.ClientEntry existing = registry.client(clientId);
        if (null != existing)
        {
            final ServerSession session = sessions.get(existing.sessionId());
            if (null != session && session.tagHigh == tagHigh && session.tagLow == tagLow &&
                session.address.equals(sender))
            {
                // The client did not hear our keepalive yet: say it again.
                sendControl(session, PacketType.KEEPALIVE);
                return;
            }
            counters.increment(Counter.TOKEN_CLIENT_CONNECTED);
            deny(ioThread, sender, DenyReason.CLIENT_ALREADY_CONNECTED);
            return;
        }

        switch (registry.markTokenUsed(tagHigh, tagLow, sender, decoder.expireTimeMs(), nowMs))
        {
            case OTHER_ADDRESS:
                counters.increment(Counter.TOKEN_REUSED);
                return;
            case TABLE_FULL:
                counters.increment(Counter.TOKEN_TABLE_FULL);
                server.limitHit("used-token table full ({} unexpired tokens)", config.usedTokenCapacity());
                deny(ioThread, sender, DenyReason.SERVER_BUSY);
                return;
            default:
                break;
        }
        if (!registry.tryReservePending())
        {
            counters.increment(Counter.DENIED_PENDING_FULL);
            server.limitHit("max pending sessions reached ({})", config.maxPendingSessions());
            deny(ioThread, sender, DenyReason.SERVER_BUSY);
            return;
        }
        if (!registry.tryReserveSession())
        {
            registry.releasePending();
            counters.increment(Counter.DENIED_SERVER_FULL);
            server.limitHit("max sessions reached ({})", config.maxSessions());
            deny(ioThread, sender, DenyReason.SERVER_FULL);
            return;
        }
        final int id = nextSessionId();
        if (!registry.claimClient(clientId, new SessionRegistry.ClientEntry(id, tagHigh, tagLow, sender)))
        {
            registry.releasePending();
            registry.releaseSession();
            counters.increment(Counter.TOKEN_CLIENT_CONNECTED);
            deny(ioThread, sender, DenyReason.CLIENT_ALREADY_CONNECTED);
            return;
        }
        final ServerSession session = allocate(id, ioThread, sender, tagHigh, tagLow, nowNs);
        sendControl(session, PacketType.KEEPALIVE);
    }

    private ServerSession allocate(
        final int id,
        final int ioThread,
        final InetSocketAddress sender,
        final long tagHigh,
        final long tagLow,
        final long nowNs)
    {
        final int maxDatagramLength = maxPayloadLength + ProtectedPacketDescriptor.MIN_LENGTH;
        decoder.getServerToClientKey(key, 0);
        final PacketProtector sendProtector = PacketProtector.forSending(config.aeadSuite(), key, maxDatagramLength);
        decoder.getClientToServerKey(key, 0);
        final PacketProtector receiveProtector =
            PacketProtector.forReceiving(config.aeadSuite(), key, maxDatagramLength, new ReplayWindow());
        java.util.Arrays.fill(key, (byte)0);
        final byte[] userData = new byte[decoder.userDataLength()];
        decoder.getUserData(userData, 0);

        final ServerSession session = new ServerSession(
            this, id, decoder.clientId(), decoder.roomId(), tagHigh, tagLow,
            TimeUnit.SECONDS.toNanos(decoder.timeoutSeconds()), userData, sendProtector, receiveProtector,
            ioThread, sender, new ChannelEndpoint(config.channels()), nowNs);
        sessions.put(id, session);
        session.listIndex = sessionList.size();
        sessionList.add(session);
        counters.increment(Counter.SESSIONS_OPENED);
        return session;
    }

    private int nextSessionId()
    {
        while (true)
        {
            final long candidate = nextSessionSequence++ * workers + worker;
            final int id = (int)candidate;
            if (candidate > 0xFFFF_FFFFL)
            {
                nextSessionSequence = 1;
                continue;
            }
            if (0 != id && !sessions.containsKey(id))
            {
                return id;
            }
        }
    }

    private void onProtected(
        final int ioThread, final ByteBuf datagram, final InetSocketAddress sender, final int type, final long nowNs)
    {
        final ServerSession session = sessions.get(PacketHeader.sessionId(datagram));
        if (null == session || SessionState.CLOSED == session.state)
        {
            counters.increment(Counter.UNKNOWN_SESSION);
            return;
        }
        final int receivedLength = datagram.readableBytes();
        final int result = session.receiveProtector.open(datagram);
        if (ProtectResult.OK != result)
        {
            onOpenFailed(session, result, nowNs);
            return;
        }

        session.lastReceivedNs = nowNs;
        if (SessionState.CONNECTING == session.state)
        {
            session.state = SessionState.CONNECTED;
            session.connectedNs = nowNs;
            registry.releasePending();
            listener.onSessionConnected(session, nowNs);
            if (SessionState.CONNECTED != session.state)
            {
                return;
            }
        }
        if (!sender.equals(session.address))
        {
            onOtherAddress(session, ioThread, sender, receivedLength, nowNs);
        }

        final int payloadOffset = datagram.readerIndex() + PAYLOAD_OFFSET;
        final int payloadLength = datagram.writerIndex() - payloadOffset;
        if (type == PacketType.DATA.code())
        {
            onData(session, datagram, payloadOffset, payloadLength, nowNs);
        }
        else if (type == PacketType.DISCONNECT.code())
        {
            final DisconnectReason reason = payloadLength == 1 ?
                DisconnectReason.get(datagram.getUnsignedByte(payloadOffset)) : null;
            close(session, null == reason ? DisconnectReason.PROTOCOL_ERROR : reason, false);
        }
        else if (type == PacketType.PATH_RESPONSE.code())
        {
            onPathResponse(session, ioThread, sender, datagram, payloadOffset, payloadLength);
        }
    }

    private void onData(
        final ServerSession session,
        final ByteBuf datagram,
        final int payloadOffset,
        final int payloadLength,
        final long nowNs)
    {
        counters.increment(Counter.SESSION_PAYLOADS_IN);
        markDirty(session);
        delivery.session = session;
        delivery.nowNs = nowNs;
        final int result;
        try
        {
            result = session.channels.onPacket(session.receiveProtector.lastOpenedSequence(), datagram,
                payloadOffset, payloadLength, nowNs, delivery);
        }
        finally
        {
            delivery.session = null;
        }
        if (ChannelEndpoint.PACKET_MALFORMED == result)
        {
            counters.increment(Counter.CHANNEL_MALFORMED);
        }
        else if (ChannelEndpoint.PACKET_PROTOCOL_VIOLATION == result)
        {
            counters.increment(Counter.CHANNEL_PROTOCOL_VIOLATIONS);
            close(session, DisconnectReason.PROTOCOL_ERROR, true);
        }
    }

    private void onOpenFailed(final ServerSession session, final int result, final long nowNs)
    {
        if (ProtectResult.REPLAY == result || ProtectResult.TOO_OLD == result)
        {
            counters.increment(Counter.REPLAYS);
            return;
        }
        counters.increment(Counter.AUTH_FAILURES);
        if (session.receiveProtector.authFailures() + session.receiveProtector.malformed() >
            config.maxAuthFailures())
        {
            counters.increment(Counter.AUTH_FAILURE_LIMIT);
            close(session, DisconnectReason.AUTH_FAILURES, true);
        }
    }

    private void onOtherAddress(
        final ServerSession session,
        final int ioThread,
        final InetSocketAddress sender,
        final int receivedLength,
        final long nowNs)
    {
        if (null == session.candidate || !session.candidate.equals(sender))
        {
            session.candidate = sender;
            session.candidateSinceNs = nowNs;
            session.candidateBytesIn = 0;
            session.candidateBytesOut = 0;
            session.pathChallengeData = random.nextLong();
            session.pathChallengeSentNs = nowNs - config.pathResendIntervalNs();
        }
        session.candidateBytesIn += receivedLength;
        if (nowNs - session.pathChallengeSentNs < config.pathResendIntervalNs())
        {
            return;
        }
        final int challengeLength = ProtectedPacketDescriptor.MIN_LENGTH + PATH_DATA_LENGTH;
        if (session.candidateBytesOut + challengeLength > session.candidateBytesIn)
        {
            counters.increment(Counter.AMPLIFICATION_LIMITED);
            return;
        }
        final ByteBuf buffer = beginPacket(ioThread, PacketType.PATH_CHALLENGE, session.id);
        if (null == buffer)
        {
            return;
        }
        buffer.writeLongLE(session.pathChallengeData);
        if (seal(session, buffer) && outbound.commit(sender))
        {
            session.candidateBytesOut += challengeLength;
            session.pathChallengeSentNs = nowNs;
            counters.increment(Counter.PATH_CHALLENGES_SENT);
        }
    }

    private void onPathResponse(
        final ServerSession session,
        final int ioThread,
        final InetSocketAddress sender,
        final ByteBuf datagram,
        final int payloadOffset,
        final int payloadLength)
    {
        if (payloadLength != PATH_DATA_LENGTH)
        {
            counters.increment(Counter.SESSION_PROTOCOL_ERRORS);
            return;
        }
        if (null != session.candidate && session.candidate.equals(sender) &&
            datagram.getLongLE(payloadOffset) == session.pathChallengeData)
        {
            session.address = sender;
            session.ioThread = ioThread;
            session.candidate = null;
            session.migrations++;
            counters.increment(Counter.MIGRATIONS);
        }
    }

    @Override
    public int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        startTimers(nowNs);
        int work = pollChannelTimers(nowNs);
        if (nowNs - nextTimerNs >= 0 || Long.MIN_VALUE == nextTimerNs)
        {
            nextTimerNs = nowNs + config.timerTickNs();
            work += onTimerTick(nowNs);
        }
        try
        {
            work += listener.doWork(nowNs);
        }
        finally
        {
            work += flushDirty(nowNs);
        }
        return work;
    }

    private void startTimers(final long nowNs)
    {
        if (!timersStarted)
        {
            // the wheel counts ticks from its start time: start it at the worker's clock, whatever its origin
            timers.resetStartTime(nowNs);
            timersStarted = true;
        }
    }

    private int pollChannelTimers(final long nowNs)
    {
        // Channel timers fire at the end of their 0.52 ms wheel tick: polling scans a whole spoke, so it is done once
        // per tick, not on every duty cycle (a busy worker cycles once per inbound batch).
        if (nowNs - timers.currentTickTime() < 0)
        {
            return 0;
        }
        int expired = 0;
        for (int i = 0; i < MAX_TIMER_TICKS_PER_CYCLE; i++)
        {
            expired += timers.poll(nowNs, timerHandler, TIMER_EXPIRY_LIMIT);
            if (timers.currentTickTime() > nowNs)
            {
                break;
            }
        }
        return expired;
    }

    private boolean onChannelTimer(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final ServerSession session = timerSessions.remove(timerId);
        if (null != session && session.timerId == timerId)
        {
            session.timerId = DeadlineTimerWheel.NULL_DEADLINE;
            session.timerDeadlineNs = Long.MAX_VALUE;
            if (isOpen(session))
            {
                session.channels.onTimer(now);
                markDirty(session);
            }
        }
        return true;
    }

    private static boolean isOpen(final ServerSession session)
    {
        return SessionState.CONNECTED == session.state || SessionState.CONNECTING == session.state;
    }

    private void markDirty(final ServerSession session)
    {
        if (!session.dirty)
        {
            session.dirty = true;
            dirtySessions.add(session);
        }
    }

    private int flushDirty(final long nowNs)
    {
        int packets = 0;
        final ArrayList<ServerSession> dirty = dirtySessions;
        for (int i = 0; i < dirty.size(); i++)
        {
            final ServerSession session = dirty.get(i);
            session.dirty = false;
            if (!isOpen(session))
            {
                continue;
            }
            final ChannelEndpoint channels = session.channels;
            packetWriter.session = session;
            packets += channels.flush(nowNs, packetWriter);
            packetWriter.session = null;

            final long resends = channels.resends();
            counters.add(Counter.CHANNEL_RESENDS, resends - session.resendsReported);
            session.resendsReported = resends;
            final long lost = channels.recoveryCounter(RecoveryCounter.PACKETS_LOST);
            counters.add(Counter.CHANNEL_PACKETS_LOST, lost - session.lostReported);
            session.lostReported = lost;
            rearm(session, channels.nextTimerNs());
        }
        dirty.clear();
        return packets;
    }

    private void rearm(final ServerSession session, final long deadlineNs)
    {
        if (deadlineNs == session.timerDeadlineNs)
        {
            return;
        }
        cancelTimer(session);
        session.timerDeadlineNs = deadlineNs;
        if (Long.MAX_VALUE != deadlineNs)
        {
            final long timerId = timers.scheduleTimer(deadlineNs);
            session.timerId = timerId;
            timerSessions.put(timerId, session);
        }
    }

    private void cancelTimer(final ServerSession session)
    {
        if (DeadlineTimerWheel.NULL_DEADLINE != session.timerId)
        {
            timers.cancelTimer(session.timerId);
            timerSessions.remove(session.timerId);
            session.timerId = DeadlineTimerWheel.NULL_DEADLINE;
        }
        session.timerDeadlineNs = Long.MAX_VALUE;
    }

    private int onTimerTick(final long nowNs)
    {
        int work = 0;
        // Backwards, so a session closed here can be swap-removed without skipping another.
        for (int i = sessionList.size() - 1; i >= 0; i--)
        {
            final ServerSession session = sessionList.get(i);
            if (nowNs - session.lastReceivedNs >= session.timeoutNs)
            {
                counters.increment(Counter.SESSION_TIMEOUTS);
                close(session, DisconnectReason.TIMEOUT, false);
                work++;
                continue;
            }
            if (null != session.candidate && nowNs - session.candidateSinceNs >= session.timeoutNs)
            {
                session.candidate = null;
            }
            if (nowNs - session.lastSentNs >= config.keepaliveIntervalNs())
            {
                if (sendControl(session, PacketType.KEEPALIVE))
                {
                    counters.increment(Counter.KEEPALIVES_SENT);
                }
                work++;
            }
        }
        return work;
    }

    /**
     * Close a session: tell the client (redundantly) when asked, free its id, client id and limits, and report it
     * to the game. Idempotent. Called from the worker thread.
     *
     * @param session    to close.
     * @param reason     why.
     * @param notifyPeer send {@link SessionServerConfig#disconnectRedundancy()} DISCONNECT packets first.
     */
    void close(final ServerSession session, final DisconnectReason reason, final boolean notifyPeer)
    {
        if (SessionState.CLOSED == session.state || SessionState.DISCONNECTING == session.state)
        {
            return;
        }
        final boolean wasPending = SessionState.CONNECTING == session.state;
        session.state = SessionState.DISCONNECTING;
        session.reason = reason;
        if (notifyPeer)
        {
            for (int i = 0; i < config.disconnectRedundancy(); i++)
            {
                final ByteBuf buffer = beginPacket(session.ioThread, PacketType.DISCONNECT, session.id);
                if (null == buffer)
                {
                    break;
                }
                buffer.writeByte(reason.code());
                if (seal(session, buffer))
                {
                    outbound.commit(session.address);
                }
            }
        }
        session.state = SessionState.CLOSED;
        cancelTimer(session);
        sessions.remove(session.id);
        final int last = sessionList.size() - 1;
        final ServerSession moved = sessionList.get(last);
        sessionList.set(session.listIndex, moved);
        moved.listIndex = session.listIndex;
        sessionList.remove(last);
        registry.releaseClient(session.clientId, session.id);
        registry.releaseSession();
        if (wasPending)
        {
            registry.releasePending();
        }
        counters.increment(Counter.SESSIONS_CLOSED);
        listener.onSessionClosed(session, reason, nowNs);
    }

    boolean send(final ServerSession session, final int channel, final ByteBuf src, final int offset, final int length)
    {
        if (!isOpen(session))
        {
            session.channels.checkMessage(channel, length);
            return false;
        }
        return queued(session, session.channels.send(channel, src, offset, length));
    }

    boolean send(final ServerSession session, final int channel, final byte[] src, final int offset, final int length)
    {
        if (!isOpen(session))
        {
            session.channels.checkMessage(channel, length);
            return false;
        }
        return queued(session, session.channels.send(channel, src, offset, length));
    }

    boolean send(
        final ServerSession session, final int channel, final DirectBuffer src, final int offset, final int length)
    {
        if (!isOpen(session))
        {
            session.channels.checkMessage(channel, length);
            return false;
        }
        return queued(session, session.channels.send(channel, src, offset, length));
    }

    int claim(final ServerSession session, final int channel, final int length)
    {
        if (!isOpen(session))
        {
            session.channels.checkMessage(channel, length);
            return -1;
        }
        final int offset = session.channels.claim(channel, length);
        queued(session, offset >= 0 ? ChannelEndpoint.SEND_OK : ChannelEndpoint.SEND_QUEUE_FULL);
        return offset;
    }

    private boolean queued(final ServerSession session, final int result)
    {
        if (ChannelEndpoint.SEND_OK != result)
        {
            counters.increment(Counter.CHANNEL_SEND_QUEUE_FULL);
            server.limitHit("session send queue full ({} B, {} messages): the game sends faster than the path",
                config.channels().sendQueueBytes(), config.channels().sendQueueMessages());
            return false;
        }
        session.messagesOut++;
        counters.increment(Counter.CHANNEL_MESSAGES_OUT);
        markDirty(session);
        return true;
    }

    private boolean sendControl(final ServerSession session, final PacketType type)
    {
        final ByteBuf buffer = beginPacket(session.ioThread, type, session.id);
        if (null == buffer)
        {
            return false;
        }
        return seal(session, buffer) && outbound.commit(destination(session, buffer.readableBytes()));
    }

    /**
     * Where a packet of a session goes: to the address being validated while that stays within the bytes received
     * from it (the old address is often gone after a move), else to the validated address.
     */
    private InetSocketAddress destination(final ServerSession session, final int length)
    {
        if (null != session.candidate && session.candidateBytesOut + length <= session.candidateBytesIn)
        {
            session.candidateBytesOut += length;
            return session.candidate;
        }
        return session.address;
    }

    private ByteBuf beginPacket(final int ioThread, final PacketType type, final int sessionId)
    {
        final ByteBuf buffer = outbound.claim(ioThread);
        if (null == buffer)
        {
            return null;
        }
        PacketHeader.write(buffer, type, sessionId);
        buffer.writeZero(ProtectedPacketDescriptor.SEQUENCE_LENGTH);
        return buffer;
    }

    private boolean seal(final ServerSession session, final ByteBuf buffer)
    {
        if (ProtectResult.OK != session.sendProtector.seal(buffer))
        {
            outbound.abort();
            counters.increment(Counter.SESSION_PROTOCOL_ERRORS);
            return false;
        }
        session.lastSentNs = nowNs;
        return true;
    }

    private void deny(final int ioThread, final InetSocketAddress recipient, final DenyReason reason)
    {
        final ByteBuf buffer = outbound.claim(ioThread);
        if (null == buffer)
        {
            return;
        }
        writeDenied(buffer, tag, reason);
        if (outbound.commit(recipient))
        {
            counters.increment(Counter.DENIED_SENT);
        }
    }

    /**
     * Write a DENIED packet ({@value dev.skirmish.session.handshake.HandshakeDescriptor#DENIED_LENGTH} bytes).
     *
     * @param buffer to append to.
     * @param tag    the token's 16-byte tag.
     * @param reason why.
     */
    public static void writeDenied(final ByteBuf buffer, final byte[] tag, final DenyReason reason)
    {
        PacketHeader.write(buffer, PacketType.DENIED, 0);
        buffer.writeBytes(tag);
        buffer.writeByte(reason.code());
        buffer.writeZero(DENIED_LENGTH - PacketHeader.LENGTH - tag.length - 1);
    }

    /**
     * The worker is stopping: tell the game ({@link SessionListener#onShutdown}, with the time of the last duty
     * cycle; rooms close there), then close every session with SERVER_SHUTDOWN. Called from the worker thread.
     */
    @Override
    public void onClose()
    {
        try
        {
            listener.onShutdown(nowNs);
        }
        catch (final Throwable ex)
        {
            if (ex instanceof VirtualMachineError && !(ex instanceof StackOverflowError))
            {
                throw (VirtualMachineError)ex;
            }
            // Report and go on: the sessions must still be told.
            counters.increment(Counter.WORKER_ERRORS);
            LOG.warn("worker {}: the listener's onShutdown threw; closing its sessions anyway", worker, ex);
        }
        for (int i = sessionList.size() - 1; i >= 0; i--)
        {
            close(sessionList.get(i), DisconnectReason.SERVER_SHUTDOWN, true);
        }
        outbound.flushWakeups();
    }

    /**
     * @param sessionId from a packet header.
     * @return the live session, or null.
     */
    public ServerSession session(final int sessionId)
    {
        return sessions.get(sessionId);
    }

    /**
     * @return live sessions of this worker.
     */
    public int sessionCount()
    {
        return sessionList.size();
    }

    /**
     * @param index 0 to {@link #sessionCount()} - 1.
     * @return a live session, in no particular order; indices shift when sessions close.
     */
    public ServerSession sessionAt(final int index)
    {
        return sessionList.get(index);
    }

    /**
     * @return largest DATA payload, bytes.
     */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    /**
     * @return this worker's index.
     */
    public int worker()
    {
        return worker;
    }

    /**
     * Hook for listeners that count (rooms): this worker's counters, exported with the server's.
     *
     * @return the counters; increment them only on this worker's thread (single writer).
     */
    public CounterSet counters()
    {
        return counters;
    }

    /**
     * Seals channel bodies as DATA packets of the session being flushed; the packet number is the AEAD sequence.
     */
    private final class SessionPacketWriter implements ChannelEndpoint.PacketWriter
    {
        ServerSession session;

        @Override
        public ByteBuf claim()
        {
            return beginPacket(session.ioThread, PacketType.DATA, session.id);
        }

        @Override
        public long commit(final ByteBuf body)
        {
            final long packetNumber = session.sendProtector.nextSequence();
            if (!seal(session, body) || !outbound.commit(destination(session, body.readableBytes())))
            {
                return -1;
            }
            counters.increment(Counter.SESSION_PAYLOADS_OUT);
            return packetNumber;
        }
    }

    /**
     * Hands delivered messages to the game with their session.
     */
    private final class MessageDelivery implements ReceiveChannel.MessageHandler
    {
        ServerSession session;
        long nowNs;

        @Override
        public void onMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            session.messagesIn++;
            counters.increment(Counter.CHANNEL_MESSAGES_IN);
            listener.onMessage(session, channel, buffer, offset, length, nowNs);
        }
    }
}
