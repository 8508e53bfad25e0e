package dev.skirmish.session.room;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The absolute schedule: deadlines computed exactly from the tick index (compared with big-integer arithmetic), the
 * backlog compared with a brute-force count, and a skipped backlog that stays on the grid.
 */
class TickScheduleTest
{
    private static final long START_NS = 7_000_000_123L;

    @Test
    void shouldComputeEveryDeadlineExactlyWithoutDrift()
    {
        for (int rate = RoomConfig.MIN_TICK_RATE_HZ; rate <= RoomConfig.MAX_TICK_RATE_HZ; rate++)
        {
            final TickSchedule schedule = new TickSchedule(START_NS, rate);
            for (final long tick : new long[]{0, 1, 2, rate - 1, rate, 108_000, 123_456_789, 1L << 32})
            {
                final long expected = BigInteger.valueOf(tick).multiply(BigInteger.valueOf(1_000_000_000L))
                    .divide(BigInteger.valueOf(rate)).longValueExact() + START_NS;
                assertEquals(expected, schedule.deadlineNs(tick), "rate " + rate + " tick " + tick);
            }
        }
        // 1 h at 30 Hz ends exactly 3600 s after the start: no accumulated error
        assertEquals(START_NS + 3_600_000_000_000L, new TickSchedule(START_NS, 30).deadlineNs(108_000));
        assertEquals(START_NS + 33_333_333L, new TickSchedule(START_NS, 30).deadlineNs(1));
        assertEquals(START_NS + 66_666_666L, new TickSchedule(START_NS, 30).deadlineNs(2));
    }

    @Test
    void shouldCountTheDueTicksLikeBruteForce()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 2_000; i++)
        {
            final int rate = RoomConfig.MIN_TICK_RATE_HZ + random.nextInt(119);
            final TickSchedule schedule = new TickSchedule(START_NS, rate);
            final long nowNs = START_NS - 1_000 + random.nextLong(5_000_000_000L);
            long due = 0;
            while (schedule.deadlineNs(due) <= nowNs)
            {
                due++;
            }
            assertEquals(due, schedule.backlog(nowNs), "rate " + rate + " now " + nowNs);
            assertEquals(due > 0, schedule.isDue(nowNs));
            // exactly at a deadline the tick is due, one ns before it is not
            final long tick = random.nextInt(500);
            assertEquals(tick + 1, schedule.backlog(schedule.deadlineNs(tick)));
            assertEquals(tick, schedule.backlog(schedule.deadlineNs(tick) - 1));
        }
    }

    @Test
    void shouldStayOnTheGridWhenSkippingABacklog()
    {
        final TickSchedule schedule = new TickSchedule(START_NS, 30);
        assertTrue(schedule.isDue(START_NS));
        assertEquals(0, schedule.advance());
        assertFalse(schedule.isDue(START_NS + 33_333_332));
        final long nowNs = START_NS + 10_000_000_000L + 5;
        final long backlog = schedule.backlog(nowNs);
        assertEquals(300, backlog, "ticks 1..300 are due 10 s later");
        schedule.skip(backlog - 1);
        assertEquals(300, schedule.nextTick());
        assertEquals(START_NS + 10_000_000_000L, schedule.nextDeadlineNs());
        schedule.advance();
        assertEquals(START_NS + 10_033_333_333L, schedule.nextDeadlineNs());
        assertEquals(0, schedule.backlog(nowNs));
    }
}
