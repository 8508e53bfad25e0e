package dev.skirmish.session.room;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * State relay: inputs that arrive between two ticks are drained at the next tick, in arrival order per player,
 * before the game's logic, which writes per-player and broadcast messages on any channel; the inbox is bounded.
 */
class RoomStateRelayTest
{
    private static final long START_NS = 2_000_000_000L;
    private static final long PERIOD_NS = 1_000_000_000L / 30;
    private final CachedNanoClock clock = new CachedNanoClock();
    private final CounterSet counters = new CounterSet("worker-0");
    private final List<String> events = new ArrayList<>();
    private final ByteBuf payload = Unpooled.buffer(16);
    private RoomHost host;

    private void host(final RoomConfig config)
    {
        clock.update(START_NS);
        host = new RoomHost(0, config.mode(RoomMode.STATE_RELAY).nanoClock(clock), new RoomListener()
        {
            private final int[] inputs = new int[8];

            @Override
            public void onInput(
                final Room room,
                final RoomPlayer player,
                final ByteBuf buffer,
                final int offset,
                final int length,
                final long nowNs)
            {
                events.add("input " + player.slot() + " " + (length > 0 ? (char)buffer.getByte(offset) : "-"));
                inputs[player.slot()]++;
            }

            @Override
            public void onTick(final Room room, final long tick, final long nowNs)
            {
                events.add("tick " + tick);
                payload.clear().writeLongLE(tick);
                room.broadcast(1, payload, 0, 8);
                for (int slot = 0; slot < room.capacity(); slot++)
                {
                    final RoomPlayer player = room.player(slot);
                    if (null != player && player.isConnected())
                    {
                        payload.setLongLE(0, inputs[slot]);
                        room.send(player, 2, payload, 0, 8);
                        inputs[slot] = 0;
                    }
                }
            }
        }, counters);
    }

    private RecordingLink join(final long clientId)
    {
        final RecordingLink link = new RecordingLink(host, clientId, 1);
        host.onPlayerConnected(link, clock.nanoTime());
        return link;
    }

    private void input(final RecordingLink link, final String text)
    {
        final byte[] bytes = new byte[1 + text.length()];
        bytes[0] = RoomMessageDescriptor.RELAY_INPUT;
        for (int i = 0; i < text.length(); i++)
        {
            bytes[1 + i] = (byte)text.charAt(i);
        }
        host.onPlayerMessage(link, 0, Unpooled.wrappedBuffer(bytes), 0, bytes.length, clock.nanoTime());
    }

    private void at(final long nowNs)
    {
        clock.update(nowNs);
        host.doWork(nowNs);
    }

    @Test
    void shouldDrainInputsBeforeTheLogicAndSendWhatItWrites()
    {
        host(new RoomConfig());
        final RecordingLink first = join(1);
        final RecordingLink second = join(2);
        at(START_NS);
        input(first, "a");
        input(second, "c");
        input(first, "b");
        at(START_NS + PERIOD_NS - 1);
        assertEquals(List.of("tick 0"), events, "inputs wait for the next tick");
        at(START_NS + PERIOD_NS);
        assertEquals(List.of("tick 0", "input 0 a", "input 0 b", "input 1 c", "tick 1"), events);
        at(START_NS + 2 * PERIOD_NS);
        assertEquals("tick 2", events.get(events.size() - 1), "drained once");

        final List<RecordingLink.Sent> relayed = first.sentOfType(RoomMessageDescriptor.RELAY);
        assertEquals(6, relayed.size(), "a broadcast and a per-player message per tick");
        final ByteBuf broadcast = Unpooled.wrappedBuffer(relayed.get(2).bytes());
        assertEquals(1, relayed.get(2).channel());
        assertEquals(9, broadcast.readableBytes());
        assertEquals(1, broadcast.getLongLE(1), "tick 1");
        final ByteBuf perPlayer = Unpooled.wrappedBuffer(relayed.get(3).bytes());
        assertEquals(2, relayed.get(3).channel());
        assertEquals(2, perPlayer.getLongLE(1), "player 0 had 2 inputs at tick 1");
        assertEquals(1, Unpooled.wrappedBuffer(second.sentOfType(RoomMessageDescriptor.RELAY).get(3).bytes())
            .getLongLE(1));
        assertTrue(first.sentOfType(RoomMessageDescriptor.FRAMES).isEmpty(), "no frames in state relay");
    }

