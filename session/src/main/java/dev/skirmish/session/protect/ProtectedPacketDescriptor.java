package dev.skirmish.session.protect;

import dev.skirmish.core.wire.PacketHeader;

/**
 * Static layout of a protected (post-handshake) packet. All multi-byte fields are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+  -+
 *  |     magic 0x4B53 ("SK")       |    version    |     type      |   |
 *  +-------------------------------+---------------+---------------+   | fixed header (PacketHeader)
 *  |                       session id (u32)                        |   |
 *  +---------------------------------------------------------------+  -+  associated data =
 *  |                                                               |   |  bytes 0..15, as sent
 *  +                 packet sequence number (u64)                  +   |
 *  |                                                               |   |
 *  +---------------------------------------------------------------+  -+
 *  |                  ciphertext (same length as plaintext) ...    |
 *  +---------------------------------------------------------------+
 *  |                                                               |
 *  +                                                               +
 *  |                   authentication tag (16 bytes)               |
 *  +                                                               +
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The 96-bit AEAD nonce is four zero bytes followed by the sequence number as a little-endian u64 (the construction
 * WireGuard uses). The two directions of a session use different keys, so the same sequence number sent both ways
 * never repeats a (key, nonce) pair.
 */
public final class ProtectedPacketDescriptor
{
    /** Offset of the packet sequence number, right after the fixed header. */
    public static final int SEQUENCE_OFFSET = PacketHeader.LENGTH;
    /** Length of the packet sequence number. */
    public static final int SEQUENCE_LENGTH = Long.BYTES;
    /** Offset of the ciphertext (after opening: of the plaintext). */
    public static final int PAYLOAD_OFFSET = SEQUENCE_OFFSET + SEQUENCE_LENGTH;
    /** Length of the associated data: the fixed header and the sequence number, exactly as on the wire. */
    public static final int AAD_LENGTH = PAYLOAD_OFFSET;
    /** Length of the authentication tag at the end of the packet (128 bits, for either suite). */
    public static final int TAG_LENGTH = 16;
    /** Length of the AEAD nonce. */
    public static final int NONCE_LENGTH = 12;
    /** Offset of the sequence number inside the nonce; bytes before it are zero. */
    public static final int NONCE_SEQUENCE_OFFSET = NONCE_LENGTH - SEQUENCE_LENGTH;
    /** Bytes that sealing adds to a datagram besides the header: sequence number and tag. */
    public static final int OVERHEAD = SEQUENCE_LENGTH + TAG_LENGTH;
    /** Shortest protected packet: header, sequence number and tag around an empty payload. */
    public static final int MIN_LENGTH = PAYLOAD_OFFSET + TAG_LENGTH;

    private ProtectedPacketDescriptor()
    {
    }

    /**
     * Largest plaintext that fits a protected datagram of at most {@code maxDatagramLength} bytes.
     *
     * @param maxDatagramLength largest datagram, in bytes.
     * @return largest payload, in bytes.
     */
    public static int maxPayloadLength(final int maxDatagramLength)
    {
        return maxDatagramLength - MIN_LENGTH;
    }
}
