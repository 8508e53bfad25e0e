package dev.skirmish.session.channel;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;

import java.util.concurrent.TimeUnit;

import static dev.skirmish.session.channel.BodyDescriptor.ACK_LENGTH;
import static dev.skirmish.session.channel.BodyDescriptor.FRAGMENT_PART_LENGTH;
import static dev.skirmish.session.channel.BodyDescriptor.FRAME_HEADER_LENGTH;

/**
 * Configuration of a session's {@link ReassemblyBuffer}. Every setting has a system property, a default with its unit
 * and the reason for it, a getter and a fluent setter. {@link #conclude()} validates and throws
 * {@link IllegalArgumentException} naming the first invalid setting; {@link #toString()} prints the effective
 * configuration. The buffer copies the values when constructed.
 * <p>
 * {@link #fragmentLength()} is part of the protocol, not a local choice: the sender must cut every fragment but the
 * last to exactly this length, so both ends must run the same value.
 * <p>
 * Not thread safe: configure on one thread, then hand it over.
 */
public final class ReassemblyConfig
{
    /** Largest message that may be fragmented and reassembled, bytes. */
    public static final String MAX_MESSAGE_LENGTH_PROP = "skirmish.reassembly.max.message.length";
    /**
     * Default of {@link #MAX_MESSAGE_LENGTH_PROP}: 256 KiB. Room for a level snapshot or a large RPC; anything
     * bigger belongs on a bulk download channel, not on a session that also carries real-time traffic.
     */
    public static final int MAX_MESSAGE_LENGTH_DEFAULT = 256 * 1024;
    /** Largest allowed: 16 MiB. */
    public static final int MAX_MESSAGE_LENGTH_MAX = 16 * 1024 * 1024;

    /** Data length of every fragment but the last, bytes (the last may be shorter, never longer). */
    public static final String FRAGMENT_LENGTH_PROP = "skirmish.reassembly.fragment.length";
    /**
     * Default of {@link #FRAGMENT_LENGTH_PROP}: the largest fragment data that fits one protected datagram of the
     * transport's default maximum length ({@value PacketHeader#DEFAULT_MAX_DATAGRAM_LENGTH} B) next to the flags
     * byte, an ack block and the frame and fragment headers: 1472 - 32 - 1 - 18 - 9 = 1412 bytes.
     */
    public static final int FRAGMENT_LENGTH_DEFAULT =
        ProtectedPacketDescriptor.maxPayloadLength(PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH) -
        1 - ACK_LENGTH - FRAME_HEADER_LENGTH - FRAGMENT_PART_LENGTH;
    /** Smallest allowed: 16 bytes. */
    public static final int FRAGMENT_LENGTH_MIN = 16;
    /** Largest allowed: the largest u16 data length. */
    public static final int FRAGMENT_LENGTH_MAX = 0xFFFF;

    /** Messages that may be in reassembly at once per session (the slot table). */
    public static final String MAX_MESSAGES_PROP = "skirmish.reassembly.max.messages";
    /**
     * Default of {@link #MAX_MESSAGES_PROP}: 16, two per channel: a reliable sender keeps few large messages in
     * flight, and each slot costs a lookup on every fragment.
     */
    public static final int MAX_MESSAGES_DEFAULT = 16;
    /** Largest allowed: 64 (the slot table is scanned linearly). */
    public static final int MAX_MESSAGES_MAX = 64;

    /** Bytes one session may hold in reassembly, completed-but-unreleased message included. */
    public static final String BUDGET_BYTES_PROP = "skirmish.reassembly.budget.bytes";
    /**
     * Default of {@link #BUDGET_BYTES_PROP}: 512 KiB, two messages of the default maximum length. The arena grows
     * lazily up to it, so a session that never fragments costs nothing.
     */
    public static final int BUDGET_BYTES_DEFAULT = 512 * 1024;
    /** Largest allowed: 256 MiB. */
    public static final int BUDGET_BYTES_MAX = 256 * 1024 * 1024;

    /** Age, from its first fragment, at which an incomplete message is dropped, ns. */
    public static final String TIMEOUT_NS_PROP = "skirmish.reassembly.timeout.ns";
    /**
     * Default of {@link #TIMEOUT_NS_PROP}: 10 s. The default maximum message crosses a 1 Mbit/s path in about 2 s;
     * 10 s also covers several resend rounds, and sessions time out on silence well before a sender could starve a
     * message for longer.
     */
    public static final long TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(10);
    /** Smallest allowed: 1 ms. */
    public static final long TIMEOUT_NS_MIN = TimeUnit.MILLISECONDS.toNanos(1);
    /** Largest allowed: 10 min. */
    public static final long TIMEOUT_NS_MAX = TimeUnit.MINUTES.toNanos(10);

