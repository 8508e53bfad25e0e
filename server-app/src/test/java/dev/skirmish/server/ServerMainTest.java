package dev.skirmish.server;

import dev.skirmish.core.DurationParser;
import dev.skirmish.core.test.UdpTestClient;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.server.SessionServerConfig;
import dev.skirmish.session.token.TokenKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerMainTest
{
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(capturedErr, true, StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {
        "--bogus",
        "--workers=0",
        "--port=70000",
        "--mode=bogus",
        "--pin-cpus=a,b",
        "--batch=0",
        "--transport=dpdk",
        "--duration=soon",
        "--bind=no.such.host.invalid",
        "--io-threads=-1",
        "--token-key=/no/such/skirmish.key",
        "--protocol-id=0xZZ",
        "--protocol-id=-1",
        "--public-address=127.0.0.1",
        "--public-address=no.such.host.invalid:7777",
        "--max-sessions=0",
        "--max-sessions=16777217",
        "--max-pending-sessions=0",
        "--used-token-capacity=10",
        "--max-auth-failures=0",
        "--keepalive-interval=0ms",
        "--keepalive-interval=100",
        "--timer-tick=50us",
        "--timer-tick=2s",
        "--handshake-load-threshold=-1",
        "--max-datagram=1199",
        "--tick-hz=9",
        "--tick-hz=129",
        "--room-capacity=0",
        "--room-capacity=65",
        "--room-mode=battle-royale",
        "--frame-redundancy=16",
        "--missing-input=guess",
        "--input-window=48",
        "--history-frames=1000",
        "--empty-room-grace=-1s",
        "--stall-budget=soon",
        "--stalls-before-close=0",
        "--auto-create-rooms=maybe",
        "--shutdown-timeout=0s",
        "--port=-1",
        "--config=/no/such/skirmish.properties",
        "--aead-suite=rot13",
        "--aead-suite=aes-128-gcm"})
    void shouldExitTwoOnBadCommandLineOrConfiguration(final String arg)
    {
        assertEquals(2, ServerMain.run(out, err, arg, "--port=0"), stderr());
        assertFalse(stderr().isBlank(), "a message on stderr");
    }

    @Test
    void shouldExitTwoNamingTheFileWhenTokenKeyFileIsMissing()
    {
        final Path missing = dir.resolve("missing.key");
        assertEquals(2, ServerMain.run(out, err, "--token-key=" + missing, "--port=0"));
        assertTrue(stderr().contains("--token-key") && stderr().contains(missing.toString()) &&
            stderr().contains("not found"), stderr());
        assertFalse(stdout().contains("effective configuration"), "stops before starting: " + stdout());
    }

    @Test
    void shouldExitTwoNamingTheFileWhenTokenKeyIsNotHex() throws Exception
    {
        final Path bad = Files.writeString(dir.resolve("bad.key"), "zz".repeat(TokenKey.LENGTH) + "\n");
        assertEquals(2, ServerMain.run(out, err, "--token-key=" + bad, "--port=0"));
        assertTrue(stderr().contains("--token-key") && stderr().contains(bad.toString()) &&
            stderr().contains("not a hex digit"), stderr());
    }

    @Test
    void shouldExitTwoNamingTheFlagWhenMaxSessionsIsZero()
    {
        assertEquals(2, ServerMain.run(out, err, "--max-sessions", "0", "--port=0"));
        assertTrue(stderr().contains("invalid configuration: --max-sessions: maxSessions must be in"), stderr());
    }

    @Test
    void shouldExitTwoListingTheSuitesWhenAeadSuiteIsUnknown()
    {
        assertEquals(2, ServerMain.run(out, err, "--aead-suite", "rot13", "--port=0"));
        assertTrue(stderr().contains("--aead-suite") &&
            stderr().contains("expected one of aes-256-gcm, aes-128-gcm, chacha20-poly1305, got 'rot13'"), stderr());
        assertFalse(stdout().contains("effective configuration"), "stops before starting: " + stdout());
    }

    @Test
    void shouldExitTwoNamingTheFlagWhenAeadSuiteCannotTakeTokenKeys()
    {
        assertEquals(2, ServerMain.run(out, err, "--aead-suite", "aes-128-gcm", "--port=0"));
        assertTrue(stderr().contains(
            "invalid configuration: --aead-suite: aeadSuite must take the token's 32-byte keys, AES_128_GCM takes 16"),
            stderr());
        assertFalse(stdout().contains("effective configuration"), "stops before starting: " + stdout());
    }

    @Test
    void shouldAcceptAeadSuiteAndShowItInTheEffectiveConfiguration()
    {
        assertEquals(0, ServerMain.run(out, err, "--mode=session", "--aead-suite", "chacha20-poly1305",
            "--bind=127.0.0.1", "--metrics-port=0", "--port=0", "--duration=300ms", "--stats-interval=0s"), stderr());
        assertTrue(stdout().contains("    aeadSuite=CHACHA20_POLY1305\n"), stdout());

        captured.reset();
        assertEquals(0, ServerMain.run(out, err, "--mode=session", "--aead-suite=AES-256-GCM",
            "--bind=127.0.0.1", "--metrics-port=0", "--port=0", "--duration=300ms", "--stats-interval=0s"), stderr());
        assertTrue(stdout().contains("    aeadSuite=AES_256_GCM\n"), stdout());
    }

    @Test
    void shouldDescribeTheSessionDefaultsOfSessionServerConfig()
    {
        assertEquals(AeadSuite.DEFAULT, new ServerMain.AeadSuiteConverter().convert(ServerMain.AEAD_SUITE_DEFAULT_TEXT));
        final SessionServerConfig defaults = new SessionServerConfig();
        assertEquals(defaults.keepaliveIntervalNs(),
            DurationParser.parse(ServerMain.KEEPALIVE_INTERVAL_DEFAULT_TEXT).toNanos());
        assertEquals(defaults.timerTickNs(), DurationParser.parse(ServerMain.TIMER_TICK_DEFAULT_TEXT).toNanos());
        assertEquals(SessionServerConfig.PROTOCOL_ID_DEFAULT,
            Long.decode(ServerMain.PROTOCOL_ID_DEFAULT_TEXT).longValue());
        assertEquals(SessionServerConfig.PROTOCOL_ID_DEFAULT, TokenMain.PROTOCOL_ID_DEFAULT);

        assertEquals(0, ServerMain.run(out, err, "--help"));
        final String help = stdout().replaceAll("\\s+", " ");
        for (final String flag : ServerMain.SESSION_FLAGS)
        {
            assertTrue(help.contains(flag), flag + " in " + help);
        }
        assertTrue(help.contains("Default: rooms."), help);
        for (final String flag : RoomOptions.ROOM_FLAGS)
        {
            assertTrue(help.contains(flag), flag + " in " + help);
        }
        assertTrue(help.contains("Default: " + defaults.maxSessions() + "."), help);
        assertTrue(help.contains("Default: " + defaults.handshakeLoadThresholdPerSecond() + "."), help);
    }

    @Test
    void shouldExitTwoNamingTheFlagWhenTickRateIsOutOfRange()
    {
        assertEquals(2, ServerMain.run(out, err, "--tick-hz=200", "--port=0"));
        assertTrue(stderr().contains("invalid configuration: --tick-hz: tickRateHz must be in [10, 128]: 200"),
            stderr());
        assertFalse(stdout().contains("effective configuration"), "stops before starting: " + stdout());
    }

    @Test
    void shouldRunRoomsModeByDefaultWithTheRoomFlagsInTheEffectiveConfiguration()
    {
        assertEquals(0, ServerMain.run(out, err, "--bind=127.0.0.1", "--metrics-port=0", "--port=0",
            "--duration=500ms", "--stats-interval=0s", "--tick-hz=60", "--room-capacity=4", "--missing-input=repeat",
            "--frame-redundancy=5", "--stall-budget=50ms", "--empty-room-grace=3s"), stderr());
        final String output = stdout();
        assertTrue(output.contains(", mode rooms)\n"), output);
        assertTrue(output.contains("  rooms:\n    tickRateHz=60\n    capacity=4\n    mode=FRAME_SYNC\n"), output);
        assertTrue(output.contains("    redundancy=5\n") && output.contains("    missingInputPolicy=REPEAT_LAST\n") &&
            output.contains("    tickBudgetNs=50000000\n") && output.contains("    emptyRoomGraceNs=3000000000\n"),
            output);
        assertTrue(output.contains("  sources: command line --bind --metrics-port --port --duration"), output);
    }

    @Test
    void shouldTakeDefaultsFromTheConfigFileWithTheCommandLineWinning() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("server.properties"),
            "# battle server\ntick-hz=60\nroom-capacity=4\nmissing-input=repeat\n");
        assertEquals(0, ServerMain.run(out, err, "--config=" + file, "--room-capacity=6", "--bind=127.0.0.1",
            "--metrics-port=0", "--port=0", "--duration=300ms", "--stats-interval=0s"), stderr());
        final String output = stdout();
        assertTrue(output.contains("    tickRateHz=60\n    capacity=6\n") &&
            output.contains("    missingInputPolicy=REPEAT_LAST\n"), output);
        assertTrue(output.contains("; " + file + " missing-input tick-hz; everything else default"), output);
    }

    @Test
    void shouldExitTwoNamingTheKeyOfAnUnknownOrBadConfigFileEntry() throws Exception
    {
        final Path unknown = Files.writeString(dir.resolve("unknown.properties"), "tick-rate=60\n");
        assertEquals(2, ServerMain.run(out, err, "--config", unknown.toString(), "--port=0"));
        assertTrue(stderr().contains("unknown key 'tick-rate'") && stderr().contains(unknown.toString()), stderr());

        final Path notInt = Files.writeString(dir.resolve("notint.properties"), "tick-hz=fast\n");
        assertEquals(2, ServerMain.run(out, err, "--config=" + notInt, "--port=0"));
        assertTrue(stderr().contains("--config " + notInt + ": key tick-hz: "), stderr());

        final Path outOfRange = Files.writeString(dir.resolve("range.properties"), "tick-hz=5\n");
        assertEquals(2, ServerMain.run(out, err, "--config=" + outOfRange, "--port=0"));
        assertTrue(stderr().contains("--tick-hz: tickRateHz must be in [10, 128]: 5 (key tick-hz in " +
            outOfRange + ")"), stderr());
        assertFalse(stdout().contains("effective configuration"), stdout());
    }

    @Test
    void shouldNoteRoomFlagsInOtherModes()
    {
        assertEquals(0, ServerMain.run(out, err, "--mode=echo", "--bind=127.0.0.1", "--metrics-port=0", "--port=0",
            "--duration=200ms", "--stats-interval=0s", "--tick-hz=60"), stderr());
        assertTrue(stderr().contains("note: room flags have no effect in mode echo: --tick-hz"), stderr());
    }

    @Test
    void shouldPrintHelpAndExitZero()
    {
        assertEquals(0, ServerMain.run(out, "--help"));
        final String help = captured.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--io-threads") && help.contains("--batch") && help.contains("--pin-cpus"), help);
    }

    @Test
    void shouldServeEchoUntilDurationThenExitZeroWithCounters() throws Exception
    {
        final int port;
        try (DatagramSocket probe = new DatagramSocket(0))
        {
            port = probe.getLocalPort();
        }
        final CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ServerMain.run(out, err,
            "--mode=echo", "--bind=127.0.0.1", "--metrics-port=0", "--port=" + port, "--duration=2s", "--stats-interval=0s",
            "--max-sessions=5"));

        boolean echoed = false;
        try (UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", port)))
        {
            for (int i = 0; i < 50 && !echoed; i++)
            {
                final ByteBuffer request = UdpTestClient.echoDatagram(1, 7, 32);
                client.send(request);
                echoed = request.equals(client.receive(100));
            }
        }
        assertTrue(echoed, "server answered within 5 s of starting: " + captured.toString(StandardCharsets.UTF_8));
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        final String output = captured.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("effective configuration") && output.contains("workers=1"), output);
        assertTrue(output.contains("datagrams_out"), output);
        assertFalse(output.contains("  session:\n") || output.contains("sessions at stop") ||
            output.contains("session listener"), "no session settings or counts in echo mode: " + output);
        assertTrue(stderr().contains("note: session flags have no effect in mode echo: --max-sessions\n"), stderr());
        assertFalse(stderr().contains("DEVELOPMENT"), stderr());
    }

    @Test
    void shouldRunSessionModeWithDevelopmentKeyWarningUntilDuration()
    {
        assertEquals(0, ServerMain.run(out, err, "--mode=session",
            "--bind=127.0.0.1", "--metrics-port=0", "--port=0", "--duration=1s", "--stats-interval=300ms", "--max-sessions=64"));
        final String output = stdout();
        assertTrue(output.contains(", mode session)\n"), output);
        assertTrue(output.contains("  session:\n    tokenKey=DEVELOPMENT (not for production)\n"), output);
        assertTrue(output.contains("    protocolId=0x534b0001\n") && output.contains("    maxSessions=64\n") &&
            output.contains("    maxPendingSessions=1024\n") && output.contains("    keepaliveIntervalMs=100\n") &&
            output.contains("    timerTickUs=10000\n") && output.contains("    handshakeLoadThresholdPerSecond=2000\n"),
            output);
        assertTrue(output.contains("accepting tokens for [/127.0.0.1:"), output);
        assertTrue(output.contains("sessions at stop (before the shutdown closes them):\n  open 0\n  pending 0\n"),
            output);
        assertTrue(output.contains("session listener (echo):\n  connected 0\n"), output);
        assertTrue(stderr().contains("WARNING: using the public DEVELOPMENT token key") &&
            stderr().contains("NEVER use it in production"), stderr());
        assertTrue(stderr().contains("| sessions open 0 (pending 0) |"), stderr());
    }

    @Test
    void shouldUseTheGivenTokenKeyAndSessionFlagsWithoutWarning() throws Exception
    {
        final TokenKey key = TokenKey.generate(new SecureRandom());
        final Path file = Files.writeString(dir.resolve("server.key"), key.toHex() + "\n");
        assertEquals(0, ServerMain.run(out, err, "--mode", "session", "--token-key", file.toString(),
            "--bind=127.0.0.1", "--metrics-port=0", "--port=0", "--duration=500ms", "--stats-interval=0s", "--protocol-id=77",
            "--public-address=127.0.0.1:9999", "--public-address=[::1]:9999", "--max-pending-sessions=8",
            "--used-token-capacity=16", "--max-auth-failures=3", "--keepalive-interval=250ms", "--timer-tick=5ms",
            "--handshake-load-threshold=0"), stderr());
        final String output = stdout();
        assertTrue(output.contains("    tokenKey=" + key.fingerprint() + "\n"), output);
        assertTrue(output.contains("    protocolId=0x4d\n") && output.contains("    maxPendingSessions=8\n") &&
            output.contains("    usedTokenCapacity=16\n") && output.contains("    maxAuthFailures=3\n") &&
            output.contains("    keepaliveIntervalMs=250\n") && output.contains("    timerTickUs=5000\n") &&
            output.contains("    handshakeLoadThresholdPerSecond=0\n"), output);
        assertTrue(output.contains("accepting tokens for [/127.0.0.1:9999, /[0:0:0:0:0:0:0:1]:9999]"), output);
        assertFalse(stderr().contains("DEVELOPMENT"), stderr());
    }

    private String stdout()
    {
        return captured.toString(StandardCharsets.UTF_8);
    }

    private String stderr()
    {
        return capturedErr.toString(StandardCharsets.UTF_8);
    }
}
