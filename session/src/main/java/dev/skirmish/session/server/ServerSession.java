package dev.skirmish.session.server;

import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.protect.PacketProtector;
import io.netty.buffer.ByteBuf;

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

    int ioThread;
    InetSocketAddress address;
    SessionState state = SessionState.CONNECTING;
    DisconnectReason reason = DisconnectReason.NONE;
    long lastReceivedNs;
    long lastSentNs;
    long connectedNs;
    long payloadsIn;
    long payloadsOut;

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
        this.createdNs = nowNs;
        this.lastReceivedNs = nowNs;
        this.lastSentNs = nowNs;
    }

    /**
     * Send one DATA payload, protected. Called from the owning worker thread.
     *
     * @param src    payload bytes.
     * @param offset in src.
     * @param length 1 to {@link ServerSessions#maxPayloadLength()} bytes.
     * @return true if queued for sending; false if the session is not connected or the outbound queue is full
     * (counted).
     * @throws IllegalArgumentException when length is out of range.
     */
    public boolean send(final ByteBuf src, final int offset, final int length)
    {
        return owner.sendPayload(this, src, offset, length);
    }

    /**
     * Send one DATA payload from an array. See {@link #send(ByteBuf, int, int)}.
     *
     * @param src    payload bytes.
     * @param offset in src.
     * @param length 1 to {@link ServerSessions#maxPayloadLength()} bytes.
     * @return true if queued for sending.
     */
    public boolean send(final byte[] src, final int offset, final int length)
    {
        return owner.sendPayload(this, src, offset, length);
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
     * @return payloads delivered to the game.
     */
    public long payloadsIn()
    {
        return payloadsIn;
    }

    /**
     * @return payloads sent by the game.
     */
    public long payloadsOut()
    {
        return payloadsOut;
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
