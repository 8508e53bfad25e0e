package dev.skirmish.server;

import dev.skirmish.core.test.Await;
import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.server.metrics.RoomCollector;
import dev.skirmish.session.client.ClientConfig;
import dev.skirmish.session.client.ClientGroup;
import dev.skirmish.session.client.ClientHandle;
import dev.skirmish.session.client.ClientListener;
import dev.skirmish.session.client.SkirmishClient;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.server.SessionServerConfig;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./skirmish server} in its default mode, rooms, in this JVM on loopback with real clients
 * ({@link ClientGroup}, development-key tokens naming one room): the room is created by the first token, /metrics
 * shows it and its tick lateness, and a stop the way SIGTERM does it tells every player SERVER_SHUTDOWN and exits 0
 * within {@code --shutdown-timeout}.
 */
class ServerMainRoomsTest
{
    private static final long ROOM = 5;
    private static final int PLAYERS = 3;
    private static final long SHUTDOWN_TIMEOUT_MS = 3_000;

    private final ConnectTokenGenerator generator = new ConnectTokenGenerator(
        TokenKey.DEVELOPMENT, SessionServerConfig.PROTOCOL_ID_DEFAULT, SystemEpochClock.INSTANCE, new SecureRandom());
    private final List<DisconnectReason> reasons = new ArrayList<>();
    private ClientGroup clients;
    private RunningServer server;

    @AfterEach
    void tearDown()
    {
        if (null != clients)
        {
            clients.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldTellEveryPlayerServerShutdownAndExitZeroWithinTheDeadline() throws Exception
    {
        // A generous stall budget: on a shared 2-core machine a cold JVM can hold a worker off for a tick period
        // twice in a row, which would close the room (ROOM_CLOSED) before the stop under test.
        server = RunningServer.start("--workers=2", "--stall-budget=1s",
            "--shutdown-timeout=" + SHUTDOWN_TIMEOUT_MS + "ms");
        assertTrue(server.stdout().contains(", mode rooms)"), server.stdout());
        clients = new ClientGroup(1, TransportKind.AUTO, new ClientConfig());
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.udpPort);
        final List<ClientHandle> handles = new ArrayList<>();
        for (int i = 0; i < PLAYERS; i++)
        {
            handles.add(clients.open(generator.generate(100 + i, ROOM, List.of(address), 5, 30_000, null), address,
                new ClientListener()
                {
                    @Override
                    public void onDisconnected(final SkirmishClient client, final DisconnectReason reason)
                    {
                        synchronized (reasons)
                        {
                            reasons.add(reason);
                        }
                    }
                }));
        }
        Await.until(Duration.ofSeconds(10), () -> "all connected: " + handles + server.stderr(),
            () -> handles.stream().allMatch((h) -> SessionState.CONNECTED == h.state()));

        // room 5 lives on worker 5 mod 2 = 1; its ticks are measured there
        final String worker = "worker=\"" + ROOM % 2 + "\"";
        final Pattern open = Pattern.compile("\n" + RoomCollector.ROOMS_OPEN + "\\{" + worker + "} 1(\\.0)?\n");
        final Pattern p99 = Pattern.compile("\n" + RoomCollector.TICK_LATENESS + "\\{" + worker +
            ",quantile=\"0\\.99\"} [0-9.Ee+-]+\n");
        final Pattern count = Pattern.compile("\n" + RoomCollector.TICK_LATENESS + "_count\\{" + worker + "} [1-9]");
        Await.until(Duration.ofSeconds(10), () -> "room metrics: " + scrape(),
            () ->
            {
                final String body = scrape();
                return open.matcher(body).find() && p99.matcher(body).find() && count.matcher(body).find();
            });
        final String body = scrape();
        assertTrue(body.contains(RoomCollector.TICK_LATENESS + "{" + worker + ",quantile=\"0.5\"}") &&
            body.contains(RoomCollector.TICK_LATENESS + "{" + worker + ",quantile=\"1.0\"}") &&
            body.contains(RoomCollector.ROOMS_OPEN + "{worker=\"0\"} 0"), body);

        final long startNs = System.nanoTime();
        assertEquals(0, server.stop(), server.stdout() + server.stderr());
        final long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertTrue(stopMs < SHUTDOWN_TIMEOUT_MS, "stopped in " + stopMs + " ms");
        Await.until(Duration.ofSeconds(2), () -> "every player told: " + reasons,
            () ->
            {
                synchronized (reasons)
                {
                    return reasons.size() == PLAYERS;
                }
            });
        synchronized (reasons)
        {
            assertEquals(List.of(DisconnectReason.SERVER_SHUTDOWN, DisconnectReason.SERVER_SHUTDOWN,
                DisconnectReason.SERVER_SHUTDOWN), reasons);
        }
        assertTrue(server.stderr().contains("stopping (deadline 3000 ms)"), server.stderr());
        assertTrue(server.stdout().contains("  rooms_opened 1\n"), server.stdout());
    }

    private String scrape()
    {
        try
        {
            return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final Exception ex)
        {
            return ex.toString();
        }
    }
}
