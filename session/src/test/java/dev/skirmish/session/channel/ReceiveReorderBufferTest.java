package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reorder store against a model: random stores and releases in any order keep every held message byte-exact,
 * refuse exactly what does not fit the budget, and never hold more than the budget.
 */
class ReceiveReorderBufferTest
{
    @ParameterizedTest
    @ValueSource(longs = { 7L, 0xBADC0DEL, 0x5EED_0003L, 42L })
    void shouldKeepHeldBytesExactThroughCompactions(final long seed)
    {
        final String replay = "seed " + Long.toHexString(seed);
        final Random random = new Random(seed);
        final int slots = 64;
        final int budget = 1000;
        final ReceiveReorderBuffer reorder = new ReceiveReorderBuffer(budget, slots);
        final ByteBuf source = Unpooled.wrappedBuffer(new byte[4096]);
        final byte[][] model = new byte[slots][];
        int modelBytes = 0;
        int refused = 0;

        for (int step = 0; step < 100_000; step++)
        {
            final int slot = random.nextInt(slots);
            if (null == model[slot])
            {
                final int length = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(random.nextBoolean() ? 40 : 300);
                final byte[] message = new byte[length];
                random.nextBytes(message);
                final int offset = random.nextInt(100);
                source.setBytes(offset, message);
                final boolean fits = modelBytes + length <= budget;
                assertEquals(fits, reorder.store(slot, source, offset, length), replay + " step " + step);
                source.setZero(0, source.capacity());
                if (fits)
                {
                    model[slot] = message;
                    modelBytes += length;
                }
                else
                {
                    refused++;
                }
            }
            else
            {
                final byte[] expected = model[slot];
                assertEquals(expected.length, reorder.length(slot), replay);
                reorder.release(slot);
                // still readable after release, until the next store
                assertBytes(expected, reorder, reorder.offset(slot), replay + " step " + step);
                model[slot] = null;
                modelBytes -= expected.length;
            }
            assertEquals(modelBytes, reorder.bufferedBytes(), replay);
            assertTrue(reorder.maxBufferedBytes() <= budget, replay);
            if (step % 97 == 0)
            {
                for (int s = 0; s < slots; s++)
                {
                    if (null != model[s])
                    {
                        assertEquals(model[s].length, reorder.length(s), replay);
                        assertBytes(model[s], reorder, reorder.offset(s), replay + " step " + step + " slot " + s);
                    }
                }
            }
        }
        assertTrue(reorder.compactions() > 100, replay + ": compactions " + reorder.compactions());
        assertTrue(refused > 100, replay + ": refused " + refused);
        assertEquals(budget, reorder.buffer().capacity());
    }

    private static void assertBytes(
        final byte[] expected, final ReceiveReorderBuffer reorder, final int offset, final String replay)
    {
        for (int i = 0; i < expected.length; i++)
        {
            if (expected[i] != reorder.buffer().getByte(offset + i))
            {
                fail(replay + ": byte " + i + " of " + expected.length);
            }
        }
    }
}
