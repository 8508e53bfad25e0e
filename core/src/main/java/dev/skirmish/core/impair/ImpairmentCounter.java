package dev.skirmish.core.impair;

/**
 * The stable, enumerated counters of an {@link ImpairedLink}. Ids and labels are an API that tests and reports refer
 * to: never renumber or rename, only add. Values are plain {@code long}s written and read by the link's owning thread.
 * <p>
 * Accounting identity, at any moment between calls:
 * <pre>
 *   OFFERED + DUPLICATED == DELIVERED + dropped (the DROPPED_* counters) + in flight
 * </pre>
 */
public enum ImpairmentCounter
{
    /** Datagrams passed to {@code offer}, whatever became of them. */
    OFFERED(0, "offered", "Datagrams offered to the link"),
    /** Copies handed to a delivery handler, duplicates included. */
    DELIVERED(1, "delivered", "Datagram copies delivered, duplicates included"),
    /** Random (i.i.d., or good-state Gilbert-Elliott) loss. */
    DROPPED_LOSS(2, "dropped_loss", "Dropped by random loss (the good state when burst loss is on)"),
    /** Loss in the bad state of the Gilbert-Elliott chain. */
    DROPPED_BURST(3, "dropped_burst", "Dropped in the bad (burst) state of the Gilbert-Elliott chain"),
    /** Offered inside a scheduled blackout window. */
    DROPPED_BLACKOUT(4, "dropped_blackout", "Dropped because the link was in a scheduled blackout"),
    /** The bandwidth cap's queue already held more than its limit of serialization time. */
    DROPPED_BANDWIDTH(5, "dropped_bandwidth",
        "Dropped because the bandwidth-capped link's queue exceeded its limit (tail drop)"),
    /** Every preallocated slot was in flight. */
    DROPPED_QUEUE_FULL(6, "dropped_queue_full", "Dropped because every preallocated slot was in flight"),
    /** Longer than the link's maximum datagram length (its MTU). */
    DROPPED_OVERSIZE(7, "dropped_oversize", "Dropped because longer than the link's maximum datagram length"),
    /** Extra copies scheduled (a datagram duplicated once counts one). */
    DUPLICATED(8, "duplicated", "Extra copies scheduled by duplication"),
    /** Datagrams held back by the reorder delay (whether or not a later one overtook them). */
    REORDERED(9, "reordered", "Datagrams given the extra reorder delay"),
    /** Copies with one byte flipped. */
    CORRUPTED(10, "corrupted", "Copies with one random byte flipped"),
    /** Deliveries of a datagram offered before one already delivered: what the receiver sees as reordering. */
    DELIVERED_OUT_OF_ORDER(11, "delivered_out_of_order",
        "Copies delivered after a datagram that was offered later (observed reordering)"),
    /** Payload bytes offered. */
    BYTES_OFFERED(12, "bytes_offered", "Bytes offered to the link"),
    /** Payload bytes delivered, duplicates included. */
    BYTES_DELIVERED(13, "bytes_delivered", "Bytes delivered, duplicates included");

    private static final ImpairmentCounter[] BY_ID;

    static
    {
        final ImpairmentCounter[] values = values();
        BY_ID = new ImpairmentCounter[values.length];
        for (final ImpairmentCounter counter : values)
        {
            if (BY_ID[counter.id] != null)
            {
                throw new IllegalStateException("duplicate impairment counter id " + counter.id);
            }
            BY_ID[counter.id] = counter;
        }
    }

    private final int id;
    private final String label;
    private final String description;

    ImpairmentCounter(final int id, final String label, final String description)
    {
        this.id = id;
        this.label = label;
        this.description = description;
    }

    /**
     * Stable numeric id, also the index of the value inside a link.
     *
     * @return id.
     */
    public int id()
    {
        return id;
    }

    /**
     * Stable snake_case name.
     *
     * @return label.
     */
    public String label()
    {
        return label;
    }

    /**
     * One-line description.
     *
     * @return description.
     */
    public String description()
    {
        return description;
    }

    /**
     * Counter by id.
     *
     * @param id stable id, 0 to {@code count() - 1}.
     * @return the counter.
     */
    public static ImpairmentCounter get(final int id)
    {
        return BY_ID[id];
    }

    /**
     * Number of counters.
     *
     * @return how many ids there are.
     */
    public static int count()
    {
        return BY_ID.length;
    }

    /**
     * Whether this counter counts a datagram that was dropped.
     *
     * @return true for the {@code DROPPED_*} counters.
     */
    public boolean isDrop()
    {
        return label.startsWith("dropped_");
    }
}
