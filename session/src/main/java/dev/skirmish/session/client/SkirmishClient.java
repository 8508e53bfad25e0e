package dev.skirmish.session.client;

import dev.skirmish.core.wire.HeaderCheck;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.channel.ChannelEndpoint;
import dev.skirmish.session.channel.ChannelEndpointConfig;
import dev.skirmish.session.channel.ChannelStats;
import dev.skirmish.session.channel.ReceiveChannel;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.DenyReason;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ReplayWindow;
import dev.skirmish.session.token.ConnectToken;
import io.netty.buffer.ByteBuf;
import org.agrona.DirectBuffer;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static dev.skirmish.session.handshake.HandshakeDescriptor.CHALLENGE_COOKIE_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.CHALLENGE_LENGTH;
import static dev.skirmish.session.handshake.HandshakeDescriptor.CHALLENGE_RESPONSE_LENGTH;
import static dev.skirmish.session.handshake.HandshakeDescriptor.CHALLENGE_TAG_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.CONNECT_REQUEST_LENGTH;
import static dev.skirmish.session.handshake.HandshakeDescriptor.DENIED_LENGTH;
import static dev.skirmish.session.handshake.HandshakeDescriptor.DENIED_REASON_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.DENIED_TAG_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.REQUEST_TOKEN_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.RESPONSE_TOKEN_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.TAG_IN_SERVER_PART_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.TOKEN_TAG_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.PAYLOAD_OFFSET;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.SEQUENCE_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_PART_LENGTH;

/**
 * The client side of a Skirmish session (session/docs/handshake.md): handshake, packet protection, keepalives,
 * timeouts, path validation replies and disconnects, as a single-threaded state machine. It owns no thread, reads
 * no clock and knows no socket: the owner passes time in ({@code nowNs} from a monotonic clock, {@code nowMs} epoch
 * time used only for the token's expiry), feeds it the server's datagrams through {@link #onDatagram}, calls
 * {@link #doWork} for its timers, and gets its datagrams out of it through a {@link PacketSender}.
 * <pre>
 *   CLOSED --connect--&gt; CONNECTING (request phase: CONNECT_REQUEST every resend interval)
 *            CHALLENGE with our token tag --&gt; response phase: CHALLENGE_RESPONSE every resend interval
 *            first authentic KEEPALIVE/DATA with a session id --&gt; CONNECTED
 *   CONNECTING --DENIED with our tag / connect timeout / token expiry / DISCONNECT--&gt; CLOSED
 *   CONNECTED  --disconnect / idle timeout / DISCONNECT / too many auth failures--&gt; CLOSED
 * </pre>
 * Datagrams from the network are validated before use and dropped on any failure, counted per reason; nothing the
 * server (or anyone else) sends makes this class throw, and a packet that fails authentication or the replay window
 * never changes state. The send, receive and keepalive paths allocate nothing here (the JDK cipher allocates inside,
 * see {@link PacketProtector}).
 * <p>
 * Not thread safe: every method is called from the one thread that owns the client, and listener callbacks run on it
 * (an exception a callback throws reaches the caller; the client's state is consistent by then). Counters are plain
 * fields written by that thread and are reset by each {@link #connect}.
 */
public final class SkirmishClient implements AutoCloseable
{
    private static final int COOKIE_LENGTH = ChallengeCookieDescriptor.COOKIE_LENGTH;
    private static final int REQUEST_PADDING = CONNECT_REQUEST_LENGTH - REQUEST_TOKEN_OFFSET - SERVER_PART_LENGTH;
    private static final int RESPONSE_PADDING = CHALLENGE_RESPONSE_LENGTH - RESPONSE_TOKEN_OFFSET - SERVER_PART_LENGTH;
    /** Payload of PATH_CHALLENGE and PATH_RESPONSE: 8 opaque bytes. */
    static final int PATH_CHALLENGE_LENGTH = 8;

    private final int maxDatagramLength;
    private final int maxPayloadLength;
    private final long resendIntervalNs;
    private final long keepaliveIntervalNs;
    private final long configConnectTimeoutNs;
    private final int disconnectRedundancy;
    private final int maxAuthFailures;
    private final AeadSuite aeadSuite;
    private final ClientListener listener;
    private final PacketSender sender;
    private final ChannelEndpointConfig channelConfig;
    private final ChannelEndpoint.PacketWriter packetWriter = new DataPacketWriter();
    private final ReceiveChannel.MessageHandler delivery = this::deliver;
    private ChannelEndpoint channels;

