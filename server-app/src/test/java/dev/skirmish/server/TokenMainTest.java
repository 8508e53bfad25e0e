package dev.skirmish.server;

import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenDecoder;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.TokenCheck;
import dev.skirmish.session.token.TokenKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenMainTest
{
    private final ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
    private final ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(capturedOut, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(capturedErr, true, StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void shouldPrintOneHexLineThatParsesBackWithDefaultsAndDevelopmentKey()
    {
        assertEquals(0, TokenMain.run(out, err, "--client-id=42", "--room=7"), stderr());

        final byte[] bytes = singleLine(HexFormat.of()::parseHex);
        assertEquals(ConnectTokenDescriptor.PUBLIC_TOKEN_LENGTH, bytes.length);
        final ConnectToken token = ConnectToken.parse(bytes);
        assertEquals(TokenMain.PROTOCOL_ID_DEFAULT, token.protocolId());
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7777)), token.serverAddresses());
        assertEquals(TokenMain.TIMEOUT_S_DEFAULT, token.timeoutSeconds());
        assertEquals(TokenMain.EXPIRES_IN_DEFAULT.toMillis(), token.expireTimeMs() - token.createTimeMs());

        final ConnectTokenDecoder decoder =
            new ConnectTokenDecoder(TokenKey.DEVELOPMENT, TokenMain.PROTOCOL_ID_DEFAULT);
        assertEquals(TokenCheck.VALID, decodeServerPart(decoder, bytes));
        assertEquals(42, decoder.clientId());
        assertEquals(7, decoder.roomId());
        assertEquals(0, decoder.userDataLength());

        final String warning = stderr();
        assertTrue(warning.contains("DEVELOPMENT") && warning.contains("production"), warning);
    }

    @Test
    void shouldCarryEveryOptionIntoTheToken()
    {
        assertEquals(0, TokenMain.run(out, err,
            "--client-id=0xffffffffffffffff", "--room=18446744073709551615", "--protocol-id=0x1122334455667788",
            "--server=203.0.113.7:7777", "--server=[2001:db8::1]:7778", "--expires-in=2m", "--timeout-s=60",
            "--user-data=68656C6C6f", "--format=BASE64"), stderr());

        final byte[] bytes = singleLine(Base64.getDecoder()::decode);
        final ConnectToken token = ConnectToken.parse(bytes);
        assertEquals(0x1122334455667788L, token.protocolId());
        assertEquals(List.of(new InetSocketAddress("203.0.113.7", 7777), new InetSocketAddress("2001:db8::1", 7778)),
            token.serverAddresses());
        assertEquals(60, token.timeoutSeconds());
        assertEquals(120_000, token.expireTimeMs() - token.createTimeMs());

        final ConnectTokenDecoder decoder = new ConnectTokenDecoder(TokenKey.DEVELOPMENT, 0x1122334455667788L);
        assertEquals(TokenCheck.VALID, decodeServerPart(decoder, bytes));
        assertEquals(-1L, decoder.clientId());
        assertEquals(-1L, decoder.roomId());
        final byte[] userData = new byte[ConnectTokenDescriptor.MAX_USER_DATA_LENGTH];
        final int userDataLength = decoder.getUserData(userData, 0);
        assertEquals("hello", new String(userData, 0, userDataLength, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldSealWithTheKeyFileSoOnlyThatKeyOpensTheServerPart() throws Exception
    {
        final TokenKey key = TokenKey.generate(new SecureRandom());
        final Path keyFile = dir.resolve("token.key");
        Files.writeString(keyFile, key.toHex() + "\n");

        assertEquals(0, TokenMain.run(out, err, "--token-key", keyFile.toString(), "--client-id=9"), stderr());

        final byte[] bytes = singleLine(HexFormat.of()::parseHex);
        final ConnectTokenDecoder decoder = new ConnectTokenDecoder(key, TokenMain.PROTOCOL_ID_DEFAULT);
        assertEquals(TokenCheck.VALID, decodeServerPart(decoder, bytes));
        assertEquals(9, decoder.clientId());
        assertEquals(TokenCheck.DECRYPT_FAILED, decodeServerPart(
            new ConnectTokenDecoder(TokenKey.DEVELOPMENT, TokenMain.PROTOCOL_ID_DEFAULT), bytes));
        assertFalse(stderr().contains("DEVELOPMENT"), stderr());
    }

    @Test
    void shouldAcceptEightServers()
    {
        assertEquals(0, TokenMain.run(out, err, servers(8, "--client-id=1")), stderr());
        assertEquals(8, ConnectToken.parse(singleLine(HexFormat.of()::parseHex)).serverAddresses().size());
    }

    @Test
    void shouldExitTwoOnNineServers()
    {
        assertBadCommandLine(servers(9, "--client-id=1"));
        assertTrue(stderr().contains("--server"), stderr());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--server=127.0.0.1",
        "--server=127.0.0.1:0",
        "--server=127.0.0.1:70000",
        "--server=::1:7777",
        "--server=no.such.host.invalid:7777",
        "--user-data=abc",
        "--user-data=zz",
        "--client-id=-1",
        "--client-id=0x",
        "--room=18446744073709551616",
        "--protocol-id=0xg",
        "--expires-in=30",
        "--expires-in=0s",
        "--expires-in=500us",
        "--timeout-s=0",
        "--timeout-s=3601",
        "--format=pem",
        "--bogus"})
    void shouldExitTwoOnBadValue(final String arg)
    {
        assertBadCommandLine("--client-id=1", arg);
    }

    @Test
    void shouldExitTwoWithoutClientId()
    {
        assertBadCommandLine("--room=1");
        assertTrue(stderr().contains("--client-id"), stderr());
    }

    @Test
    void shouldExitTwoOnTooMuchUserData()
    {
        assertBadCommandLine(
            "--client-id=1", "--user-data=" + "00".repeat(ConnectTokenDescriptor.MAX_USER_DATA_LENGTH + 1));
    }

    @Test
    void shouldExitTwoOnMissingKeyFile()
    {
        final Path missing = dir.resolve("missing.key");
        assertBadCommandLine("--client-id=1", "--token-key=" + missing);
        assertTrue(stderr().contains(missing.toString()), stderr());
    }

    @Test
    void shouldExitTwoWhenKeyFileIsADirectory()
    {
        assertBadCommandLine("--client-id=1", "--token-key=" + dir);
    }

    @Test
    void shouldExitTwoOnMalformedKeyFile() throws Exception
    {
        final Path keyFile = dir.resolve("short.key");
        Files.writeString(keyFile, "00112233445566778899aabbccddeeff\n");
        assertBadCommandLine("--client-id=1", "--token-key=" + keyFile);
        assertTrue(stderr().contains("short.key"), stderr());
    }

    @Test
    void shouldPrintHelpAndExitZero()
    {
        assertEquals(0, TokenMain.run(out, err, "--help"));
        final String help = capturedOut.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--token-key") && help.contains("--client-id") && help.contains("--expires-in"),
            help);
    }

    private void assertBadCommandLine(final String... args)
    {
        assertEquals(2, TokenMain.run(out, err, args), stderr());
        assertEquals("", capturedOut.toString(StandardCharsets.UTF_8));
        assertTrue(stderr().contains("Usage:"), stderr());
    }

    private static String[] servers(final int count, final String... rest)
    {
        final List<String> args = new ArrayList<>(List.of(rest));
        for (int i = 0; i < count; i++)
        {
            args.add("--server=127.0.0." + (i + 1) + ":" + (7000 + i));
        }
        return args.toArray(new String[0]);
    }

    private byte[] singleLine(final Function<String, byte[]> decode)
    {
        final String stdout = capturedOut.toString(StandardCharsets.UTF_8);
        assertTrue(stdout.endsWith(System.lineSeparator()), stdout);
        final String line = stdout.substring(0, stdout.length() - System.lineSeparator().length());
        assertFalse(line.contains("\n") || line.contains("\r"), "more than one line on stdout: " + stdout);
        return decode.apply(line);
    }

    private static TokenCheck decodeServerPart(final ConnectTokenDecoder decoder, final byte[] publicToken)
    {
        final byte[] request = new byte[8 + ConnectTokenDescriptor.SERVER_PART_LENGTH];
        final int length = ConnectToken.parse(publicToken).getServerPart(request, 8);
        assertEquals(ConnectTokenDescriptor.SERVER_PART_LENGTH, length);
        assertArrayEquals(
            Arrays.copyOf(publicToken, ConnectTokenDescriptor.SERVER_PART_LENGTH),
            Arrays.copyOfRange(request, 8, request.length));
        return decoder.decodeServerPart(request, 8, length, System.currentTimeMillis());
    }

    private String stderr()
    {
        return capturedErr.toString(StandardCharsets.UTF_8);
    }
}
