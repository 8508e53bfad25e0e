package dev.skirmish.sim.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.sim.BotsMain;
import dev.skirmish.sim.results.JsonReader;
import dev.skirmish.sim.RunReport;
import dev.skirmish.sim.cli.U64Converter;
import dev.skirmish.sim.results.ReportPage;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.server.ServerSession;
import dev.skirmish.session.server.SessionListener;
import dev.skirmish.session.server.SessionServer;
import dev.skirmish.session.server.SessionServerConfig;
import dev.skirmish.session.token.TokenKey;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session mode end to end: the bots against a real session server in this JVM, on loopback, whose listener echoes
 * every payload to its session.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SessionModeTest
{
    private static final long SERVER_CLOSE_WAIT_MS = 5_000;

    @TempDir
    Path tempDir;

    private final AtomicInteger connectedSessions = new AtomicInteger();
    private final Map<DisconnectReason, AtomicInteger> closedSessions = new EnumMap<>(DisconnectReason.class);
    private SessionServer server;

    @AfterEach
    void closeServer()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldConnectEveryBotPingAndWriteReport() throws Exception
    {
        startServer(new SessionServerConfig());
        final Path report = tempDir.resolve("session");

        // a generous ping timeout: on a loaded 2-core box a late echo must not count as lost
        final Outcome outcome = bots("--clients", "20", "--warmup", "500ms", "--duration", "1500ms",
            "--timeout", "3s", "--server", address(), "--report", report.toString(), "--label", "session test");

        assertEquals(BotsMain.EXIT_OK, outcome.exitCode, outcome.err);
        final Map<String, Object> summary = readSummary(report);
        assertEquals("session", summary.get("mode"));
        assertEquals(20L, count(summary, "bots"));
        assertEquals(20L, count(summary, "connected"));
        assertEquals(0L, count(summary, "failed"));
        assertEquals(0L, count(summary, "disconnectedUnexpectedly"));

        final Map<String, Object> connect = object(summary, "connectUs");
        assertEquals(20L, count(connect, "count"));
        assertTrue(decimal(connect, "p50") > 0.0 && decimal(connect, "p50") <= decimal(connect, "max"), "" + connect);

        // 20 bots at 30 Hz for 1.5 s: 900 pings scheduled; a loaded box sends fewer on time (timer lag), never
        // loses any on loopback
        final long received = count(summary, "received");
        assertTrue(received > 200, "received " + received);
        assertEquals(0L, count(summary, "lost"), "" + summary);
        assertEquals(count(summary, "sent"), received);
        final Map<String, Object> rtt = object(summary, "rttUs");
        assertEquals(received, count(rtt, "count"));
        assertTrue(decimal(rtt, "p50") > 0.0 && decimal(rtt, "p50") <= decimal(rtt, "max"), "" + rtt);

        final Map<String, Object> config = object(summary, "config");
        assertEquals(20L, count(config, "clients"));
        assertEquals(4L, count(config, "roomSize"));
        assertEquals(5L, count(config, "rooms"));
        assertEquals(30L, count(config, "rateHz"));
        assertEquals("development", config.get("tokenKey"));
        assertEquals(U64Converter.toHex(SessionServerConfig.PROTOCOL_ID_DEFAULT), config.get("protocolId"));
        assertEquals("chacha20-poly1305", config.get("aeadSuite"), "AeadSuite.DEFAULT");

        for (final String file : new String[]{ RunReport.HGRM_FILE, RunReport.HLOG_FILE,
            SessionReport.CONNECT_HGRM_FILE, ReportPage.FILE })
        {
            assertTrue(Files.size(report.resolve(file)) > 0, file);
        }
        assertTrue(Files.readString(report.resolve(SessionReport.CONNECT_HGRM_FILE))
            .matches("(?s).*Total count\\s*=\\s*20\\b.*"));

        assertEquals(1, outcome.err.lines().filter((line) -> line.contains("public development key")).count(),
            outcome.err);
        assertTrue(outcome.err.contains("connected 20 of 20 bots"), outcome.err);
        assertTrue(outcome.err.contains("pings/s"), "progress lines on stderr: " + outcome.err);
        assertTrue(outcome.out.contains("20 connected, 0 failed, 0 disconnected unexpectedly"), outcome.out);

        assertEquals(20, connectedSessions.get());
        awaitClosed(DisconnectReason.CLIENT_REQUEST, 20);
    }

    @Test
    void shouldConnectWithKeyFileAndFailWithAnotherKey() throws Exception
    {
        final TokenKey serverKey = TokenKey.generate(new SecureRandom());
        final Path serverKeyFile = Files.writeString(tempDir.resolve("server.key"), serverKey.toHex() + "\n");
        final Path otherKeyFile = Files.writeString(
            tempDir.resolve("other.key"), TokenKey.generate(new SecureRandom()).toHex());
        startServer(new SessionServerConfig().tokenKey(serverKey));

        final Outcome good = bots("--clients", "3", "--token-key", serverKeyFile.toString(), "--warmup", "0s",
            "--duration", "300ms", "--server", address(), "--report", tempDir.resolve("good").toString());
        assertEquals(BotsMain.EXIT_OK, good.exitCode, good.err);
        assertFalse(good.err.contains("development key"), good.err);
        assertEquals(3L, count(readSummary(tempDir.resolve("good")), "connected"));

        final Path badReport = tempDir.resolve("bad");
        final Outcome bad = bots("--clients", "3", "--token-key", otherKeyFile.toString(), "--connect-timeout",
            "300ms", "--warmup", "0s", "--duration", "300ms", "--server", address(), "--report", badReport.toString());
        assertEquals(BotsMain.EXIT_FAILED, bad.exitCode, bad.err);
        assertTrue(bad.err.contains("no bot connected to " + address()), bad.err);
        final Map<String, Object> summary = readSummary(badReport);
        assertEquals(0L, count(summary, "connected"));
        assertEquals(3L, count(summary, "failed"));
        assertEquals(3L, count(object(summary, "failedBy"), "CONNECT_TIMEOUT"));
        assertEquals(null, object(summary, "connectUs").get("p50"));
    }

    @Test
    void shouldConnectWithTheServersAeadSuiteAndFailWithAnother() throws Exception
    {
        startServer(new SessionServerConfig().aeadSuite(AeadSuite.AES_256_GCM));

        final Path goodReport = tempDir.resolve("aes");
        final Outcome good = bots("--mode", "session", "--clients", "3", "--aead-suite", "aes-256-gcm",
            "--warmup", "0s", "--duration", "300ms", "--server", address(), "--report", goodReport.toString());
        assertEquals(BotsMain.EXIT_OK, good.exitCode, good.err);
        final Map<String, Object> summary = readSummary(goodReport);
        assertEquals(3L, count(summary, "connected"));
        assertEquals("aes-256-gcm", object(summary, "config").get("aeadSuite"));

        // the suite is not negotiated: the server cannot open the default suite's packets, so nobody connects
        final Outcome bad = bots("--mode", "session", "--clients", "2", "--connect-timeout", "300ms",
            "--warmup", "0s", "--duration", "300ms", "--server", address(), "--report",
            tempDir.resolve("chacha").toString());
        assertEquals(BotsMain.EXIT_FAILED, bad.exitCode, bad.err);
        assertEquals(0L, count(readSummary(tempDir.resolve("chacha")), "connected"));
    }

    @Test
    void shouldToleratePermittedFailures() throws Exception
    {
        // one session fewer than bots: the last bot is denied SERVER_FULL
        startServer(new SessionServerConfig().maxSessions(3));

        final Outcome strict = bots("--clients", "4", "--warmup", "0s", "--duration", "300ms",
            "--server", address(), "--report", tempDir.resolve("strict").toString());
        assertEquals(BotsMain.EXIT_FAILED, strict.exitCode, strict.err);
        assertTrue(strict.err.contains("more than --max-failures 0"), strict.err);
        final Map<String, Object> summary = readSummary(tempDir.resolve("strict"));
        assertEquals(3L, count(summary, "connected"));
        assertEquals(1L, count(object(summary, "failedBy"), "DENIED_SERVER_FULL"));

        awaitClosed(DisconnectReason.CLIENT_REQUEST, 3);
        final Outcome lenient = bots("--clients", "4", "--max-failures", "1", "--warmup", "0s", "--duration",
            "300ms", "--server", address(), "--report", tempDir.resolve("lenient").toString());
        assertEquals(BotsMain.EXIT_OK, lenient.exitCode, lenient.err);
    }

    @Test
    void shouldPingOnAReliableChannelThroughAnImpairedNetworkWithoutLoss() throws Exception
    {
        startServer(new SessionServerConfig());
        final Path report = tempDir.resolve("impaired");

        final Outcome outcome = bots("--clients", "8", "--warmup", "300ms", "--duration", "1500ms",
            "--channel", "2", "--impair", "loss=10%,delay=5ms", "--seed", "42", "--timeout", "5s",
            "--server", address(), "--report", report.toString());

        assertEquals(BotsMain.EXIT_OK, outcome.exitCode, outcome.err);
        assertTrue(outcome.err.contains("impairment loss=10%,delay=5ms both ways, seed 42"), outcome.err);
        final Map<String, Object> summary = readSummary(report);
        final long sent = count(summary, "sent");
        assertTrue(sent > 200, "sent " + sent);
        assertEquals(0L, count(summary, "lost"), "a reliable channel loses nothing: " + summary);
        assertEquals(sent, count(summary, "received"));
        final Map<String, Object> rtt = object(summary, "rttUs");
        assertTrue(decimal(rtt, "p50") >= 10_000.0, "two 5 ms legs: " + rtt);
        final Map<String, Object> config = object(summary, "config");
        assertEquals(2L, count(config, "channel"));
        assertEquals("loss=10%,delay=5ms", config.get("impairment"));
        assertEquals(42L, count(config, "seed"));
    }

    @Test
    void shouldRebindEveryBotMidSessionAndLoseNothingOnAReliableChannel() throws Exception
    {
        startServer(new SessionServerConfig());
        final Path report = tempDir.resolve("rebind");

        // 2.5 s of run: each bot's first rebind is due at 500 ms + its jitter (< 500 ms), then one every 500 ms
        final Outcome outcome = bots("--clients", "8", "--warmup", "300ms", "--duration", "2200ms",
            "--channel", "2", "--impair", "rebind=500ms", "--seed", "42", "--timeout", "3s",
            "--server", address(), "--report", report.toString());

        assertEquals(BotsMain.EXIT_OK, outcome.exitCode, outcome.err);
        final Map<String, Object> summary = readSummary(report);
        final String detail = summary + "\n" + outcome.err + outcome.out;
        assertEquals("rebind=500ms", object(summary, "config").get("impairment"));
        assertEquals(8L, count(summary, "connected"), detail);
        assertEquals(0L, count(summary, "disconnectedUnexpectedly"), detail);
        assertEquals(0L, count(summary, "rebindFailures"), detail);
        assertTrue(count(summary, "rebindsPerBotMin") >= 2, detail);
        final long rebinds = count(summary, "rebinds");
        assertTrue(rebinds >= 8 * 2 && rebinds <= 8 * 6, detail);

        // echoes sent to the old port before the server moved are resent to the new one
        final long sent = count(summary, "sent");
        assertTrue(sent > 200, detail);
        assertEquals(0L, count(summary, "lost"), detail);
        assertEquals(sent, count(summary, "received"), detail);

        final long migrations = server.counters().get(Counter.MIGRATIONS);
        assertTrue(migrations >= rebinds - 2 && migrations <= rebinds, "migrations " + migrations + "; " + detail);
        assertTrue(outcome.out.contains("rebinds      " + rebinds + " to a new local port"), outcome.out);
        awaitClosed(DisconnectReason.CLIENT_REQUEST, 8);
    }

    @ParameterizedTest
    @ValueSource(strings = { "--impair=loss=200%", "--impair=60%=wifi|30%=4g", "--impair=70%=wifi|4g",
        "--impair=wifi|loss=200%", "--channel=4", "--payload=1300", "--aead-suite=rot13" })
    void shouldExitTwoOnBadChannelSettings(final String flag) throws Exception
    {
        final Outcome outcome = bots(flag, "--report", tempDir.resolve("never").toString());

        assertEquals(BotsMain.EXIT_USAGE, outcome.exitCode, outcome.err);
        final String option = flag.substring(0, flag.indexOf('='));
        assertTrue(outcome.err.lines().findFirst().orElse("").startsWith(option), outcome.err);
    }

    @ParameterizedTest
    @ValueSource(strings = { "missing.key", "short.key" })
    void shouldExitTwoOnBadTokenKey(final String name) throws Exception
    {
        final Path keyFile = tempDir.resolve(name);
        if (name.startsWith("short"))
        {
            Files.writeString(keyFile, "abcd\n");
        }
        final Path report = tempDir.resolve("never");

        final Outcome outcome = bots("--token-key", keyFile.toString(), "--report", report.toString());

        assertEquals(BotsMain.EXIT_USAGE, outcome.exitCode, outcome.err);
        final String firstLine = outcome.err.lines().findFirst().orElse("");
        assertTrue(firstLine.startsWith("--token-key: ") && firstLine.contains(keyFile.toString()), outcome.err);
        assertFalse(Files.exists(report), "no report for a usage error");
    }

    @Test
    void shouldBindOneLoopbackAddressPerBot()
    {
        assertEquals("127.1.0.1", SessionRun.sourceAddress(0).getHostAddress());
        assertEquals("127.1.1.0", SessionRun.sourceAddress(255).getHostAddress());
        assertEquals("127.1.39.16", SessionRun.sourceAddress(BotsMain.MAX_CLIENTS - 1).getHostAddress());
        assertTrue(SessionRun.sourceAddress(BotsMain.MAX_CLIENTS - 1).isLoopbackAddress());
    }

    @Test
    void shouldDefaultToTheServersProtocolId()
    {
        assertEquals(SessionServerConfig.PROTOCOL_ID_DEFAULT, U64Converter.parse(BotsMain.PROTOCOL_ID_DEFAULT_TEXT));
    }

    private void startServer(final SessionServerConfig config) throws InterruptedException
    {
        for (final DisconnectReason reason : DisconnectReason.values())
        {
            closedSessions.put(reason, new AtomicInteger());
        }
        server = SessionServer.launch(
            new SkirmishContext().bindAddress("127.0.0.1").port(0),
            config,
            (worker, sessions) -> new SessionListener()
            {
                public void onSessionConnected(final ServerSession session, final long nowNs)
                {
                    connectedSessions.incrementAndGet();
                }

                public void onMessage(
                    final ServerSession session,
                    final int channel,
                    final ByteBuf buffer,
                    final int offset,
                    final int length,
                    final long nowNs)
                {
                    session.send(channel, buffer, offset, length);
                }

                public void onSessionClosed(
                    final ServerSession session, final DisconnectReason reason, final long nowNs)
                {
                    closedSessions.get(reason).incrementAndGet();
                }
            });
    }

    private String address()
    {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.port();
    }

    private void awaitClosed(final DisconnectReason reason, final int sessions) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SERVER_CLOSE_WAIT_MS);
        while (closedSessions.get(reason).get() < sessions && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(5);
        }
        assertEquals(sessions, closedSessions.get(reason).get(), "sessions closed " + closedSessions);
    }

    /** Session mode unless the test names a mode: game is the default. */
    private static String[] withSessionMode(final String... args)
    {
        if (Arrays.asList(args).contains("--mode"))
        {
            return args;
        }
        final String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--mode";
        all[args.length + 1] = "session";
        return all;
    }

    private static Outcome bots(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8))
        {
            exitCode = BotsMain.run(outStream, errStream, withSessionMode(args));
        }

        return new Outcome(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> readSummary(final Path report) throws IOException
    {
        return JsonReader.parseObject(Files.readString(report.resolve(RunReport.SUMMARY_FILE)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(final Map<String, Object> json, final String key)
    {
        final Object value = json.get(key);
        assertInstanceOf(Map.class, value, key + " in " + json);

        return (Map<String, Object>)value;
    }

    private static long count(final Map<String, Object> json, final String key)
    {
        final Object value = json.get(key);
        assertInstanceOf(Long.class, value, key + " in " + json);

        return (Long)value;
    }

    private static double decimal(final Map<String, Object> json, final String key)
    {
        final Object value = json.get(key);
        assertInstanceOf(Number.class, value, key + " in " + json);

        return ((Number)value).doubleValue();
    }

    private record Outcome(int exitCode, String out, String err)
    {
    }
}
