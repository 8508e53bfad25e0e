package dev.skirmish.session.server;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.core.worker.DatagramHandler;
import dev.skirmish.core.worker.Outbound;
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
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.EpochClock;

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
 * (keepalive, idle timeout, redundant disconnect), connection migration with path validation, and the game's
 * payloads both ways.
 *
 * <p>Not thread safe: owned by one worker, called from that worker thread only.
 */
public final class ServerSessions implements DatagramHandler
{
    private static final int PATH_DATA_LENGTH = Long.BYTES;

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
    }

    void listener(final SessionListener listener)
    {
        this.listener = listener;
    }

    @Override
    public void onDatagram(final int ioThread, final ByteBuf datagram, final InetSocketAddress sender, final long nowNs)
    {
        this.nowNs = nowNs;
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
                server.limitHit("used-token table full (" + config.usedTokenCapacity() + " unexpired tokens)");
                deny(ioThread, sender, DenyReason.SERVER_BUSY);
                return;
            default:
                break;
        }
        if (!registry.tryReservePending())
        {
            counters.increment(Counter.DENIED_PENDING_FULL);
            server.limitHit("max pending sessions reached (" + config.maxPendingSessions() + ")");
            deny(ioThread, sender, DenyReason.SERVER_BUSY);
            return;
        }
        if (!registry.tryReserveSession())
        {
            registry.releasePending();
            counters.increment(Counter.DENIED_SERVER_FULL);
            server.limitHit("max sessions reached (" + config.maxSessions() + ")");
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
            ioThread, sender, nowNs);
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
            if (payloadLength < 1)
            {
                counters.increment(Counter.SESSION_PROTOCOL_ERRORS);
                return;
            }
            session.payloadsIn++;
            counters.increment(Counter.SESSION_PAYLOADS_IN);
            listener.onPayload(session, datagram, payloadOffset, payloadLength, nowNs);
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
        int work = 0;
        if (nowNs - nextTimerNs >= 0 || Long.MIN_VALUE == nextTimerNs)
        {
            nextTimerNs = nowNs + config.timerTickNs();
            work += onTimerTick(nowNs);
        }
        return work + listener.doWork(nowNs);
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

    boolean sendPayload(final ServerSession session, final ByteBuf src, final int offset, final int length)
    {
        checkPayloadLength(length);
        final ByteBuf buffer = beginData(session);
        if (null == buffer)
        {
            return false;
        }
        buffer.writeBytes(src, offset, length);
        return commitData(session, buffer);
    }

    boolean sendPayload(final ServerSession session, final byte[] src, final int offset, final int length)
    {
        checkPayloadLength(length);
        final ByteBuf buffer = beginData(session);
        if (null == buffer)
        {
            return false;
        }
        buffer.writeBytes(src, offset, length);
        return commitData(session, buffer);
    }

    private void checkPayloadLength(final int length)
    {
        if (length < 1 || length > maxPayloadLength)
        {
            throw new IllegalArgumentException(
                "payload length " + length + " outside [1, " + maxPayloadLength + "]");
        }
    }

    private ByteBuf beginData(final ServerSession session)
    {
        if (SessionState.CONNECTED != session.state && SessionState.CONNECTING != session.state)
        {
            return null;
        }
        return beginPacket(session.ioThread, PacketType.DATA, session.id);
    }

    private boolean commitData(final ServerSession session, final ByteBuf buffer)
    {
        if (!seal(session, buffer) || !outbound.commit(destination(session, buffer.readableBytes())))
        {
            return false;
        }
        session.payloadsOut++;
        counters.increment(Counter.SESSION_PAYLOADS_OUT);
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

    @Override
    public void onClose()
    {
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
}
