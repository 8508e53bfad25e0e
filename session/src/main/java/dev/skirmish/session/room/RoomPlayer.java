package dev.skirmish.session.room;

import dev.skirmish.session.server.ServerSession;

/**
 * A player slot of a {@link Room}: who holds it (client id), its connection while connected, and the state relay
 * inputs waiting for the next tick. A slot's object is reused by the next player once its player left: do not keep
 * it after {@link RoomListener#onPlayerLeft}. Read on the room's worker thread only.
 */
public final class RoomPlayer
{
    enum State
    {
        FREE, CONNECTED, AWAY
    }

    final Room room;
    final int slot;
    final RelayInbox inbox;
    State state = State.FREE;
    long clientId;
    PlayerLink link;
    long awaySinceNs;
    private Object attachment;

    RoomPlayer(final Room room, final int slot, final RelayInbox inbox)
    {
        this.room = room;
        this.slot = slot;
        this.inbox = inbox;
    }

    /**
     * @return the room.
     */
    public Room room()
    {
        return room;
    }

    /**
     * @return slot index, 0 to capacity - 1: the player's id in frames.
     */
    public int slot()
    {
        return slot;
    }

    /**
     * @return client id from the connect token.
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * @return true while its session is open.
     */
    public boolean isConnected()
    {
        return State.CONNECTED == state;
    }

    /**
     * @return true while its session is lost and the slot is held for a reconnect.
     */
    public boolean isAway()
    {
        return State.AWAY == state;
    }

    /**
     * @return the player's connection, or null while away.
     */
    public PlayerLink link()
    {
        return link;
    }

    /**
     * @return the player's server session, or null while away (or on another transport).
     */
    public ServerSession session()
    {
        return link instanceof SessionLink ? ((SessionLink)link).session : null;
    }

    /**
     * @return whatever the game attached, or null; cleared when the player leaves.
     */
    public Object attachment()
    {
        return attachment;
    }

    /**
     * @param attachment the game's per-player object.
     */
    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    void occupy(final long clientId, final PlayerLink link)
    {
        this.clientId = clientId;
        connect(link);
    }

    void connect(final PlayerLink link)
    {
        this.link = link;
        link.player = this;
        state = State.CONNECTED;
        inbox.clear();
    }

    /**
     * @return the connection it had, now detached (null if none).
     */
    PlayerLink detach()
    {
        final PlayerLink old = link;
        if (null != old)
        {
            old.player = null;
        }
        link = null;
        return old;
    }

    void free()
    {
        detach();
        state = State.FREE;
        clientId = 0;
        attachment = null;
        inbox.clear();
    }

    @Override
    public String toString()
    {
        return "RoomPlayer{room=" + room.id() + ", slot=" + slot + ", clientId=" + clientId + ", state=" + state + '}';
    }
}
