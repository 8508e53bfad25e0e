package dev.skirmish.core.wire;

import io.netty.buffer.ByteBuf;

/**
 * Layout of the fixed header every Skirmish datagram starts with. All multi-byte fields are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+
 *  |     magic 0x4B53 ("SK")       |    version    |     type      |
 *  +-------------------------------+---------------+---------------+
 *  |                       session id (u32)                        |
 *  +---------------------------------------------------------------+
 *  |                        payload ...                            |
 * </pre>
 *
 * Static helpers read and write a {@link ByteBuf} at its reader index, so they work on the zero-copy
 * slices the I/O thread receives without wrapping anything. Nothing here allocates.
 */
public final class PacketHeader
{
    /** The bytes 'S', 'K' read as a little-endian u16. */
    public static final int MAGIC = 0x4B53;
    /** Protocol version this build speaks. */
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int SESSION_ID_OFFSET = 4;
    /** Length of the fixed header; the payload starts here. */
    public static final int LENGTH = 8;

    /** Default largest datagram accepted: 1500 B Ethernet MTU - 20 B IPv4 - 8 B UDP. */
    public static final int DEFAULT_MAX_DATAGRAM_LENGTH = 1472;

    private PacketHeader()
    {
    }

    /**
     * Write a header at the buffer's writer index and advance it.
     *
     * @param buffer    to write into, with at least {@link #LENGTH} writable bytes.
     * @param type      of the packet.
     * @param sessionId session id, as an unsigned 32-bit value in the low bits.
     */
    public static void write(final ByteBuf buffer, final PacketType type, final int sessionId)
    {
        buffer.writeShortLE(MAGIC);
        buffer.writeByte(VERSION);
        buffer.writeByte(type.code());
        buffer.writeIntLE(sessionId);
    }

    /**
     * Session id of a datagram whose header has already been validated.
     *
     * @param buffer datagram, header at its reader index.
     * @return session id as written (unsigned value in an int).
     */
    public static int sessionId(final ByteBuf buffer)
    {
        return buffer.getIntLE(buffer.readerIndex() + SESSION_ID_OFFSET);
    }

    /**
     * Type code of a datagram whose header has already been validated.
     *
     * @param buffer datagram, header at its reader index.
     * @return type code.
     */
    public static int typeCode(final ByteBuf buffer)
    {
        return buffer.getUnsignedByte(buffer.readerIndex() + TYPE_OFFSET);
    }
}
