package dev.skirmish.session.channel;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static dev.skirmish.session.channel.SequenceNumbers.HALF;
import static dev.skirmish.session.channel.SequenceNumbers.MASK;
import static dev.skirmish.session.channel.SequenceNumbers.add;
import static dev.skirmish.session.channel.SequenceNumbers.difference;
import static dev.skirmish.session.channel.SequenceNumbers.distance;
import static dev.skirmish.session.channel.SequenceNumbers.greaterThan;
import static dev.skirmish.session.channel.SequenceNumbers.isValid;
import static dev.skirmish.session.channel.SequenceNumbers.lessThan;
import static dev.skirmish.session.channel.SequenceNumbers.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 1982 arithmetic over u16 sequences, at the wrap and exhaustively against unwrapped counters.
 */
class SequenceNumbersTest
{
    private static final int[] STEPS = { 1, 2, 63, 64, 1023, 1024, HALF - 2, HALF - 1 };

    @Test
    void shouldCompareAcrossTheWrap()
    {
        assertTrue(greaterThan(0, 65535));
        assertTrue(greaterThan(1, 65535));
        assertTrue(greaterThan(100, 65500));
        assertFalse(greaterThan(65535, 0));
        assertFalse(greaterThan(65500, 100));
        assertTrue(lessThan(65535, 0));
        assertFalse(lessThan(0, 65535));

        assertEquals(1, distance(65535, 0));
        assertEquals(65535, distance(0, 65535));
        assertEquals(136, distance(65500, 100));
        assertEquals(1, difference(0, 65535));
        assertEquals(-1, difference(65535, 0));
        assertEquals(-136, difference(65500, 100));

        assertEquals(0, next(65535));
        assertEquals(5, add(65535, 6));
        assertEquals(65535, add(0, -1));
    }

    @Test
    void shouldNeitherOrderSequencesHalfTheSpaceApart()
    {
        for (int a = 0; a <= MASK; a++)
        {
            final int b = (a + HALF) & MASK;
            assertFalse(greaterThan(a, b), "a " + a);
            assertFalse(greaterThan(b, a), "a " + a);
            assertEquals(-HALF, difference(a, b), "a " + a);
            assertEquals(HALF, distance(a, b), "a " + a);
        }
    }

    @Test
    void shouldBeIrreflexive()
    {
        for (int a = 0; a <= MASK; a++)
        {
            assertFalse(greaterThan(a, a));
            assertFalse(lessThan(a, a));
            assertEquals(0, difference(a, a));
            assertEquals(0, distance(a, a));
        }
    }

    @Test
    void shouldOrderEverySequenceAgainstItsNeighboursUpToHalf()
    {
        for (int a = 0; a <= MASK; a++)
        {
            for (final int step : STEPS)
            {
                final int b = (a + step) & MASK;
                assertTrue(greaterThan(b, a), a + " + " + step);
                assertFalse(greaterThan(a, b), a + " + " + step);
                assertTrue(lessThan(a, b), a + " + " + step);
                assertEquals(step, difference(b, a), a + " + " + step);
                assertEquals(-step, difference(a, b), a + " + " + step);
                assertEquals(step, distance(a, b), a + " + " + step);
                assertEquals(b, add(a, step));
            }
        }
    }

    @Test
    void shouldValidateU16()
    {
        assertTrue(isValid(0));
        assertTrue(isValid(MASK));
        assertFalse(isValid(-1));
        assertFalse(isValid(MASK + 1));
        assertFalse(isValid(Integer.MIN_VALUE));
    }

    @Property(tries = 10_000, seed = "1982016")
    void shouldAgreeWithUnwrappedCountersLessThanHalfApart(
        @ForAll @LongRange(min = 0, max = 1L << 40) final long x,
        @ForAll @IntRange(min = -(HALF - 1), max = HALF - 1) final int delta)
    {
        final long y = x + delta;
        final int a = (int)(x & MASK);
        final int b = (int)(y & MASK);
        assertEquals(x > y, greaterThan(a, b));
        assertEquals(x < y, lessThan(a, b));
        assertEquals(x - y, difference(a, b));
        assertEquals((int)((y - x) & MASK), distance(a, b));
        assertEquals(b, add(a, delta));
    }
}
