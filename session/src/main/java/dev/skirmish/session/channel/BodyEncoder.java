package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;

import static dev.skirmish.session.channel.BodyDescriptor.ACK_DELAY_UNIT_NS;
import static dev.skirmish.session.channel.BodyDescriptor.ACK_LENGTH;
import static dev.skirmish.session.channel.BodyDescriptor.FLAG_ACK;
import static dev.skirmish.session.channel.BodyDescriptor.FRAGMENT_PART_LENGTH;
import static dev.skirmish.session.channel.BodyDescriptor.FRAME_FRAGMENT;
import static dev.skirmish.session.channel.BodyDescriptor.FRAME_HEADER_LENGTH;

/**
 * Writes a DATA packet body ({@link BodyDescriptor}) into a buffer: {@link #begin}, optionally {@link #ack}, then
 * frames while {@link #remaining()} allows. Allocation-free.
 *
 * <p>Not thread safe: one per session owner.
 */
public final class BodyEncoder
{
    private ByteBuf buffer;
    private int start;
    private int limit;

    /**
     * Start a body at the buffer's writer index.
     *
     * @param buffer        to write into.
     * @param maxBodyLength most bytes the body may take.
     */
    public void begin(final ByteBuf buffer, final int maxBodyLength)
    {
        this.buffer = buffer;
        this.start = buffer.writerIndex();
        this.limit = start + maxBodyLength;
        buffer.writeByte(0);
    }

    /**
     * Write the ack block; call right after {@link #begin}.
     *
     * @param largestAcked largest packet number received.
     * @param ackBits      bit i = packet largestAcked - 1 - i received.
     * @param ackDelayNs   how long the largest was held, ns (saturates at the field's range).
     */
    public void ack(final long largestAcked, final long ackBits, final long ackDelayNs)
    {
        buffer.setByte(start, buffer.getByte(start) | FLAG_ACK);
        buffer.writeLongLE(largestAcked);
        buffer.writeLongLE(ackBits);
        buffer.writeShortLE((int)Math.min(0xFFFF, Math.max(0, ackDelayNs / ACK_DELAY_UNIT_NS)));
    }

    /**
     * @return bytes still free in the body.
     */
    public int remaining()
    {
        return limit - buffer.writerIndex();
    }

    /**
     * @return bytes written so far.
     */
    public int length()
    {
        return buffer.writerIndex() - start;
    }

    /**
     * Room for a whole (unfragmented) message of {@code dataLength} bytes?
     *
     * @param dataLength message bytes.
     * @return true if it fits.
     */
    public boolean fits(final int dataLength)
    {
        return FRAME_HEADER_LENGTH + dataLength <= remaining();
    }

    /**
     * Write a whole message frame; check {@link #fits} first.
     *
     * @param channel  0..7.
     * @param sequence per-channel message sequence (u16).
     * @param src      message bytes.
     * @param offset   in src.
     * @param length   1..65535 bytes.
     */
    public void frame(final int channel, final int sequence, final ByteBuf src, final int offset, final int length)
    {
        buffer.writeByte(channel);
        buffer.writeShortLE(sequence);
        buffer.writeShortLE(length);
        buffer.writeBytes(src, offset, length);
    }

    /**
     * Write one fragment of a message; room needed: {@link #fragmentOverhead()} + length.
     *
     * @param channel  0..7.
     * @param sequence the message's sequence (u16), the same in all its fragments.
     * @param index    fragment index.
     * @param count    fragment count (≥ 2).
     * @param src      fragment bytes.
     * @param offset   in src.
     * @param length   fragment length.
     */
    public void fragment(
        final int channel,
        final int sequence,
        final int index,
        final int count,
        final ByteBuf src,
        final int offset,
        final int length)
    {
        buffer.writeByte(channel | FRAME_FRAGMENT);
        buffer.writeShortLE(sequence);
        buffer.writeShortLE(length);
        buffer.writeShortLE(index);
        buffer.writeShortLE(count);
        buffer.writeBytes(src, offset, length);
    }

    /**
     * @return header bytes of a fragment frame.
     */
    public static int fragmentOverhead()
    {
        return FRAME_HEADER_LENGTH + FRAGMENT_PART_LENGTH;
    }

    /**
     * @return header bytes of a whole-message frame.
     */
    public static int frameOverhead()
    {
        return FRAME_HEADER_LENGTH;
    }

    /**
     * @return bytes of the flags byte plus an ack block.
     */
    public static int ackOverhead()
    {
        return 1 + ACK_LENGTH;
    }
}
