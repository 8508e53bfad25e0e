package dev.skirmish.session.room;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Room lifecycle on one worker: created by the first player's token (or a command), join with WELCOME, full room,
 * leave on purpose, away and reconnect into the held slot with catch-up, reconnect grace over, empty-room grace,
 * kick, end, and the refusals.
 */
class RoomLifecycleTest
{
    private static final long START_NS = 2_000_000_000L;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private final CachedNanoClock clock = new CachedNanoClock();
    private final CounterSet counters = new CounterSet("worker-0");
    private final List<String> events = new ArrayList<>();
    private RoomHost host;

    private RoomHost host(final RoomConfig config)
    {
        clock.update(START_NS);
        host = new RoomHost(0, config.nanoClock(clock), new RoomListener()
        {
            @Override
            public void onRoomCreated(final Room room, final long nowNs)
            {
                events.add("created " + room.id());
            }

            @Override
            public void onPlayerJoined(
                final Room room, final RoomPlayer player, final boolean reconnected, final long nowNs)
            {
                events.add((reconnected ? "rejoined " : "joined ") + player.clientId() + " slot " + player.slot());
            }

            @Override
            public void onPlayerAway(
                final Room room, final RoomPlayer player, final DisconnectReason reason, final long nowNs)
            {
                events.add("away " + player.clientId() + " " + reason);
            }

            @Override
            public void onPlayerLeft(
                final Room room, final RoomPlayer player, final DisconnectReason reason, final long nowNs)
            {
                events.add("left " + player.clientId() + " " + reason);
            }

            @Override
            public void onRoomClosed(final Room room, final RoomCloseReason reason, final long nowNs)
            {
                events.add("closed " + room.id() + " " + reason);
            }
        }, counters);
        return host;
    }

    private RecordingLink join(final long clientId, final long roomId)
    {
        final RecordingLink link = new RecordingLink(host, clientId, roomId);
        link.nowNs = clock.nanoTime();
        host.onPlayerConnected(link, clock.nanoTime());
        return link;
    }

    private void runTo(final long nowNs)
    {
        for (long t = clock.nanoTime(); t <= nowNs; t += TimeUnit.MILLISECONDS.toNanos(1))
        {
            clock.update(t);
            host.doWork(t);
        }
    }

    @Test
    void shouldCreateTheRoomOnFirstConnectAndWelcomeEachPlayer()
    {
        host(new RoomConfig());
        final RecordingLink first = join(100, 0x0102030405060708L);
        final RecordingLink second = join(101, 0x0102030405060708L);
        assertEquals(List.of("created 72623859790382856", "joined 100 slot 0", "joined 101 slot 1"), events);
        final Room room = host.room(0x0102030405060708L);
        assertEquals(2, room.playerCount());
        assertEquals(2, room.connectedCount());
        assertEquals(1, counters.get(Counter.ROOMS_OPENED));
        assertEquals(2, counters.get(Counter.ROOM_PLAYERS_JOINED));

        final RecordingLink.Sent welcome = second.sentOfType(RoomMessageDescriptor.WELCOME).get(0);
        assertEquals(2, welcome.channel(), "reliable channel");
        final ByteBuf bytes = Unpooled.wrappedBuffer(welcome.bytes());
        assertEquals(RoomMessageDescriptor.WELCOME_LENGTH, bytes.readableBytes());
        assertEquals(RoomMode.FRAME_SYNC.code(), bytes.getUnsignedByte(1));
        assertEquals(1, bytes.getUnsignedByte(2), "slot");
        assertEquals(8, bytes.getUnsignedByte(3), "capacity");
        assertEquals(30, bytes.getUnsignedByte(4), "tick rate");
        assertEquals(3, bytes.getUnsignedByte(5), "redundancy");
        assertEquals(32, bytes.getUnsignedByte(6), "max input");
        assertEquals(32, bytes.getUnsignedByte(7), "input window");
        assertEquals(0x0102030405060708L, bytes.getLongLE(8));
        assertEquals(0, bytes.getUnsignedIntLE(16));
        assertEquals(1, first.sentOfType(RoomMessageDescriptor.WELCOME).size());

        runTo(START_NS + SECOND);
        assertEquals(31, second.sentOfType(RoomMessageDescriptor.FRAMES).size(), "a FRAMES message per tick");
    }

