package dev.skirmish.session.channel;

/**
 * Static layout of the plaintext body of a protected DATA packet: an optional ack, then zero or more message
 * frames, packed until the end of the payload. All integers little-endian. The wire contract, with the receiver's
 * validation order and test vectors: PROTOCOL.md, "Packet body (DATA payload): channels, acks, fragments".
 *
 * <pre>
 * Body:
 *   offset  size  field
 *        0     1  flags: bit 0 = ack present; bits 1-7 zero
 *   [ack, {@value #ACK_LENGTH} bytes, when bit 0 is set]
 *        1     8  largest acked packet number (u64: the peer's AEAD sequence number)
 *        9     8  ack bitfield (u64): bit i set = packet (largest - 1 - i) was received
 *       17     2  ack delay: time the largest was held before this ack, in units of {@value #ACK_DELAY_UNIT_NS} ns
 *   frames, each:
 *        0     1  channel (bits 0-2, 0..7) | FRAGMENT flag (bit 3); bits 4-7 zero
 *        1     2  message sequence (u16, per channel, wraps)
 *        3     2  data length n (u16, 1..bytes left in the body after this header)
 *   [fragment part, when FRAGMENT is set]
 *        5     2  fragment index (u16, &lt; count)
 *        7     2  fragment count (u16, 2..max fragments)
 *      5|9     n  data
 * </pre>
 */
public final class BodyDescriptor
{
    /** Offset of the flags byte. */
    public static final int FLAGS_OFFSET = 0;
    /** Flag: an ack follows the flags byte. */
    public static final int FLAG_ACK = 0x01;
    /** Length of the ack block. */
    public static final int ACK_LENGTH = 8 + 8 + 2;
    /** Ack delay unit, ns (16 µs; a u16 then covers about 1 s). */
    public static final long ACK_DELAY_UNIT_NS = 16_000;
    /** Packets covered by the bitfield, besides the largest. */
    public static final int ACK_BITS = 64;

    /** Mask of the channel id in a frame's first byte. */
    public static final int CHANNEL_MASK = 0x07;
    /** Frame flag: this frame carries one fragment of a larger message. */
    public static final int FRAME_FRAGMENT = 0x08;
    /** Length of a frame header without the fragment part. */
    public static final int FRAME_HEADER_LENGTH = 5;
    /** Length of the fragment part. */
    public static final int FRAGMENT_PART_LENGTH = 4;
    /** Most channels per session. */
    public static final int MAX_CHANNELS = 8;

    private BodyDescriptor()
    {
    }
}
