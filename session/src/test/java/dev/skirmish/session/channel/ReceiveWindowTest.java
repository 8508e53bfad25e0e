package dev.skirmish.session.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bit ring against a plain model: marks and word-at-a-time advances across word ends, the ring end and the wrap.
 */
class ReceiveWindowTest
{
    @Test
    void shouldStepOverAWholeFullWindow()
    {
        final ReceiveWindow window = new ReceiveWindow(64);
        window.reset(65_530);
        for (int i = 1; i < 64; i++)
        {
            window.markReceived((65_530 + i) & 0xFFFF);
        }
        assertEquals(0, window.advanceOverReceived()); // the base itself is not received
        window.advance();
        assertEquals(63, window.advanceOverReceived());
        assertEquals((65_530 + 64) & 0xFFFF, window.base());
        for (int i = 0; i < 64; i++)
        {
            assertFalse(window.isReceived(i), "bit " + i);
        }
    }

    @Test
    void shouldStepOverRunsThatCrossWordsAndTheRingEnd()
    {
        final ReceiveWindow window = new ReceiveWindow(256);
        window.reset(250); // ring index 250: runs cross index 255 -> 0 and the word ends at 64, 128
        for (int i = 1; i <= 200; i++)
        {
            window.markReceived(250 + i);
        }
        window.markReceived(250 + 202);
        window.advance();
        assertEquals(200, window.advanceOverReceived());
        assertEquals(451, window.base());
        assertTrue(window.isReceived(452));
        assertEquals(1, window.position(452));
    }

    @ParameterizedTest
    @ValueSource(longs = { 1L, 0xC0FFEEL, 0x5EED_0002L })
    void shouldMatchAModelOfReceivedSequences(final long seed)
    {
        final String replay = "seed " + Long.toHexString(seed);
        final Random random = new Random(seed);
        final int capacity = 128;
        final ReceiveWindow window = new ReceiveWindow(capacity);
        final int initial = random.nextInt(65_536);
        window.reset(initial);
        final boolean[] model = new boolean[1 << 20]; // indexed by unwrapped sequence - initial
        long base = 0;

        for (int step = 0; step < 200_000; step++)
        {
            // the base one time in eight, so the window both fills and moves
            final long unwrapped = base + (random.nextInt(8) == 0 ? 0 : random.nextInt(capacity));
            final int sequence = (int)((initial + unwrapped) & 0xFFFF);
            assertEquals(unwrapped - base, window.position(sequence), replay);
            assertEquals(model[(int)unwrapped], unwrapped != base && window.isReceived(sequence), replay);
            if (unwrapped == base)
            {
                window.advance();
                base++;
                long expected = 0;
                while (model[(int)base])
                {
                    base++;
                    expected++;
                }
                assertEquals(expected, window.advanceOverReceived(), replay + " step " + step);
            }
            else
            {
                window.markReceived(sequence);
                model[(int)unwrapped] = true;
            }
            assertEquals((int)((initial + base) & 0xFFFF), window.base(), replay + " step " + step);
            if (base > model.length - 2L * capacity)
            {
                break;
            }
        }
        assertTrue(initial + base > 65_536, replay + ": crossed the wrap, base " + base);
    }
}
