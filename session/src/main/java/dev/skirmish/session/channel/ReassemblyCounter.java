package dev.skirmish.session.channel;

/**
 * Counters of a session's {@link ReassemblyBuffer}. Ids and labels are an API, as for the transport's counters: never
 * renumber or rename, only add. Single-writer (the thread that owns the session), read with
 * {@link ReassemblyBuffer#counter(ReassemblyCounter)} on that thread. The gauges (bytes in use, peak bytes, messages
 * in progress) are methods of the buffer, not counters.
 * <p>
 * Invariants: every call to {@link ReassemblyBuffer#onFragment} adds one to exactly one of
 * {@link #FRAGMENTS_ACCEPTED}, {@link #DUPLICATES} or a {@code REJECTED_*} counter; and
 * {@link #MESSAGES_STARTED} = {@link #MESSAGES_COMPLETED} + {@link #MESSAGES_EXPIRED} + {@link #MESSAGES_EVICTED}
 * + messages in progress.
 */
public enum ReassemblyCounter
{
    /** Fragments stored (the one that completes a message included). */
    FRAGMENTS_ACCEPTED(0, "fragments_accepted", "Fragments stored"),
    /** Messages whose first fragment claimed a slot and budget. */
    MESSAGES_STARTED(1, "messages_started", "Messages that entered reassembly"),
    /** Messages reassembled whole. */
    MESSAGES_COMPLETED(2, "messages_completed", "Messages reassembled whole"),
    /** Fragments already stored ({@link ReassemblyResult#DUPLICATE}). */
    DUPLICATES(3, "duplicates", "Fragments already stored, ignored"),
    /** {@link ReassemblyResult#BAD_KEY}. */
    REJECTED_BAD_KEY(4, "rejected_bad_key", "Fragments with a channel or sequence out of range"),
    /** {@link ReassemblyResult#BAD_COUNT}. */
    REJECTED_BAD_COUNT(5, "rejected_bad_count", "Fragments with a count below 2 or above the maximum"),
    /** {@link ReassemblyResult#BAD_INDEX}. */
    REJECTED_BAD_INDEX(6, "rejected_bad_index", "Fragments with an index not below the count"),
    /** {@link ReassemblyResult#INCONSISTENT_COUNT}. */
    REJECTED_INCONSISTENT_COUNT(7, "rejected_inconsistent_count",
        "Fragments whose count differs from the message's first fragment"),
    /** {@link ReassemblyResult#BAD_LENGTH}. */
    REJECTED_BAD_LENGTH(8, "rejected_bad_length", "Fragments with a wrong data length"),
    /** {@link ReassemblyResult#NO_MEMORY}. */
    REJECTED_NO_MEMORY(9, "rejected_no_memory", "New messages refused: byte budget exhausted"),
    /** {@link ReassemblyResult#TOO_MANY_MESSAGES}. */
    REJECTED_TOO_MANY_MESSAGES(10, "rejected_too_many_messages", "New messages refused: slot table full"),
    /** Incomplete messages dropped by {@link ReassemblyBuffer#expire}. */
    MESSAGES_EXPIRED(11, "messages_expired", "Incomplete messages dropped on timeout"),
    /** Expired incomplete messages dropped to make room for a new one. */
    MESSAGES_EVICTED(12, "messages_evicted", "Expired incomplete messages evicted for a new message"),
    /** Arena compactions: live messages moved down to close the gaps between them. */
    ARENA_COMPACTIONS(13, "arena_compactions", "Reassembly arena compactions"),
    /** Arena growths: a larger arena allocated, bounded by the budget (log2 of budget over the first size). */
    ARENA_GROWTHS(14, "arena_growths", "Reassembly arena growths");

    private static final ReassemblyCounter[] BY_ID = values();

    private final int id;
    private final String label;
    private final String description;

    ReassemblyCounter(final int id, final String label, final String description)
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
    public static ReassemblyCounter get(final int id)
    {
        return BY_ID[id];
    }
}
