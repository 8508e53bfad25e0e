package dev.skirmish.session.room;

import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;

/**
 * The game's side of the rooms of one worker: lifecycle events and the per-tick logic, all on that worker thread.
 * An exception thrown from any of these (but {@link #onRoomClosed}) closes that room only, with
 * {@link RoomCloseReason#ERROR}: its players are disconnected, the worker and its other rooms go on.
 * <p>
 * Per tick, in this order: lifecycle (reconnect and empty-room grace), drain inputs (frame sync: close the frame;
 * state relay: {@link #onInput} for each input that arrived since the last tick), game logic ({@link #onTick}),
 * send (frame sync: FRAMES to every player; every message queued in the tick leaves in the worker's flush).
 */
public interface RoomListener
{
    /**
     * A room was created (first player's connect token, or the API).
     *
     * @param room  the room.
     * @param nowNs the worker's clock.
     */
    default void onRoomCreated(final Room room, final long nowNs)
    {
    }

    /**
     * A player joined (a new slot) or reconnected (its held slot, same client id).
     *
     * @param room        the room.
     * @param player      the player.
     * @param reconnected true if it had the slot before.
     * @param nowNs       the worker's clock.
     */
    default void onPlayerJoined(final Room room, final RoomPlayer player, final boolean reconnected, final long nowNs)
    {
    }

    /**
     * A player's session was lost (timeout, error): its slot is held for the reconnect grace.
     *
     * @param room   the room.
     * @param player the player.
     * @param reason why its session ended.
     * @param nowNs  the worker's clock.
     */
    default void onPlayerAway(
        final Room room, final RoomPlayer player, final DisconnectReason reason, final long nowNs)
    {
    }

    /**
     * A player left: it disconnected on purpose, was kicked, or did not come back within the reconnect grace
     * ({@link DisconnectReason#TIMEOUT}). Its slot is free afterwards.
     *
     * @param room   the room.
     * @param player the player (do not keep it).
     * @param reason why.
     * @param nowNs  the worker's clock.
     */
    default void onPlayerLeft(
        final Room room, final RoomPlayer player, final DisconnectReason reason, final long nowNs)
    {
    }

    /**
     * Drain phase: an input (RELAY_INPUT message) that arrived since the last tick, in arrival order per player.
     *
     * @param room   the room.
     * @param player its sender.
     * @param buffer holding the input; valid only during the call.
     * @param offset of the input.
     * @param length of the input, 0 or more.
     * @param nowNs  the tick's time.
     */
    default void onInput(
        final Room room,
        final RoomPlayer player,
        final ByteBuf buffer,
        final int offset,
        final int length,
        final long nowNs)
    {
    }

    /**
     * Logic phase of a tick. State relay: write per-player ({@link Room#send}) or broadcast ({@link Room#broadcast})
     * messages. Frame sync: {@link Room#lastFrame()} is the frame just closed (read it, e.g. to simulate on the
     * server or record a replay).
     *
     * @param room  the room.
     * @param tick  tick index, from 0; in frame sync also the frame number closed.
     * @param nowNs the tick's time (at or after its deadline).
     */
    default void onTick(final Room room, final long tick, final long nowNs)
    {
    }

    /**
     * Frame sync: a player's state hash for a frame differs from the first hash reported for it.
     *
     * @param room          the room.
     * @param frame         the frame.
     * @param player        the player whose hash differs.
     * @param referenceHash the first hash reported for the frame.
     * @param reportedHash  this player's hash.
     * @param nowNs         the worker's clock.
     */
    default void onDesync(
        final Room room,
        final long frame,
        final RoomPlayer player,
        final long referenceHash,
        final long reportedHash,
        final long nowNs)
    {
    }

    /**
     * A room closed; its players were disconnected with {@link DisconnectReason#ROOM_CLOSED}. An exception thrown
     * here is counted and logged only.
     *
     * @param room   the room.
     * @param reason why.
     * @param nowNs  the worker's clock.
     */
    default void onRoomClosed(final Room room, final RoomCloseReason reason, final long nowNs)
    {
    }

    /**
     * Creates the listener of each worker: a listener owns its state single-threaded.
     */
    @FunctionalInterface
    interface Factory
    {
        /**
         * @param worker worker index.
         * @return its listener.
         */
        RoomListener newListener(int worker);
    }
}
