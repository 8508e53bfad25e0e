package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state receive allocates nothing in any mode: 100k messages, reordered in blocks of 32, with duplicates of
 * already received ones, after a warm-up of as many, on one channel (so across the u16 wrap).
 */
class ReceiveAllocationTest
{
    private static final long SEED = 0x5EED_A110L;
    private static final int MESSAGES = 100_000;
    private static final int BLOCK = 32;
    private static final String REPLAY = "seed " + Long.toHexString(SEED);

    @ParameterizedTest
    @EnumSource(ChannelMode.class)
    void shouldNotAllocateInSteadyState(final ChannelMode mode)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ReceiveChannel channel = new ReceiveChannel(1, mode, new ReceiveConfig());
        final int[] warmUp = schedule(0, SEED);
        final int[] measured = schedule(MESSAGES, SEED + 1);
        final ByteBuf payload = Unpooled.wrappedBuffer(new byte[128]);
        for (int i = 0; i < payload.capacity(); i++)
        {
            payload.setByte(i, i * 7);
        }
        final CountingHandler handler = new CountingHandler();

        run(channel, warmUp, payload, handler);
        final long deliveredBefore = handler.delivered;
        final long beforeBytes = threads.getCurrentThreadAllocatedBytes();
        run(channel, measured, payload, handler);
        final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - beforeBytes;

        assertTrue(handler.delivered - deliveredBefore > MESSAGES / 10, REPLAY + " " + mode);
        if (mode.isReliable())
        {
            assertEquals(2L * MESSAGES, handler.delivered, REPLAY + " " + mode);
            assertTrue(channel.counter(ReceiveCounter.DUPLICATES) > MESSAGES / 10, REPLAY + " " + mode);
        }
        if (ChannelMode.RELIABLE_ORDERED == mode)
        {
            assertTrue(channel.counter(ReceiveCounter.MESSAGES_BUFFERED) > MESSAGES, REPLAY);
        }
        assertTrue(allocatedBytes < 1024,
            allocatedBytes + " bytes over " + MESSAGES + " messages; " + mode + ", " + REPLAY);
    }

    private static void run(
        final ReceiveChannel channel, final int[] schedule, final ByteBuf payload, final CountingHandler handler)
    {
        for (int i = 0; i < schedule.length; i++)
        {
            final int id = schedule[i];
            channel.receive(id & SequenceNumbers.MASK, payload, id % 32, 1 + id % 64, handler);
        }
    }

    /**
     * Ids {@code first .. first + MESSAGES - 1}, each block of 32 shuffled; after one arrival in eight, a copy of the
     * message 40 before it (received already: a resend whose original arrived).
     */
    private static int[] schedule(final int first, final long seed)
    {
        final int[] schedule = new int[MESSAGES + MESSAGES / 4];
        long random = seed;
        int count = 0;
        for (int blockStart = first; blockStart < first + MESSAGES; blockStart += BLOCK)
        {
            final int blockEnd = Math.min(blockStart + BLOCK, first + MESSAGES);
            final int start = count;
            for (int id = blockStart; id < blockEnd; id++)
            {
                schedule[count++] = id;
            }
            for (int i = count - 1; i > start; i--)
            {
                random ^= random << 13;
                random ^= random >>> 7;
                random ^= random << 17;
                final int j = start + (int)((random & Long.MAX_VALUE) % (i - start + 1));
                final int id = schedule[i];
                schedule[i] = schedule[j];
                schedule[j] = id;
            }
            final int end = count;
            for (int i = start; i < end; i++)
            {
                if ((schedule[i] & 7) == 0 && schedule[i] >= 40 + first)
                {
                    schedule[count++] = schedule[i] - 40;
                }
            }
        }
        return Arrays.copyOf(schedule, count);
    }

    /**
     * Counts deliveries in primitive fields: allocates nothing.
     */
    static final class CountingHandler implements ReceiveChannel.MessageHandler
    {
        long delivered;
        long bytes;
        long checksum;

        public void onMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            delivered++;
            bytes += length;
            checksum += buffer.getByte(offset) + buffer.getByte(offset + length - 1);
        }
    }
}
