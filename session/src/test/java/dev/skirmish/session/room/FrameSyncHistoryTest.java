package dev.skirmish.session.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frame history against a model: frames of random lengths appended, the newest ones that fit both limits (frame
 * count and bytes) held intact, the oldest evicted first, the memory fixed.
 */
class FrameSyncHistoryTest
{
    @Test
    void shouldHoldTheNewestFramesWithinBothLimitsIntact()
    {
        final long seed = 0x415_7021L;
        final SplittableRandom random = new SplittableRandom(seed);
        final int maxFrames = 64;
        final int capacityBytes = 4096;
        final FrameHistory history = new FrameHistory(maxFrames, capacityBytes);
        final ArrayDeque<byte[]> model = new ArrayDeque<>();
        final List<byte[]> all = new ArrayList<>();
        final ByteBuf src = Unpooled.buffer(2048);
        for (int n = 0; n < 20_000; n++)
        {
            final byte[] frame = new byte[1 + random.nextInt(random.nextBoolean() ? 40 : 1000)];
            random.nextBytes(frame);
            src.clear().writeBytes(frame);
            assertEquals(n, history.append(src, 0, frame.length));
            all.add(frame);
            model.addLast(frame);
            while (model.size() > maxFrames)
            {
                model.removeFirst();
            }
            final long first = history.first();
            assertEquals(n + 1, history.next());
            assertTrue(n + 1 - first <= maxFrames, "seed " + seed);
            long held = 0;
            for (long f = first; f <= n; f++)
            {
                held += history.length(f);
                assertArrayEquals(all.get((int)f),
                    ByteBufUtil.getBytes(history.buffer(), history.offset(f), history.length(f)), "seed " + seed);
            }
            assertTrue(held <= capacityBytes);
            // bytes evict only what they must: the frames held fill all but a waste, the new frame and the last evicted
            if (first > 0 && n + 1 - first < maxFrames)
            {
                assertTrue(held >= capacityBytes - 3 * 1001, "evicted too much at " + n + ": held " + held +
                    " seed " + seed);
            }
            assertFalse(history.contains(first - 1));
            assertTrue(history.contains(n));
        }
    }
}
