package dev.skirmish.session.room;

import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;

/**
 * What a room needs from one player's connection: identity, sending on a channel and closing it. On a server it is a
 * {@link dev.skirmish.session.server.ServerSession} (see {@link RoomHost}); tests and other transports extend it.
 * All methods are called on the worker thread that owns the room.
 */
public abstract class PlayerLink
{
    RoomPlayer player;

    /**
     * @return client id (from the connect token): a reconnect with the same id gets its slot back.
     */
    public abstract long clientId();

    /**
     * @return the room the player asks for (from the connect token).
     */
    public abstract long roomId();

    /**
     * Queue a message; copied before returning.
     *
     * @param channel channel id.
     * @param src     holding the message.
     * @param offset  of the message.
     * @param length  of the message.
     * @return false if it was not queued (connection closed or its send queue full).
     */
    public abstract boolean send(int channel, ByteBuf src, int offset, int length);

    /**
     * Queue a message to be written in place at the returned offset of {@link #claimBuffer()}.
     *
     * @param channel channel id.
     * @param length  of the message.
     * @return offset, or -1 if not queued.
     */
    public abstract int claim(int channel, int length);

    /**
     * @return where {@link #claim} offsets point.
     */
    public abstract ByteBuf claimBuffer();

    /**
     * @return bytes the connection takes now without queueing up (its congestion window left).
     */
    public abstract long sendBudgetBytes();

    /**
     * @return largest message sent whole (the limit of unreliable messages).
     */
    public abstract int maxWholeMessageBytes();

    /**
     * Close the connection, telling the peer why. May call back into {@link RoomHost#onPlayerDisconnected}.
     *
     * @param reason why.
     */
    public abstract void disconnect(DisconnectReason reason);

    /**
     * @return the room player this connection is, or null (not in a room, or no longer).
     */
    public final RoomPlayer player()
    {
        return player;
    }
}
