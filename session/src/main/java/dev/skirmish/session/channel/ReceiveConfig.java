package dev.skirmish.session.channel;

/**
 * Configuration of the receive side of a session's channels ({@link ReceiveChannel}). Every setting has a system
 * property, a default with its unit and the reason for it, a getter and a fluent setter. {@link #conclude()} validates
 * and throws {@link IllegalArgumentException} naming the first invalid setting; {@link #toString()} prints the
 * effective configuration. A {@link ReceiveChannel} copies the values when constructed.
 * <p>
 * Both settings are half of a contract with the peer's sender, which must run the same values (see
 * {@link ReceiveChannel}): it never has more than {@link #window()} messages of a reliable channel from its oldest
 * unacknowledged one to its newest, nor more than {@link #reorderBudgetBytes()} bytes over that span on a
 * {@link ChannelMode#RELIABLE_ORDERED} channel.
 * <p>
 * Not thread safe: configure on one thread, then hand it over.
 */
public final class ReceiveConfig
{
    /** Receive window of a reliable channel, in messages; a power of two. */
    public static final String WINDOW_PROP = "skirmish.channel.receive.window";
    /**
     * Default of {@link #WINDOW_PROP}: 1024 messages. A game's reliable channels carry tens of messages per tick, so
     * 1024 covers more than a second of backlog at 60 Hz; the bit ring costs 128 bytes per reliable channel.
     */
    public static final int WINDOW_DEFAULT = 1024;
    /** Smallest allowed window: 64, one word of the bit ring. */
    public static final int WINDOW_MIN = Long.SIZE;
    /** Largest allowed window: 32768, half the u16 sequence space, beyond which serial arithmetic is undefined. */
    public static final int WINDOW_MAX = SequenceNumbers.HALF;

    /** Bytes a {@link ChannelMode#RELIABLE_ORDERED} channel may hold for messages that arrived ahead of a gap. */
    public static final String REORDER_BUDGET_BYTES_PROP = "skirmish.channel.reorder.budget.bytes";
    /**
     * Default of {@link #REORDER_BUDGET_BYTES_PROP}: 256 KiB, about two RTTs of a 10 Mbit/s reliable stream at
     * 100 ms, far more than an ordered game channel (RPCs, state transitions) carries. A cap: an ordered channel's
     * store grows to it only as messages held ahead of a gap need (the unreliable and unordered modes allocate none).
     */
    public static final int REORDER_BUDGET_BYTES_DEFAULT = 256 * 1024;
    /** Smallest allowed budget: 1 byte (every out-of-order message longer than that is refused). */
    public static final int REORDER_BUDGET_BYTES_MIN = 1;
    /** Largest allowed budget: 64 MiB. */
    public static final int REORDER_BUDGET_BYTES_MAX = 64 * 1024 * 1024;

    private int window = Integer.getInteger(WINDOW_PROP, WINDOW_DEFAULT);
    private int reorderBudgetBytes = Integer.getInteger(REORDER_BUDGET_BYTES_PROP, REORDER_BUDGET_BYTES_DEFAULT);

    /**
     * A config with every setting at its system property or default.
     */
    public ReceiveConfig()
    {
    }

    /**
     * Validate every setting. Cheap, and may be called any number of times; {@link ReceiveChannel} calls it when
     * constructed.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first invalid setting, what is allowed and the value given.
     */
    public ReceiveConfig conclude()
    {
        if (window < WINDOW_MIN || window > WINDOW_MAX || Integer.bitCount(window) != 1)
        {
            throw new IllegalArgumentException(
                "window must be a power of two in [" + WINDOW_MIN + ", " + WINDOW_MAX + "], got " + window);
        }
        if (reorderBudgetBytes < REORDER_BUDGET_BYTES_MIN || reorderBudgetBytes > REORDER_BUDGET_BYTES_MAX)
        {
            throw new IllegalArgumentException("reorderBudgetBytes must be in [" + REORDER_BUDGET_BYTES_MIN + ", " +
                REORDER_BUDGET_BYTES_MAX + "], got " + reorderBudgetBytes);
        }
        return this;
    }

    /**
     * @return receive window of a reliable channel, in messages, a power of two.
     */
    public int window()
    {
        return window;
    }

    /**
     * @param window receive window of a reliable channel, a power of two from {@value #WINDOW_MIN} to
     *               {@value #WINDOW_MAX} messages.
     * @return this.
     */
    public ReceiveConfig window(final int window)
    {
        this.window = window;
        return this;
    }

    /**
     * @return bytes an ordered channel may hold for messages that arrived ahead of a gap.
     */
    public int reorderBudgetBytes()
    {
        return reorderBudgetBytes;
    }

    /**
     * @param reorderBudgetBytes bytes an ordered channel may hold ahead of a gap, {@value #REORDER_BUDGET_BYTES_MIN}
     *                           to {@value #REORDER_BUDGET_BYTES_MAX}.
     * @return this.
     */
    public ReceiveConfig reorderBudgetBytes(final int reorderBudgetBytes)
    {
        this.reorderBudgetBytes = reorderBudgetBytes;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ReceiveConfig{window=" + window + ", reorderBudgetBytes=" + reorderBudgetBytes + '}';
    }
}
