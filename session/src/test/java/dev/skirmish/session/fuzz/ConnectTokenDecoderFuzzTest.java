package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.session.token.ConnectTokenDecoder;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.TokenCheck;
import dev.skirmish.session.token.TokenKey;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target for {@link ConnectTokenDecoder#decodeServerPart}: any bytes at any server time must give a
 * {@link TokenCheck} without throwing; a decoder with a random key never accepts anything; the development-key
 * decoder accepts only the genuine token's bytes, and what it accepts decodes consistently with the public fields.
 * <p>
 * Input layout: bytes 0..7 are nowMs (u64 LE), the rest is the server part. Seeds:
 * {@code ConnectTokenDecoderFuzzTestInputs/shouldOnlyAcceptGenuineTokensAndDecodeThemConsistently/}.
 */
class ConnectTokenDecoderFuzzTest
{
    private static final byte[] GENUINE = FuzzFixtures.genuineServerPart();
    private static final ConnectTokenDecoder DEV_DECODER =
        new ConnectTokenDecoder(TokenKey.DEVELOPMENT, FuzzFixtures.PROTOCOL_ID);
    private static final ConnectTokenDecoder RANDOM_KEY_DECODER =
        new ConnectTokenDecoder(TokenKey.generate(new SecureRandom()), FuzzFixtures.PROTOCOL_ID);

    @FuzzTest
    void shouldOnlyAcceptGenuineTokensAndDecodeThemConsistently(final byte[] input)
    {
        if (input.length < Long.BYTES)
        {
            return;
        }
        final long nowMs = FuzzFixtures.getLongLE(input, 0);
        final int length = input.length - Long.BYTES;

        final TokenCheck randomKey = RANDOM_KEY_DECODER.decodeServerPart(input, Long.BYTES, length, nowMs);
        assertNotNull(randomKey);
        assertNotEquals(TokenCheck.VALID, randomKey, "accepted under a random key");
        assertFalse(RANDOM_KEY_DECODER.isValid());

        final TokenCheck check = DEV_DECODER.decodeServerPart(input, Long.BYTES, length, nowMs);
        assertNotNull(check);
        assertEquals(TokenCheck.VALID == check, DEV_DECODER.isValid());
        if (TokenCheck.VALID != check)
        {
            assertEquals(0, DEV_DECODER.serverAddressCount(), "getters must read zero after a rejection");
            assertEquals(0, DEV_DECODER.clientId());
            assertEquals(0, DEV_DECODER.userDataLength());
            return;
        }

        final byte[] serverPart = Arrays.copyOfRange(input, Long.BYTES, input.length);
        assertArrayEquals(GENUINE, serverPart, "accepted bytes that the backend never sealed");
        assertEquals(ConnectTokenDescriptor.SERVER_PART_LENGTH, length);
        assertArrayEquals(
            ConnectTokenDescriptor.VERSION_INFO.getBytes(StandardCharsets.US_ASCII),
            Arrays.copyOfRange(serverPart, 0, ConnectTokenDescriptor.VERSION_INFO_LENGTH));
        assertEquals(FuzzFixtures.PROTOCOL_ID, FuzzFixtures.getLongLE(serverPart, ConnectTokenDescriptor.PROTOCOL_ID_OFFSET));
        final long expireTimeMs = FuzzFixtures.getLongLE(serverPart, ConnectTokenDescriptor.EXPIRE_TIME_OFFSET);
        assertEquals(expireTimeMs, DEV_DECODER.expireTimeMs());
        assertTrue(expireTimeMs >= nowMs, "accepted an expired token");

        assertEquals(FuzzFixtures.CLIENT_ID, DEV_DECODER.clientId());
        assertEquals(42, DEV_DECODER.roomId());
        final int timeoutSeconds = DEV_DECODER.timeoutSeconds();
        assertTrue(timeoutSeconds >= ConnectTokenDescriptor.MIN_TIMEOUT_SECONDS &&
            timeoutSeconds <= ConnectTokenDescriptor.MAX_TIMEOUT_SECONDS, "timeout " + timeoutSeconds);
        final int count = DEV_DECODER.serverAddressCount();
        assertTrue(count >= 1 && count <= ConnectTokenDescriptor.MAX_SERVER_ADDRESSES, "address count " + count);
        for (int i = 0; i < count; i++)
        {
            final InetSocketAddress address = DEV_DECODER.serverAddress(i);
            assertTrue(address.getPort() > 0, address.toString());
            assertTrue(DEV_DECODER.validFor(address));
        }
        final int userDataLength = DEV_DECODER.userDataLength();
        assertTrue(userDataLength >= 0 && userDataLength <= ConnectTokenDescriptor.MAX_USER_DATA_LENGTH);
        final byte[] userData = new byte[userDataLength];
        assertEquals(userDataLength, DEV_DECODER.getUserData(userData, 0));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), userData);

        // Decoding is a pure function of its inputs: the same bytes again give the same answer.
        assertEquals(TokenCheck.VALID, DEV_DECODER.decodeServerPart(input, Long.BYTES, length, nowMs));
        assertEquals(FuzzFixtures.CLIENT_ID, DEV_DECODER.clientId());
    }
}