    @Test
    void shouldRefuseAPlayerWhenTheRoomIsFullOrCannotBeCreated()
    {
        host(new RoomConfig().capacity(2).maxRoomsPerWorker(1));
        join(1, 9);
        join(2, 9);
        final RecordingLink third = join(3, 9);
        assertEquals(DisconnectReason.ROOM_FULL, third.disconnectReason);
        final RecordingLink otherRoom = join(4, 10);
        assertEquals(DisconnectReason.ROOM_CLOSED, otherRoom.disconnectReason, "worker at its room limit");
        final RecordingLink smallPath = new RecordingLink(host, 5, 9);
        smallPath.maxWholeMessageBytes = 500;
        host.onPlayerConnected(smallPath, START_NS);
        assertEquals(DisconnectReason.ROOM_CLOSED, smallPath.disconnectReason, "cannot carry FRAMES messages");
        assertEquals(3, counters.get(Counter.ROOM_JOIN_REFUSED));
        assertEquals(1, counters.get(Counter.ROOM_LIMIT_REACHED));
        assertEquals(2, host.room(9).playerCount());
        assertTrue(third.sent().isEmpty());
    }

    @Test
    void shouldRefuseUnknownRoomsWithoutAutoCreateAndRunCommands()
    {
        host(new RoomConfig().autoCreateRooms(false));
        final RecordingLink early = join(1, 42);
        assertEquals(DisconnectReason.ROOM_CLOSED, early.disconnectReason);
        assertTrue(host.offer(new RoomCommand(RoomCommand.CREATE, 42, RoomMode.STATE_RELAY, 3, 60)));
        runTo(START_NS);
        final Room room = host.room(42);
        assertNotNull(room);
        assertEquals(RoomMode.STATE_RELAY, room.mode());
        assertEquals(3, room.capacity());
        assertEquals(60, room.tickRateHz());
        final RecordingLink player = join(2, 42);
        assertNull(player.disconnectReason);
        assertEquals(RoomMode.STATE_RELAY.code(), player.sentOfType(RoomMessageDescriptor.WELCOME).get(0).bytes()[1]);
        assertTrue(host.offer(new RoomCommand(RoomCommand.END, 42, null, 0, 0)));
        runTo(START_NS + TimeUnit.MILLISECONDS.toNanos(2));
        assertNull(host.room(42));
        assertEquals(DisconnectReason.ROOM_CLOSED, player.disconnectReason);
        assertTrue(events.contains("closed 42 ENDED"));
    }

    @Test
    void shouldFreeTheSlotOfAPlayerWhoLeavesOnPurposeAndKick()
    {
        host(new RoomConfig());
        final RecordingLink first = join(1, 5);
        final RecordingLink second = join(2, 5);
        final Room room = host.room(5);
        first.close(DisconnectReason.CLIENT_REQUEST, START_NS);
        assertEquals("left 1 CLIENT_REQUEST", events.get(events.size() - 1));
        assertNull(room.player(0));
        final RecordingLink third = join(3, 5);
        assertEquals("joined 3 slot 0", events.get(events.size() - 1), "the freed slot is reused");

        room.kick(room.player(1));
        assertEquals(DisconnectReason.KICKED, second.disconnectReason);
        assertEquals("left 2 KICKED", events.get(events.size() - 1));
        assertEquals(1, room.playerCount());
        assertEquals(2, counters.get(Counter.ROOM_PLAYERS_LEFT));

        room.end();
        assertEquals(DisconnectReason.ROOM_CLOSED, third.disconnectReason);
        assertEquals("closed 5 ENDED", events.get(events.size() - 1));
        assertFalse(room.isOpen());
        runTo(START_NS + SECOND);
        assertEquals(1, counters.get(Counter.ROOMS_CLOSED));
        assertEquals(0, host.roomCount());
    }

