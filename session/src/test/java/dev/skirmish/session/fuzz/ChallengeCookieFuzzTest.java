package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.session.handshake.ChallengeCheck;
import dev.skirmish.session.handshake.ChallengeCookie;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target for {@link ChallengeCookie#verify}: any cookie bytes at any server time give a {@link ChallengeCheck}
 * without throwing, and {@link ChallengeCheck#VALID} only for a cookie this server wrote, for this binding, within
 * its lifetime. A random 128-bit MAC verifying is a 2<sup>-128</sup> event, so any other VALID is a bug.
 * <p>
 * Input layout: bytes 0..7 are nowMs (u64 LE, folded to ≥ 0 as the API requires), the rest is the cookie. Seeds:
 * {@code ChallengeCookieFuzzTestInputs/shouldOnlyVerifyCookiesThisServerWrote/}.
 */
class ChallengeCookieFuzzTest
{
    private static final ChallengeCookie COOKIE = FuzzFixtures.newCookie();

    @FuzzTest
    void shouldOnlyVerifyCookiesThisServerWrote(final byte[] input)
    {
        if (input.length < Long.BYTES)
        {
            return;
        }
        final long nowMs = FuzzFixtures.getLongLE(input, 0) & Long.MAX_VALUE;
        final int length = input.length - Long.BYTES;

        final ChallengeCheck check = COOKIE.verify(
            input, Long.BYTES, length, FuzzFixtures.SOURCE, FuzzFixtures.TOKEN_DIGEST, FuzzFixtures.CLIENT_ID, nowMs);
        assertNotNull(check);
        if (ChallengeCheck.VALID != check)
        {
            return;
        }

        assertEquals(ChallengeCookieDescriptor.COOKIE_LENGTH, length);
        final byte[] received = Arrays.copyOfRange(input, Long.BYTES, input.length);
        final long issueMs = FuzzFixtures.getLongLE(received, ChallengeCookieDescriptor.ISSUE_TICKS_OFFSET) *
            ChallengeCookieDescriptor.TICK_MS;
        assertTrue(issueMs >= 0 && issueMs >= nowMs - COOKIE.lifetimeMs(), "accepted an expired cookie");
        assertTrue(issueMs - COOKIE.maxSkewMs() <= nowMs, "accepted a cookie from the future");
        assertArrayEquals(FuzzFixtures.genuineCookie(COOKIE, issueMs), received, "verified a cookie never written");
    }
}
