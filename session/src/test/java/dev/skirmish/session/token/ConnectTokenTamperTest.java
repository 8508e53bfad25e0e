package dev.skirmish.session.token;

import org.junit.jupiter.api.Test;

import static dev.skirmish.session.token.ConnectTokenDescriptor.EXPIRE_TIME_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.NONCE_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PROTOCOL_ID_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SEALED_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SEALED_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_PART_LENGTH;
import static dev.skirmish.session.token.TokenFixtures.EXPIRE_TIME_MS;
import static dev.skirmish.session.token.TokenFixtures.KEY;
import static dev.skirmish.session.token.TokenFixtures.NONCE;
import static dev.skirmish.session.token.TokenFixtures.NOW_MS;
import static dev.skirmish.session.token.TokenFixtures.PROTOCOL_ID;
import static dev.skirmish.session.token.TokenFixtures.serverPart;
import static dev.skirmish.session.token.TokenFixtures.vectorToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No single-bit flip anywhere in the server part, nor in the public fields the AEAD binds, is ever accepted.
 */
class ConnectTokenTamperTest
{
    private final ConnectTokenDecoder decoder = new ConnectTokenDecoder(KEY, PROTOCOL_ID);
    private final byte[] serverPart = serverPart(vectorToken());

    @Test
    void shouldRejectEverySingleBitFlipOfTheServerPart()
    {
        assertEquals(TokenCheck.VALID, decoder.decodeServerPart(serverPart, 0, SERVER_PART_LENGTH, NOW_MS));

        for (int bit = 0; bit < SERVER_PART_LENGTH * Byte.SIZE; bit++)
        {
            final byte[] bytes = serverPart.clone();
            final int index = bit >>> 3;
            bytes[index] ^= (byte)(1 << (bit & 7));

            final TokenCheck check = decoder.decodeServerPart(bytes, 0, SERVER_PART_LENGTH, NOW_MS);
            final String where = "bit " + bit + " (byte " + index + ")";
            if (index < PROTOCOL_ID_OFFSET)
            {
                assertEquals(TokenCheck.BAD_VERSION, check, where);
            }
            else if (index < EXPIRE_TIME_OFFSET)
            {
                assertEquals(TokenCheck.WRONG_PROTOCOL_ID, check, where);
            }
            else if (index < NONCE_OFFSET)
            {
                final long expiry = LittleEndian.getLong(bytes, EXPIRE_TIME_OFFSET);
                assertEquals(NOW_MS > expiry ? TokenCheck.EXPIRED : TokenCheck.DECRYPT_FAILED, check, where);
            }
            else
            {
                assertEquals(TokenCheck.DECRYPT_FAILED, check, where);
            }
            assertFalse(decoder.isValid(), where);
        }

        assertEquals(TokenCheck.VALID, decoder.decodeServerPart(serverPart, 0, SERVER_PART_LENGTH, NOW_MS));
    }

    @Test
    void shouldRejectEverySingleBitFlipOfTheSealedPartAndNonce()
    {
        final byte[] sealed = vectorToken().sealedPrivatePart();
        for (int bit = 0; bit < SEALED_LENGTH * Byte.SIZE; bit++)
        {
            final byte[] bytes = sealed.clone();
            bytes[bit >>> 3] ^= (byte)(1 << (bit & 7));
            assertEquals(TokenCheck.DECRYPT_FAILED,
                decoder.decode(bytes, 0, SEALED_LENGTH, PROTOCOL_ID, EXPIRE_TIME_MS, NONCE, 0, NOW_MS), "bit " + bit);
        }
        for (int bit = 0; bit < NONCE.length * Byte.SIZE; bit++)
        {
            final byte[] nonce = NONCE.clone();
            nonce[bit >>> 3] ^= (byte)(1 << (bit & 7));
            assertEquals(TokenCheck.DECRYPT_FAILED,
                decoder.decode(sealed, 0, SEALED_LENGTH, PROTOCOL_ID, EXPIRE_TIME_MS, nonce, 0, NOW_MS),
                "nonce bit " + bit);
        }
    }

    @Test
    void shouldBindProtocolIdAndExpiryWithTheAead()
    {
        final byte[] sealed = vectorToken().sealedPrivatePart();
        for (int bit = 0; bit < Long.SIZE; bit++)
        {
            // A server whose protocol id equals the tampered one must still refuse: the AEAD binds the original.
            final long protocolId = PROTOCOL_ID ^ (1L << bit);
            final ConnectTokenDecoder otherGame = new ConnectTokenDecoder(KEY, protocolId);
            assertEquals(TokenCheck.DECRYPT_FAILED,
                otherGame.decode(sealed, 0, SEALED_LENGTH, protocolId, EXPIRE_TIME_MS, NONCE, 0, NOW_MS),
                "protocol id bit " + bit);

            final byte[] bytes = serverPart.clone();
            bytes[PROTOCOL_ID_OFFSET + (bit >>> 3)] ^= (byte)(1 << (bit & 7));
            assertEquals(TokenCheck.DECRYPT_FAILED, otherGame.decodeServerPart(bytes, 0, SERVER_PART_LENGTH, NOW_MS),
                "protocol id bit " + bit + " in server part");
            assertFalse(otherGame.isValid());
        }
        for (int bit = 0; bit < Long.SIZE; bit++)
        {
            // Extending (or shortening) the lifetime is refused even when the clock would allow the new expiry.
            final long expireTimeMs = EXPIRE_TIME_MS ^ (1L << bit);
            assertEquals(TokenCheck.DECRYPT_FAILED,
                decoder.decode(sealed, 0, SEALED_LENGTH, PROTOCOL_ID, expireTimeMs, NONCE, 0, Long.MIN_VALUE),
                "expiry bit " + bit);

            final byte[] bytes = serverPart.clone();
            bytes[EXPIRE_TIME_OFFSET + (bit >>> 3)] ^= (byte)(1 << (bit & 7));
            assertEquals(TokenCheck.DECRYPT_FAILED,
                decoder.decodeServerPart(bytes, 0, SERVER_PART_LENGTH, Long.MIN_VALUE),
                "expiry bit " + bit + " in server part");
        }
        assertTrue(SEALED_OFFSET > EXPIRE_TIME_OFFSET);
    }
}
