package dev.skirmish.session.token;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.function.Consumer;

import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESSES_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_COUNT_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_SLOT_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PADDING_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PRIVATE_PLAINTEXT_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.RESERVED_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SEALED_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_PART_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.TIMEOUT_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.USER_DATA_LENGTH_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.USER_DATA_OFFSET;
import static dev.skirmish.session.token.TokenFixtures.EXPIRE_TIME_MS;
import static dev.skirmish.session.token.TokenFixtures.KEY;
import static dev.skirmish.session.token.TokenFixtures.NONCE;
import static dev.skirmish.session.token.TokenFixtures.NOW_MS;
import static dev.skirmish.session.token.TokenFixtures.OTHER_KEY;
import static dev.skirmish.session.token.TokenFixtures.PROTOCOL_ID;
import static dev.skirmish.session.token.TokenFixtures.SERVER_V4;
import static dev.skirmish.session.token.TokenFixtures.SERVER_V6;
import static dev.skirmish.session.token.TokenFixtures.address;
import static dev.skirmish.session.token.TokenFixtures.putU16;
import static dev.skirmish.session.token.TokenFixtures.putU32;
import static dev.skirmish.session.token.TokenFixtures.sealRaw;
import static dev.skirmish.session.token.TokenFixtures.serverPart;
import static dev.skirmish.session.token.TokenFixtures.vectorPlaintext;
import static dev.skirmish.session.token.TokenFixtures.vectorToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectTokenDecoderTest
{
    private static final int SLOT_0 = ADDRESSES_OFFSET;
    private static final int SLOT_1 = ADDRESSES_OFFSET + ADDRESS_SLOT_LENGTH;
    private static final int SLOT_2 = ADDRESSES_OFFSET + 2 * ADDRESS_SLOT_LENGTH;

    private final ConnectTokenDecoder decoder = new ConnectTokenDecoder(KEY, PROTOCOL_ID);
    private final ConnectToken token = vectorToken();
    private final byte[] serverPart = serverPart(token);

    @Test
    void shouldAcceptTheVectorToken()
    {
        assertEquals(TokenCheck.VALID, decodeServerPart(serverPart));
    }

    @Test
    void shouldAcceptTheSameTokenAgainAsWhenAConnectRequestIsResent()
    {
        for (int i = 0; i < 3; i++)
        {
            assertEquals(TokenCheck.VALID, decodeServerPart(serverPart), "attempt " + i);
            assertEquals(TokenCheck.VALID, decodeRaw(token.sealedPrivatePart(), PROTOCOL_ID, EXPIRE_TIME_MS, NOW_MS));
        }
        final byte[] corrupt = serverPart.clone();
        corrupt[SERVER_PART_LENGTH - 1] ^= 1;
        assertEquals(TokenCheck.DECRYPT_FAILED, decodeServerPart(corrupt));
        assertEquals(TokenCheck.VALID, decodeServerPart(serverPart));
    }

    @Test
    void shouldRejectExpired()
    {
        assertEquals(TokenCheck.EXPIRED,
            decoder.decodeServerPart(serverPart, 0, SERVER_PART_LENGTH, EXPIRE_TIME_MS + 1));
        assertEquals(TokenCheck.EXPIRED,
            decodeRaw(token.sealedPrivatePart(), PROTOCOL_ID, EXPIRE_TIME_MS, Long.MAX_VALUE));
        assertFalse(decoder.isValid());
    }

    @Test
    void shouldRejectWrongProtocolId()
    {
        final ConnectTokenDecoder otherGame = new ConnectTokenDecoder(KEY, PROTOCOL_ID + 1);
        assertEquals(TokenCheck.WRONG_PROTOCOL_ID,
            otherGame.decodeServerPart(serverPart, 0, SERVER_PART_LENGTH, NOW_MS));
        assertEquals(TokenCheck.WRONG_PROTOCOL_ID,
            decodeRaw(token.sealedPrivatePart(), ~PROTOCOL_ID, EXPIRE_TIME_MS, NOW_MS));
    }

    @Test
    void shouldRejectWrongKey()
    {
        final ConnectTokenDecoder otherKey = new ConnectTokenDecoder(OTHER_KEY, PROTOCOL_ID);
        assertEquals(TokenCheck.DECRYPT_FAILED, otherKey.decodeServerPart(serverPart, 0, SERVER_PART_LENGTH, NOW_MS));

        final ConnectTokenDecoder developmentKey = new ConnectTokenDecoder(TokenKey.DEVELOPMENT, PROTOCOL_ID);
        assertEquals(TokenCheck.DECRYPT_FAILED,
            developmentKey.decodeServerPart(serverPart, 0, SERVER_PART_LENGTH, NOW_MS));
        assertFalse(developmentKey.isValid());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 36, SERVER_PART_LENGTH - 1, SERVER_PART_LENGTH + 1, 1200, 2 * SERVER_PART_LENGTH})
    void shouldRejectWrongServerPartLength(final int length)
    {
        final byte[] bytes = Arrays.copyOf(serverPart, length);
        assertEquals(TokenCheck.WRONG_LENGTH, decoder.decodeServerPart(bytes, 0, length, NOW_MS));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, SEALED_LENGTH - 1, SEALED_LENGTH + 1, 2 * SEALED_LENGTH})
    void shouldRejectWrongSealedLength(final int length)
    {
        final byte[] sealed = Arrays.copyOf(token.sealedPrivatePart(), length);
        assertEquals(TokenCheck.WRONG_LENGTH,
            decoder.decode(sealed, 0, length, PROTOCOL_ID, EXPIRE_TIME_MS, NONCE, 0, NOW_MS));
    }

    @Test
    void shouldRejectLengthsThatDoNotFitTheGivenArrayWithoutThrowing()
    {
        assertEquals(TokenCheck.WRONG_LENGTH, decoder.decodeServerPart(null, 0, SERVER_PART_LENGTH, NOW_MS));
        assertEquals(TokenCheck.WRONG_LENGTH, decoder.decodeServerPart(serverPart, 1, SERVER_PART_LENGTH, NOW_MS));
        assertEquals(TokenCheck.WRONG_LENGTH, decoder.decodeServerPart(serverPart, -1, SERVER_PART_LENGTH, NOW_MS));
        assertEquals(TokenCheck.WRONG_LENGTH,
            decoder.decodeServerPart(serverPart, Integer.MIN_VALUE, SERVER_PART_LENGTH, NOW_MS));
        assertEquals(TokenCheck.WRONG_LENGTH, decoder.decodeServerPart(serverPart, 0, -1, NOW_MS));

        final byte[] sealed = token.sealedPrivatePart();
        assertEquals(TokenCheck.WRONG_LENGTH,
            decoder.decode(sealed, 1, SEALED_LENGTH, PROTOCOL_ID, EXPIRE_TIME_MS, NONCE, 0, NOW_MS));
        assertEquals(TokenCheck.WRONG_LENGTH,
            decoder.decode(sealed, 0, SEALED_LENGTH, PROTOCOL_ID, EXPIRE_TIME_MS, new byte[11], 0, NOW_MS));
        assertEquals(TokenCheck.WRONG_LENGTH,
            decoder.decode(sealed, 0, SEALED_LENGTH, PROTOCOL_ID, EXPIRE_TIME_MS, NONCE, 1, NOW_MS));
        assertEquals(TokenCheck.WRONG_LENGTH,
            decoder.decode(sealed, 0, SEALED_LENGTH, PROTOCOL_ID, EXPIRE_TIME_MS, null, 0, NOW_MS));
    }

    @Test
    void shouldRejectUnknownVersionInfo()
    {
        final byte[] bytes = serverPart.clone();
        bytes[7] = '2';
        assertEquals(TokenCheck.BAD_VERSION, decodeServerPart(bytes));
    }

    @Test
    void shouldCheckInTheDocumentedOrder()
    {
        final ConnectTokenDecoder otherKey = new ConnectTokenDecoder(OTHER_KEY, PROTOCOL_ID + 1);
        // Everything wrong at once: the first check in the order answers.
        final byte[] bytes = Arrays.copyOf(serverPart, SERVER_PART_LENGTH + 1);
        bytes[0] = 0;
        assertEquals(TokenCheck.WRONG_LENGTH, otherKey.decodeServerPart(bytes, 0, bytes.length, Long.MAX_VALUE));
        assertEquals(TokenCheck.BAD_VERSION, otherKey.decodeServerPart(bytes, 0, SERVER_PART_LENGTH, Long.MAX_VALUE));
        assertEquals(TokenCheck.WRONG_PROTOCOL_ID,
            otherKey.decodeServerPart(serverPart, 0, SERVER_PART_LENGTH, Long.MAX_VALUE));

        final ConnectTokenDecoder otherKeySameGame = new ConnectTokenDecoder(OTHER_KEY, PROTOCOL_ID);
        assertEquals(TokenCheck.EXPIRED,
            otherKeySameGame.decodeServerPart(serverPart, 0, SERVER_PART_LENGTH, Long.MAX_VALUE));
        assertEquals(TokenCheck.DECRYPT_FAILED,
            otherKeySameGame.decodeServerPart(serverPart, 0, SERVER_PART_LENGTH, NOW_MS));

        // Authentic but malformed in every way: fix one fault at a time, the next check in the order answers.
        final byte[] plaintext = vectorPlaintext();
        putU32(plaintext, TIMEOUT_OFFSET, 0);
        plaintext[ADDRESS_COUNT_OFFSET] = 0;
        putU16(plaintext, USER_DATA_LENGTH_OFFSET, 257);
        plaintext[SLOT_0] = 7;
        plaintext[PADDING_OFFSET] = 1;
        assertEquals(TokenCheck.BAD_TIMEOUT, decodeSealedPlaintext(plaintext));
        putU32(plaintext, TIMEOUT_OFFSET, 5);
        assertEquals(TokenCheck.BAD_ADDRESS_COUNT, decodeSealedPlaintext(plaintext));
        plaintext[ADDRESS_COUNT_OFFSET] = 2;
        assertEquals(TokenCheck.BAD_USER_DATA_LENGTH, decodeSealedPlaintext(plaintext));
        putU16(plaintext, USER_DATA_LENGTH_OFFSET, 5);
        assertEquals(TokenCheck.BAD_ADDRESS, decodeSealedPlaintext(plaintext));
        plaintext[SLOT_0] = ConnectTokenDescriptor.ADDRESS_TYPE_IPV4;
        assertEquals(TokenCheck.BAD_PADDING, decodeSealedPlaintext(plaintext));
        plaintext[PADDING_OFFSET] = 0;
        assertEquals(TokenCheck.VALID, decodeSealedPlaintext(plaintext));
    }

    @Test
    void shouldRejectTimeoutOutOfRange()
    {
        assertMalformed(TokenCheck.BAD_TIMEOUT, p -> putU32(p, TIMEOUT_OFFSET, 0));
        assertMalformed(TokenCheck.BAD_TIMEOUT, p -> putU32(p, TIMEOUT_OFFSET, 3601));
        assertMalformed(TokenCheck.BAD_TIMEOUT, p -> putU32(p, TIMEOUT_OFFSET, -1));
        assertMalformed(TokenCheck.VALID, p -> putU32(p, TIMEOUT_OFFSET, 3600));
        assertMalformed(TokenCheck.VALID, p -> putU32(p, TIMEOUT_OFFSET, 1));
    }

    @Test
    void shouldRejectAddressCountOutOfRange()
    {
        assertMalformed(TokenCheck.BAD_ADDRESS_COUNT, p -> p[ADDRESS_COUNT_OFFSET] = 0);
        assertMalformed(TokenCheck.BAD_ADDRESS_COUNT, p -> p[ADDRESS_COUNT_OFFSET] = 9);
        assertMalformed(TokenCheck.BAD_ADDRESS_COUNT, p -> p[ADDRESS_COUNT_OFFSET] = (byte)0xFF);
        // One address announced but a second slot filled in.
        assertMalformed(TokenCheck.BAD_PADDING, p -> p[ADDRESS_COUNT_OFFSET] = 1);
        assertMalformed(TokenCheck.VALID, p ->
        {
            p[ADDRESS_COUNT_OFFSET] = 1;
            Arrays.fill(p, SLOT_1, SLOT_2, (byte)0);
        });
    }

    @Test
    void shouldRejectUserDataLengthOverLimit()
    {
        assertMalformed(TokenCheck.BAD_USER_DATA_LENGTH, p -> putU16(p, USER_DATA_LENGTH_OFFSET, 257));
        assertMalformed(TokenCheck.BAD_USER_DATA_LENGTH, p -> putU16(p, USER_DATA_LENGTH_OFFSET, 0xFFFF));
        // Shorter length: the rest of "hello" is now non-zero tail.
        assertMalformed(TokenCheck.BAD_PADDING, p -> putU16(p, USER_DATA_LENGTH_OFFSET, 4));
        assertMalformed(TokenCheck.VALID, p -> putU16(p, USER_DATA_LENGTH_OFFSET, 256));
    }

    @Test
    void shouldRejectBadAddresses()
    {
        assertMalformed(TokenCheck.BAD_ADDRESS, p -> p[SLOT_0] = 0);
        assertMalformed(TokenCheck.BAD_ADDRESS, p -> p[SLOT_0] = 3);
        assertMalformed(TokenCheck.BAD_ADDRESS, p -> p[SLOT_1] = (byte)0x81);
        assertMalformed(TokenCheck.BAD_ADDRESS, p -> p[SLOT_0 + 1] = 1);
        assertMalformed(TokenCheck.BAD_ADDRESS, p -> putU16(p, SLOT_0 + 2, 0));
        assertMalformed(TokenCheck.BAD_ADDRESS, p -> p[SLOT_0 + 8] = 1);
        assertMalformed(TokenCheck.BAD_ADDRESS, p -> p[SLOT_0 + 19] = 1);
        assertMalformed(TokenCheck.BAD_ADDRESS, p ->
        {
            // ::ffff:203.0.113.7 must be written as IPv4.
            Arrays.fill(p, SLOT_1 + 4, SLOT_1 + 20, (byte)0);
            p[SLOT_1 + 14] = (byte)0xFF;
            p[SLOT_1 + 15] = (byte)0xFF;
            p[SLOT_1 + 16] = (byte)203;
        });
        // Type IPv6 over the IPv4 bytes is the distinct, legal address cb00:7107::.
        assertMalformed(TokenCheck.VALID, p -> p[SLOT_0] = ConnectTokenDescriptor.ADDRESS_TYPE_IPV6);
    }

    @Test
    void shouldRejectNonZeroReservedAndPadding()
    {
        assertMalformed(TokenCheck.BAD_PADDING, p -> p[RESERVED_OFFSET] = 1);
        assertMalformed(TokenCheck.BAD_PADDING, p -> p[SLOT_2] = 1);
        assertMalformed(TokenCheck.BAD_PADDING, p -> p[ADDRESSES_OFFSET + 8 * ADDRESS_SLOT_LENGTH - 1] = 1);
        assertMalformed(TokenCheck.BAD_PADDING, p -> p[USER_DATA_OFFSET + 5] = 1);
        assertMalformed(TokenCheck.BAD_PADDING, p -> p[USER_DATA_OFFSET + 255] = 1);
        assertMalformed(TokenCheck.BAD_PADDING, p -> p[PADDING_OFFSET] = 1);
        assertMalformed(TokenCheck.BAD_PADDING, p -> p[PRIVATE_PLAINTEXT_LENGTH - 1] = (byte)0x80);
    }

    @Test
    void shouldBeValidOnlyForListedServerAddresses()
    {
        assertEquals(TokenCheck.VALID, decodeServerPart(serverPart));

        assertTrue(decoder.validFor(SERVER_V4));
        assertTrue(decoder.validFor(SERVER_V6));
        assertTrue(decoder.validFor(address("203.0.113.7", 7777)));
        assertTrue(decoder.validFor(address("2001:0db8:0000::0001", 7778)));

        assertFalse(decoder.validFor(address("203.0.113.7", 7778)), "right IPv4, wrong port");
        assertFalse(decoder.validFor(address("203.0.113.8", 7777)), "wrong IPv4, right port");
        assertFalse(decoder.validFor(address("2001:db8::1", 7777)), "right IPv6, wrong port");
        assertFalse(decoder.validFor(address("2001:db8::2", 7778)), "wrong IPv6, right port");
        assertFalse(decoder.validFor(address("::ffff:203.0.113.8", 7777)), "IPv4-mapped other address");
        assertFalse(decoder.validFor(address("::cb00:7107", 7777)), "IPv4-compatible IPv6 of the same bits");
        assertFalse(decoder.validFor(InetSocketAddress.createUnresolved("203.0.113.7", 7777)), "unresolved");
        assertFalse(decoder.validFor(null));
    }

    @Test
    void shouldForgetTheLastTokenAfterARejection()
    {
        assertEquals(TokenCheck.VALID, decodeServerPart(serverPart));
        assertTrue(decoder.validFor(SERVER_V4));

        assertEquals(TokenCheck.WRONG_LENGTH, decoder.decodeServerPart(serverPart, 0, 10, NOW_MS));
        assertFalse(decoder.isValid());
        assertFalse(decoder.validFor(SERVER_V4));
        assertEquals(0, decoder.clientId());
        assertEquals(0, decoder.roomId());
        assertEquals(0, decoder.serverAddressCount());
        assertEquals(0, decoder.userDataLength());
        assertEquals(0, decoder.expireTimeMs());
        final byte[] key = TokenFixtures.sequence(1, 32);
        decoder.getClientToServerKey(key, 0);
        assertEquals(TokenFixtures.hex(new byte[32]), TokenFixtures.hex(key));

        assertEquals(TokenCheck.VALID, decodeServerPart(serverPart));
        final byte[] corrupt = serverPart.clone();
        corrupt[SERVER_PART_LENGTH - 1] ^= 1;
        assertEquals(TokenCheck.DECRYPT_FAILED, decodeServerPart(corrupt));
        assertFalse(decoder.validFor(SERVER_V4));
        assertEquals(0, decoder.clientId());
    }

    @Test
    void shouldReportWhichRejectionsAreMalformedContents()
    {
        assertFalse(TokenCheck.VALID.isMalformedContents());
        assertFalse(TokenCheck.DECRYPT_FAILED.isMalformedContents());
        assertTrue(TokenCheck.BAD_TIMEOUT.isMalformedContents());
        assertTrue(TokenCheck.BAD_PADDING.isMalformedContents());
    }

    private TokenCheck decodeServerPart(final byte[] bytes)
    {
        return decoder.decodeServerPart(bytes, 0, bytes.length, NOW_MS);
    }

    private TokenCheck decodeRaw(final byte[] sealed, final long protocolId, final long expireTimeMs, final long nowMs)
    {
        return decoder.decode(sealed, 0, sealed.length, protocolId, expireTimeMs, NONCE, 0, nowMs);
    }

    private TokenCheck decodeSealedPlaintext(final byte[] plaintext)
    {
        final byte[] sealed = sealRaw(KEY, plaintext, PROTOCOL_ID, EXPIRE_TIME_MS, NONCE);
        final TokenCheck raw = decodeRaw(sealed, PROTOCOL_ID, EXPIRE_TIME_MS, NOW_MS);
        final byte[] bytes = serverPart.clone();
        System.arraycopy(sealed, 0, bytes, ConnectTokenDescriptor.SEALED_OFFSET, SEALED_LENGTH);
        assertEquals(raw, decodeServerPart(bytes), "both entry points agree");
        assertEquals(raw == TokenCheck.VALID, decoder.isValid());
        return raw;
    }

    private void assertMalformed(final TokenCheck expected, final Consumer<byte[]> corruption)
    {
        final byte[] plaintext = vectorPlaintext();
        corruption.accept(plaintext);
        assertEquals(expected, decodeSealedPlaintext(plaintext));
        if (expected != TokenCheck.VALID)
        {
            assertFalse(decoder.validFor(SERVER_V4));
            assertEquals(0, decoder.clientId());
        }
    }
}
