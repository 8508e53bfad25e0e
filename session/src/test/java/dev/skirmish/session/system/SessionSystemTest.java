package dev.skirmish.session.system;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.session.client.ClientConfig;
import dev.skirmish.session.client.ClientGroup;
import dev.skirmish.session.client.ClientHandle;
import dev.skirmish.session.client.ClientListener;
import dev.skirmish.session.client.SkirmishClient;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.server.ServerSession;
import dev.skirmish.session.server.ServerSessions;
import dev.skirmish.session.server.SessionListener;
import dev.skirmish.session.server.SessionServer;
import dev.skirmish.session.server.SessionServerConfig;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import io.netty.buffer.ByteBuf;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions end to end over real sockets: a session server with real I/O threads and workers, and clients on a
 * {@link ClientGroup}. The server echoes every DATA payload back to its session.
 */
class SessionSystemTest
{
    private static final long PROTOCOL_ID = SessionServerConfig.PROTOCOL_ID_DEFAULT;
    /** Channels of the default table. */
    private static final int UNRELIABLE = 0;
    private static final int RELIABLE_ORDERED = 2;
    private final ConnectTokenGenerator generator =
        new ConnectTokenGenerator(TokenKey.DEVELOPMENT, PROTOCOL_ID, SystemEpochClock.INSTANCE, new SecureRandom());
    private final ConcurrentLinkedQueue<String> serverEvents = new ConcurrentLinkedQueue<>();
    private final Map<Long, ConcurrentLinkedQueue<Long>> receivedByClient = new ConcurrentHashMap<>();
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

    /** Echoes payloads; records connects, closes and the first 8 bytes (a sequence) of each payload. */
    private final class EchoGame implements SessionListener
    {
        @Override
        public void onSessionConnected(final ServerSession session, final long nowNs)
        {
            serverEvents.add("connected:" + session.clientId());
        }

        @Override
        public void onMessage(
            final ServerSession session,
            final int channel,
            final ByteBuf buffer,
            final int offset,
            final int length,
            final long nowNs)
        {
            if (length >= 8)
            {
                receivedByClient.computeIfAbsent(session.clientId(), (id) -> new ConcurrentLinkedQueue<>())
                    .add(buffer.getLongLE(offset));
            }
            session.send(channel, buffer, offset, length);
        }

        @Override
        public void onSessionClosed(final ServerSession session, final DisconnectReason reason, final long nowNs)
        {
            serverEvents.add("closed:" + session.clientId() + ":" + reason);
        }
    }

    private void startServer(final int workers, final SessionServerConfig config) throws InterruptedException
    {
        server = SessionServer.launch(
            new SkirmishContext().bindAddress("127.0.0.1").port(0).workers(workers),
            config, (worker, sessions) -> new EchoGame());
        clients = new ClientGroup(1, TransportKind.AUTO, new ClientConfig());
    }

    private ConnectToken token(final long clientId, final long roomId)
    {
        return generator.generate(clientId, roomId,
            List.of(new InetSocketAddress("127.0.0.1", server.port())), 5, 30_000, null);
    }

    private InetSocketAddress serverAddress()
    {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    /** Records what one client receives (on its loop). */
    private static final class Received implements ClientListener
    {
        final ConcurrentLinkedQueue<Long> sequences = new ConcurrentLinkedQueue<>();
        volatile DisconnectReason reason;

        @Override
        public void onMessage(
            final SkirmishClient c, final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            sequences.add(buffer.getLongLE(offset));
        }

        @Override
        public void onDisconnected(final SkirmishClient c, final DisconnectReason reason)
        {
            this.reason = reason;
        }
    }

    private static byte[] payload(final long sequence, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(sequence >>> (8 * i));
        }
        return bytes;
    }

    @Test
    void shouldConnectEchoAndDisconnectManyClientsOnOneThread() throws Exception
    {
        startServer(2, new SessionServerConfig());
        final int count = 20;
        final List<ClientHandle> handles = new ArrayList<>();
        final List<Received> received = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Received listener = new Received();
            received.add(listener);
            handles.add(clients.open(token(1000 + i, i % 5), serverAddress(), listener));
        }
        Await.until(Duration.ofSeconds(10), () -> "all connected: " + handles,
            () -> handles.stream().allMatch((h) -> SessionState.CONNECTED == h.state()));
        assertEquals(count, server.registry().sessionCount());

        for (int i = 0; i < count; i++)
        {
            handles.get(i).send(UNRELIABLE, payload(i, 100));
        }
        Await.until(Duration.ofSeconds(10), () -> "all echoed",
            () -> received.stream().allMatch((r) -> r.sequences.size() == 1));
        for (int i = 0; i < count; i++)
        {
            assertEquals(i, received.get(i).sequences.peek());
        }

