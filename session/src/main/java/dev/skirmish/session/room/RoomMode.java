package dev.skirmish.session.room;

/**
 * How a room turns its players' inputs into what it sends them each tick.
 */
public enum RoomMode
{
    /**
     * Lockstep: the server closes frame N with the inputs that arrived for it and sends it to every player, with the
     * previous frames repeated; clients simulate the same frames deterministically. See {@link FrameSyncServer}.
     */
    FRAME_SYNC(0),
    /**
     * Server-authoritative: the game's {@link RoomListener#onTick} reads the inputs drained this tick and writes
     * per-player or broadcast messages on any channel.
     */
    STATE_RELAY(1);

    private final int code;

    RoomMode(final int code)
    {
        this.code = code;
    }

    /**
     * @return wire code (WELCOME message).
     */
    public int code()
    {
        return code;
    }

    /**
     * @param code from the wire, any value.
     * @return the mode, or null if unknown.
     */
    public static RoomMode get(final int code)
    {
        return 0 == code ? FRAME_SYNC : 1 == code ? STATE_RELAY : null;
    }
}