    private int maxMessageLength = Integer.getInteger(MAX_MESSAGE_LENGTH_PROP, MAX_MESSAGE_LENGTH_DEFAULT);
    private int fragmentLength = Integer.getInteger(FRAGMENT_LENGTH_PROP, FRAGMENT_LENGTH_DEFAULT);
    private int maxMessages = Integer.getInteger(MAX_MESSAGES_PROP, MAX_MESSAGES_DEFAULT);
    private int budgetBytes = Integer.getInteger(BUDGET_BYTES_PROP, BUDGET_BYTES_DEFAULT);
    private long timeoutNs = Long.getLong(TIMEOUT_NS_PROP, TIMEOUT_NS_DEFAULT);

    /**
     * A config with every setting at its system property or default.
     */
    public ReassemblyConfig()
    {
    }

    /**
     * Validate every setting. Cheap, and may be called any number of times; the buffer calls it when constructed.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first invalid setting, what is allowed and the value given.
     */
    public ReassemblyConfig conclude()
    {
        range("fragmentLength", fragmentLength, FRAGMENT_LENGTH_MIN, FRAGMENT_LENGTH_MAX);
        range("maxMessageLength", maxMessageLength, fragmentLength + 1L, MAX_MESSAGE_LENGTH_MAX);
        range("maxFragments", maxFragments(), 2, 0xFFFF);
        range("maxMessages", maxMessages, 1, MAX_MESSAGES_MAX);
        range("budgetBytes", budgetBytes, maxMessageLength, BUDGET_BYTES_MAX);
        range("timeoutNs", timeoutNs, TIMEOUT_NS_MIN, TIMEOUT_NS_MAX);
        return this;
    }

    /**
     * Most fragments a message may have: ceil(maxMessageLength / fragmentLength). Pass it to
     * {@link BodyDecoder#wrap} as {@code maxFragments}.
     *
     * @return most fragments per message.
     */
    public int maxFragments()
    {
        return fragmentLength > 0 ? (int)(((long)maxMessageLength + fragmentLength - 1) / fragmentLength) : 0;
    }

    /**
     * @return largest message that may be reassembled, bytes.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @param maxMessageLength largest message, bytes: above {@link #fragmentLength()}, at most
     *                         {@value #MAX_MESSAGE_LENGTH_MAX} and at most 65535 fragments.
     * @return this.
     */
    public ReassemblyConfig maxMessageLength(final int maxMessageLength)
    {
        this.maxMessageLength = maxMessageLength;
        return this;
    }

    /**
     * @return data length of every fragment but the last, bytes.
     */
    public int fragmentLength()
    {
        return fragmentLength;
    }

    /**
     * @param fragmentLength data length of every fragment but the last, {@value #FRAGMENT_LENGTH_MIN} to
     *                       {@value #FRAGMENT_LENGTH_MAX} bytes; must equal the sender's.
     * @return this.
     */
    public ReassemblyConfig fragmentLength(final int fragmentLength)
    {
        this.fragmentLength = fragmentLength;
        return this;
    }

    /**
     * @return messages that may be in reassembly at once.
     */
    public int maxMessages()
    {
        return maxMessages;
    }

    /**
     * @param maxMessages messages that may be in reassembly at once, 1 to {@value #MAX_MESSAGES_MAX}.
     * @return this.
     */
    public ReassemblyConfig maxMessages(final int maxMessages)
    {
        this.maxMessages = maxMessages;
        return this;
    }

    /**
     * @return bytes one session may hold in reassembly.
     */
    public int budgetBytes()
    {
        return budgetBytes;
    }

    /**
     * @param budgetBytes bytes one session may hold in reassembly, from {@link #maxMessageLength()} to
     *                    {@value #BUDGET_BYTES_MAX}.
     * @return this.
     */
    public ReassemblyConfig budgetBytes(final int budgetBytes)
    {
        this.budgetBytes = budgetBytes;
        return this;
    }

    /**
     * @return age from the first fragment at which an incomplete message is dropped, ns.
     */
    public long timeoutNs()
    {
        return timeoutNs;
    }

    /**
     * @param timeoutNs age from the first fragment at which an incomplete message is dropped, 1 ms to 10 min.
     * @return this.
     */
    public ReassemblyConfig timeoutNs(final long timeoutNs)
    {
        this.timeoutNs = timeoutNs;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ReassemblyConfig{maxMessageLength=" + maxMessageLength +
            ", fragmentLength=" + fragmentLength +
            ", maxFragments=" + maxFragments() +
            ", maxMessages=" + maxMessages +
            ", budgetBytes=" + budgetBytes +
            ", timeoutNs=" + timeoutNs + '}';
    }

    private static void range(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
