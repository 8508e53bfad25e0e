package dev.skirmish.session.handshake;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.session.token.ConnectTokenDescriptor;

/**
 * Static layout of the four unprotected handshake packets (PROTOCOL.md, "Handshake"). Every one carries the fixed
 * header with session id 0. The two client-to-server packets have exactly one size each, padded, so a server can
 * answer with less than it received; the two server-to-client packets are small. All integers are little-endian.
 *
 * <pre>
 * CONNECT_REQUEST (client to server), exactly {@value #CONNECT_REQUEST_LENGTH} bytes:
 *   offset  size  field
 *        0     8  header: magic, version, type 0x02, session id 0
 *        8  1060  token server part, copied from the public connect token
 *     1068   132  padding, zero
 *
 * CHALLENGE (server to client), exactly {@value #CHALLENGE_LENGTH} bytes:
 *        0     8  header: type 0x03, session id 0
 *        8    16  token tag: the last 16 bytes of the token server part (lets the client ignore stray challenges)
 *       24    25  challenge cookie, opaque to the client
 *
 * CHALLENGE_RESPONSE (client to server), exactly {@value #CHALLENGE_RESPONSE_LENGTH} bytes:
 *        0     8  header: type 0x04, session id 0
 *        8    25  challenge cookie, echoed unchanged
 *       33  1060  token server part, the same as in the connect request
 *     1093   107  padding, zero
 *
 * DENIED (server to client), exactly {@value #DENIED_LENGTH} bytes:
 *        0     8  header: type 0x05, session id 0
 *        8    16  token tag (as in CHALLENGE)
 *       24     1  deny reason ({@link DenyReason} code)
 *       25     3  reserved, zero
 * </pre>
 */
public final class HandshakeDescriptor
{
    /** Offset of the token server part in a connect request. */
    public static final int REQUEST_TOKEN_OFFSET = PacketHeader.LENGTH;
    /** The one size of a connect request, bytes: never less than 1200, the QUIC minimum for an Initial. */
    public static final int CONNECT_REQUEST_LENGTH = 1200;

    /** Offset of the token tag in a challenge. */
    public static final int CHALLENGE_TAG_OFFSET = PacketHeader.LENGTH;
    /** Length of the token tag echoed in challenge and denied packets. */
    public static final int TOKEN_TAG_LENGTH = ConnectTokenDescriptor.TAG_LENGTH;
    /** Offset of the token tag inside the token server part. */
    public static final int TAG_IN_SERVER_PART_OFFSET =
        ConnectTokenDescriptor.SERVER_PART_LENGTH - ConnectTokenDescriptor.TAG_LENGTH;
    /** Offset of the cookie in a challenge. */
    public static final int CHALLENGE_COOKIE_OFFSET = CHALLENGE_TAG_OFFSET + TOKEN_TAG_LENGTH;
    /** The one size of a challenge, bytes. */
    public static final int CHALLENGE_LENGTH = CHALLENGE_COOKIE_OFFSET + ChallengeCookieDescriptor.COOKIE_LENGTH;

    /** Offset of the echoed cookie in a challenge response. */
    public static final int RESPONSE_COOKIE_OFFSET = PacketHeader.LENGTH;
    /** Offset of the token server part in a challenge response. */
    public static final int RESPONSE_TOKEN_OFFSET = RESPONSE_COOKIE_OFFSET + ChallengeCookieDescriptor.COOKIE_LENGTH;
    /** The one size of a challenge response, bytes (padded like the connect request). */
    public static final int CHALLENGE_RESPONSE_LENGTH = CONNECT_REQUEST_LENGTH;

    /** Offset of the token tag in a denied packet. */
    public static final int DENIED_TAG_OFFSET = PacketHeader.LENGTH;
    /** Offset of the reason code in a denied packet. */
    public static final int DENIED_REASON_OFFSET = DENIED_TAG_OFFSET + TOKEN_TAG_LENGTH;
    /** The one size of a denied packet, bytes. */
    public static final int DENIED_LENGTH = DENIED_REASON_OFFSET + 4;

    static
    {
        if (REQUEST_TOKEN_OFFSET + ConnectTokenDescriptor.SERVER_PART_LENGTH > CONNECT_REQUEST_LENGTH ||
            RESPONSE_TOKEN_OFFSET + ConnectTokenDescriptor.SERVER_PART_LENGTH > CHALLENGE_RESPONSE_LENGTH)
        {
            throw new AssertionError("handshake layout does not fit");
        }
    }

    private HandshakeDescriptor()
    {
    }
}