    @Test
    void shouldBoundTheInboxAndDropWhatDoesNotBelong()
    {
        host(new RoomConfig().relayInboxMessages(32).maxRelayInputBytes(16));
        final RecordingLink player = join(1);
        at(START_NS);
        for (int i = 0; i < 40; i++)
        {
            input(player, "x");
        }
        input(player, "this input is longer than 16 bytes");
        host.onPlayerMessage(player, 0, FrameSyncServerTest.input(0, new byte[]{1}), 0, 9, START_NS);
        host.onPlayerMessage(player, 0, Unpooled.wrappedBuffer(new byte[]{0x7F}), 0, 1, START_NS);
        at(START_NS + PERIOD_NS);
        assertEquals(32, events.stream().filter((e) -> e.startsWith("input")).count());
        assertEquals(8, counters.get(Counter.ROOM_INBOX_FULL));
        assertEquals(1, counters.get(Counter.ROOM_INPUTS_OVERSIZE));
        assertEquals(2, counters.get(Counter.ROOM_MESSAGES_MALFORMED), "a frame-sync INPUT and an unknown type");
    }

    @Test
    void shouldRelayReliableInputsExactlyOnceInOrderUnderLoss()
    {
        final long seed = 0x2E1A_7L;
        final ImpairmentProfile lossy = ImpairmentProfile.NONE.withLoss(0.10)
            .withDelayNs(TimeUnit.MILLISECONDS.toNanos(20));
        final long[] nextExpected = new long[4];
        final long[] received = new long[4];
        final RoomTestNetwork network = new RoomTestNetwork(new RoomConfig().mode(RoomMode.STATE_RELAY),
            new RoomListener()
            {
                private final ByteBuf snapshot = Unpooled.buffer(8);

                @Override
                public void onInput(
                    final Room room,
                    final RoomPlayer player,
                    final ByteBuf buffer,
                    final int offset,
                    final int length,
                    final long nowNs)
                {
                    assertEquals(nextExpected[player.slot()]++, buffer.getLongLE(offset), "in order, once");
                    received[player.slot()]++;
                }

                @Override
                public void onTick(final Room room, final long tick, final long nowNs)
                {
                    snapshot.clear().writeLongLE(tick);
                    room.broadcast(1, snapshot, 0, 8);
                }
            });
        for (int i = 0; i < 4; i++)
        {
            final RoomTestNetwork.SimClient client = network.newClient(10 + i, 1, lossy, lossy, seed + i * 10L);
            client.relayChannel = 2;
            client.inputIntervalNs = TimeUnit.MILLISECONDS.toNanos(20);
            client.connect();
        }
        network.run(TimeUnit.SECONDS.toNanos(5));
        for (final RoomTestNetwork.SimClient client : network.clients)
        {
            client.sendInputs = false;
        }
        network.run(TimeUnit.SECONDS.toNanos(2));
        for (int i = 0; i < 4; i++)
        {
            final RoomTestNetwork.SimClient client = network.clients.get(i);
            final String context = "seed " + seed + " " + client.describe();
            assertEquals(client.relaySequence, received[i], "every reliable input arrived; " + context);
            assertTrue(client.relaySequence >= 240, context);
            assertTrue(client.relayReceived[1] > 0.8 * 7 * 30, "snapshots on the unreliable channel; " + context);
            assertTrue(client.relayLastPayload >= 7 * 30 - 5, "newest snapshot tick; " + context);
        }
    }
}
