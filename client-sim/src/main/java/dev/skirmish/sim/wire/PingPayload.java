package dev.skirmish.sim.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import io.netty.buffer.ByteBuf;

/**
 * Layout of the DATA payload a session bot sends and a session server echoes to the same session. The session layer
 * frames, encrypts and authenticates it; these are only the plaintext bytes. All fields little-endian.
 *
 * <pre>
 *   offset  length  field
 *        0       8  send time: the System.nanoTime() at which the ping was scheduled to be sent
 *        8       8  sequence number, per bot, from 0
 *       16    n-16  zero padding up to the payload length n (n &gt;= 16)
 * </pre>
 *
 * Writes go into the bot's own preallocated array, reads come from the received buffer at an offset; neither
 * allocates.
 */
public final class PingPayload
{
    /** Offset of the send time. */
    public static final int SEND_TIME_OFFSET = 0;
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = SEND_TIME_OFFSET + Long.BYTES;
    /** Smallest payload: room for the send time and the sequence. */
    public static final int MIN_LENGTH = SEQUENCE_OFFSET + Long.BYTES;

    private static final VarHandle LONG_LE =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private PingPayload()
    {
    }

    /**
     * Stamp a payload; the padding after {@link #MIN_LENGTH} is left as it is (zeros in a new array).
     *
     * @param payload  at least {@link #MIN_LENGTH} bytes.
     * @param sendNs   scheduled send time, {@link System#nanoTime()}.
     * @param sequence of the ping.
     */
    public static void write(final byte[] payload, final long sendNs, final long sequence)
    {
        LONG_LE.set(payload, SEND_TIME_OFFSET, sendNs);
        LONG_LE.set(payload, SEQUENCE_OFFSET, sequence);
    }

    /**
     * Read the send time of a received payload.
     *
     * @param buffer holding the payload.
     * @param offset of the payload in the buffer.
     * @return the send time as stamped.
     */
    public static long sendNs(final ByteBuf buffer, final int offset)
    {
        return buffer.getLongLE(offset + SEND_TIME_OFFSET);
    }

    /**
     * Read the sequence number of a received payload.
     *
     * @param buffer holding the payload.
     * @param offset of the payload in the buffer.
     * @return the sequence as stamped.
     */
    public static long sequence(final ByteBuf buffer, final int offset)
    {
        return buffer.getLongLE(offset + SEQUENCE_OFFSET);
    }
}
