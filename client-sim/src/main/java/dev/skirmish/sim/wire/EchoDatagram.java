package dev.skirmish.sim.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import io.netty.buffer.ByteBuf;

/**
 * Layout of the benchmark ECHO datagram, which a Skirmish server in {@code echo} or {@code raw-echo} mode
 * returns byte for byte. All fields little-endian.
 *
 * <pre>
 *   offset  length  field
 *        0       8  fixed header: magic 0x4B53, version 1, type ECHO (0x01), session id (u32)
 *        8       8  send time, the sender's System.nanoTime()
 *       16       8  sequence number, per client
 *       24     n-16 zero padding up to the payload length n (n &gt;= 16)
 * </pre>
 *
 * Helpers for the JDK {@link ByteBuffer} (pingpong) and the Netty {@link ByteBuf} (flood) read and write at
 * absolute offsets from the start of the datagram and never allocate.
 */
public final class EchoDatagram
{
    /** Offset of the send time stamp. */
    public static final int SEND_TIME_OFFSET = PacketHeader.LENGTH;
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = SEND_TIME_OFFSET + Long.BYTES;
    /** Smallest payload: room for the send time and the sequence. */
    public static final int MIN_PAYLOAD_LENGTH = 2 * Long.BYTES;
    /** Largest payload the CLI accepts: fits one unfragmented datagram on a 1500 B MTU path with room to spare. */
    public static final int MAX_PAYLOAD_LENGTH = 1400;

    private EchoDatagram()
    {
    }

    /**
     * Length of a whole datagram.
     *
     * @param payloadLength bytes after the header.
     * @return header plus payload.
     */
    public static int datagramLength(final int payloadLength)
    {
        return PacketHeader.LENGTH + payloadLength;
    }

    /**
     * A direct, little-endian buffer holding the header and zero payload, ready for
     * {@link #stamp(ByteBuffer, long, long)}. Allocate once per client.
     *
     * @param sessionId     written into the header.
     * @param payloadLength bytes after the header.
     * @return buffer with position 0 and limit at the datagram length.
     */
    public static ByteBuffer newDatagram(final int sessionId, final int payloadLength)
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(datagramLength(payloadLength)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(PacketHeader.MAGIC_OFFSET, (short)PacketHeader.MAGIC);
        buffer.put(PacketHeader.VERSION_OFFSET, (byte)PacketHeader.VERSION);
        buffer.put(PacketHeader.TYPE_OFFSET, (byte)PacketType.ECHO.code());
        buffer.putInt(PacketHeader.SESSION_ID_OFFSET, sessionId);

        return buffer;
    }

    /**
     * Write send time and sequence into a datagram made by {@link #newDatagram(int, int)} and rewind it for
     * sending.
     *
     * @param buffer   little-endian datagram.
     * @param sendNs   send time.
     * @param sequence sequence number.
     */
    public static void stamp(final ByteBuffer buffer, final long sendNs, final long sequence)
    {
        buffer.putLong(SEND_TIME_OFFSET, sendNs);
        buffer.putLong(SEQUENCE_OFFSET, sequence);
        buffer.clear();
    }

    /**
     * Is this received datagram (from position 0 to {@code length}) an echo of one we sent?
     *
     * @param buffer         little-endian receive buffer.
     * @param length         bytes received.
     * @param expectedLength length of the datagrams we send.
     * @param sessionId      our session id.
     * @return true when length, magic, version, type and session id all match.
     */
    public static boolean isEcho(final ByteBuffer buffer, final int length, final int expectedLength, final int sessionId)
    {
        return length == expectedLength &&
            (buffer.getShort(PacketHeader.MAGIC_OFFSET) & 0xFFFF) == PacketHeader.MAGIC &&
            buffer.get(PacketHeader.VERSION_OFFSET) == PacketHeader.VERSION &&
            buffer.get(PacketHeader.TYPE_OFFSET) == PacketType.ECHO.code() &&
            buffer.getInt(PacketHeader.SESSION_ID_OFFSET) == sessionId;
    }

    /**
     * Write a whole ECHO datagram at the writer index.
     *
     * @param buffer        with at least {@link #datagramLength(int)} writable bytes.
     * @param sessionId     written into the header.
     * @param sendNs        send time.
     * @param sequence      sequence number.
     * @param payloadLength bytes after the header.
     */
    public static void write(
        final ByteBuf buffer, final int sessionId, final long sendNs, final long sequence, final int payloadLength)
    {
        PacketHeader.write(buffer, PacketType.ECHO, sessionId);
        buffer.writeLongLE(sendNs);
        buffer.writeLongLE(sequence);
        buffer.writeZero(payloadLength - MIN_PAYLOAD_LENGTH);
    }

    /**
     * Is this received datagram (its readable bytes) an echo of one we sent?
     *
     * @param buffer         received datagram.
     * @param expectedLength length of the datagrams we send.
     * @param sessionId      our session id.
     * @return true when length, magic, version, type and session id all match.
     */
    public static boolean isEcho(final ByteBuf buffer, final int expectedLength, final int sessionId)
    {
        final int offset = buffer.readerIndex();

        return buffer.readableBytes() == expectedLength &&
            buffer.getUnsignedShortLE(offset + PacketHeader.MAGIC_OFFSET) == PacketHeader.MAGIC &&
            buffer.getByte(offset + PacketHeader.VERSION_OFFSET) == PacketHeader.VERSION &&
            buffer.getByte(offset + PacketHeader.TYPE_OFFSET) == PacketType.ECHO.code() &&
            buffer.getIntLE(offset + PacketHeader.SESSION_ID_OFFSET) == sessionId;
    }

    /**
     * Send time of a validated echo.
     *
     * @param buffer datagram at its reader index.
     * @return send time stamped by the sender.
     */
    public static long sendTimeNs(final ByteBuf buffer)
    {
        return buffer.getLongLE(buffer.readerIndex() + SEND_TIME_OFFSET);
    }

    /**
     * Sequence of a validated echo.
     *
     * @param buffer datagram at its reader index.
     * @return sequence number.
     */
    public static long sequence(final ByteBuf buffer)
    {
        return buffer.getLongLE(buffer.readerIndex() + SEQUENCE_OFFSET);
    }
}