    @Test
    void shouldCloseAnEmptyRoomAfterTheGraceAndMakeANewOneForTheSameId()
    {
        host(new RoomConfig().emptyRoomGraceNs(2 * SECOND));
        final RecordingLink only = join(1, 5);
        final Room room = host.room(5);
        runTo(START_NS + SECOND);
        only.close(DisconnectReason.CLIENT_REQUEST, clock.nanoTime());
        final long emptySinceNs = clock.nanoTime();
        runTo(emptySinceNs + 2 * SECOND - TimeUnit.MILLISECONDS.toNanos(40));
        assertTrue(room.isOpen(), "inside the grace");
        runTo(emptySinceNs + 2 * SECOND + TimeUnit.MILLISECONDS.toNanos(40));
        assertFalse(room.isOpen());
        assertEquals(RoomCloseReason.EMPTY, room.closeReason());
        assertEquals("closed 5 EMPTY", events.get(events.size() - 1));
        join(2, 5);
        assertNotSame(room, host.room(5));
        assertEquals(2, counters.get(Counter.ROOMS_OPENED));
    }

    @Test
    void shouldHoldTheSlotOfAnAwayPlayerUntilTheReconnectGrace()
    {
        host(new RoomConfig().reconnectGraceNs(SECOND));
        join(1, 5);
        final RecordingLink lost = join(2, 5);
        final Room room = host.room(5);
        runTo(START_NS + SECOND);
        lost.close(DisconnectReason.TIMEOUT, clock.nanoTime());
        assertEquals("away 2 TIMEOUT", events.get(events.size() - 1));
        assertTrue(room.player(1).isAway());
        assertEquals(2, room.playerCount());
        assertEquals(1, room.connectedCount());
        runTo(clock.nanoTime() + SECOND / 2);
        assertEquals(2, room.lastFrame().entryCount(), "an away player stays in frames");
        runTo(clock.nanoTime() + SECOND / 2 + TimeUnit.MILLISECONDS.toNanos(40));
        assertEquals("left 2 TIMEOUT", events.get(events.size() - 1));
        assertNull(room.player(1));
        assertEquals(1, room.lastFrame().entryCount());
    }

    @Test
    void shouldReconnectIntoTheHeldSlotAndCatchUpTheMissedFrames()
    {
        final long seed = 0x4EC0_22EL;
        final ImpairmentProfile lossy = ImpairmentProfile.NONE.withLoss(0.05)
            .withDelayNs(TimeUnit.MILLISECONDS.toNanos(15));
        final RoomTestNetwork network = new RoomTestNetwork(new RoomConfig(), new RoomListener()
        {
            @Override
            public void onPlayerJoined(
                final Room room, final RoomPlayer player, final boolean reconnected, final long nowNs)
            {
                events.add((reconnected ? "rejoined " : "joined ") + player.clientId() + " slot " + player.slot());
            }
        });
        final RoomTestNetwork.SimClient stays = network.newClient(1, 3, lossy, lossy, seed);
        final RoomTestNetwork.SimClient returns = network.newClient(2, 3, lossy, lossy, seed + 10);
        stays.connect();
        returns.connect();
        network.run(2 * SECOND);
        final long deliveredBefore = returns.frameSync.framesDelivered();
        returns.loseSession(DisconnectReason.TIMEOUT);
        network.run(3 * SECOND);
        returns.connect(); // same client id, new session, same FrameSyncClient
        network.run(2 * SECOND);
        for (final RoomTestNetwork.SimClient client : network.clients)
        {
            client.sendInputs = false;
        }
        network.run(SECOND);
        final int frames = network.serverFrames.size() - 30;
        network.run(SECOND);

        final String context = FrameSyncImpairedTest.describe(seed, network);
        assertEquals(List.of("joined 1 slot 0", "joined 2 slot 1", "rejoined 2 slot 1"), events, context);
        assertEquals(1, network.counter(Counter.ROOM_RECONNECTS));
        assertEquals(2, returns.frameSync.welcomes());
        assertTrue(returns.frameSync.framesFromHistory() >= 85, "3 s of missed frames from history; " + context);
        assertTrue(returns.frameSync.framesDelivered() > deliveredBefore + 85, context);
        FrameSyncImpairedTest.assertSameFrames(network, stays, frames, context);
        FrameSyncImpairedTest.assertSameFrames(network, returns, frames, context);
        assertEquals(0, returns.lostFrames, context);
    }

