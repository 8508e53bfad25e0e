package dev.skirmish.core.impair;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryScheduleTest
{
    private static final long SEED = Long.getLong("skirmish.test.seed", System.nanoTime());
    private static final String REPLAY = "replay with -Dskirmish.test.seed=" + SEED;

    static
    {
        System.out.println("DeliveryScheduleTest seed=" + SEED);
    }

    @Test
    void shouldPollInTimeOrderWithTiesInScheduleOrder()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int round = 0; round < 200; round++)
        {
            final int capacity = random.nextInt(1, 300);
            // Few distinct times, so ties are common; around Long.MAX_VALUE half the time, to cross the wrap.
            final long baseNs = random.nextBoolean() ? 0 : Long.MAX_VALUE - 50;
            final DeliverySchedule schedule = new DeliverySchedule(capacity);
            final long[] offsets = new long[capacity];
            final Integer[] expected = new Integer[capacity];
            for (int slot = 0; slot < capacity; slot++)
            {
                offsets[slot] = random.nextLong(0, 100);
                expected[slot] = slot;
                schedule.add(slot, baseNs + offsets[slot], slot);
            }
            Arrays.sort(expected, Comparator.<Integer>comparingLong(s -> offsets[s]).thenComparingInt(s -> s));

            final int[] polled = new int[capacity];
            for (int i = 0; i < capacity; i++)
            {
                assertEquals(baseNs + offsets[expected[i]], schedule.peekTimeNs(), "round " + round + "; " + REPLAY);
                polled[i] = schedule.poll();
            }
            assertTrue(schedule.isEmpty());
            assertArrayEquals(Arrays.stream(expected).mapToInt(Integer::intValue).toArray(), polled,
                "round " + round + "; " + REPLAY);
        }
    }

    @Test
    void shouldInterleaveAddsAndPolls()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final int capacity = 64;
        final DeliverySchedule schedule = new DeliverySchedule(capacity);
        final int[] free = new int[capacity];
        int freeCount = capacity;
        for (int i = 0; i < capacity; i++)
        {
            free[i] = i;
        }
        long order = 0;
        long lastPolledNs = Long.MIN_VALUE;
        long nowNs = 0;
        for (int step = 0; step < 100_000; step++)
        {
            if (freeCount > 0 && (schedule.isEmpty() || random.nextBoolean()))
            {
                schedule.add(free[--freeCount], nowNs + random.nextLong(0, 1_000), order++);
            }
            else
            {
                final long timeNs = schedule.peekTimeNs();
                assertTrue(timeNs >= lastPolledNs, "never earlier than the last polled; step " + step + "; " + REPLAY);
                lastPolledNs = timeNs;
                nowNs = Math.max(nowNs, timeNs);
                free[freeCount++] = schedule.poll();
            }
            assertEquals(capacity - freeCount, schedule.size(), REPLAY);
        }
    }
}
