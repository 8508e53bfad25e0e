package dev.skirmish.session.handshake;

import java.nio.charset.StandardCharsets;

/**
 * Static layout of the challenge cookie and of the exact input to its MAC (session/docs/challenge.md). All
 * multi-byte integers are little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Issue time (i64 LE, 100 ms ticks)             |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Key phase    |   HMAC-SHA256 truncated to 16 bytes ...       |
 *  +-+-+-+-+-+-+-+-+                                               |
 *  |                                                     ...       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                                                  25 bytes in all
 * </pre>
 * MAC input (61 bytes): {@link #MAC_LABEL} ‖ cookie bytes 0..8 ‖ client id (u64 LE) ‖ token digest (16 B) ‖
 * source address slot (20 B: family, reserved zero, port u16 LE, address in network order zero-padded to 16 B).
 */
public final class ChallengeCookieDescriptor
{
    /** Offset of the issue time, i64 LE, in {@link #TICK_MS} ticks since the Unix epoch. */
    public static final int ISSUE_TICKS_OFFSET = 0;
    /** Offset of the key phase, u8: 0 or 1, the parity of the secret generation the MAC was made under. */
    public static final int KEY_PHASE_OFFSET = 8;
    /** Offset of the truncated MAC. */
    public static final int MAC_OFFSET = 9;
    /** Length of the truncated MAC: the first 16 bytes of HMAC-SHA256. */
    public static final int MAC_LENGTH = 16;
    /** Length of a cookie, fixed. */
    public static final int COOKIE_LENGTH = MAC_OFFSET + MAC_LENGTH;

    /** Resolution of the issue time: 100 ms, coarse enough to reveal little, fine enough for a 5 s lifetime. */
    public static final long TICK_MS = 100;

    /** Length of the token digest bound into the cookie (the connect token's Poly1305 tag). */
    public static final int TOKEN_DIGEST_LENGTH = 16;
    /** Length of a server secret. */
    public static final int SECRET_LENGTH = 32;
    /** JDK name of the MAC algorithm. */
    public static final String MAC_ALGORITHM = "HmacSHA256";
    /** Full HMAC-SHA256 output length before truncation. */
    public static final int FULL_MAC_LENGTH = 32;

    /** ASCII domain-separation label, the first 8 bytes of the MAC input: the secret signs nothing else. */
    public static final String MAC_LABEL = "SKCOOKIE";
    static final byte[] MAC_LABEL_BYTES = MAC_LABEL.getBytes(StandardCharsets.US_ASCII);

    /** Address family code for IPv4 in the MAC input's address slot (same codes as the token's address slots). */
    public static final int FAMILY_IPV4 = 1;
    /** Address family code for IPv6 in the MAC input's address slot. */
    public static final int FAMILY_IPV6 = 2;

    /** MAC input offsets. */
    static final int INPUT_LABEL_OFFSET = 0;
    static final int INPUT_COOKIE_PREFIX_OFFSET = 8;
    static final int INPUT_CLIENT_ID_OFFSET = INPUT_COOKIE_PREFIX_OFFSET + MAC_OFFSET;
    static final int INPUT_TOKEN_DIGEST_OFFSET = INPUT_CLIENT_ID_OFFSET + 8;
    static final int INPUT_ADDRESS_SLOT_OFFSET = INPUT_TOKEN_DIGEST_OFFSET + TOKEN_DIGEST_LENGTH;
    static final int INPUT_FAMILY_OFFSET = INPUT_ADDRESS_SLOT_OFFSET;
    static final int INPUT_PORT_OFFSET = INPUT_ADDRESS_SLOT_OFFSET + 2;
    static final int INPUT_ADDRESS_OFFSET = INPUT_ADDRESS_SLOT_OFFSET + 4;
    /** Length of the MAC input, fixed. */
    public static final int MAC_INPUT_LENGTH = INPUT_ADDRESS_OFFSET + 16;

    private ChallengeCookieDescriptor()
    {
    }
}
