package dev.skirmish.session.token;

import java.nio.charset.StandardCharsets;

/**
 * Static layout of a connect token: the public token a client receives from its backend, the server part of it that
 * the client copies into its connect request, and the sealed private part only game servers can open. Every size is
 * fixed, so nothing about a token's length depends on its contents. All integers are little-endian.
 *
 * <pre>
 * Public token, {@value #PUBLIC_TOKEN_LENGTH} bytes:
 *
 *   offset  size  field
 *        0     8  version info "SKTOKEN1" (ASCII)        -+
 *        8     8  protocol id (u64)                        | associated data of the AEAD (24 B)
 *       16     8  expire time, epoch ms (i64)             -+
 *       24    12  nonce
 *       36  1024  sealed private part (1008 B ciphertext + 16 B Poly1305 tag)
 *     1060        ---- end of the server part (what the client sends in its connect request) ----
 *     1060     8  create time, epoch ms (i64)
 *     1068     4  timeout seconds (u32)
 *     1072     1  server address count (u8, 1..8)
 *     1073     3  reserved, zero
 *     1076   160  server addresses: 8 slots of 20 B, unused slots zero
 *     1236    32  client-to-server key
 *     1268    32  server-to-client key
 *     1300        end
 *
 * Private part plaintext, {@value #PRIVATE_PLAINTEXT_LENGTH} bytes (sealed: + {@value #TAG_LENGTH} B tag):
 *
 *   offset  size  field
 *        0     8  client id (u64)
 *        8     8  room (match) id (u64)
 *       16     4  timeout seconds (u32)
 *       20     1  server address count (u8, 1..8)
 *       21     1  reserved, zero
 *       22     2  user data length (u16, 0..256)
 *       24   160  server addresses: 8 slots of 20 B, unused slots zero
 *      184    32  client-to-server key
 *      216    32  server-to-client key
 *      248   256  user data, zero after its length
 *      504   504  padding, zero
 *     1008        end of plaintext; the 16 B tag follows in the sealed form
 *
 * Address slot, {@value #ADDRESS_SLOT_LENGTH} bytes:
 *
 *   offset  size  field
 *        0     1  type: 1 = IPv4, 2 = IPv6 (0 only in unused slots, which are all zero)
 *        1     1  reserved, zero
 *        2     2  port (u16, 1..65535)
 *        4    16  address in network byte order; IPv4 uses the first 4 bytes, the other 12 are zero
 * </pre>
 */
public final class ConnectTokenDescriptor
{
    /** Version info, the first 8 bytes of every token; changes whenever the layout does. */
    public static final String VERSION_INFO = "SKTOKEN1";
    /** Length of {@link #VERSION_INFO} in bytes. */
    public static final int VERSION_INFO_LENGTH = 8;

    /** Largest number of server addresses a token may name. */
    public static final int MAX_SERVER_ADDRESSES = 8;
    /** Largest user data, bytes. */
    public static final int MAX_USER_DATA_LENGTH = 256;
    /** Session key length (client-to-server and server-to-client), bytes. */
    public static final int KEY_LENGTH = 32;
    /** Nonce length of ChaCha20-Poly1305 (RFC 8439), bytes. */
    public static final int NONCE_LENGTH = 12;
    /** Poly1305 tag length, bytes. */
    public static final int TAG_LENGTH = 16;
    /** Smallest session timeout a token may carry, seconds. */
    public static final int MIN_TIMEOUT_SECONDS = 1;
    /** Largest session timeout a token may carry, seconds: an hour is far beyond any realtime game's need. */
    public static final int MAX_TIMEOUT_SECONDS = 3600;

