package dev.skirmish.sim.game;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.sim.BotsMain;
import dev.skirmish.sim.results.JsonReader;
import dev.skirmish.sim.RunReport;
import dev.skirmish.sim.results.ReportPage;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.room.Room;
import dev.skirmish.session.room.RoomConfig;
import dev.skirmish.session.room.RoomListener;
import dev.skirmish.session.room.RoomPlayer;
import dev.skirmish.session.room.RoomServer;
import dev.skirmish.session.server.SessionServer;
import dev.skirmish.session.server.SessionServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Game mode end to end: the bots (default mode) against a session server with rooms in this JVM on loopback, rooms
 * created by the bots' tokens, frame sync at 30 Hz.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GameModeTest
{
    private static final double TICK_US = 1e6 / 30;

    @TempDir
    Path tempDir;

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
    void shouldPlayFrameSyncInRoomsAndWriteReport() throws Exception
    {
        server = launchRooms(new RoomListener()
        {
        });
        final Path report = tempDir.resolve("game");

        final Outcome outcome = bots("--bots", "8", "--room-size", "4", "--tick-hz", "30", "--warmup", "500ms",
            "--duration", "2s", "--server", "127.0.0.1:" + server.port(), "--metrics-url", "none",
            "--impair", "loss=2%", "--seed", "42", "--report", report.toString());

        assertEquals(BotsMain.EXIT_OK, outcome.exitCode, outcome.err + outcome.out);
        final Map<String, Object> summary = readSummary(report);
        assertEquals("game", summary.get("mode"), "game is the default mode");
        assertEquals(8L, count(summary, "connected"), outcome.err);
        assertEquals(0L, count(summary, "failed"));
        assertEquals(0L, count(summary, "disconnectedUnexpectedly"));
        assertTrue(count(summary, "framesReceived") > 8 * 30, summary.toString());
        assertEquals(0L, count(summary, "desyncs"), summary.toString());
        assertTrue(count(summary, "desyncWindowsCompared") > 0, summary.toString());

        final Map<String, Object> inputFrame = object(summary, "inputFrameUs");
        assertTrue(count(inputFrame, "count") > 60, inputFrame.toString());
        final double p50 = decimal(inputFrame, "p50");
        // aligned input timing: the RTT plus the margin and the tick's slack, well below one tick on loopback (a
        // free-running phase would add 0..1 tick); never below the 2 ms minimum margin
        assertTrue(p50 > 2_000 && p50 < TICK_US, "input-frame p50 " + p50 + " us");
        assertTrue(count(object(summary, "frameJitterUs"), "count") > 0);
        assertTrue(count(object(summary, "sessionRttUs"), "count") > 0);
        assertEquals(8L, count(object(summary, "connectUs"), "count"));
        final Map<String, Object> config = object(summary, "config");
        assertEquals(30L, count(config, "tickHz"));
        assertNotNull(config.get("gitRevision"));
        assertInstanceOf(Number.class, object(summary, "swarm").get("cpuPercentOfOneCore"));
        assertTrue(String.valueOf(object(summary, "server").get("note")).contains("skipped"));

        for (final String file : new String[]{ "input-frame.hgrm", "input-frame.hlog", "frame-jitter.hgrm",
            "rtt.hgrm", "connect.hgrm", "loop-lag.hgrm", ReportPage.FILE, RunReport.SUMMARY_FILE })
        {
            assertTrue(Files.size(report.resolve(file)) > 0, file);
        }
        assertTrue(outcome.err.contains("input-frame p50"), outcome.err);
        assertTrue(outcome.out.contains("frame jitter"), outcome.out);
    }

    @Test
    void shouldRebindEveryBotMidSessionWhileTheFramesKeepComing() throws Exception
    {
        // the server's view: how often each player's session has moved, sampled every tick; how each one left
        final Map<Long, Integer> migrationsByClient = new ConcurrentHashMap<>();
        final Map<Long, DisconnectReason> leftBy = new ConcurrentHashMap<>();
        server = launchRooms(new RoomListener()
        {
            public void onTick(final Room room, final long tick, final long nowNs)
            {
                for (int slot = 0; slot < room.capacity(); slot++)
                {
                    final RoomPlayer player = room.player(slot);
                    if (null != player && null != player.session())
                    {
                        migrationsByClient.merge(player.clientId(), player.session().migrations(), Math::max);
                    }
                }
            }

            public void onPlayerLeft(
                final Room room, final RoomPlayer player, final DisconnectReason reason, final long nowNs)
            {
                leftBy.put(player.clientId(), reason);
            }
        });
        final Path report = tempDir.resolve("rebind");

        // 4.5 s of run: each bot's first rebind is due at 1 s + its jitter (< 1 s), then one a second: 3 or more each
        final Outcome outcome = bots("--bots", "8", "--room-size", "4", "--tick-hz", "30", "--warmup", "500ms",
            "--duration", "4s", "--server", "127.0.0.1:" + server.port(), "--metrics-url", "none",
            "--impair", "rebind=1s", "--seed", "42", "--report", report.toString());

        assertEquals(BotsMain.EXIT_OK, outcome.exitCode, outcome.err + outcome.out);
        final Map<String, Object> summary = readSummary(report);
        final String detail = summary + "\n" + outcome.err + outcome.out;
        assertEquals("rebind=1s", object(summary, "config").get("impairment"));
        assertEquals(8L, count(summary, "connected"), detail);
        assertEquals(0L, count(summary, "failed"), detail);
        assertEquals(0L, count(summary, "disconnects"), detail);
        assertEquals(0L, count(summary, "rebindFailures"), detail);
        assertTrue(count(summary, "rebindsPerBotMin") >= 2, detail);
        final long rebinds = count(summary, "rebinds");
        assertTrue(rebinds >= 8 * 2 && rebinds <= 8 * 5, detail);

        // frames kept arriving across every move: none missing (redundancy repairs the few sent to the old port)
        assertEquals(0L, count(summary, "framesMissing"), detail);
        assertTrue(count(summary, "framesReceived") > 8 * 30 * 4, detail);
        assertEquals(0L, count(summary, "desyncs"), detail);

        // every rebind was a migration at the server (one still validating when the bot left may be missing), and
        // every bot's session moved at least twice
        final long migrations = server.counters().get(Counter.MIGRATIONS);
        assertTrue(migrations >= rebinds - 2 && migrations <= rebinds, "migrations " + migrations + "; " + detail);
        assertEquals(8, leftBy.size(), leftBy + "; " + detail);
        for (final Map.Entry<Long, DisconnectReason> left : leftBy.entrySet())
        {
            assertEquals(DisconnectReason.CLIENT_REQUEST, left.getValue(), "client " + left.getKey());
        }
        assertEquals(8, migrationsByClient.size(), migrationsByClient.toString());
        for (final Map.Entry<Long, Integer> moved : migrationsByClient.entrySet())
        {
            assertTrue(moved.getValue() >= 2, "client " + moved.getKey() + " moved " + moved.getValue() + " times");
        }
        assertTrue(outcome.out.contains("rebinds      " + rebinds + " to a new local port"), outcome.out);
    }

    @Test
    void shouldImpairEachGroupOfTheMixWithItsOwnProfile() throws Exception
    {
        server = launchRooms(new RoomListener()
        {
        });
        final Path report = tempDir.resolve("mix");

        final Outcome outcome = bots("--bots", "8", "--room-size", "4", "--tick-hz", "30", "--warmup", "500ms",
            "--duration", "2500ms", "--server", "127.0.0.1:" + server.port(), "--metrics-url", "none",
            "--impair", "50%=none|50%=loss=20%", "--seed", "42", "--report", report.toString());

        assertEquals(BotsMain.EXIT_OK, outcome.exitCode, outcome.err + outcome.out);
        final Map<String, Object> summary = readSummary(report);
        final String detail = summary + "\n" + outcome.err + outcome.out;
        assertEquals(8L, count(summary, "connected"), detail);
        assertEquals(0L, count(summary, "failed"), detail);
        assertEquals(0L, count(summary, "disconnectedUnexpectedly"), detail);
        assertEquals(0L, count(summary, "desyncs"), detail);
        // the lossy half loses frames on the way in: redundancy or history repairs them
        assertTrue(count(summary, "framesRepaired") > 0, detail);

        final Map<String, Object> config = object(summary, "config");
        assertEquals("none|loss=20%", config.get("impairment"));
        final Object groups = config.get("impairmentGroups");
        assertInstanceOf(List.class, groups, detail);
        assertEquals(2, ((List<?>)groups).size(), detail);
        final String[] profiles = { "none", "loss=20%" };
        for (int g = 0; g < 2; g++)
        {
            @SuppressWarnings("unchecked")
            final Map<String, Object> group = (Map<String, Object>)((List<?>)groups).get(g);
            assertEquals(profiles[g], group.get("profile"), detail);
            assertEquals(4L, count(group, "bots"), detail);
            assertEquals(50.0, decimal(group, "share"), 1e-9, detail);
        }
    }

    @Test
    void shouldExitOneQuicklyWhenMoreBotsFailThanAllowed() throws Exception
    {
        final long startNs = System.nanoTime();
        final Outcome outcome = bots("--bots", "4", "--warmup", "0s", "--duration", "200ms", "--connect-timeout",
            "300ms", "--max-failures", "1", "--server", "127.0.0.1:" + unusedPort(), "--metrics-url", "none",
            "--report", tempDir.resolve("none").toString());
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        assertEquals(BotsMain.EXIT_FAILED, outcome.exitCode, outcome.err);
        assertTrue(outcome.err.contains("no bot connected"), outcome.err);
        assertTrue(elapsedMs < 5_000, "took " + elapsedMs + " ms");
        assertEquals(4L, count(readSummary(tempDir.resolve("none")), "failed"));
    }

    /**
     * A rooms server on loopback, 30 Hz rooms of 4, one worker, the listener in every room. A generous stall budget:
     * on a loaded 2-core box a cold JVM can hold the worker off for a period twice.
     */
    private static SessionServer launchRooms(final RoomListener listener) throws InterruptedException
    {
        final RoomConfig rooms = new RoomConfig().tickRateHz(30).capacity(4).tickBudgetNs(TimeUnit.SECONDS.toNanos(1));
        return SessionServer.launch(new SkirmishContext().bindAddress("127.0.0.1").port(0).workers(1),
            new SessionServerConfig(), RoomServer.factory(rooms, (worker) -> listener));
    }

    private static Outcome bots(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8))
        {
            exitCode = BotsMain.run(outStream, errStream, args);
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

    private static int unusedPort() throws IOException
    {
        try (DatagramChannel channel = DatagramChannel.open())
        {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress)channel.getLocalAddress()).getPort();
        }
    }

    private record Outcome(int exitCode, String out, String err)
    {
    }
}
