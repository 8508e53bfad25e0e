package dev.skirmish.session.room;

/**
 * A room command from another thread to a worker ({@link RoomServer}), handed over through the worker's bounded
 * queue. Immutable once offered.
 */
final class RoomCommand
{
    static final int CREATE = 1;
    static final int END = 2;

    final int kind;
    final long roomId;
    final RoomMode mode;
    final int capacity;
    final int tickRateHz;

    RoomCommand(final int kind, final long roomId, final RoomMode mode, final int capacity, final int tickRateHz)
    {
        this.kind = kind;
        this.roomId = roomId;
        this.mode = mode;
        this.capacity = capacity;
        this.tickRateHz = tickRateHz;
    }
}