        // Sessions live on the worker of their room.
        for (int w = 0; w < 2; w++)
        {
            final int worker = w;
            final ServerSessions sessions = server.sessions(w);
            assertTrue(sessions.sessionCount() > 0, "worker " + w + " owns rooms");
        }

        for (final ClientHandle handle : handles)
        {
            handle.disconnect();
        }
        Await.until(Duration.ofSeconds(10), () -> "all closed: " + serverEvents,
            () -> server.registry().sessionCount() == 0);
        assertEquals(count, serverEvents.stream().filter((e) -> e.endsWith(":CLIENT_REQUEST")).count());
        assertEquals(0, server.registry().clientCount());
        assertEquals(0, server.registry().pendingCount());
        assertEquals(count, server.counters().get(Counter.SESSIONS_OPENED));
    }

    @Test
    void shouldMigrateToANewPortWithoutLosingClientMessages() throws Exception
    {
        startServer(1, new SessionServerConfig());
        final Received listener = new Received();
        final ClientHandle handle = clients.open(token(7, 1), serverAddress(), listener);
        Await.until(Duration.ofSeconds(10), () -> "connected", () -> SessionState.CONNECTED == handle.state());
        final InetSocketAddress before = handle.localAddress();

        final int total = 400;
        final AtomicInteger sent = new AtomicInteger();
        for (int i = 0; i < total; i++)
        {
            if (i == total / 2)
            {
                // Wait for the echoes so far, so the move happens with nothing in flight from the server: what is
                // measured is the move itself (echoes in flight would be resent by the reliable channel anyway).
                Await.until(Duration.ofSeconds(10), () -> "echoes before the move",
                    () -> listener.sequences.size() == total / 2);
                final InetSocketAddress after = handle.rebind().get(5, TimeUnit.SECONDS);
                assertTrue(after.getPort() != before.getPort(), "new port");
            }
            handle.send(RELIABLE_ORDERED, payload(i, 200));
            sent.incrementAndGet();
            if (i % 20 == 0)
            {
                Await.until(Duration.ofSeconds(5), () -> "server caught up",
                    () -> receivedByClient.getOrDefault(7L, new ConcurrentLinkedQueue<>()).size() >= sent.get() - 20);
            }
        }

        Await.until(Duration.ofSeconds(10), () -> "all " + total + " arrived: " + receivedByClient.get(7L).size(),
            () -> receivedByClient.get(7L).size() == total);
        final List<Long> inOrder = new ArrayList<>(receivedByClient.get(7L));
        for (int i = 0; i < total; i++)
        {
            assertEquals(i, inOrder.get(i), "client-to-server: no loss, no duplicate, across the move");
        }
        Await.until(Duration.ofSeconds(5), () -> "migrated",
            () -> server.counters().get(Counter.MIGRATIONS) == 1);
        assertEquals(1, server.registry().sessionCount(), "same session");
        assertEquals(SessionState.CONNECTED, handle.state());

        // After validation every echo reaches the new socket.
        for (int i = 0; i < 50; i++)
        {
            handle.send(RELIABLE_ORDERED, payload(10_000 + i, 64));
        }
        Await.until(Duration.ofSeconds(10), () -> "echoes on the new address: " + listener.sequences.size() +
            " " + describe(handle) + " server sees " + server.sessions(0).sessionAt(0).remoteAddress() +
            " in=" + server.sessions(0).sessionAt(0).messagesIn() +
            " out=" + server.sessions(0).sessionAt(0).messagesOut(),
            () -> listener.sequences.stream().filter((s) -> s >= 10_000).count() == 50);
        final List<Long> echoes = new ArrayList<>(listener.sequences);
        assertEquals(total + 50, echoes.size(), "reliable-ordered echoes: none lost across the move, no duplicate");
        for (int i = 0; i < total; i++)
        {
            assertEquals(i, echoes.get(i), "echo order");
        }
    }

    private static String describe(final ClientHandle handle)
    {
        final java.util.concurrent.CompletableFuture<String> text = new java.util.concurrent.CompletableFuture<>();
        handle.execute(() -> text.complete(handle.client().toString()));
        try
        {
            return handle + " " + text.get(5, TimeUnit.SECONDS) + " foreign=" + handle.foreignDatagrams() +
                " errors=" + handle.errors();
        }
        catch (final Exception ex)
        {
            return ex.toString();
        }
    }

    @Test
    void shouldTimeOutSilentClientsAndTellLiveOnesAboutShutdown() throws Exception
    {
        startServer(1, new SessionServerConfig());
        final Received live = new Received();
        final ClientHandle handle = clients.open(token(1, 1), serverAddress(), live);
        Await.until(Duration.ofSeconds(10), () -> "connected", () -> SessionState.CONNECTED == handle.state());

        server.close();
        Await.until(Duration.ofSeconds(10), () -> "told: " + live.reason,
            () -> DisconnectReason.SERVER_SHUTDOWN == live.reason);
        server = null;
    }
}