    private final byte[] serverPart = new byte[SERVER_PART_LENGTH];
    private final byte[] cookie = new byte[COOKIE_LENGTH];

    private PacketProtector sendProtector;
    private PacketProtector receiveProtector;

    private SessionState state = SessionState.CLOSED;
    private boolean responsePhase;
    private boolean closed;
    private DisconnectReason disconnectReason = DisconnectReason.NONE;
    private DenyReason denyReason;
    private int sessionId;
    private long tokenExpireTimeMs;
    private long idleTimeoutNs;
    private long connectTimeoutNs;
    private long connectStartNs;
    private long connectedAtNs;
    private long lastSendNs;
    private long lastReceiveNs;
    private long cachedNowNs;

    private long packetsSent;
    private long sendFailures;
    private long packetsReceived;
    private long payloadsReceived;
    private long messagesReceived;
    private long droppedPackets;
    private long malformedPackets;
    private long unexpectedPackets;
    private long wrongTagPackets;
    private long wrongSessionPackets;
    private long authFailures;
    private long replays;
    private long protocolErrors;
    private long cryptoErrors;

    /**
     * A client in state CLOSED, ready to {@link #connect}.
     *
     * @param config   settings, validated with {@link ClientConfig#conclude()} and copied now.
     * @param listener told about connects, payloads and disconnects.
     * @param sender   claims send buffers and sends datagrams to the server.
     * @throws IllegalArgumentException if the config is invalid.
     */
    public SkirmishClient(final ClientConfig config, final ClientListener listener, final PacketSender sender)
    {
        Objects.requireNonNull(config, "config").conclude();
        this.listener = Objects.requireNonNull(listener, "listener");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.maxDatagramLength = config.maxDatagramLength();
        this.maxPayloadLength = config.maxPayloadLength();
        this.resendIntervalNs = config.resendIntervalNs();
        this.keepaliveIntervalNs = config.keepaliveIntervalNs();
        this.configConnectTimeoutNs = config.connectTimeoutNs();
        this.disconnectRedundancy = config.disconnectRedundancy();
        this.maxAuthFailures = config.maxAuthFailures();
        this.aeadSuite = config.aeadSuite();
        this.channelConfig = config.channels();
        this.channels = new ChannelEndpoint(channelConfig);
    }

    /**
     * Start connecting with a token: enter CONNECTING (request phase) and send the first CONNECT_REQUEST now. A
     * token that expired already closes the client at once with {@link DisconnectReason#TOKEN_EXPIRED}. Counters
     * restart from zero. Allocates (the session's two protectors); not for a hot path.
     *
     * @param token  the public connect token from the backend.
     * @param nowNs  monotonic time, ns.
     * @param nowMs  epoch time, ms, compared with the token's expire time only.
     * @throws IllegalStateException if the client is not CLOSED, or was {@link #close() closed for good}.
     */
    public void connect(final ConnectToken token, final long nowNs, final long nowMs)
    {
        Objects.requireNonNull(token, "token");
        if (closed)
        {
            throw new IllegalStateException("client was closed");
        }
        if (SessionState.CLOSED != state)
        {
            throw new IllegalStateException("connect while " + state);
        }

        final byte[] sendKey = token.clientToServerKey();
        final byte[] receiveKey = token.serverToClientKey();
        try
        {
            sendProtector = PacketProtector.forSending(aeadSuite, sendKey, maxDatagramLength);
            receiveProtector = PacketProtector.forReceiving(
                aeadSuite, receiveKey, maxDatagramLength, new ReplayWindow());
        }
        finally
        {
            Arrays.fill(sendKey, (byte)0);
            Arrays.fill(receiveKey, (byte)0);
        }

        token.getServerPart(serverPart, 0);
        Arrays.fill(cookie, (byte)0);
        tokenExpireTimeMs = token.expireTimeMs();
        idleTimeoutNs = TimeUnit.SECONDS.toNanos(token.timeoutSeconds());
        connectTimeoutNs = configConnectTimeoutNs > 0 ? configConnectTimeoutNs : idleTimeoutNs;
        resetCounters();
        channels = new ChannelEndpoint(channelConfig);
        sessionId = 0;
        denyReason = null;
        disconnectReason = DisconnectReason.NONE;
        responsePhase = false;
        connectStartNs = nowNs;
        connectedAtNs = 0;
        lastReceiveNs = nowNs;
        lastSendNs = nowNs;
        cachedNowNs = nowNs;
        state = SessionState.CONNECTING;

        if (nowMs > tokenExpireTimeMs)
        {
            closeWith(DisconnectReason.TOKEN_EXPIRED);
            return;
        }
        sendConnectRequest();
    }

