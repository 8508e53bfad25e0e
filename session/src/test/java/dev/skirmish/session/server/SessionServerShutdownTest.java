package dev.skirmish.session.server;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.session.client.ClientConfig;
import dev.skirmish.session.client.ClientGroup;
import dev.skirmish.session.client.ClientHandle;
import dev.skirmish.session.client.ClientListener;
import dev.skirmish.session.client.SkirmishClient;
import dev.skirmish.session.handshake.DenyReason;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.room.Room;
import dev.skirmish.session.room.RoomCloseReason;
import dev.skirmish.session.room.RoomConfig;
import dev.skirmish.session.room.RoomListener;
import dev.skirmish.session.room.RoomPlayer;
import dev.skirmish.session.room.RoomServer;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping a session server running rooms, over real sockets on 127.0.0.1 with 2 workers: once the stop began a
 * new client is refused at once (DENIED shutting down, {@code denied_shutting_down}) and never gets a session; on
 * close every open room is closed (SERVER_SHUTDOWN) on its worker thread while its players are still connected, and
 * every connected client is told SERVER_SHUTDOWN.
 */
class SessionServerShutdownTest
{
    private static final long[] ROOMS = {4, 5};
    private final ConnectTokenGenerator generator = new ConnectTokenGenerator(
        TokenKey.DEVELOPMENT, SessionServerConfig.PROTOCOL_ID_DEFAULT, SystemEpochClock.INSTANCE, new SecureRandom());
    private final List<String> roomsClosed = new CopyOnWriteArrayList<>();
    private final Map<Long, DisconnectReason> reasons = new ConcurrentHashMap<>();
    private final Map<Long, DenyReason> denials = new ConcurrentHashMap<>();
    private SessionServer server;
    private ClientGroup clients;

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
    void shouldRefuseNewClientsOnceStoppingAndCloseEveryRoomBeforeDroppingItsPlayers() throws Exception
    {
        final RoomServer rooms = new RoomServer(
            new RoomConfig().tickBudgetNs(TimeUnit.SECONDS.toNanos(1)), (worker) -> new RoomListener()
            {
                @Override
                public void onRoomClosed(final Room room, final RoomCloseReason reason, final long nowNs)
                {
                    final RoomPlayer player = room.player(0);
                    roomsClosed.add(room.id() + " " + reason + " on " + Thread.currentThread().getName() +
                        ", player " + player.clientId() + " session " + player.session().state());
                }
            });
        server = SessionServer.launch(new SkirmishContext().bindAddress("127.0.0.1").port(0).workers(2),
            new SessionServerConfig(), rooms.listenerFactory());
        clients = new ClientGroup(1, TransportKind.AUTO, new ClientConfig());
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
        final List<ClientHandle> players = new ArrayList<>();
        for (final long room : ROOMS)
        {
            players.add(open(100 + room, room, address));
        }
        Await.until(Duration.ofSeconds(10), () -> "players connected: " + players,
            () -> players.stream().allMatch((h) -> SessionState.CONNECTED == h.state()));
        Await.until(Duration.ofSeconds(5), () -> "rooms open",
            () -> null != rooms.host(0).room(4) && null != rooms.host(1).room(5));

        server.beginShutdown();
        final long refusedStartNs = System.nanoTime();
        final ClientHandle late = open(200, 4, address);
        Await.until(Duration.ofSeconds(2), () -> "late client refused: " + late + ", " + reasons,
            () -> reasons.containsKey(200L));
        final long refusedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - refusedStartNs);
        assertEquals(DisconnectReason.DENIED, reasons.get(200L));
        assertEquals(DenyReason.SHUTTING_DOWN, denials.get(200L));
        assertTrue(refusedMs < 2_000, "refused in " + refusedMs + " ms, not left to its connect timeout");
        assertTrue(server.counters().get(Counter.DENIED_SHUTTING_DOWN) >= 1);
        assertEquals(2, server.registry().sessionCount(), "no session for the late client");
        assertEquals(List.of(), roomsClosed, "rooms run on until the close");

        server.close();
        Await.until(Duration.ofSeconds(5), () -> "players told: " + reasons,
            () -> reasons.containsKey(104L) && reasons.containsKey(105L));
        assertEquals(DisconnectReason.SERVER_SHUTDOWN, reasons.get(104L));
        assertEquals(DisconnectReason.SERVER_SHUTDOWN, reasons.get(105L));
        assertEquals(List.of("4 SERVER_SHUTDOWN on skirmish-worker-0, player 104 session CONNECTED",
            "5 SERVER_SHUTDOWN on skirmish-worker-1, player 105 session CONNECTED"),
            roomsClosed.stream().sorted().toList());
        assertEquals(2, server.counters().get(Counter.ROOMS_CLOSED));
        assertEquals(0, server.counters().get(Counter.ROOM_ERRORS));
    }

    private ClientHandle open(final long clientId, final long room, final InetSocketAddress address)
    {
        return clients.open(generator.generate(clientId, room, List.of(address), 5, 30_000, null), address,
            new ClientListener()
            {
                @Override
                public void onDisconnected(final SkirmishClient client, final DisconnectReason reason)
                {
                    if (null != client.denyReason())
                    {
                        denials.put(clientId, client.denyReason());
                    }
                    reasons.put(clientId, reason);
                }
            });
    }
}
