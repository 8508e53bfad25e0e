package dev.skirmish.session.channel;

/**
 * Counters of one {@link ReceiveChannel}. Ids and labels are an API: never renumber or rename, only add. Single
 * writer (the thread that owns the session), read with {@link ReceiveChannel#counter(ReceiveCounter)} on that thread.
 * Every call to {@link ReceiveChannel#receive} counts {@link #MESSAGES_RECEIVED} and exactly one of the outcome
 * counters {@link #MESSAGES_DELIVERED} (first delivery only), {@link #MESSAGES_BUFFERED}, {@link #DUPLICATES},
 * {@link #STALE}, {@link #OUT_OF_WINDOW}, {@link #NO_ROOM} or {@link #INVALID}; messages later released from the
 * reorder buffer add to {@link #MESSAGES_DELIVERED} when they are delivered.
 */
public enum ReceiveCounter
{
    /** Calls to {@link ReceiveChannel#receive}: every message frame handed to the channel. */
    MESSAGES_RECEIVED(0, "messages_received", "Message frames handed to the channel"),
    /** Messages delivered to the handler, including those released from the reorder buffer. */
    MESSAGES_DELIVERED(1, "messages_delivered", "Messages delivered to the application"),
    /** Messages copied into the reorder buffer to wait for a gap to fill (ordered mode). */
    MESSAGES_BUFFERED(2, "messages_buffered", "Messages held in the reorder buffer until a gap filled"),
    /** Reliable messages already received (resends whose original arrived): dropped. */
    DUPLICATES(3, "duplicates", "Reliable messages received more than once"),
    /** Sequenced messages not newer than the newest delivered: dropped. */
    STALE(4, "stale", "Sequenced messages older than the newest delivered"),
    /** Reliable messages at or beyond base + window: dropped; a protocol violation by the sender. */
    OUT_OF_WINDOW(5, "out_of_window", "Reliable messages beyond the receive window (protocol violation)"),
    /** Ordered messages that did not fit the reorder budget: refused; a protocol violation by the sender. */
    NO_ROOM(6, "no_room", "Ordered messages refused for lack of reorder budget (protocol violation)"),
    /** Calls with a sequence outside 0..65535 or a negative offset or length: a caller bug, dropped. */
    INVALID(7, "invalid", "Messages with an invalid sequence, offset or length"),
    /** Times the reorder buffer moved its live bytes together to make room (ordered mode). */
    REORDER_COMPACTIONS(8, "reorder_compactions", "Reorder buffer compactions");

    private static final ReceiveCounter[] BY_ID = values();

    private final int id;
    private final String label;
    private final String description;

    ReceiveCounter(final int id, final String label, final String description)
    {
        this.id = id;
        this.label = label;
        this.description = description;
    }

    /**
     * @return stable id, the index into a counter array.
     */
    public int id()
    {
        return id;
    }

    /**
     * @return stable snake_case label for reports.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return one-line description.
     */
    public String description()
    {
        return description;
    }

    /**
     * @return number of counters: the length of a counter array.
     */
    public static int count()
    {
        return BY_ID.length;
    }

    /**
     * @param id a counter id.
     * @return the counter with that id.
     * @throws ArrayIndexOutOfBoundsException for an unknown id.
     */
    public static ReceiveCounter get(final int id)
    {
        return BY_ID[id];
    }
}
