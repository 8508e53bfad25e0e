package dev.skirmish.session.handshake;

import dev.skirmish.session.test.TestBytes;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Arrays;

import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.COOKIE_LENGTH;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.SECRET_LENGTH;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.TICK_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Cookie round trip, binding, tampering, time and rotation, all in virtual time.
 */
class ChallengeCookieTest
{
    private static final long NOW_MS = 1_700_000_000_000L;
    private static final long CLIENT_ID = 0x0123456789ABCDEFL;
    private static final InetSocketAddress SOURCE = address("198.51.100.7", 50000);
    private static final InetSocketAddress SOURCE_V6 = address("2001:db8::42", 7777);

    private final ChallengeSecrets secrets = new ChallengeSecrets(secret(1));
    private final ChallengeCookie cookie = new ChallengeCookie(secrets);
    private final byte[] digest = digest(0xF0);
    private final byte[] buffer = new byte[64];

    @Test
    void shouldRoundTrip()
    {
        assertEquals(COOKIE_LENGTH, cookie.write(buffer, 3, SOURCE, digest, CLIENT_ID, NOW_MS));
        assertEquals(ChallengeCheck.VALID, cookie.verify(buffer, 3, COOKIE_LENGTH, SOURCE, digest, CLIENT_ID, NOW_MS));
        assertEquals(ChallengeCheck.VALID, cookie.verify(
            buffer, 3, COOKIE_LENGTH, SOURCE, digest, CLIENT_ID, NOW_MS + cookie.lifetimeMs()));
    }

    @Test
    void shouldRoundTripIpv6()
    {
        cookie.write(buffer, 0, SOURCE_V6, digest, CLIENT_ID, NOW_MS);
        assertEquals(ChallengeCheck.VALID, verify(SOURCE_V6, digest, CLIENT_ID, NOW_MS));
        assertEquals(ChallengeCheck.BAD_MAC, verify(address("2001:db8::43", 7777), digest, CLIENT_ID, NOW_MS));
    }

    @Test
    void shouldRejectAnotherBinding()
    {
        cookie.write(buffer, 0, SOURCE, digest, CLIENT_ID, NOW_MS);
        assertEquals(ChallengeCheck.BAD_MAC, verify(address("198.51.100.7", 50001), digest, CLIENT_ID, NOW_MS));
        assertEquals(ChallengeCheck.BAD_MAC, verify(address("198.51.100.8", 50000), digest, CLIENT_ID, NOW_MS));
        assertEquals(ChallengeCheck.BAD_MAC, verify(address("::ffff:c633:6408", 50000), digest, CLIENT_ID, NOW_MS));
        for (int i = 0; i < digest.length * 8; i++)
        {
            final byte[] otherDigest = digest.clone();
            otherDigest[i >>> 3] ^= (byte)(1 << (i & 7));
            assertEquals(ChallengeCheck.BAD_MAC, verify(SOURCE, otherDigest, CLIENT_ID, NOW_MS), "digest bit " + i);
        }
        assertEquals(ChallengeCheck.BAD_MAC, verify(SOURCE, digest, CLIENT_ID + 1, NOW_MS));
        assertEquals(ChallengeCheck.BAD_MAC, verify(SOURCE, digest, CLIENT_ID ^ Long.MIN_VALUE, NOW_MS));
        assertEquals(ChallengeCheck.VALID, verify(SOURCE, digest, CLIENT_ID, NOW_MS));
    }

    @Test
    void shouldRejectEverySingleBitFlip()
    {
        cookie.write(buffer, 0, SOURCE, digest, CLIENT_ID, NOW_MS);
        final byte[] original = Arrays.copyOf(buffer, COOKIE_LENGTH);
        for (int bit = 0; bit < COOKIE_LENGTH * 8; bit++)
        {
            System.arraycopy(original, 0, buffer, 0, COOKIE_LENGTH);
            buffer[bit >>> 3] ^= (byte)(1 << (bit & 7));
            assertNotEquals(ChallengeCheck.VALID, verify(SOURCE, digest, CLIENT_ID, NOW_MS), "bit " + bit);
        }
    }

    @Test
    void shouldRejectExpiredAndFutureCookies()
    {
        final ChallengeCookie shortLived = new ChallengeCookie(secrets, 2_000, 500);
        shortLived.write(buffer, 0, SOURCE, digest, CLIENT_ID, NOW_MS);
        final long issueMs = Math.floorDiv(NOW_MS, TICK_MS) * TICK_MS;
        assertEquals(ChallengeCheck.VALID, check(shortLived, issueMs + 2_000));
        assertEquals(ChallengeCheck.EXPIRED, check(shortLived, issueMs + 2_001));
        assertEquals(ChallengeCheck.EXPIRED, check(shortLived, Long.MAX_VALUE));
        assertEquals(ChallengeCheck.VALID, check(shortLived, issueMs - 500));
        assertEquals(ChallengeCheck.FROM_FUTURE, check(shortLived, issueMs - 501));
        assertEquals(ChallengeCheck.FROM_FUTURE, check(shortLived, 0));
    }

    @Test
    void shouldTruncateIssueTimeToTicks()
    {
        cookie.write(buffer, 0, SOURCE, digest, CLIENT_ID, NOW_MS + TICK_MS - 1);
        // Issue time is floored to the tick, so the lifetime counts from the start of the tick.
        assertEquals(ChallengeCheck.VALID, verify(SOURCE, digest, CLIENT_ID, NOW_MS + cookie.lifetimeMs()));
        assertEquals(ChallengeCheck.EXPIRED, verify(SOURCE, digest, CLIENT_ID, NOW_MS + cookie.lifetimeMs() + 1));
    }