    /**
     * Handle one datagram from the server. Validates the header, then the length and token tag of a handshake
     * packet, or the session id, replay window and authentication tag of a protected one; drops and counts anything
     * else. Never throws on any input. A protected packet is opened in place (the buffer's bytes and writer index
     * change); the buffer stays owned by the caller, who releases it after the call.
     *
     * @param datagram the received bytes, fixed header at the reader index.
     * @param nowNs    monotonic time, ns.
     */
    public void onDatagram(final ByteBuf datagram, final long nowNs)
    {
        cachedNowNs = nowNs;
        if (SessionState.CONNECTING != state && SessionState.CONNECTED != state)
        {
            drop(DropReason.UNEXPECTED);
            return;
        }
        if (HeaderCheck.VALID != HeaderCheck.validate(datagram, maxDatagramLength))
        {
            drop(DropReason.MALFORMED);
            return;
        }

        final PacketType type = PacketType.get(PacketHeader.typeCode(datagram));
        switch (type)
        {
            case CHALLENGE:
                onChallenge(datagram);
                break;

            case DENIED:
                onDenied(datagram);
                break;

            case DATA:
            case KEEPALIVE:
            case DISCONNECT:
            case PATH_CHALLENGE:
                onProtected(datagram, type, nowNs);
                break;

            default:
                drop(DropReason.UNEXPECTED);
                break;
        }
    }

    /**
     * Run the timers: connect timeout and token expiry and handshake resends while CONNECTING; idle timeout, the
     * channel timers (acks, loss, probes) with a {@link #flush}, and keepalive while CONNECTED.
     *
     * @param nowNs monotonic time, ns.
     * @param nowMs epoch time, ms (token expiry only).
     * @return work done: packets sent plus state changes.
     */
    public int doWork(final long nowNs, final long nowMs)
    {
        cachedNowNs = nowNs;
        if (SessionState.CONNECTING == state)
        {
            if (nowMs > tokenExpireTimeMs)
            {
                closeWith(DisconnectReason.TOKEN_EXPIRED);
                return 1;
            }
            if (nowNs - connectStartNs >= connectTimeoutNs)
            {
                closeWith(DisconnectReason.CONNECT_TIMEOUT);
                return 1;
            }
            if (nowNs - lastSendNs >= resendIntervalNs)
            {
                if (responsePhase)
                {
                    sendChallengeResponse();
                }
                else
                {
                    sendConnectRequest();
                }
                return 1;
            }
        }
        else if (SessionState.CONNECTED == state)
        {
            if (nowNs - lastReceiveNs >= idleTimeoutNs)
            {
                closeWith(DisconnectReason.TIMEOUT);
                return 1;
            }
            int work = 0;
            if (nowNs - channels.nextTimerNs() >= 0)
            {
                work += channels.onTimer(nowNs);
            }
            work += flush(nowNs);
            if (work > 0)
            {
                return work;
            }
            if (nowNs - lastSendNs >= keepaliveIntervalNs)
            {
                sendEmpty(PacketType.KEEPALIVE);
                return 1;
            }
        }
        return 0;
    }

