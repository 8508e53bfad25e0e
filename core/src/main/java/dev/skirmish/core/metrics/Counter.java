package dev.skirmish.core.metrics;

/**
 * The stable, enumerated set of counters. Ids and names are an API: dashboards, tests and the perf gate
 * refer to them, so never renumber or rename, only add. Each counter is written by a single thread (the
 * owner of the {@link CounterSet} it lives in) and read lock-free by anyone through {@link Counters}.
 */
public enum Counter
{
    DATAGRAMS_IN(0, "datagrams_in", Kind.SUM, "Datagrams received from sockets, valid or not"),
    BYTES_IN(1, "bytes_in", Kind.SUM, "UDP payload bytes received from sockets"),
    DATAGRAMS_OUT(2, "datagrams_out", Kind.SUM, "Datagrams written to sockets"),
    BYTES_OUT(3, "bytes_out", Kind.SUM, "UDP payload bytes written to sockets"),
    BATCHES_READ(4, "batches_read", Kind.SUM, "Read syscalls that returned datagrams (recvmmsg or recvmsg)"),
    BATCH_SIZE_1(5, "batch_size_1", Kind.SUM, "Read syscalls that returned exactly 1 datagram"),
    BATCH_SIZE_2_3(6, "batch_size_2_3", Kind.SUM, "Read syscalls that returned 2-3 datagrams"),
    BATCH_SIZE_4_7(7, "batch_size_4_7", Kind.SUM, "Read syscalls that returned 4-7 datagrams"),
    BATCH_SIZE_8_15(8, "batch_size_8_15", Kind.SUM, "Read syscalls that returned 8-15 datagrams"),
    BATCH_SIZE_16_31(9, "batch_size_16_31", Kind.SUM, "Read syscalls that returned 16-31 datagrams"),
    BATCH_SIZE_32_63(10, "batch_size_32_63", Kind.SUM, "Read syscalls that returned 32-63 datagrams"),
    BATCH_SIZE_64_PLUS(11, "batch_size_64_plus", Kind.SUM, "Read syscalls that returned 64 or more datagrams"),
    DROP_TOO_SHORT(12, "drop_too_short", Kind.SUM, "Dropped: datagram shorter than the fixed header"),
    DROP_TOO_LONG(13, "drop_too_long", Kind.SUM, "Dropped: datagram longer than the maximum datagram length"),
    DROP_BAD_MAGIC(14, "drop_bad_magic", Kind.SUM, "Dropped: magic is not 0x4B53"),
    DROP_BAD_VERSION(15, "drop_bad_version", Kind.SUM, "Dropped: unsupported protocol version"),
    DROP_BAD_TYPE(16, "drop_bad_type", Kind.SUM, "Dropped: unknown packet type"),
    DROP_INBOUND_QUEUE_FULL(17, "drop_inbound_queue_full", Kind.SUM,
        "Dropped: the I/O thread to worker queue was full"),
    DROP_OUTBOUND_QUEUE_FULL(18, "drop_outbound_queue_full", Kind.SUM,
        "Dropped: the worker to I/O thread queue (or its envelope pool) was full"),
    DROP_OUTBOUND_NOT_SENT(19, "drop_outbound_not_sent", Kind.SUM,
        "Dropped: the socket refused or failed an outbound write"),
    WORKER_WAKEUPS(20, "worker_wakeups", Kind.SUM, "Times an I/O thread unparked a parked worker"),
    IO_WAKEUPS(21, "io_wakeups", Kind.SUM,
        "Times a worker scheduled an outbound drain on an idle I/O thread (its queue went empty to non-empty)"),
    OUTBOUND_FLUSHES(22, "outbound_flushes", Kind.SUM, "Flushes of drained outbound datagrams (one sendmmsg each)"),
    WORKER_DATAGRAMS(23, "worker_datagrams", Kind.SUM, "Datagrams processed by workers"),
    WORKER_DUTY_CYCLES(24, "worker_duty_cycles", Kind.SUM, "Worker duty cycles that did work"),
    WORKER_DUTY_CYCLE_MAX_NS(25, "worker_duty_cycle_max_ns", Kind.MAX,
        "Longest worker duty cycle that did work, in nanoseconds"),
    WORKER_ERRORS(26, "worker_errors", Kind.SUM, "Exceptions caught from datagram handlers (the worker continues)");

    /** How values from several owners combine into one figure. */
    public enum Kind
    {
        /** Add the owners' values. */
        SUM,
        /** Take the largest owner's value. */
        MAX
    }

    private static final Counter[] BY_ID;

    static
    {
        final Counter[] values = values();
        BY_ID = new Counter[values.length];
        for (final Counter counter : values)
        {
            if (BY_ID[counter.id] != null)
            {
                throw new IllegalStateException("duplicate counter id " + counter.id);
            }
            BY_ID[counter.id] = counter;
        }
    }

    private final int id;
    private final String label;
    private final Kind kind;
    private final String description;

    Counter(final int id, final String label, final Kind kind, final String description)
    {
        this.id = id;
        this.label = label;
        this.kind = kind;
        this.description = description;
    }

    /**
     * Stable numeric id, also the slot index in a {@link CounterSet}.
     *
     * @return id.
     */
    public int id()
    {
        return id;
    }

    /**
     * Stable snake_case name, used as the metric name suffix.
     *
     * @return name.
     */
    public String label()
    {
        return label;
    }

    /**
     * How values of several owners combine.
     *
     * @return kind.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * One-line description with units.
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
     * @param id stable id.
     * @return the counter.
     */
    public static Counter get(final int id)
    {
        return BY_ID[id];
    }

    /**
     * The batch-size bucket counter for a read of {@code datagrams} datagrams.
     *
     * @param datagrams returned by one read syscall, at least 1.
     * @return the bucket.
     */
    public static Counter batchSizeBucket(final int datagrams)
    {
        if (datagrams <= 1)
        {
            return BATCH_SIZE_1;
        }
        if (datagrams < 4)
        {
            return BATCH_SIZE_2_3;
        }
        if (datagrams < 8)
        {
            return BATCH_SIZE_4_7;
        }
        if (datagrams < 16)
        {
            return BATCH_SIZE_8_15;
        }
        if (datagrams < 32)
        {
            return BATCH_SIZE_16_31;
        }
        if (datagrams < 64)
        {
            return BATCH_SIZE_32_63;
        }
        return BATCH_SIZE_64_PLUS;
    }
}