    @Test
    void shouldCloseEveryRoomOnShutdownWhilePlayersAreStillConnected()
    {
        final List<String> atClose = new ArrayList<>();
        clock.update(START_NS);
        host = new RoomHost(0, new RoomConfig().nanoClock(clock), new RoomListener()
        {
            @Override
            public void onRoomClosed(final Room room, final RoomCloseReason reason, final long nowNs)
            {
                // what a game persisting results sees: its players, still connected
                final RoomPlayer player = room.player(0);
                atClose.add(room.id() + " " + reason + " player " + player.clientId() + " connected " +
                    player.isConnected() + " link open " + (null != player.link() &&
                    null == ((RecordingLink)player.link()).disconnectReason) + " at " + nowNs);
            }
        }, counters);
        final RecordingLink a = join(1, 10);
        final RecordingLink b = join(2, 11);
        final RecordingLink c = join(3, 11);
        runTo(START_NS + SECOND);
        final long lastCycleNs = clock.nanoTime();
        host.room(11).end(); // an already closed room is not closed again

        host.onShutdown(lastCycleNs);
        assertEquals(List.of("11 ENDED player 2 connected true link open true at " + lastCycleNs,
            "10 SERVER_SHUTDOWN player 1 connected true link open true at " + lastCycleNs), atClose);
        assertEquals(DisconnectReason.SERVER_SHUTDOWN, a.disconnectReason);
        assertEquals(DisconnectReason.ROOM_CLOSED, b.disconnectReason);
        assertEquals(DisconnectReason.ROOM_CLOSED, c.disconnectReason);
        assertEquals(0, host.roomCount());
        assertEquals(2, counters.get(Counter.ROOMS_CLOSED));
        host.onShutdown(lastCycleNs);
        assertEquals(2, atClose.size(), "idempotent");
    }

    @Test
    void shouldBoundTheLogLinesOfAFloodOfRefusedPlayers()
    {
        host(new RoomConfig().maxRoomsPerWorker(1));
        join(1, 1);
        final int flood = 20_000;
        for (int i = 0; i < flood; i++)
        {
            // hostile tokens: a new room id each (the worker is at its room limit), or a path too small for rooms
            final RecordingLink link = new RecordingLink(host, 1000 + i, 2 + i);
            link.maxWholeMessageBytes = 0 == (i & 1) ? 1176 : 100;
            host.onPlayerConnected(link, clock.nanoTime());
            assertEquals(DisconnectReason.ROOM_CLOSED, link.disconnectReason);
        }
        assertEquals(flood, counters.get(Counter.ROOM_JOIN_REFUSED));
        assertEquals(flood / 2, counters.get(Counter.ROOM_LIMIT_REACHED));
        assertEquals(1, host.log().acquired(), "one log line for the whole flood within a second");
        assertEquals(flood - 1, host.log().suppressed());

        clock.update(START_NS + SECOND);
        for (int i = 0; i < flood; i++)
        {
            host.onPlayerConnected(new RecordingLink(host, 50_000 + i, 100_000 + i), clock.nanoTime());
        }
        assertEquals(2, host.log().acquired(), "and one more a second later");
    }
}
