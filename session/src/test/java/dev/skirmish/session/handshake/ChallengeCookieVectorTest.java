package dev.skirmish.session.handshake;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;

import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.COOKIE_LENGTH;
import static dev.skirmish.session.handshake.ChallengeCookieTest.address;
import static dev.skirmish.session.handshake.ChallengeCookieTest.digest;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The test vectors of session/docs/challenge.md, byte for byte (expected bytes computed independently with Python's
 * {@code hmac}/{@code hashlib}).
 */
class ChallengeCookieVectorTest
{
    private static final HexFormat HEX = HexFormat.of();
    private static final long NOW_MS = 1_700_000_000_050L;

    @Test
    void shouldMatchIpv4Vector()
    {
        final byte[] secret = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        final ChallengeCookie cookie = new ChallengeCookie(new ChallengeSecrets(secret));
        final byte[] out = new byte[COOKIE_LENGTH];
        cookie.write(out, 0, address("198.51.100.7", 50000), digest(0xF0), 0x0123456789ABCDEFL, NOW_MS);
        assertEquals("006a47f503000000002cae0dd74b0a29ace4acfb71bf54569c", HEX.formatHex(out));
        assertEquals(ChallengeCheck.VALID, cookie.verify(
            out, 0, COOKIE_LENGTH, address("198.51.100.7", 50000), digest(0xF0), 0x0123456789ABCDEFL, NOW_MS));
    }

    @Test
    void shouldMatchIpv6Vector()
    {
        final byte[] secret = HEX.parseHex("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
        final ChallengeCookie cookie = new ChallengeCookie(new ChallengeSecrets(secret));
        final byte[] out = new byte[COOKIE_LENGTH + 2];
        assertEquals(COOKIE_LENGTH, cookie.write(out, 1, address("2001:db8::42", 7777), digest(0xF0), 42, NOW_MS));
        assertEquals("00" + "006a47f50300000000c3042ae156afa6ce96e149ee9ed3c1d8" + "00", HEX.formatHex(out));
    }

    @Test
    void shouldMatchDocumentedMacInputLength()
    {
        assertEquals(61, ChallengeCookieDescriptor.MAC_INPUT_LENGTH);
        assertEquals(25, COOKIE_LENGTH);
        assertEquals("SKCOOKIE", new String(
            Arrays.copyOf(ChallengeCookieDescriptor.MAC_LABEL_BYTES, 8), java.nio.charset.StandardCharsets.US_ASCII));
    }
}
