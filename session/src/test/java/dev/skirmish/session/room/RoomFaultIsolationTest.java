package dev.skirmish.session.room;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A room whose logic throws or stalls is closed alone: its players are disconnected with ROOM_CLOSED, the game is
 * told, and the other rooms of the worker keep their schedule (the stall is detected right after the tick that took
 * too long: it cannot be preempted). Rooms of another worker are not delayed at all.
 */
class RoomFaultIsolationTest
{
    private static final long START_NS = 3_000_000_000L;
    private static final long ROOM_A = 1;
    private static final long ROOM_B = 2;
    private final CachedNanoClock clock = new CachedNanoClock();
    private final CounterSet counters = new CounterSet("worker-0");
    private final List<String> events = new ArrayList<>();
    private final List<Long> roomBTickNs = new ArrayList<>();
    private RoomHost host;
    private long throwAtTick = -1;
    private long stallAtTick = -1;
    private long stallNs;

    private RoomHost host(final RoomConfig config)
    {
        clock.update(START_NS);
        host = new RoomHost(0, config.nanoClock(clock), new RoomListener()
        {
            @Override
            public void onTick(final Room room, final long tick, final long nowNs)
            {
                if (ROOM_B == room.id())
                {
                    roomBTickNs.add(nowNs);
                    return;
                }
                if (tick == throwAtTick)
                {
                    throw new IllegalStateException("game bug in room A");
                }
                if (tick == stallAtTick)
                {
                    clock.advance(stallNs); // the logic takes this long: the worker's clock moves on meanwhile
                }
            }

            @Override
            public void onInput(
                final Room room,
                final RoomPlayer player,
                final ByteBuf buffer,
                final int offset,
                final int length,
                final long nowNs)
            {
                throw new IllegalArgumentException("cannot parse input");
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
        host.onPlayerConnected(link, clock.nanoTime());
        return link;
    }

    private void at(final long nowNs)
    {
        clock.update(nowNs);
        host.doWork(nowNs);
    }

    private static long deadline(final long tick)
    {
        return START_NS + tick * 1_000_000_000L / 30;
    }

    @Test
    void shouldCloseOnlyTheRoomWhoseLogicThrows()
    {
        host(new RoomConfig());
        final RecordingLink a1 = join(10, ROOM_A);
        final RecordingLink a2 = join(11, ROOM_A);
        final RecordingLink b1 = join(20, ROOM_B);
        final Room roomA = host.room(ROOM_A);
        final Room roomB = host.room(ROOM_B);
        throwAtTick = 10;
        for (long tick = 0; tick <= 30; tick++)
        {
            at(deadline(tick));
        }
        assertFalse(roomA.isOpen());
        assertEquals(RoomCloseReason.ERROR, roomA.closeReason());
        assertEquals(11, roomA.ticks(), "ticks 0-10, none after");
        assertEquals(DisconnectReason.ROOM_CLOSED, a1.disconnectReason);
        assertEquals(DisconnectReason.ROOM_CLOSED, a2.disconnectReason);
        assertNull(host.room(ROOM_A));
        assertEquals(List.of("closed 1 ERROR"), events);
        assertEquals(1, counters.get(Counter.ROOM_ERRORS));

        assertTrue(roomB.isOpen());
        assertNull(b1.disconnectReason);
        assertEquals(31, roomBTickNs.size());
        for (int tick = 0; tick <= 30; tick++)
        {
            assertEquals(deadline(tick), roomBTickNs.get(tick), "room B on its schedule at tick " + tick);
        }
        assertEquals(31, b1.sentOfType(RoomMessageDescriptor.FRAMES).size(), "B's player got every frame");
        assertEquals(1, host.roomCount());
    }

    @Test
    void shouldCloseTheRoomWhoseInputHandlingThrowsInTheDrainPhase()
    {
        host(new RoomConfig().mode(RoomMode.STATE_RELAY));
        final RecordingLink a1 = join(10, ROOM_A);
        final RecordingLink b1 = join(20, ROOM_B);
        at(deadline(0));
        final ByteBuf relayInput = Unpooled.wrappedBuffer(new byte[]{RoomMessageDescriptor.RELAY_INPUT, 1, 2});
        host.onPlayerMessage(a1, 0, relayInput, 0, 3, deadline(0) + 1);
        at(deadline(1));
        assertEquals(DisconnectReason.ROOM_CLOSED, a1.disconnectReason);
        assertNull(b1.disconnectReason);
        assertEquals(2, roomBTickNs.size());
    }

    @Test
    void shouldDetectAStallWithinTheTickCountItAndIsolateTheRoom()
    {
        host(new RoomConfig().stallsBeforeClose(1));
        final RecordingLink a1 = join(10, ROOM_A);
        join(20, ROOM_B);
        final Room roomA = host.room(ROOM_A);
        final Room roomB = host.room(ROOM_B);
        stallAtTick = 5;
        stallNs = TimeUnit.MILLISECONDS.toNanos(70); // two periods, budget is one
        for (long tick = 0; tick < 5; tick++)
        {
            at(deadline(tick));
        }
        assertEquals(0, counters.get(Counter.ROOM_STALLS));
        at(deadline(5));
        // detected in the same duty cycle, right after the stalled tick returned
        assertEquals(1, counters.get(Counter.ROOM_STALLS));
        assertEquals(1, roomA.stalls());
        assertFalse(roomA.isOpen());
        assertEquals(RoomCloseReason.STALL, roomA.closeReason());
        assertEquals(DisconnectReason.ROOM_CLOSED, a1.disconnectReason);
        assertTrue(roomA.maxTickNs() >= stallNs);

        // room B shared the thread, so the stall made its ticks late; it catches up and is back on its grid
        for (long tick = 6; tick <= 20; tick++)
        {
            at(Math.max(clock.nanoTime(), deadline(tick)));
        }
        assertTrue(roomB.isOpen());
        assertEquals(21, roomB.ticks(), "no tick of B lost");
        assertEquals(deadline(21), roomB.schedule().nextDeadlineNs());
        for (int tick = 10; tick <= 20; tick++)
        {
            assertEquals(deadline(tick), roomBTickNs.get(tick), "back on schedule at tick " + tick);
        }
        assertTrue(roomB.lateTicks() >= 1, "B's ticks during the stall were late");
        final Histogram lateness = host.tickLateness().getIntervalHistogram();
        assertTrue(lateness.getMaxValue() >= TimeUnit.MILLISECONDS.toNanos(30), "max " + lateness.getMaxValue());
        assertEquals(List.of("closed 1 STALL"), events);
    }

    @Test
    void shouldForgiveASingleStallAndCloseOnConsecutiveOnesByDefault()
    {
        host(new RoomConfig().tickBudgetNs(TimeUnit.MILLISECONDS.toNanos(5)));
        join(10, ROOM_A);
        final Room roomA = host.room(ROOM_A);
        stallNs = TimeUnit.MILLISECONDS.toNanos(6);
        stallAtTick = 2;
        for (long tick = 0; tick < 6; tick++)
        {
            at(Math.max(clock.nanoTime(), deadline(tick)));
        }
        assertTrue(roomA.isOpen(), "a single stall (GC pause, cold start) is counted, not punished");
        assertEquals(1, roomA.stalls());
        for (long tick = 6; tick < 12; tick++)
        {
            stallAtTick = tick >= 8 ? tick : -1;
            at(Math.max(clock.nanoTime(), deadline(tick)));
            if (8 == tick)
            {
                assertTrue(roomA.isOpen(), "first of a streak");
            }
        }
        assertFalse(roomA.isOpen(), "closed by the second consecutive stall");
        assertEquals(RoomCloseReason.STALL, roomA.closeReason());
        assertEquals(3, roomA.stalls());
        assertEquals(3, counters.get(Counter.ROOM_STALLS));
        assertEquals(10, roomA.ticks(), "ticks 0-9");
    }

    @Test
    void shouldNotDelayRoomsOfAnotherWorker() throws Exception
    {
        // two workers on their own threads and the system clock: room A on worker 0 stalls 300 ms in its logic,
        // room B on worker 1 keeps its 30 Hz schedule
        final RoomConfig config = new RoomConfig().nanoClock(SystemNanoClock.INSTANCE)
            .tickBudgetNs(TimeUnit.MILLISECONDS.toNanos(100));
        final AtomicLong stalledNs = new AtomicLong();
        final RoomListener stalling = new RoomListener()
        {
            @Override
            public void onTick(final Room room, final long tick, final long nowNs)
            {
                if (3 == tick)
                {
                    final long start = System.nanoTime();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)); // the stall itself
                    stalledNs.set(System.nanoTime() - start);
                }
            }
        };
        final RoomHost worker0 = new RoomHost(0, config, stalling, new CounterSet("worker-0"));
        final RoomHost worker1 = new RoomHost(1, config, new RoomListener()
        {
        }, new CounterSet("worker-1"));
        final long startNs = System.nanoTime();
        final long runNs = TimeUnit.MILLISECONDS.toNanos(900);
        final Thread[] threads = new Thread[2];
        final RoomHost[] hosts = {worker0, worker1};
        for (int w = 0; w < 2; w++)
        {
            final RoomHost worker = hosts[w];
            threads[w] = new Thread(() ->
            {
                worker.createRoom(worker == worker0 ? ROOM_A : ROOM_B, RoomMode.FRAME_SYNC, 2, 30, startNs);
                for (long now = System.nanoTime(); now - startNs < runNs; now = System.nanoTime())
                {
                    worker.doWork(now);
                    LockSupport.parkNanos(200_000);
                }
            }, "worker-" + w);
            threads[w].start();
        }
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertTrue(stalledNs.get() >= TimeUnit.MILLISECONDS.toNanos(300), "room A stalled");
        assertEquals(1, worker0.counters().get(Counter.ROOM_STALLS));
        final Histogram lateness = worker1.tickLateness().getIntervalHistogram();
        assertTrue(lateness.getTotalCount() >= 25, "room B ticked through the stall: " + lateness.getTotalCount());
        assertTrue(lateness.getMaxValue() < TimeUnit.MILLISECONDS.toNanos(50),
            "room B's latest tick " + lateness.getMaxValue() / 1000 + " us late, far less than A's 300 ms stall");
        assertEquals(0, worker1.counters().get(Counter.ROOM_STALLS));
    }
}
