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
    WORKER_ERRORS(26, "worker_errors", Kind.SUM, "Exceptions caught from datagram handlers (the worker continues)"),
    HANDSHAKE_PACKETS_IN(27, "handshake_packets_in", Kind.SUM,
        "Connect requests and challenge responses seen by I/O threads (before any check)"),
    HANDSHAKE_RATE_LIMITED(28, "handshake_rate_limited", Kind.SUM,
        "Handshake packets dropped by the per-source rate limit while the server is under handshake load"),
    HANDSHAKE_BAD_SIZE(29, "handshake_bad_size", Kind.SUM,
        "Handshake packets dropped: not exactly their fixed padded size"),
    HANDSHAKE_WRONG_DIRECTION(30, "handshake_wrong_direction", Kind.SUM,
        "Server-to-client handshake types (challenge, denied) received by a server, or with a non-zero session id"),
    TOKEN_BAD_VERSION(31, "token_bad_version", Kind.SUM, "Connect tokens with unknown version info"),
    TOKEN_WRONG_PROTOCOL(32, "token_wrong_protocol", Kind.SUM, "Connect tokens for another protocol id"),
    TOKEN_EXPIRED(33, "token_expired", Kind.SUM, "Connect tokens past their expire time"),
    TOKEN_DECRYPT_FAILED(34, "token_decrypt_failed", Kind.SUM,
        "Connect tokens that failed AEAD authentication (forged, corrupted or another key)"),
    TOKEN_MALFORMED(35, "token_malformed", Kind.SUM,
        "Authentic connect tokens with contents out of range (a bug in the issuing backend)"),
    TOKEN_WRONG_SERVER(36, "token_wrong_server", Kind.SUM,
        "Authentic connect tokens that do not list this server's address"),
    TOKEN_CLIENT_CONNECTED(37, "token_client_connected", Kind.SUM,
        "Connect attempts for a client id that already has a session"),
    TOKEN_REUSED(38, "token_reused", Kind.SUM, "Connect tokens already used from another address"),
    COOKIE_EXPIRED(39, "cookie_expired", Kind.SUM, "Challenge responses whose cookie expired or is from the future"),
    COOKIE_INVALID(40, "cookie_invalid", Kind.SUM,
        "Challenge responses whose cookie MAC does not match (forged, other address, rotated secret)"),
    CHALLENGES_SENT(41, "challenges_sent", Kind.SUM, "Challenge packets sent in answer to valid connect requests"),
    DENIED_SENT(42, "denied_sent", Kind.SUM, "Denied packets sent to sources holding an authentic token"),
    DENIED_SERVER_FULL(43, "denied_server_full", Kind.SUM, "Connects refused: max sessions reached (limit)"),
    DENIED_PENDING_FULL(44, "denied_pending_full", Kind.SUM,
        "Connects refused: max pending (not yet confirmed) sessions reached (limit)"),
    TOKEN_TABLE_FULL(45, "token_table_full", Kind.SUM,
        "Connects refused: the used-token table is full of unexpired tokens (limit)"),
    SESSIONS_OPENED(46, "sessions_opened", Kind.SUM, "Sessions allocated after a valid challenge response"),
    SESSIONS_CLOSED(47, "sessions_closed", Kind.SUM, "Sessions closed, for any reason"),
    SESSION_TIMEOUTS(48, "session_timeouts", Kind.SUM, "Sessions closed because the peer went silent"),
    AUTH_FAILURES(49, "auth_failures", Kind.SUM,
        "Protected packets for a live session that failed authentication (forged or corrupted)"),
    AUTH_FAILURE_LIMIT(50, "auth_failure_limit", Kind.SUM,
        "Sessions closed because their authentication failures exceeded the limit"),
    REPLAYS(51, "replays", Kind.SUM, "Protected packets dropped as replayed or older than the replay window"),
    UNKNOWN_SESSION(52, "unknown_session", Kind.SUM, "Protected packets for a session id that does not exist"),
    SESSION_PROTOCOL_ERRORS(53, "session_protocol_errors", Kind.SUM,
        "Authentic packets with a malformed payload (counted, packet dropped)"),
    KEEPALIVES_SENT(54, "keepalives_sent", Kind.SUM, "Keepalive packets sent by idle sessions"),
    PATH_CHALLENGES_SENT(55, "path_challenges_sent", Kind.SUM,
        "Path challenges sent to a session's new address (connection migration)"),
    MIGRATIONS(56, "migrations", Kind.SUM, "Sessions moved to a new, validated address"),
    AMPLIFICATION_LIMITED(57, "amplification_limited", Kind.SUM,
        "Datagrams not sent to an unvalidated address because they would exceed the bytes received from it"),
    SESSION_PAYLOADS_IN(58, "session_payloads_in", Kind.SUM,
        "DATA packets (channel bodies) received, authenticated and processed"),
    SESSION_PAYLOADS_OUT(59, "session_payloads_out", Kind.SUM, "DATA packets (channel bodies) sent"),
    CHANNEL_MESSAGES_IN(60, "channel_messages_in", Kind.SUM, "Channel messages delivered to the game"),
    CHANNEL_MESSAGES_OUT(61, "channel_messages_out", Kind.SUM, "Channel messages queued by the game"),
    CHANNEL_SEND_QUEUE_FULL(62, "channel_send_queue_full", Kind.SUM,
        "Channel messages refused because the session's send queue was full"),
    CHANNEL_RESENDS(63, "channel_resends", Kind.SUM, "Reliable chunks sent again after a loss or as a probe"),
    CHANNEL_PACKETS_LOST(64, "channel_packets_lost", Kind.SUM, "DATA packets declared lost by loss detection"),
    CHANNEL_MALFORMED(65, "channel_malformed", Kind.SUM, "Authentic DATA bodies dropped as malformed"),
    CHANNEL_PROTOCOL_VIOLATIONS(66, "channel_protocol_violations", Kind.SUM,
        "Sessions closed because a channel frame broke the sender contract"),
    ROOMS_OPENED(67, "rooms_opened", Kind.SUM, "Rooms created (first player's token or the API)"),
    ROOMS_CLOSED(68, "rooms_closed", Kind.SUM, "Rooms closed, for any reason"),
    ROOM_LIMIT_REACHED(69, "room_limit_reached", Kind.SUM,
        "Rooms not created because the worker had its maximum of rooms (limit)"),
    ROOM_PLAYERS_JOINED(70, "room_players_joined", Kind.SUM, "Players that took a room slot"),
    ROOM_PLAYERS_LEFT(71, "room_players_left", Kind.SUM,
        "Players that gave up their slot (left, kicked, reconnect grace over)"),
    ROOM_RECONNECTS(72, "room_reconnects", Kind.SUM, "Players back in their held slot on a new session"),
    ROOM_JOIN_REFUSED(73, "room_join_refused", Kind.SUM,
        "Sessions disconnected on connect: room full, not creatable, or unable to carry frames (limit)"),
    ROOM_TICKS(74, "room_ticks", Kind.SUM, "Room ticks run"),
    ROOM_TICKS_LATE(75, "room_ticks_late", Kind.SUM, "Room ticks that started later than the late threshold"),
    ROOM_TICKS_SKIPPED(76, "room_ticks_skipped", Kind.SUM,
        "Room ticks skipped because the backlog exceeded the maximum (limit)"),
    ROOM_TICK_LATENESS_MAX_NS(77, "room_tick_lateness_max_ns", Kind.MAX,
        "Latest start of a room tick after its deadline, in nanoseconds"),
    ROOM_STALLS(78, "room_stalls", Kind.SUM, "Room ticks that took longer than the tick budget"),
    ROOM_ERRORS(79, "room_errors", Kind.SUM, "Exceptions from a room's game logic (the room is closed)"),
    ROOM_MESSAGES_MALFORMED(80, "room_messages_malformed", Kind.SUM,
        "Room messages dropped: unknown type, wrong mode or malformed"),
    ROOM_INPUTS(81, "room_inputs", Kind.SUM, "Frame-sync inputs kept for a frame"),
    ROOM_INPUTS_LATE(82, "room_inputs_late", Kind.SUM, "Frame-sync inputs dropped: their frame was closed"),
    ROOM_INPUTS_AHEAD(83, "room_inputs_ahead", Kind.SUM,
        "Frame-sync inputs dropped: beyond the input window (limit)"),
    ROOM_INPUTS_OVERSIZE(84, "room_inputs_oversize", Kind.SUM,
        "Inputs dropped: larger than the room's maximum input (limit)"),
    ROOM_INBOX_FULL(85, "room_inbox_full", Kind.SUM,
        "State relay inputs dropped: the player's inbox for the next tick was full (limit)"),
    ROOM_FRAMES(86, "room_frames", Kind.SUM, "Frame-sync frames closed"),
    ROOM_REDUNDANCY_TRUNCATED(87, "room_redundancy_truncated", Kind.SUM,
        "FRAMES messages carrying fewer previous frames than configured because they did not fit (limit)"),
    ROOM_CATCHUP_REQUESTS(88, "room_catchup_requests", Kind.SUM, "Catch-up requests from players"),
    ROOM_CATCHUP_FRAMES(89, "room_catchup_frames", Kind.SUM, "Frames sent from the history to catch players up"),
    ROOM_CATCHUP_TRUNCATED(90, "room_catchup_truncated", Kind.SUM,
        "Catch-ups that started at the oldest held frame because the frames asked for were gone (limit)"),
    ROOM_HASHES_DROPPED(91, "room_hashes_dropped", Kind.SUM,
        "State hashes not compared: frame not closed, too old, or not after the player's previous hash"),
    ROOM_DESYNCS(92, "room_desyncs", Kind.SUM, "State hashes that differ from the first hash reported for a frame"),
    ROOM_SEND_FAILED(93, "room_send_failed", Kind.SUM,
        "Room messages not queued: the session was closing or its send queue full"),
    ROOM_COMMANDS_DROPPED(94, "room_commands_dropped", Kind.SUM,
        "Room commands from other threads refused: the worker's command queue was full (limit)"),
    DENIED_SHUTTING_DOWN(95, "denied_shutting_down", Kind.SUM,
        "Connects refused because the server is stopping: DENIED(shutting down), no session");

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