    /** Address slot type of an unused slot. */
    public static final int ADDRESS_TYPE_NONE = 0;
    /** Address slot type of an IPv4 address. */
    public static final int ADDRESS_TYPE_IPV4 = 1;
    /** Address slot type of an IPv6 address. */
    public static final int ADDRESS_TYPE_IPV6 = 2;
    public static final int ADDRESS_TYPE_OFFSET = 0;
    public static final int ADDRESS_RESERVED_OFFSET = 1;
    public static final int ADDRESS_PORT_OFFSET = 2;
    public static final int ADDRESS_BYTES_OFFSET = 4;
    /** Bytes of the address field of a slot, room for IPv6. */
    public static final int ADDRESS_BYTES_LENGTH = 16;
    /** Length of one address slot. */
    public static final int ADDRESS_SLOT_LENGTH = 20;
    /** Length of all address slots together. */
    public static final int ADDRESS_SLOTS_LENGTH = MAX_SERVER_ADDRESSES * ADDRESS_SLOT_LENGTH;

    // Public token.
    public static final int VERSION_INFO_OFFSET = 0;
    public static final int PROTOCOL_ID_OFFSET = 8;
    public static final int EXPIRE_TIME_OFFSET = 16;
    /** Length of the associated data: version info, protocol id and expire time, the token's first bytes. */
    public static final int ASSOCIATED_DATA_LENGTH = 24;
    public static final int NONCE_OFFSET = 24;
    public static final int SEALED_OFFSET = 36;
    /** Length of the sealed private part: ciphertext and tag. */
    public static final int SEALED_LENGTH = 1024;
    /** Length of the server part, bytes 0..1059 of the public token, which a client sends to the server verbatim. */
    public static final int SERVER_PART_LENGTH = SEALED_OFFSET + SEALED_LENGTH;
    public static final int CREATE_TIME_OFFSET = 1060;
    public static final int PUBLIC_TIMEOUT_OFFSET = 1068;
    public static final int PUBLIC_ADDRESS_COUNT_OFFSET = 1072;
    public static final int PUBLIC_RESERVED_OFFSET = 1073;
    public static final int PUBLIC_RESERVED_LENGTH = 3;
    public static final int PUBLIC_ADDRESSES_OFFSET = 1076;
    public static final int PUBLIC_CLIENT_TO_SERVER_KEY_OFFSET = 1236;
    public static final int PUBLIC_SERVER_TO_CLIENT_KEY_OFFSET = 1268;
    /** Length of the whole public token. */
    public static final int PUBLIC_TOKEN_LENGTH = 1300;

    // Private part plaintext.
    public static final int CLIENT_ID_OFFSET = 0;
    public static final int ROOM_ID_OFFSET = 8;
    public static final int TIMEOUT_OFFSET = 16;
    public static final int ADDRESS_COUNT_OFFSET = 20;
    public static final int RESERVED_OFFSET = 21;
    public static final int USER_DATA_LENGTH_OFFSET = 22;
    public static final int ADDRESSES_OFFSET = 24;
    public static final int CLIENT_TO_SERVER_KEY_OFFSET = 184;
    public static final int SERVER_TO_CLIENT_KEY_OFFSET = 216;
    public static final int USER_DATA_OFFSET = 248;
    public static final int PADDING_OFFSET = 504;
    /** Length of the private part before sealing. */
    public static final int PRIVATE_PLAINTEXT_LENGTH = SEALED_LENGTH - TAG_LENGTH;

    /** JCA name of the AEAD that seals the private part. */
    public static final String CIPHER_ALGORITHM = "ChaCha20-Poly1305";
    /** JCA name of the key algorithm of {@link #CIPHER_ALGORITHM}. */
    public static final String KEY_ALGORITHM = "ChaCha20";

    static final byte[] VERSION_INFO_BYTES = VERSION_INFO.getBytes(StandardCharsets.US_ASCII);

    private ConnectTokenDescriptor()
    {
    }

    /**
     * Is a timeout within the range a token may carry?
     *
     * @param timeoutSeconds to check.
     * @return true when within [{@link #MIN_TIMEOUT_SECONDS}, {@link #MAX_TIMEOUT_SECONDS}].
     */
    public static boolean isValidTimeout(final long timeoutSeconds)
    {
        return timeoutSeconds >= MIN_TIMEOUT_SECONDS && timeoutSeconds <= MAX_TIMEOUT_SECONDS;
    }
}