    @Test
    void shouldAcceptPreviousSecretUntilSecondRotation()
    {
        cookie.write(buffer, 0, SOURCE, digest, CLIENT_ID, NOW_MS);
        secrets.rotate(secret(2));
        assertEquals(1, secrets.generation());
        assertEquals(ChallengeCheck.VALID, verify(SOURCE, digest, CLIENT_ID, NOW_MS + 1));

        final byte[] fresh = new byte[COOKIE_LENGTH];
        cookie.write(fresh, 0, SOURCE, digest, CLIENT_ID, NOW_MS + 1);
        final int phaseOffset = ChallengeCookieDescriptor.KEY_PHASE_OFFSET;
        assertNotEquals(buffer[phaseOffset], fresh[phaseOffset]);

        secrets.rotate(secret(3));
        assertEquals(ChallengeCheck.BAD_MAC, verify(SOURCE, digest, CLIENT_ID, NOW_MS + 2));
        assertEquals(ChallengeCheck.VALID,
            cookie.verify(fresh, 0, COOKIE_LENGTH, SOURCE, digest, CLIENT_ID, NOW_MS + 2));

        secrets.rotate(secret(4));
        assertEquals(ChallengeCheck.BAD_MAC,
            cookie.verify(fresh, 0, COOKIE_LENGTH, SOURCE, digest, CLIENT_ID, NOW_MS + 3));
    }

    @Test
    void shouldRejectPreviousPhaseBeforeAnyRotation()
    {
        cookie.write(buffer, 0, SOURCE, digest, CLIENT_ID, NOW_MS);
        buffer[ChallengeCookieDescriptor.KEY_PHASE_OFFSET] = 1;
        assertEquals(ChallengeCheck.BAD_MAC, verify(SOURCE, digest, CLIENT_ID, NOW_MS));
    }

    @Test
    void shouldRejectCookieFromAnotherServer()
    {
        final ChallengeCookie other = new ChallengeCookie(new ChallengeSecrets(secret(9)));
        other.write(buffer, 0, SOURCE, digest, CLIENT_ID, NOW_MS);
        assertEquals(ChallengeCheck.BAD_MAC, verify(SOURCE, digest, CLIENT_ID, NOW_MS));
    }

    @Test
    void shouldRejectWrongLengths()
    {
        cookie.write(buffer, 0, SOURCE, digest, CLIENT_ID, NOW_MS);
        for (final int length : new int[]{ -1, 0, 1, COOKIE_LENGTH - 1, COOKIE_LENGTH + 1, 1200, Integer.MAX_VALUE })
        {
            assertEquals(ChallengeCheck.WRONG_LENGTH,
                cookie.verify(buffer, 0, length, SOURCE, digest, CLIENT_ID, NOW_MS), "length " + length);
        }
        assertEquals(ChallengeCheck.WRONG_LENGTH,
            cookie.verify(buffer, -1, COOKIE_LENGTH, SOURCE, digest, CLIENT_ID, NOW_MS));
        assertEquals(ChallengeCheck.WRONG_LENGTH,
            cookie.verify(buffer, buffer.length - COOKIE_LENGTH + 1, COOKIE_LENGTH, SOURCE, digest, CLIENT_ID, NOW_MS));
        assertEquals(ChallengeCheck.WRONG_LENGTH,
            cookie.verify(new byte[COOKIE_LENGTH - 1], 0, COOKIE_LENGTH, SOURCE, digest, CLIENT_ID, NOW_MS));
        assertEquals(ChallengeCheck.WRONG_LENGTH,
            cookie.verify(null, 0, COOKIE_LENGTH, SOURCE, digest, CLIENT_ID, NOW_MS));
    }

    @Test
    void shouldRefuseProgrammingErrors()
    {
        assertThrows(IllegalArgumentException.class, () -> new ChallengeSecrets(new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> secrets.rotate(new byte[SECRET_LENGTH + 1]));
        assertEquals(0, secrets.generation());
        assertThrows(IllegalArgumentException.class, () -> new ChallengeCookie(secrets, 0, 0));
        assertThrows(IndexOutOfBoundsException.class,
            () -> cookie.write(new byte[COOKIE_LENGTH - 1], 0, SOURCE, digest, CLIENT_ID, NOW_MS));
        assertThrows(IllegalArgumentException.class,
            () -> cookie.write(buffer, 0, SOURCE, new byte[15], CLIENT_ID, NOW_MS));
        assertThrows(IllegalArgumentException.class, () -> cookie.write(
            buffer, 0, InetSocketAddress.createUnresolved("example.com", 1), digest, CLIENT_ID, NOW_MS));
    }

    private ChallengeCheck verify(
        final InetSocketAddress source, final byte[] tokenDigest, final long clientId, final long nowMs)
    {
        return cookie.verify(buffer, 0, COOKIE_LENGTH, source, tokenDigest, clientId, nowMs);
    }

    private ChallengeCheck check(final ChallengeCookie codec, final long nowMs)
    {
        return codec.verify(buffer, 0, COOKIE_LENGTH, SOURCE, digest, CLIENT_ID, nowMs);
    }

    static byte[] secret(final int seed)
    {
        final byte[] secret = new byte[SECRET_LENGTH];
        for (int i = 0; i < secret.length; i++)
        {
            secret[i] = (byte)(seed * 37 + i);
        }
        return secret;
    }

    static byte[] digest(final int first)
    {
        final byte[] digest = new byte[ChallengeCookieDescriptor.TOKEN_DIGEST_LENGTH];
        for (int i = 0; i < digest.length; i++)
        {
            digest[i] = (byte)(first + i);
        }
        return digest;
    }

    static java.net.InetSocketAddress address(final String literal, final int port)
    {
        return TestBytes.address(literal, port);
    }
}
