package dev.skirmish.core.wire;

import dev.skirmish.core.metrics.Counter;

/**
 * Outcome of validating the fixed header of a received datagram, in the order the checks run
 * (PROTOCOL.md, "Header validation"). Every rejection maps to its own drop counter.
 */
public enum HeaderCheck
{
    /** The header is well formed; the datagram may be routed. */
    VALID(null),
    /** Shorter than {@link PacketHeader#LENGTH}. */
    TOO_SHORT(Counter.DROP_TOO_SHORT),
    /** Longer than the configured maximum datagram length (also catches truncated reads). */
    TOO_LONG(Counter.DROP_TOO_LONG),
    /** Magic is not {@link PacketHeader#MAGIC}: not our protocol. */
    BAD_MAGIC(Counter.DROP_BAD_MAGIC),
    /** Version is not {@link PacketHeader#VERSION}. */
    BAD_VERSION(Counter.DROP_BAD_VERSION),
    /** Type code is not a known {@link PacketType}. */
    BAD_TYPE(Counter.DROP_BAD_TYPE);

    private final Counter dropCounter;

    HeaderCheck(final Counter dropCounter)
    {
        this.dropCounter = dropCounter;
    }

    /**
     * Counter incremented when a datagram is dropped for this reason.
     *
     * @return the drop counter, or null for {@link #VALID}.
     */
    public Counter dropCounter()
    {
        return dropCounter;
    }

    /**
     * Validate the fixed header of a datagram, reading only within its readable bytes. Never throws and
     * never allocates: every length, code and value here came from the network and is treated as hostile.
     *
     * @param datagram          received bytes, header at the reader index.
     * @param maxDatagramLength largest datagram accepted, in bytes.
     * @return {@link #VALID} or the first failed check.
     */
    public static HeaderCheck validate(final io.netty.buffer.ByteBuf datagram, final int maxDatagramLength)
    {
        final int length = datagram.readableBytes();
        if (length < PacketHeader.LENGTH)
        {
            return TOO_SHORT;
        }
        if (length > maxDatagramLength)
        {
            return TOO_LONG;
        }

        final int offset = datagram.readerIndex();
        if (datagram.getUnsignedShortLE(offset + PacketHeader.MAGIC_OFFSET) != PacketHeader.MAGIC)
        {
            return BAD_MAGIC;
        }
        if (datagram.getUnsignedByte(offset + PacketHeader.VERSION_OFFSET) != PacketHeader.VERSION)
        {
            return BAD_VERSION;
        }
        if (PacketType.get(datagram.getUnsignedByte(offset + PacketHeader.TYPE_OFFSET)) == null)
        {
            return BAD_TYPE;
        }

        return VALID;
    }
}
