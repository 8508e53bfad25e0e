package dev.skirmish.session.protect;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayWindowTest
{
    private final ReplayWindow window = new ReplayWindow();

    @Test
    void shouldAcceptAnySequenceWhenFresh()
    {
        assertTrue(window.isEmpty());
        assertEquals(-1L, window.highest());
        assertEquals(ProtectResult.OK, window.check(0));
        assertEquals(ProtectResult.OK, window.check(5));
        assertEquals(ProtectResult.OK, window.check(-1L));

        window.mark(5);
        assertFalse(window.isEmpty());
        assertEquals(5, window.highest());
        assertEquals(ProtectResult.OK, window.check(6), "above highest");
        assertEquals(ProtectResult.OK, window.check(4), "below highest, not yet seen");
        assertEquals(ProtectResult.OK, window.check(0), "oldest within the window, not yet seen");
    }

    @Test
    void shouldRejectDuplicates()
    {
        window.mark(0);
        window.mark(7);
        window.mark(3);
        assertEquals(ProtectResult.REPLAY, window.check(0));
        assertEquals(ProtectResult.REPLAY, window.check(7));
        assertEquals(ProtectResult.REPLAY, window.check(3));
        assertEquals(ProtectResult.OK, window.check(1));
        assertEquals(ProtectResult.OK, window.check(6));
    }

    @Test
    void shouldCheckWithoutMarking()
    {
        assertEquals(ProtectResult.OK, window.check(9));
        assertEquals(ProtectResult.OK, window.check(9));
        assertTrue(window.isEmpty());
    }

    @Test
    void shouldRejectSequencesOlderThanWindow()
    {
        final long highest = 5000;
        window.mark(highest);
        assertEquals(ProtectResult.TOO_OLD, window.check(highest - ReplayWindow.WINDOW));
        assertEquals(ProtectResult.TOO_OLD, window.check(0));
        assertEquals(ProtectResult.OK, window.check(highest - ReplayWindow.WINDOW + 1));

        window.mark(highest - ReplayWindow.WINDOW);
        assertEquals(ProtectResult.TOO_OLD, window.check(highest - ReplayWindow.WINDOW), "too old is never marked");
    }

    @Test
    void shouldForgetEverythingOnFarAheadJump()
    {
        for (long sequence = 0; sequence < 100; sequence++)
        {
            window.mark(sequence);
        }

        final long jump = 99 + 10L * ReplayWindow.WINDOW + 17;
        window.mark(jump);
        assertEquals(jump, window.highest());
        assertEquals(ProtectResult.REPLAY, window.check(jump));
        for (long sequence = 0; sequence < 100; sequence++)
        {
            assertEquals(ProtectResult.TOO_OLD, window.check(sequence));
        }
        for (long sequence = jump - ReplayWindow.WINDOW + 1; sequence < jump; sequence++)
        {
            assertEquals(ProtectResult.OK, window.check(sequence), "never seen: " + sequence);
        }
    }

    @Test
    void shouldClearStaleBitsWhenRingWraps()
    {
        // Mark every sequence through several turns of the ring: bits left from one turn must never make a fresh
        // sequence look replayed on the next.
        final int ringBits = ReplayWindow.RING_WORDS * Long.SIZE;
        for (long sequence = 0; sequence < 5L * ringBits; sequence++)
        {
            assertEquals(ProtectResult.OK, window.check(sequence), "fresh " + sequence);
            window.mark(sequence);
            assertEquals(ProtectResult.REPLAY, window.check(sequence));
        }

        // Jumps that land on each word of the ring, just under and over one ring.
        final Random random = new Random(7);
        long highest = window.highest();
        for (int i = 0; i < 1000; i++)
        {
            final long next = highest + 1 + random.nextInt(ringBits + 130);
            window.mark(next);
            for (long sequence = Math.max(highest + 1, next - ReplayWindow.WINDOW + 1); sequence < next; sequence++)
            {
                assertEquals(ProtectResult.OK, window.check(sequence), "skipped " + sequence + " after " + next);
            }
            highest = next;
        }
    }

    @Test
    void shouldAgreeWithModelUnderRandomTraffic()
    {
        final long seed = 20240611L;
        final Random random = new Random(seed);
        final Set<Long> accepted = new HashSet<>();
        long highest = -1;

        for (int i = 0; i < 200_000; i++)
        {
            final long sequence;
            final int kind = random.nextInt(10);
            if (kind < 5 || highest < 0)
            {
                sequence = Math.max(0, highest) + random.nextInt(40);
            }
            else if (kind < 9)
            {
                sequence = Math.max(0, highest - random.nextInt(ReplayWindow.WINDOW + 200));
            }
            else
            {
                sequence = Math.max(0, highest) + random.nextInt(5000);
            }

            final int expected;
            if (highest < 0 || sequence > highest)
            {
                expected = ProtectResult.OK;
            }
            else if (highest - sequence >= ReplayWindow.WINDOW)
            {
                expected = ProtectResult.TOO_OLD;
            }
            else
            {
                expected = accepted.contains(sequence) ? ProtectResult.REPLAY : ProtectResult.OK;
            }

            assertEquals(expected, window.check(sequence), "seed " + seed + " step " + i + " sequence " + sequence);
            if (ProtectResult.OK == expected && random.nextInt(8) != 0)
            {
                // most pass authentication; a few "fail" and are never marked
                window.mark(sequence);
                accepted.add(sequence);
                highest = Math.max(highest, sequence);
            }
        }
    }

    @Test
    void shouldCompareSequencesUnsigned()
    {
        final long top = 0x8000_0000_0000_0005L;
        window.mark(top);
        assertEquals(ProtectResult.TOO_OLD, window.check(0), "2^63 below the highest");
        assertEquals(ProtectResult.TOO_OLD, window.check(Long.MAX_VALUE - 2000));
        assertEquals(ProtectResult.OK, window.check(top - 1));
        assertEquals(ProtectResult.OK, window.check(-1L), "all ones is the largest value");

        window.mark(-2L);
        assertEquals(ProtectResult.REPLAY, window.check(-2L));
        assertEquals(ProtectResult.OK, window.check(-1L));
        assertEquals(ProtectResult.TOO_OLD, window.check(top));
    }

    @Test
    void shouldStartOverAfterReset()
    {
        window.mark(3000);
        window.reset();
        assertTrue(window.isEmpty());
        assertEquals(ProtectResult.OK, window.check(0));
        assertEquals(ProtectResult.OK, window.check(3000));
        window.mark(1);
        assertEquals(ProtectResult.REPLAY, window.check(1));
        assertEquals(ProtectResult.OK, window.check(0));
    }
}
