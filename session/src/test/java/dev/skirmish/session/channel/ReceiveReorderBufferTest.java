package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reorder store against a model: random stores and releases in any order keep every held message byte-exact,
 * through compactions and growth of the store, refuse exactly what does not fit the budget, and never hold more
 * than the budget.
 */
class ReceiveReorderBufferTest
{
    @ParameterizedTest
    @ValueSource(longs = { 7L, 0xBADC0DEL, 0x5EED_0003L, 42L })
    void shouldKeepHeldBytesExactThroughCompactions(final long seed)
    {
        run(seed, 64, 1000, 300, 100_000);
    }

    @ParameterizedTest
    @ValueSource(longs = { 7L, 0xBADC0DEL, 0x5EED_0003L, 42L })
    void shouldKeepHeldBytesExactThroughGrowthToTheBudget(final long seed)
    {
        final ReceiveReorderBuffer reorder = run(seed, 1024, 64 * 1024, 3000, 20_000);
        assertTrue(reorder.growths() >= 4, "growths " + reorder.growths());
    }

    @Test
    void shouldAllocateNothingUntilAMessageIsHeldThenGrowKeepingHeldMessages()
    {
        final ReceiveReorderBuffer reorder = new ReceiveReorderBuffer(64 * 1024, 64);
        assertEquals(0, reorder.storeCapacity());
        final ByteBuf source = Unpooled.wrappedBuffer(new byte[8192]);
        final byte[][] held = new byte[64][];
        for (int slot = 0; slot < 3; slot++)
        {
            held[slot] = bytes(1000, slot);
            source.setBytes(0, held[slot]);
            assertTrue(reorder.store(slot, source, 0, 1000));
        }
        assertEquals(ReceiveReorderBuffer.MIN_STORE_BYTES, reorder.storeCapacity());
        reorder.release(1);                                     // a hole at [1000, 2000)
        held[1] = null;

        held[3] = bytes(1500, 3);                               // 2000 live + 1500 > half the store: grow
        source.setBytes(0, held[3]);
        assertTrue(reorder.store(3, source, 0, 1500));
        assertEquals(2 * ReceiveReorderBuffer.MIN_STORE_BYTES, reorder.storeCapacity());
        assertEquals(2, reorder.growths());                    // the first store allocated, this one grew
        assertEquals(0, reorder.compactions());
        for (int slot = 0; slot < held.length; slot++)
        {
            if (null != held[slot])
            {
                assertEquals(held[slot].length, reorder.length(slot));
                assertBytes(held[slot], reorder, reorder.offset(slot), "slot " + slot);
            }
        }
        assertEquals(3500, reorder.bufferedBytes());
        assertEquals(2000, reorder.offset(3));                  // compacted while copying: 0, 2 then 3
    }

    private static byte[] bytes(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static ReceiveReorderBuffer run(
        final long seed, final int slots, final int budget, final int maxLength, final int steps)
    {
        final String replay = "seed " + Long.toHexString(seed) + " budget " + budget;
        final Random random = new Random(seed);
        final ReceiveReorderBuffer reorder = new ReceiveReorderBuffer(budget, slots);
        final ByteBuf source = Unpooled.wrappedBuffer(new byte[maxLength + 100]);
        final byte[][] model = new byte[slots][];
        int modelBytes = 0;
        int refused = 0;

        for (int step = 0; step < steps; step++)
        {
            final int slot = random.nextInt(slots);
            if (null == model[slot])
            {
                final int length = random.nextInt(8) == 0 ? 0 :
                    1 + random.nextInt(random.nextBoolean() ? 40 : maxLength);
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
            assertTrue(reorder.storeCapacity() <= budget, replay);
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
        return reorder;
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
