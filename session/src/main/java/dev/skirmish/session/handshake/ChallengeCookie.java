package dev.skirmish.session.handshake;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.COOKIE_LENGTH;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.FAMILY_IPV4;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.FAMILY_IPV6;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.FULL_MAC_LENGTH;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.INPUT_ADDRESS_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.INPUT_ADDRESS_SLOT_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.INPUT_CLIENT_ID_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.INPUT_COOKIE_PREFIX_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.INPUT_FAMILY_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.INPUT_LABEL_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.INPUT_PORT_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.INPUT_TOKEN_DIGEST_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.ISSUE_TICKS_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.KEY_PHASE_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.MAC_INPUT_LENGTH;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.MAC_LABEL_BYTES;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.MAC_LENGTH;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.MAC_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.TICK_MS;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.TOKEN_DIGEST_LENGTH;

/**
 * Writes and verifies stateless challenge cookies (QUIC Retry token, WireGuard cookie, netcode challenge token):
 * after a valid connect request the server answers with a cookie, a MAC under a server secret over the source
 * address and port, a coarse issue time, the token's digest and the client id; the client echoes it and the server
 * verifies it with no per-client state, then allocates the session. Layout and MAC input:
 * {@link ChallengeCookieDescriptor} and session/docs/challenge.md.
 * <p>
 * <b>Anti-amplification:</b> the challenge reply (packet header + the {@value ChallengeCookieDescriptor#COOKIE_LENGTH}
 * byte cookie + a few small fields) is far below the fixed 1200-byte connect request it answers, so a spoofed source
 * receives fewer bytes than were sent in its name. Keep it so: never add a variable-size field to the reply.
 * <p>
 * Verification never throws on cookie bytes: every outcome is a {@link ChallengeCheck}. The cheap checks (length,
 * issue time) run before the one MAC; the MAC comparison is constant time ({@link MessageDigest#isEqual}). Arguments
 * that come from the server itself (source address from the socket, digest from the decoded token) are checked as
 * programming errors and throw.
 * <p>
 * Time is an input: {@code nowMs} is the server's epoch clock in ms (≥ 0), read once per duty cycle by the caller.
 * <p>
 * Allocation: none in this class per call except {@link InetAddress#getAddress()}'s copy of the address bytes. The
 * JDK's HMAC ({@code com.sun.crypto.provider.HmacCore} in JDK 17) allocates its result arrays inside
 * {@code doFinal} (about three 32-byte arrays per MAC, known from its source, not measured here); no use of the
 * {@link Mac} API avoids that.
 * <p>
 * Not thread safe: owned, together with its {@link ChallengeSecrets}, by the one I/O thread that handles handshake
 * packets. Called from that thread only.
 */
public final class ChallengeCookie
{
    /** Default cookie lifetime: 5 s, several handshake round trips even at 1 s RTT. */
    public static final long DEFAULT_LIFETIME_MS = 5_000;
    /** Default tolerance for a cookie issued "in the future": 1 s, covering a small step back of the epoch clock. */
    public static final long DEFAULT_MAX_SKEW_MS = 1_000;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long MAX_TICKS = Long.MAX_VALUE / TICK_MS;

    private final ChallengeSecrets secrets;
    private final long lifetimeMs;
    private final long maxSkewMs;
    private final byte[] macInput = new byte[MAC_INPUT_LENGTH];
    private final byte[] fullMac = new byte[FULL_MAC_LENGTH];
    private final byte[] expectedMac = new byte[MAC_LENGTH];
    private final byte[] receivedMac = new byte[MAC_LENGTH];

    /**
     * Cookies with {@link #DEFAULT_LIFETIME_MS} and {@link #DEFAULT_MAX_SKEW_MS}.
     *
     * @param secrets owned by the same thread.
     */
    public ChallengeCookie(final ChallengeSecrets secrets)
    {
        this(secrets, DEFAULT_LIFETIME_MS, DEFAULT_MAX_SKEW_MS);
    }

    /**
     * @param secrets    owned by the same thread.
     * @param lifetimeMs how long after issue a cookie is accepted, ms, &gt; 0; keep it ≤ the rotation interval so
     *                   rotation never cuts a live cookie short.
     * @param maxSkewMs  how far in the future an issue time may be, ms, ≥ 0.
     */
    public ChallengeCookie(final ChallengeSecrets secrets, final long lifetimeMs, final long maxSkewMs)
    {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        if (lifetimeMs <= 0 || maxSkewMs < 0)
        {
            throw new IllegalArgumentException("lifetimeMs=" + lifetimeMs + " maxSkewMs=" + maxSkewMs);
        }
        this.lifetimeMs = lifetimeMs;
        this.maxSkewMs = maxSkewMs;
        System.arraycopy(MAC_LABEL_BYTES, 0, macInput, INPUT_LABEL_OFFSET, MAC_LABEL_BYTES.length);
    }

