package dev.skirmish.session.room;

/**
 * Why a room closed; given to {@link RoomListener#onRoomClosed}. Its players are disconnected with
 * {@link dev.skirmish.session.lifecycle.DisconnectReason#ROOM_CLOSED}, or
 * {@link dev.skirmish.session.lifecycle.DisconnectReason#SERVER_SHUTDOWN} for {@link #SERVER_SHUTDOWN}.
 */
public enum RoomCloseReason
{
    /** The game ended it ({@link Room#end()} or {@link RoomServer#endRoom}). */
    ENDED,
    /** No player was connected for the empty-room grace period. */
    EMPTY,
    /** The game's logic threw: the room is isolated, the worker and its other rooms go on. */
    ERROR,
    /**
     * Consecutive ticks of the room ({@code stallsBeforeClose}) took longer than the tick budget: the room is isolated.
     */
    STALL,
    /** The server is stopping ({@code SessionServer.close()}): every open room of every worker is closed. */
    SERVER_SHUTDOWN,
    /**
     * A frame-sync room closed its last frame, {@link RoomMessageDescriptor#FRAME_LIMIT} − 1 (frame numbers are u32
     * on the wire and never wrap: 2^31 frames is 194 days at 128 Hz).
     */
    FRAME_LIMIT
}
