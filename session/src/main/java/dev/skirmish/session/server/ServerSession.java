package dev.skirmish.session.server;

import dev.skirmish.session.channel.ChannelEndpoint;
import dev.skirmish.session.channel.ChannelStats;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.protect.PacketProtector;
import io.netty.buffer.ByteBuf;
import org.agrona.DeadlineTimerWheel;
import org.agrona.DirectBuffer;

import java.net.InetSocketAddress;

/**
 * One client's session on the server, owned by the worker whose index is {@code id mod workers}. Everything here is
 * read and written on that worker thread only.
 */
public final class ServerSession
{
    final ServerSessions owner;
    final int id;
    final long clientId;
    final long roomId;
    final long tagHigh;
    final long tagLow;
    final long timeoutNs;
    final byte[] userData;
    final PacketProtector sendProtector;
    final PacketProtector receiveProtector;
    final long createdNs;
    final ChannelEndpoint channels;

    int ioThread;
    InetSocketAddress address;
    SessionState state = SessionState.CONNECTING;
    DisconnectReason reason = DisconnectReason.NONE;
    long lastReceivedNs;
    long lastSentNs;
    long connectedNs;
    long messagesIn;
    long messagesOut;
    long timerId = DeadlineTimerWheel.NULL_DEADLINE;
    long timerDeadlineNs = Long.MAX_VALUE;
    boolean dirty;
    long resendsReported;
    long lostReported;

    InetSocketAddress candidate;
    long candidateSinceNs;
    long candidateBytesIn;
    long candidateBytesOut;
    long pathChallengeData;
    long pathChallengeSentNs;
    int migrations;
    int listIndex;

    private Object attachment;

    ServerSession(
        final ServerSessions owner,
        final int id,
        final long clientId,
        final long roomId,
        final long tagHigh,
        final long tagLow,
        final long timeoutNs,
        final byte[] userData,
        final PacketProtector sendProtector,
        final PacketProtector receiveProtector,
        final int ioThread,
        final InetSocketAddress address,
        final ChannelEndpoint channels,
        final long nowNs)
    {
        this.owner = owner;
        this.id = id;
        this.clientId = clientId;
        this.roomId = roomId;
        this.tagHigh = tagHigh;
        this.tagLow = tagLow;
        this.timeoutNs = timeoutNs;
        this.userData = userData;
        this.sendProtector = sendProtector;
        this.receiveProtector = receiveProtector;
        this.ioThread = ioThread;
        this.address = address;
        this.channels = channels;
        this.createdNs = nowNs;
        this.lastReceivedNs = nowNs;
        this.lastSentNs = nowNs;
    }

    /**
     * Queue a message on a channel; it leaves with the next flush (once per worker duty cycle, after the game's
     * {@link SessionListener#doWork}), aggregated with the session's other messages and acks. Called from the owning
     * worker thread. Copies the bytes; allocates nothing.
     *
     * @param channel channel id, 0 to {@link #channelCount()} - 1.
     * @param src     message bytes.
     * @param offset  in src (its indices do not change).
     * @param length  1 to {@link #maxMessageBytes()}; on an unreliable channel at most {@link #maxWholeMessageBytes()}.
     * @return true if queued; false if the session is not open or its send queue is full (counted as
     * {@code channel_send_queue_full}, logged at most once a second).
     * @throws IllegalArgumentException for a bad channel or length, or an unreliable message larger than a packet.
     */
    public boolean send(final int channel, final ByteBuf src, final int offset, final int length)
    {
        return owner.send(this, channel, src, offset, length);
    }

    /**
     * Queue a message from an array. See {@link #send(int, ByteBuf, int, int)}.
     *
     * @param channel channel id.
     * @param src     message bytes.
     * @param offset  in src.
     * @param length  message length.
     * @return true if queued.
     */
    public boolean send(final int channel, final byte[] src, final int offset, final int length)
    {
        return owner.send(this, channel, src, offset, length);
    }

    /**
     * Queue a message from an Agrona buffer (on or off heap). See {@link #send(int, ByteBuf, int, int)}. Agrona 2's
     * buffers need {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} on Java 17.
     *
     * @param channel channel id.
     * @param src     message bytes.
     * @param offset  in src.
     * @param length  message length.
     * @return true if queued.
     */
    public boolean send(final int channel, final DirectBuffer src, final int offset, final int length)
    {
        return owner.send(this, channel, src, offset, length);
    }

