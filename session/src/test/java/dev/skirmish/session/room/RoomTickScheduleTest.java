package dev.skirmish.session.room;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A room's ticks through its {@link RoomHost} on a virtual clock: one hour at 30 Hz (108 000 ticks) without drift,
 * late ticks counted and their lateness in the worker's histogram, a long backlog skipped on the grid, and at most
 * {@code maxTicksPerCycle} ticks per duty cycle.
 */
class RoomTickScheduleTest
{
    private static final long START_NS = 5_000_000_000L;
    private final CachedNanoClock clock = new CachedNanoClock();
    private final CounterSet counters = new CounterSet("worker-0");
    private long ticks;
    private long lastTick = -1;
    private long lastTickNs;
    private long maxLatenessSeenNs;

    private RoomHost host(final RoomConfig config)
    {
        clock.update(START_NS);
        return new RoomHost(0, config.nanoClock(clock), new RoomListener()
        {
            @Override
            public void onTick(final Room room, final long tick, final long nowNs)
            {
                assertEquals(lastTick + 1, tick, "ticks run in order, none skipped");
                final long deadlineNs = room.schedule().deadlineNs(tick);
                assertTrue(nowNs >= deadlineNs, "never early: tick " + tick);
                maxLatenessSeenNs = Math.max(maxLatenessSeenNs, nowNs - deadlineNs);
                lastTick = tick;
                lastTickNs = nowNs;
                ticks++;
            }
        }, counters);
    }

    private void at(final RoomHost host, final long nowNs)
    {
        clock.update(nowNs);
        host.doWork(nowNs);
    }

    @Test
    void shouldRunAnHourOfTicksAt30HzWithoutDriftAndRecordLateness()
    {
        final RoomHost host = host(new RoomConfig().emptyRoomGraceNs(TimeUnit.HOURS.toNanos(2)));
        final Room room = host.createRoom(1, RoomMode.FRAME_SYNC, 4, 30, START_NS);
        assertNotNull(room);
        final SplittableRandom random = new SplittableRandom(7);
        final long late = TimeUnit.MILLISECONDS.toNanos(5);
        long lateInjected = 0;
        for (long tick = 0; tick < 108_000; tick++)
        {
            final long deadlineNs = room.schedule().deadlineNs(tick);
            if (tick > 0)
            {
                at(host, deadlineNs - 1);
                assertEquals(tick, ticks, "not due 1 ns before its deadline");
            }
            final boolean injectLate = 0 == tick % 1000 && tick > 0;
            lateInjected += injectLate ? 1 : 0;
            // a duty cycle somewhere in the first 500 us after the deadline (a late one 5 ms after)
            at(host, deadlineNs + (injectLate ? late : random.nextLong(500_000)));
            assertEquals(tick + 1, ticks);
        }
        // tick 108 000 is due exactly 3600 s after the start: no drift in an hour of 33 333 333.3 ns periods
        at(host, START_NS + TimeUnit.HOURS.toNanos(1) - 1);
        assertEquals(108_000, ticks);
        at(host, START_NS + TimeUnit.HOURS.toNanos(1));
        assertEquals(108_001, ticks);
        assertEquals(START_NS + TimeUnit.HOURS.toNanos(1), lastTickNs);
        assertEquals(108_001, room.frameSync().nextFrame(), "a frame per tick");

        assertEquals(lateInjected, counters.get(Counter.ROOM_TICKS_LATE));
        assertEquals(lateInjected, room.lateTicks());
        assertEquals(108_001, counters.get(Counter.ROOM_TICKS));
        assertEquals(late, counters.get(Counter.ROOM_TICK_LATENESS_MAX_NS));
        final Histogram lateness = host.tickLateness().getIntervalHistogram();
        assertEquals(108_001, lateness.getTotalCount());
        assertTrue(Math.abs(lateness.getMaxValue() - late) <= late / 50, "max " + lateness.getMaxValue());
        assertTrue(lateness.getValueAtPercentile(99.0) <= 510_000, "p99 " + lateness.getValueAtPercentile(99.0));
        assertEquals(0, counters.get(Counter.ROOM_TICKS_SKIPPED));
        assertEquals(0, counters.get(Counter.ROOM_STALLS));
    }

    @Test
    void shouldRunAtMostMaxTicksPerCycleAndCatchUpOnTheGrid()
    {
        final RoomHost host = host(new RoomConfig().maxTicksPerCycle(4));
        final Room room = host.createRoom(1, RoomMode.STATE_RELAY, 2, 30, START_NS);
        at(host, START_NS);
        assertEquals(1, ticks);
        // 200 ms later: ticks 1-6 are due; 4 now, 2 in the next cycle, each at or after its deadline
        final long nowNs = START_NS + TimeUnit.MILLISECONDS.toNanos(200);
        at(host, nowNs);
        assertEquals(5, ticks);
        at(host, nowNs);
        assertEquals(7, ticks);
        at(host, nowNs);
        assertEquals(7, ticks);
        assertEquals(room.schedule().deadlineNs(7), room.schedule().nextDeadlineNs());
        assertEquals(5, counters.get(Counter.ROOM_TICKS_LATE), "ticks 1-5 were late; tick 6 is due at 200 ms exactly");
    }

    @Test
    void shouldSkipABacklogLongerThanTheLimitAndStayOnTheGrid()
    {
        final RoomHost host = host(new RoomConfig().maxTickBacklog(32).maxTicksPerCycle(4));
        final Room room = host.createRoom(1, RoomMode.FRAME_SYNC, 2, 30, START_NS);
        at(host, START_NS);
        // the worker was away 2 s: ticks 1-60 are due; 59 skipped, the newest (60) runs
        final long nowNs = START_NS + TimeUnit.SECONDS.toNanos(2) + 1;
        lastTick = 59; // the listener checks order; the skipped ticks never run
        at(host, nowNs);
        assertEquals(2, ticks);
        assertEquals(60, lastTick);
        assertEquals(59, room.skippedTicks());
        assertEquals(59, counters.get(Counter.ROOM_TICKS_SKIPPED));
        assertEquals(room.schedule().deadlineNs(61), room.schedule().nextDeadlineNs());
        assertEquals(2, room.frameSync().nextFrame(), "frames stay consecutive: a frame per tick run");
    }
}