    /**
     * Write a cookie under the current secret.
     *
     * @param dst         to write into, {@value ChallengeCookieDescriptor#COOKIE_LENGTH} bytes from offset.
     * @param offset      in dst.
     * @param source      address and port the connect request came from (resolved, as from the socket).
     * @param tokenDigest {@value ChallengeCookieDescriptor#TOKEN_DIGEST_LENGTH} bytes identifying the connect token
     *                    (the token's tag, {@code ConnectTokenDecoder.getTag}).
     * @param clientId    from the decoded token.
     * @param nowMs       server epoch clock, ms, ≥ 0.
     * @return bytes written, {@value ChallengeCookieDescriptor#COOKIE_LENGTH}.
     * @throws IndexOutOfBoundsException when dst is too short; IllegalArgumentException on a bad source or digest.
     */
    public int write(
        final byte[] dst,
        final int offset,
        final InetSocketAddress source,
        final byte[] tokenDigest,
        final long clientId,
        final long nowMs)
    {
        Objects.checkFromIndexSize(offset, COOKIE_LENGTH, dst.length);
        final int phase = secrets.currentPhase();
        LONG.set(macInput, INPUT_COOKIE_PREFIX_OFFSET + ISSUE_TICKS_OFFSET, Math.floorDiv(nowMs, TICK_MS));
        macInput[INPUT_COOKIE_PREFIX_OFFSET + KEY_PHASE_OFFSET] = (byte)phase;
        fillBinding(source, tokenDigest, clientId);
        computeMac(secrets.currentMac());

        System.arraycopy(macInput, INPUT_COOKIE_PREFIX_OFFSET, dst, offset, MAC_OFFSET);
        System.arraycopy(fullMac, 0, dst, offset + MAC_OFFSET, MAC_LENGTH);
        return COOKIE_LENGTH;
    }

    /**
     * Verify an echoed cookie. Checks, in order: length, issue time (expired, from the future), key phase and MAC.
     *
     * @param src         holding the cookie; bytes outside [offset, offset + length) are never read.
     * @param offset      of the cookie in src.
     * @param length      of the cookie as received.
     * @param source      address and port the echo came from.
     * @param tokenDigest of the token in the echo, {@value ChallengeCookieDescriptor#TOKEN_DIGEST_LENGTH} bytes.
     * @param clientId    of the token in the echo.
     * @param nowMs       server epoch clock, ms, ≥ 0.
     * @return {@link ChallengeCheck#VALID} or the first failed check.
     */
    public ChallengeCheck verify(
        final byte[] src,
        final int offset,
        final int length,
        final InetSocketAddress source,
        final byte[] tokenDigest,
        final long clientId,
        final long nowMs)
    {
        if (length != COOKIE_LENGTH || null == src || offset < 0 || offset > src.length - COOKIE_LENGTH)
        {
            return ChallengeCheck.WRONG_LENGTH;
        }

        final long issueTicks = (long)LONG.get(src, offset + ISSUE_TICKS_OFFSET);
        if (issueTicks < 0)
        {
            return ChallengeCheck.EXPIRED;
        }
        if (issueTicks > MAX_TICKS)
        {
            return ChallengeCheck.FROM_FUTURE;
        }
        final long issueMs = issueTicks * TICK_MS;
        if (issueMs > nowMs && issueMs - maxSkewMs > nowMs)
        {
            return ChallengeCheck.FROM_FUTURE;
        }
        if (nowMs - lifetimeMs > issueMs)
        {
            return ChallengeCheck.EXPIRED;
        }

        final Mac mac = secrets.macForPhase(src[offset + KEY_PHASE_OFFSET]);
        // Binding arguments are checked even when the phase is unknown: a caller bug must not hide behind BAD_MAC.
        fillBinding(source, tokenDigest, clientId);
        if (null == mac)
        {
            return ChallengeCheck.BAD_MAC;
        }
        System.arraycopy(src, offset, macInput, INPUT_COOKIE_PREFIX_OFFSET, MAC_OFFSET);
        if (!computeMac(mac))
        {
            return ChallengeCheck.BAD_MAC;
        }

        System.arraycopy(fullMac, 0, expectedMac, 0, MAC_LENGTH);
        System.arraycopy(src, offset + MAC_OFFSET, receivedMac, 0, MAC_LENGTH);
        return MessageDigest.isEqual(expectedMac, receivedMac) ? ChallengeCheck.VALID : ChallengeCheck.BAD_MAC;
    }

    /**
     * @return how long after issue a cookie is accepted, ms.
     */
    public long lifetimeMs()
    {
        return lifetimeMs;
    }

    /**
     * @return how far in the future an issue time may be, ms.
     */
    public long maxSkewMs()
    {
        return maxSkewMs;
    }

    private void fillBinding(final InetSocketAddress source, final byte[] tokenDigest, final long clientId)
    {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(tokenDigest, "tokenDigest");
        if (tokenDigest.length != TOKEN_DIGEST_LENGTH)
        {
            throw new IllegalArgumentException("token digest must be " + TOKEN_DIGEST_LENGTH + " bytes");
        }
        final InetAddress address = source.getAddress();
        if (null == address)
        {
            throw new IllegalArgumentException("source address is unresolved: " + source);
        }

        LONG.set(macInput, INPUT_CLIENT_ID_OFFSET, clientId);
        System.arraycopy(tokenDigest, 0, macInput, INPUT_TOKEN_DIGEST_OFFSET, TOKEN_DIGEST_LENGTH);

        Arrays.fill(macInput, INPUT_ADDRESS_SLOT_OFFSET, MAC_INPUT_LENGTH, (byte)0);
        final byte[] addressBytes = address.getAddress();
        macInput[INPUT_FAMILY_OFFSET] = (byte)(address instanceof Inet4Address ? FAMILY_IPV4 : FAMILY_IPV6);
        final int port = source.getPort();
        macInput[INPUT_PORT_OFFSET] = (byte)port;
        macInput[INPUT_PORT_OFFSET + 1] = (byte)(port >>> 8);
        System.arraycopy(addressBytes, 0, macInput, INPUT_ADDRESS_OFFSET, addressBytes.length);
    }

    private boolean computeMac(final Mac mac)
    {
        try
        {
            mac.update(macInput, 0, MAC_INPUT_LENGTH);
            mac.doFinal(fullMac, 0);
            return true;
        }
        catch (final ShortBufferException ex)
        {
            // fullMac is always 32 bytes: a bug, loud in tests (-ea); contained in production as a failed MAC.
            assert false : ex;
            Arrays.fill(fullMac, (byte)0);
            return false;
        }
    }
}