    /**
     * Queue a message on a channel; it leaves with the next {@link #flush} (call it once per game frame or tick:
     * messages queued in between share packets), or the next {@link #doWork}. Copies the bytes; allocates nothing.
     *
     * @param channel channel id, 0 to {@link #channelCount()} - 1.
     * @param src     holding the message (its indices do not change).
     * @param offset  of the message in src.
     * @param length  1 to the configured max message bytes; on an unreliable channel at most
     *                {@link #maxWholeMessageBytes()}.
     * @return true if queued; false when not CONNECTED or the send queue is full ({@link ChannelStats#sendQueueFull}).
     * @throws IllegalArgumentException for a bad channel or length, or an unreliable message larger than a packet.
     * @throws IndexOutOfBoundsException if offset and length do not fit src.
     */
    public boolean send(final int channel, final ByteBuf src, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, src.capacity());
        return connectedOrCheck(channel, length) &&
            ChannelEndpoint.SEND_OK == channels.send(channel, src, offset, length);
    }

    /**
     * Queue a message from an array. See {@link #send(int, ByteBuf, int, int)}.
     *
     * @param channel channel id.
     * @param src     holding the message.
     * @param offset  of the message in src.
     * @param length  of the message.
     * @return true if queued.
     */
    public boolean send(final int channel, final byte[] src, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, src.length);
        return connectedOrCheck(channel, length) &&
            ChannelEndpoint.SEND_OK == channels.send(channel, src, offset, length);
    }

    /**
     * Queue a message from an Agrona buffer (on or off heap). See {@link #send(int, ByteBuf, int, int)}. Agrona 2's
     * buffers need {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} on Java 17.
     *
     * @param channel channel id.
     * @param src     holding the message.
     * @param offset  of the message in src.
     * @param length  of the message.
     * @return true if queued.
     */
    public boolean send(final int channel, final DirectBuffer src, final int offset, final int length)
    {
        src.boundsCheck(offset, length);
        return connectedOrCheck(channel, length) &&
            ChannelEndpoint.SEND_OK == channels.send(channel, src, offset, length);
    }

    /**
     * Queue a message written in place (zero copy): {@code length} bytes at the returned offset of
     * {@link #claimBuffer()} (read after this call), written before the next {@link #flush}.
     *
     * @param channel channel id.
     * @param length  of the message, as for {@link #send(int, ByteBuf, int, int)}.
     * @return the offset, or -1 when not CONNECTED or the send queue is full.
     */
    public int claim(final int channel, final int length)
    {
        return connectedOrCheck(channel, length) ? channels.claim(channel, length) : -1;
    }

    /**
     * @return true when CONNECTED; otherwise false, after checking the message so a caller bug throws in any state.
     */
    private boolean connectedOrCheck(final int channel, final int length)
    {
        if (SessionState.CONNECTED == state)
        {
            return true;
        }
        channels.checkMessage(channel, length);
        return false;
    }

    /**
     * @return where {@link #claim} offsets point; valid until the next send or claim.
     */
    public ByteBuf claimBuffer()
    {
        return channels.claimBuffer();
    }

    /**
     * Send what the channel layer has to send now: an ack when one is due, lost reliable chunks, then queued
     * messages by channel priority, as the congestion window allows, aggregated into packets of up to the path
     * payload.
     *
     * @param nowNs monotonic time, ns.
     * @return packets sent.
     */
    public int flush(final long nowNs)
    {
        if (SessionState.CONNECTED != state)
        {
            return 0;
        }
        cachedNowNs = nowNs;
        return channels.flush(nowNs, packetWriter);
    }

    /**
     * @return the channel layer's live statistics (RTT, loss, packets, bytes, resends, window, queued bytes).
     */
    public ChannelStats stats()
    {
        return channels;
    }

    /**
     * @return channels in the table.
     */
    public int channelCount()
    {
        return channels.channelCount();
    }

    /**
     * @return largest message sent in one packet: the limit of unreliable messages.
     */
    public int maxWholeMessageBytes()
    {
        return channels.maxWholeMessageBytes();
    }

    /**
     * Leave: when CONNECTED, send {@link ClientConfig#disconnectRedundancy()} DISCONNECT packets (reason
     * {@link DisconnectReason#CLIENT_REQUEST}) back to back; when CONNECTED or CONNECTING, then close with that
     * reason and tell the listener. While CONNECTING no session id is known, so nothing is sent: the server's
     * pending session times out. Does nothing when already CLOSED.
     *
     * @param nowNs monotonic time, ns.
     */
    public void disconnect(final long nowNs)
    {
        cachedNowNs = nowNs;
        if (SessionState.CONNECTED == state)
        {
            sendDisconnects(DisconnectReason.CLIENT_REQUEST);
        }
        if (SessionState.CLOSED != state)
        {
            closeWith(DisconnectReason.CLIENT_REQUEST);
        }
    }

    /**
     * Close for good: a client that is not CLOSED yet closes with {@link DisconnectReason#CLOSED_LOCALLY} without
     * sending anything (call {@link #disconnect} first to tell the server), then the session keys are dropped and the
     * token bytes and cookie zeroed. {@link #connect} throws afterwards. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (SessionState.CLOSED != state)
        {
            closeWith(DisconnectReason.CLOSED_LOCALLY);
        }
        closed = true;
        sendProtector = null;
        receiveProtector = null;
        Arrays.fill(serverPart, (byte)0);
        Arrays.fill(cookie, (byte)0);
    }

    /**
     * @return where the client is: CLOSED before the first connect and after the end, CONNECTING, or CONNECTED.
     */
    public SessionState state()
    {
        return state;
    }

    /**
     * @return true while CONNECTING after a CHALLENGE was accepted (sending CHALLENGE_RESPONSE).
     */
    public boolean isChallenged()
    {
        return SessionState.CONNECTING == state && responsePhase;
    }

    /**
     * @return why the client is CLOSED; {@link DisconnectReason#NONE} while connecting or connected, or before any.
     */
    public DisconnectReason disconnectReason()
    {
        return disconnectReason;
    }

    /**
     * @return the reason of the DENIED packet that closed the last connect attempt; null if it was not denied, or
     * the server sent a code this build does not know.
     */
    public DenyReason denyReason()
    {
        return denyReason;
    }

    /**
     * @return the session id the server chose (u32 in an int), 0 before CONNECTED; kept after the session ends.
     */
    public int sessionId()
    {
        return sessionId;
    }

    /**
     * @return {@code nowNs} of the last {@link #connect}.
     */
    public long connectStartNs()
    {
        return connectStartNs;
    }

    /**
     * @return {@code nowNs} at which the client became CONNECTED; 0 before.
     */
    public long connectedAtNs()
    {
        return connectedAtNs;
    }

    /**
     * @return {@code nowNs} of the last authentic packet from the server (or of the connect, before any).
     */
    public long lastReceiveNs()
    {
        return lastReceiveNs;
    }

    /**
     * @return largest DATA payload, bytes.
     */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    /**
     * @return datagrams handed to the {@link PacketSender}, handshake and protected.
     */
    public long packetsSent()
    {
        return packetsSent;
    }

    /**
     * @return datagrams not sent: no buffer claimed, sealing failed, or the sender refused it.
     */
    public long sendFailures()
    {
        return sendFailures;
    }

    /**
     * @return authentic protected packets received, of any type.
     */
    public long packetsReceived()
    {
        return packetsReceived;
    }

    /**
     * @return authentic DATA packets (channel bodies) received while CONNECTED.
     */
    public long payloadsReceived()
    {
        return payloadsReceived;
    }

    /**
     * @return channel messages delivered to the listener.
     */
    public long messagesReceived()
    {
        return messagesReceived;
    }

    /**
     * @return datagrams dropped for any reason: the sum of the per-reason counters below.
     */
    public long droppedPackets()
    {
        return droppedPackets;
    }

    /**
     * @return dropped: invalid header, wrong length for the type, or non-zero session id on a handshake packet.
     */
    public long malformedPackets()
    {
        return malformedPackets;
    }

    /**
     * @return dropped: a well-formed type the client does not take in its current state (e.g. CONNECT_REQUEST, a
     * CHALLENGE once connected, a protected packet before the challenge, anything while CLOSED).
     */
    public long unexpectedPackets()
    {
        return unexpectedPackets;
    }

    /**
     * @return dropped: CHALLENGE or DENIED carrying another token's tag.
     */
    public long wrongTagPackets()
    {
        return wrongTagPackets;
    }

    /**
     * @return dropped before decryption: protected packet with session id 0 or, once connected, another session id.
     */
    public long wrongSessionPackets()
    {
        return wrongSessionPackets;
    }

    /**
     * @return dropped: protected packets whose tag did not verify. More than
     * {@link ClientConfig#maxAuthFailures()} close the session.
     */
    public long authFailures()
    {
        return authFailures;
    }

    /**
     * @return dropped before decryption: sequence number already accepted or older than the replay window.
     */
    public long replays()
    {
        return replays;
    }

    /**
     * @return authentic packets with a malformed payload (a DATA body the channel layer rejects, KEEPALIVE with a
     * payload, PATH_CHALLENGE not of 8 bytes), dropped; and channel-contract violations, which close the session.
     */
    public long protocolErrors()
    {
        return protocolErrors;
    }

    /**
     * @return dropped: the JDK provider failed for a reason other than a bad tag; never expected.
     */
    public long cryptoErrors()
    {
        return cryptoErrors;
    }

    /**
     * @return state, session id and counters, for logs and test failures.
     */
    @Override
    public String toString()
    {
        return "SkirmishClient{state=" + state +
            ", disconnectReason=" + disconnectReason +
            ", denyReason=" + denyReason +
            ", sessionId=" + Integer.toUnsignedString(sessionId) +
            ", packetsSent=" + packetsSent +
            ", sendFailures=" + sendFailures +
            ", packetsReceived=" + packetsReceived +
            ", payloadsReceived=" + payloadsReceived +
            ", dropped=" + droppedPackets +
            " (malformed=" + malformedPackets +
            ", unexpected=" + unexpectedPackets +
            ", wrongTag=" + wrongTagPackets +
            ", wrongSession=" + wrongSessionPackets +
            ", authFailures=" + authFailures +
            ", replays=" + replays +
            ", protocolErrors=" + protocolErrors +
            ", cryptoErrors=" + cryptoErrors + ")}";
    }

    private void onChallenge(final ByteBuf datagram)
    {
        if (SessionState.CONNECTING != state)
        {
            drop(DropReason.UNEXPECTED);
            return;
        }
        if (CHALLENGE_LENGTH != datagram.readableBytes() || 0 != PacketHeader.sessionId(datagram))
        {
            drop(DropReason.MALFORMED);
            return;
        }
        final int offset = datagram.readerIndex();
        if (!tagMatches(datagram, offset + CHALLENGE_TAG_OFFSET))
        {
            drop(DropReason.WRONG_TAG);
            return;
        }

        // The latest cookie wins; it goes out at the next resend, so a burst of challenges costs no burst of replies.
        datagram.getBytes(offset + CHALLENGE_COOKIE_OFFSET, cookie, 0, COOKIE_LENGTH);
        if (!responsePhase)
        {
            responsePhase = true;
            sendChallengeResponse();
        }
    }

    private void onDenied(final ByteBuf datagram)
    {
        if (SessionState.CONNECTING != state)
        {
            drop(DropReason.UNEXPECTED);
            return;
        }
        if (DENIED_LENGTH != datagram.readableBytes() || 0 != PacketHeader.sessionId(datagram))
        {
            drop(DropReason.MALFORMED);
            return;
        }
        final int offset = datagram.readerIndex();
        if (!tagMatches(datagram, offset + DENIED_TAG_OFFSET))
        {
            drop(DropReason.WRONG_TAG);
            return;
        }

        denyReason = DenyReason.get(datagram.getUnsignedByte(offset + DENIED_REASON_OFFSET));
        closeWith(DisconnectReason.DENIED);
    }

    private void onProtected(final ByteBuf datagram, final PacketType type, final long nowNs)
    {
        if (!responsePhase && SessionState.CONNECTED != state)
        {
            drop(DropReason.UNEXPECTED);
            return;
        }
        final int headerSessionId = PacketHeader.sessionId(datagram);
        if (0 == headerSessionId || (SessionState.CONNECTED == state && headerSessionId != sessionId))
        {
            drop(DropReason.WRONG_SESSION);
            return;
        }

        final int result = receiveProtector.open(datagram);
        if (ProtectResult.OK != result)
        {
            onOpenFailed(result);
            return;
        }

        packetsReceived++;
        lastReceiveNs = nowNs;
        final int payloadOffset = datagram.readerIndex() + PAYLOAD_OFFSET;
        final int payloadLength = datagram.writerIndex() - payloadOffset;
        switch (type)
        {
            case KEEPALIVE:
                onKeepalive(headerSessionId, payloadLength, nowNs);
                break;

            case DATA:
                onData(datagram, headerSessionId, payloadOffset, payloadLength, nowNs);
                break;

            case DISCONNECT:
                onDisconnect(datagram, payloadOffset, payloadLength);
                break;

            default:
                onPathChallenge(datagram, payloadOffset, payloadLength);
                break;
        }
    }

    private void onKeepalive(final int headerSessionId, final int payloadLength, final long nowNs)
    {
        if (0 != payloadLength)
        {
            drop(DropReason.PROTOCOL_ERROR);
            return;
        }
        if (SessionState.CONNECTING == state)
        {
            onConnected(headerSessionId, nowNs);
        }
    }

    private void onData(
        final ByteBuf datagram,
        final int headerSessionId,
        final int payloadOffset,
        final int payloadLength,
        final long nowNs)
    {
        if (0 == payloadLength)
        {
            drop(DropReason.PROTOCOL_ERROR);
            return;
        }
        if (SessionState.CONNECTING == state)
        {
            onConnected(headerSessionId, nowNs);
        }
        if (SessionState.CONNECTED != state)
        {
            return;
        }
        payloadsReceived++;
        final int result = channels.onPacket(
            receiveProtector.lastOpenedSequence(), datagram, payloadOffset, payloadLength, nowNs, delivery);
        if (ChannelEndpoint.PACKET_MALFORMED == result)
        {
            drop(DropReason.PROTOCOL_ERROR);
        }
        else if (ChannelEndpoint.PACKET_PROTOCOL_VIOLATION == result && SessionState.CONNECTED == state)
        {
            protocolErrors++;
            sendDisconnects(DisconnectReason.PROTOCOL_ERROR);
            closeWith(DisconnectReason.PROTOCOL_ERROR);
        }
    }

    private void deliver(final int channel, final ByteBuf buffer, final int offset, final int length)
    {
        messagesReceived++;
        listener.onMessage(this, channel, buffer, offset, length);
    }

    private void onDisconnect(final ByteBuf datagram, final int payloadOffset, final int payloadLength)
    {
        DisconnectReason reason = 1 == payloadLength ?
            DisconnectReason.get(datagram.getUnsignedByte(payloadOffset)) : null;
        if (null == reason || DisconnectReason.NONE == reason)
        {
            reason = DisconnectReason.PROTOCOL_ERROR;
        }
        closeWith(reason);
    }

    private void onPathChallenge(final ByteBuf datagram, final int payloadOffset, final int payloadLength)
    {
        if (SessionState.CONNECTED != state)
        {
            drop(DropReason.UNEXPECTED);
            return;
        }
        if (PATH_CHALLENGE_LENGTH != payloadLength)
        {
            drop(DropReason.PROTOCOL_ERROR);
            return;
        }
        final ByteBuf packet = claimProtected(PacketType.PATH_RESPONSE);
        if (null != packet)
        {
            packet.writeLongLE(datagram.getLongLE(payloadOffset));
            sealAndSend(packet);
        }
    }

    private void onConnected(final int headerSessionId, final long nowNs)
    {
        state = SessionState.CONNECTED;
        responsePhase = false;
        sessionId = headerSessionId;
        connectedAtNs = nowNs;
        Arrays.fill(cookie, (byte)0);
        // Confirm at once: the server's session becomes CONNECTED on our first authentic packet.
        sendEmpty(PacketType.KEEPALIVE);
        listener.onConnected(this);
    }

    private void onOpenFailed(final int result)
    {
        switch (result)
        {
            case ProtectResult.AUTH_FAILED:
                drop(DropReason.AUTH_FAILED);
                if (authFailures > maxAuthFailures)
                {
                    if (SessionState.CONNECTED == state)
                    {
                        sendDisconnects(DisconnectReason.AUTH_FAILURES);
                    }
                    closeWith(DisconnectReason.AUTH_FAILURES);
                }
                break;

            case ProtectResult.REPLAY:
            case ProtectResult.TOO_OLD:
                drop(DropReason.REPLAY);
                break;

            case ProtectResult.TOO_SHORT:
            case ProtectResult.TOO_LONG:
                drop(DropReason.MALFORMED);
                break;

            default:
                drop(DropReason.CRYPTO_ERROR);
                break;
        }
    }

    private void closeWith(final DisconnectReason reason)
    {
        state = SessionState.CLOSED;
        responsePhase = false;
        disconnectReason = reason;
        Arrays.fill(cookie, (byte)0);
        listener.onDisconnected(this, reason);
    }

    private void sendDisconnects(final DisconnectReason reason)
    {
        state = SessionState.DISCONNECTING;
        for (int i = 0; i < disconnectRedundancy; i++)
        {
            final ByteBuf packet = claimPacket(PacketType.DISCONNECT, sessionId);
            if (null == packet)
            {
                break;
            }
            packet.writeZero(SEQUENCE_LENGTH);
            packet.writeByte(reason.code());
            sealAndSend(packet);
        }
    }

    private void sendConnectRequest()
    {
        final ByteBuf packet = claimPacket(PacketType.CONNECT_REQUEST, 0);
        if (null != packet)
        {
            packet.writeBytes(serverPart, 0, SERVER_PART_LENGTH);
            packet.writeZero(REQUEST_PADDING);
            transmit(packet);
        }
    }

    private void sendChallengeResponse()
    {
        final ByteBuf packet = claimPacket(PacketType.CHALLENGE_RESPONSE, 0);
        if (null != packet)
        {
            packet.writeBytes(cookie, 0, COOKIE_LENGTH);
            packet.writeBytes(serverPart, 0, SERVER_PART_LENGTH);
            packet.writeZero(RESPONSE_PADDING);
            transmit(packet);
        }
    }

    private void sendEmpty(final PacketType type)
    {
        final ByteBuf packet = claimProtected(type);
        if (null != packet)
        {
            sealAndSend(packet);
        }
    }

    /**
     * A buffer holding the header and the reserved sequence number of a protected packet of this session, or null
     * when not CONNECTED or no buffer is available.
     */
    private ByteBuf claimProtected(final PacketType type)
    {
        if (SessionState.CONNECTED != state)
        {
            return null;
        }
        final ByteBuf packet = claimPacket(type, sessionId);
        if (null != packet)
        {
            packet.writeZero(SEQUENCE_LENGTH);
        }
        return packet;
    }

    private ByteBuf claimPacket(final PacketType type, final int headerSessionId)
    {
        final ByteBuf packet = sender.claim();
        if (null == packet)
        {
            sendFailures++;
            return null;
        }
        if (packet.maxCapacity() < maxDatagramLength)
        {
            packet.release();
            sendFailures++;
            return null;
        }
        PacketHeader.write(packet, type, headerSessionId);
        return packet;
    }

    private boolean sealAndSend(final ByteBuf packet)
    {
        if (ProtectResult.OK != sendProtector.seal(packet))
        {
            packet.release();
            sendFailures++;
            return false;
        }
        return transmit(packet);
    }

    private boolean transmit(final ByteBuf packet)
    {
        if (sender.send(packet))
        {
            packetsSent++;
            lastSendNs = cachedNowNs;
            return true;
        }
        sendFailures++;
        return false;
    }

    private boolean tagMatches(final ByteBuf datagram, final int tagOffset)
    {
        for (int i = 0; i < TOKEN_TAG_LENGTH; i++)
        {
            if (datagram.getByte(tagOffset + i) != serverPart[TAG_IN_SERVER_PART_OFFSET + i])
            {
                return false;
            }
        }
        return true;
    }

    private void drop(final DropReason reason)
    {
        droppedPackets++;
        switch (reason)
        {
            case MALFORMED:
                malformedPackets++;
                break;
            case UNEXPECTED:
                unexpectedPackets++;
                break;
            case WRONG_TAG:
                wrongTagPackets++;
                break;
            case WRONG_SESSION:
                wrongSessionPackets++;
                break;
            case AUTH_FAILED:
                authFailures++;
                break;
            case REPLAY:
                replays++;
                break;
            case PROTOCOL_ERROR:
                protocolErrors++;
                break;
            default:
                cryptoErrors++;
                break;
        }
    }

    private void resetCounters()
    {
        packetsSent = 0;
        sendFailures = 0;
        packetsReceived = 0;
        payloadsReceived = 0;
        messagesReceived = 0;
        droppedPackets = 0;
        malformedPackets = 0;
        unexpectedPackets = 0;
        wrongTagPackets = 0;
        wrongSessionPackets = 0;
        authFailures = 0;
        replays = 0;
        protocolErrors = 0;
        cryptoErrors = 0;
    }

    private enum DropReason
    {
        MALFORMED, UNEXPECTED, WRONG_TAG, WRONG_SESSION, AUTH_FAILED, REPLAY, PROTOCOL_ERROR, CRYPTO_ERROR
    }

    /**
     * Seals channel bodies as DATA packets; the packet number is the AEAD sequence.
     */
    private final class DataPacketWriter implements ChannelEndpoint.PacketWriter
    {
        @Override
        public ByteBuf claim()
        {
            return claimProtected(PacketType.DATA);
        }

        @Override
        public long commit(final ByteBuf body)
        {
            final long packetNumber = sendProtector.nextSequence();
            return sealAndSend(body) ? packetNumber : -1;
        }
    }
}