    /**
     * Queue a message the game writes in place (zero copy): {@code length} bytes at the returned offset of
     * {@link #claimBuffer()} (read after this call), written before returning to the worker (the next flush sends
     * them). Called from the owning worker thread.
     *
     * @param channel channel id.
     * @param length  message length, as for {@link #send(int, ByteBuf, int, int)}.
     * @return the offset, or -1 if the session is not open or its send queue is full (counted).
     * @throws IllegalArgumentException for a bad channel or length.
     */
    public int claim(final int channel, final int length)
    {
        return owner.claim(this, channel, length);
    }

    /**
     * @return where {@link #claim} offsets point; valid until the next send or claim on this session.
     */
    public ByteBuf claimBuffer()
    {
        return channels.claimBuffer();
    }

    /**
     * How many more bytes of messages the game may queue for this session now without waiting for the path: the
     * congestion window less the bytes in flight and the bytes queued but not yet sent. A game that sends at most
     * this much per tick keeps its own latency (and the server's memory) down; more is queued, not lost, until the
     * send queue is full.
     *
     * @return bytes, 0 when the window is used up.
     */
    public long sendBudgetBytes()
    {
        return channels.sendBudgetBytes();
    }

    /**
     * Close this session, telling the client why (sent redundantly). Called from the owning worker thread.
     *
     * @param reason e.g. {@link DisconnectReason#KICKED}.
     */
    public void disconnect(final DisconnectReason reason)
    {
        owner.close(this, reason, true);
    }

    /**
     * @return session id, as carried in every packet header.
     */
    public int id()
    {
        return id;
    }

    /**
     * @return client id from the connect token.
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * @return room (match) id from the connect token.
     */
    public long roomId()
    {
        return roomId;
    }

    /**
     * @return user data from the connect token (0..256 bytes); do not modify.
     */
    public byte[] userData()
    {
        return userData;
    }

    /**
     * @return lifecycle state.
     */
    public SessionState state()
    {
        return state;
    }

    /**
     * @return why the session closed, {@link DisconnectReason#NONE} while open.
     */
    public DisconnectReason disconnectReason()
    {
        return reason;
    }

    /**
     * @return the client's validated address; replies go here.
     */
    public InetSocketAddress remoteAddress()
    {
        return address;
    }

    /**
     * @return times the session moved to a new validated address.
     */
    public int migrations()
    {
        return migrations;
    }

    /**
     * @return packets that failed authentication or were malformed (too short or long to open) so far: what the
     * auth-failure limit counts.
     */
    public long authFailures()
    {
        return receiveProtector.authFailures() + receiveProtector.malformed();
    }

    /**
     * @return replayed or too-old packets dropped so far.
     */
    public long replays()
    {
        return receiveProtector.replays() + receiveProtector.tooOld();
    }

    /**
     * @return messages delivered to the game.
     */
    public long messagesIn()
    {
        return messagesIn;
    }

    /**
     * @return messages queued by the game.
     */
    public long messagesOut()
    {
        return messagesOut;
    }

    /**
     * @return channels of this session (the server's channel table).
     */
    public int channelCount()
    {
        return channels.channelCount();
    }

    /**
     * @return largest message, bytes (reliable messages above {@link #maxWholeMessageBytes()} are fragmented).
     */
    public int maxMessageBytes()
    {
        return channels.maxMessageBytes();
    }

    /**
     * @return largest message sent in one packet; the limit of unreliable messages.
     */
    public int maxWholeMessageBytes()
    {
        return channels.maxWholeMessageBytes();
    }

    /**
     * @return the session's live channel statistics (srtt, rttvar, min RTT, jitter, loss, packets, bytes, resends,
     * window, queued bytes); read on the owning worker thread.
     */
    public ChannelStats stats()
    {
        return channels;
    }

    /**
     * @return whatever the game attached, or null.
     */
    public Object attachment()
    {
        return attachment;
    }

    /**
     * @param attachment the game's per-session object.
     */
    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    @Override
    public String toString()
    {
        return "ServerSession{id=" + id + ", clientId=" + clientId + ", roomId=" + roomId + ", state=" + state +
            ", address=" + address + '}';
    }
}
