package dev.skirmish.session.token;

import dev.skirmish.core.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import static dev.skirmish.session.token.TokenFixtures.hex;
import static dev.skirmish.session.token.TokenFixtures.sequence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenKeyTest
{
    private static final byte[] RAW = sequence(0x10, TokenKey.LENGTH);
    private static final String HEX = hex(RAW);

    @TempDir
    Path dir;

    @Test
    void shouldLoadRawKeyFile() throws IOException
    {
        assertEquals(TokenKey.fromBytes(RAW), TokenKey.load(write("raw.key", RAW)));
    }

    @Test
    void shouldLoadHexKeyFileWithOrWithoutNewline() throws IOException
    {
        final TokenKey expected = TokenKey.fromBytes(RAW);
        assertEquals(expected, TokenKey.load(write("a.key", HEX)));
        assertEquals(expected, TokenKey.load(write("b.key", HEX + "\n")));
        assertEquals(expected, TokenKey.load(write("c.key", HEX + "\r\n")));
        assertEquals(expected, TokenKey.load(write("d.key", HEX.toUpperCase())));
        assertEquals(expected, TokenKey.fromHex(HEX));
    }

    @Test
    void shouldNameAMissingFile()
    {
        final Path missing = dir.resolve("nope.key");
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> TokenKey.load(missing));
        assertTrue(ex.getMessage().contains("not found"), ex.getMessage());
        assertTrue(ex.getMessage().contains(missing.toString()), ex.getMessage());
    }

    @Test
    void shouldRejectADirectory()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> TokenKey.load(dir));
        assertTrue(ex.getMessage().contains("not a regular file"), ex.getMessage());
    }

    @Test
    void shouldRejectWrongLengths() throws IOException
    {
        assertWrongLength(write("empty.key", new byte[0]), "0 bytes");
        assertWrongLength(write("31.key", new byte[31]), "31 bytes");
        assertWrongLength(write("33.key", new byte[33]), "33 bytes");
        assertWrongLength(write("63hex.key", HEX.substring(1)), "63 bytes");
        assertWrongLength(write("65hex.key", HEX + "0"), "65 bytes");
        assertWrongLength(write("two-newlines.key", HEX + "\n\n"), "66 bytes");
        assertWrongLength(write("big.key", new byte[4096]), "more than 66 bytes");
    }

    @Test
    void shouldRejectAShortHexKeyThatLooksLikeRawBytes() throws IOException
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> TokenKey.load(write("short-hex.key", HEX.substring(0, 32))));
        assertTrue(ex.getMessage().contains("16-byte key"), ex.getMessage());
    }

    @Test
    void shouldRejectNonHexCharacters() throws IOException
    {
        final String bad = HEX.substring(0, 10) + "g" + HEX.substring(11);
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> TokenKey.load(write("bad.key", bad)));
        assertTrue(ex.getMessage().contains("'g' at offset 10 is not a hex digit"), ex.getMessage());

        final String spaced = HEX.substring(0, 63) + " ";
        final ConfigurationException space = assertThrows(
            ConfigurationException.class, () -> TokenKey.load(write("space.key", spaced)));
        assertTrue(space.getMessage().contains("' ' at offset 63"), space.getMessage());

        final byte[] binary = (HEX + "\n").getBytes(StandardCharsets.US_ASCII);
        binary[0] = (byte)0xC3;
        final ConfigurationException nonAscii = assertThrows(
            ConfigurationException.class, () -> TokenKey.load(write("binary.key", binary)));
        assertTrue(nonAscii.getMessage().contains("byte 0xc3 at offset 0"), nonAscii.getMessage());

        assertThrows(ConfigurationException.class, () -> TokenKey.fromHex(bad));
        assertThrows(ConfigurationException.class, () -> TokenKey.fromHex(HEX.substring(2)));
    }

    @Test
    void shouldRejectWrongByteLength()
    {
        assertThrows(IllegalArgumentException.class, () -> TokenKey.fromBytes(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> TokenKey.fromBytes(null));
    }

    @Test
    void shouldRecogniseTheDevelopmentKey() throws IOException
    {
        assertTrue(TokenKey.DEVELOPMENT.isDevelopmentKey());
        assertTrue(TokenKey.fromHex(TokenKey.DEVELOPMENT_KEY_HEX).isDevelopmentKey());
        assertTrue(TokenKey.load(write("dev.key", TokenKey.DEVELOPMENT_KEY_HEX + "\n")).isDevelopmentKey());
        assertFalse(TokenKey.fromBytes(RAW).isDevelopmentKey());
        assertFalse(TokenKey.generate(new SecureRandom()).isDevelopmentKey());
        assertTrue(TokenKey.DEVELOPMENT.toString().contains("DEVELOPMENT"));
    }

    @Test
    void shouldNotRevealTheKeyInToString()
    {
        final TokenKey key = TokenKey.fromBytes(RAW);
        assertFalse(key.toString().contains(HEX.substring(0, 8)), key.toString());
        assertEquals(16, key.fingerprint().length());
        assertNotEquals(key.fingerprint(), TokenKey.DEVELOPMENT.fingerprint());
        assertEquals(HEX, key.toHex());
    }

    @Test
    void shouldRoundTripAGeneratedKeyThroughAFile() throws IOException
    {
        final TokenKey key = TokenKey.generate(new SecureRandom());
        assertEquals(key, TokenKey.load(write("new.key", key.toHex() + "\n")));
    }

    private void assertWrongLength(final Path file, final String size)
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> TokenKey.load(file));
        assertTrue(ex.getMessage().contains("has " + size) && ex.getMessage().contains("expected 32 raw bytes"),
            ex.getMessage());
    }

    private Path write(final String name, final String text) throws IOException
    {
        return write(name, text.getBytes(StandardCharsets.US_ASCII));
    }

    private Path write(final String name, final byte[] bytes) throws IOException
    {
        return Files.write(dir.resolve(name), bytes);
    }
}
