package dev.skirmish.session.token;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.skirmish.session.token.ConnectTokenDescriptor.PRIVATE_PLAINTEXT_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_PART_LENGTH;
import static dev.skirmish.session.token.TokenFixtures.ASSOCIATED_DATA_HEX;
import static dev.skirmish.session.token.TokenFixtures.EXPIRE_TIME_MS;
import static dev.skirmish.session.token.TokenFixtures.KEY;
import static dev.skirmish.session.token.TokenFixtures.NONCE;
import static dev.skirmish.session.token.TokenFixtures.PLAINTEXT_HEAD_HEX;
import static dev.skirmish.session.token.TokenFixtures.PROTOCOL_ID;
import static dev.skirmish.session.token.TokenFixtures.PUBLIC_TAIL_HEX;
import static dev.skirmish.session.token.TokenFixtures.SEALED_HEX;
import static dev.skirmish.session.token.TokenFixtures.hex;
import static dev.skirmish.session.token.TokenFixtures.unhex;
import static dev.skirmish.session.token.TokenFixtures.vectorPlaintext;
import static dev.skirmish.session.token.TokenFixtures.vectorToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented test vector, byte for byte. The expected bytes come from an independent implementation of the
 * documented layout, and the same hex must appear in session/docs/connect-token.md.
 */
class ConnectTokenVectorTest
{
    private static final Path DOC = Path.of("docs", "connect-token.md");

    @Test
    void shouldSealTheVectorByteForByte()
    {
        final ConnectToken token = vectorToken();

        assertEquals(ASSOCIATED_DATA_HEX, hex(ConnectTokenGenerator.associatedData(PROTOCOL_ID, EXPIRE_TIME_MS)));
        assertEquals(SEALED_HEX, hex(token.sealedPrivatePart()));
        assertEquals(ASSOCIATED_DATA_HEX + hex(NONCE) + SEALED_HEX + PUBLIC_TAIL_HEX, hex(token.toBytes()));
    }

    @Test
    void shouldHaveTheDocumentedPlaintext()
    {
        final byte[] plaintext = vectorPlaintext();
        final int head = PLAINTEXT_HEAD_HEX.length() / 2;

        assertEquals(PRIVATE_PLAINTEXT_LENGTH, plaintext.length);
        assertEquals(PLAINTEXT_HEAD_HEX, hex(Arrays.copyOf(plaintext, head)));
        assertEquals(
            hex(new byte[PRIVATE_PLAINTEXT_LENGTH - head]), hex(Arrays.copyOfRange(plaintext, head, plaintext.length)));
    }

    @Test
    void shouldDecodeTheVectorFromItsBytes()
    {
        final byte[] token = unhex(ASSOCIATED_DATA_HEX + hex(NONCE) + SEALED_HEX + PUBLIC_TAIL_HEX);
        final ConnectTokenDecoder decoder = new ConnectTokenDecoder(KEY, PROTOCOL_ID);

        assertEquals(TokenCheck.VALID, decoder.decodeServerPart(token, 0, SERVER_PART_LENGTH, EXPIRE_TIME_MS));
        assertEquals(TokenFixtures.CLIENT_ID, decoder.clientId());
        assertEquals(TokenFixtures.ROOM_ID, decoder.roomId());
        assertEquals(TokenFixtures.TIMEOUT_SECONDS, decoder.timeoutSeconds());
        assertTrue(decoder.validFor(TokenFixtures.SERVER_V4));
        assertTrue(decoder.validFor(TokenFixtures.SERVER_V6));
        assertEquals(TokenFixtures.SERVERS, ConnectToken.parse(token).serverAddresses());
    }

    @Test
    void shouldMatchTheVectorInTheDocumentation() throws IOException
    {
        final String doc = Files.readString(DOC, StandardCharsets.UTF_8).replaceAll("\\s+", "");

        assertTrue(doc.contains(ASSOCIATED_DATA_HEX), "associated data hex in " + DOC.toAbsolutePath());
        assertTrue(doc.contains(PLAINTEXT_HEAD_HEX), "plaintext hex in " + DOC.toAbsolutePath());
        assertTrue(doc.contains(SEALED_HEX), "sealed hex in " + DOC.toAbsolutePath());
        assertTrue(doc.contains(PUBLIC_TAIL_HEX), "public token tail hex in " + DOC.toAbsolutePath());
        assertTrue(doc.contains(TokenKey.DEVELOPMENT_KEY_HEX), "development key in " + DOC.toAbsolutePath());
    }
}
