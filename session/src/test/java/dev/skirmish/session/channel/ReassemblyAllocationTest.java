package dev.skirmish.session.channel;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static dev.skirmish.session.channel.ReassemblyCounter.ARENA_GROWTHS;
import static dev.skirmish.session.channel.ReassemblyCounter.MESSAGES_COMPLETED;
import static dev.skirmish.session.channel.ReassemblyResult.ACCEPTED;
import static dev.skirmish.session.channel.ReassemblyResult.COMPLETE;
import static dev.skirmish.session.channel.ReassemblyResult.DUPLICATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state reassembly allocates nothing: 100k two-fragment messages across all channels, wrapping sequences,
 * either fragment first, some duplicates, two messages interleaved, after a warm-up of as many.
 */
class ReassemblyAllocationTest
{
    private static final long SEED = 0xA110_CA7EL;
    private static final String REPLAY = "seed " + Long.toHexString(SEED);
    private static final int MESSAGES = 100_000;
    private static final int FRAGMENT = 1170;

    @Test
    void shouldNotAllocateInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ReassemblyConfig config = new ReassemblyConfig().fragmentLength(FRAGMENT).maxMessageLength(256 * 1024);
        final Run run = new Run(new ReassemblyBuffer(config), config, SEED);

        long sink = run.messages(MESSAGES);
        final long growths = run.buffer.counter(ARENA_GROWTHS);
        final long beforeBytes = threads.getCurrentThreadAllocatedBytes();
        sink += run.messages(MESSAGES);
        final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - beforeBytes;

        assertTrue(sink != 0);
        assertEquals(2L * MESSAGES, run.buffer.counter(MESSAGES_COMPLETED), REPLAY);
        assertEquals(growths, run.buffer.counter(ARENA_GROWTHS), "arena settled in warm-up; " + REPLAY);
        assertTrue(run.buffer.arenaCapacity() <= config.budgetBytes());
        assertTrue(allocatedBytes < 1024, allocatedBytes + " bytes over " + MESSAGES + " messages; " + REPLAY);
    }

    /**
     * Sends pairs of two-fragment messages, interleaving their fragments in a random order, and checks each completed
     * message's first and last bytes (the message number is written into both). Plain arrays and a xorshift
     * generator: no allocation.
     */
    static final class Run
    {
        final ReassemblyBuffer buffer;
        private final ReassemblySender sender;
        private final byte[] first;
        private final byte[] second;
        private final int[] channel = new int[2];
        private final int[] sequence = new int[2];
        private final int[] length = new int[2];
        private final int[] sent = new int[2];
        private final int[] order = new int[2];
        private long random;
        private long nowNs;
        private int messageNumber;

        Run(final ReassemblyBuffer buffer, final ReassemblyConfig config, final long seed)
        {
            this.buffer = buffer;
            this.sender = new ReassemblySender(buffer, config);
            final Random bytes = new Random(seed);
            first = ReassemblySender.message(bytes, 2 * FRAGMENT);
            second = ReassemblySender.message(bytes, 2 * FRAGMENT);
            random = seed;
        }

        long messages(final int messages)
        {
            long sink = 0;
            for (int pair = 0; pair < messages / 2; pair++)
            {
                nowNs += 1_000_000;
                for (int m = 0; m < 2; m++)
                {
                    final int number = messageNumber++;
                    channel[m] = number & 7;
                    sequence[m] = (number >>> 3) & 0xFFFF;
                    length[m] = FRAGMENT + 1 + (int)(next() % FRAGMENT);
                    sent[m] = 0;
                    order[m] = (int)(next() & 1);
                    final byte[] payload = 0 == m ? first : second;
                    payload[0] = (byte)number;
                    payload[length[m] - 1] = (byte)(number >>> 8);
                }
                int done = 0;
                while (done < 2)
                {
                    final int m = sent[0] == 2 ? 1 : sent[1] == 2 ? 0 : (int)(next() & 1);
                    final int index = sent[m] == 0 ? order[m] : 1 - order[m];
                    final byte[] payload = 0 == m ? first : second;
                    final int result = sender.send(channel[m], sequence[m], index, payload, length[m], nowNs);
                    sent[m]++;
                    if (COMPLETE == result)
                    {
                        sink += check(payload, length[m]);
                        done++;
                        if (0 == (next() & 1))
                        {
                            buffer.release();
                        }
                    }
                    else if (ACCEPTED != result)
                    {
                        throw new AssertionError(ReassemblyResult.name(result) + "; " + REPLAY);
                    }
                    else if (0 == (next() & 7) &&
                        DUPLICATE != sender.send(channel[m], sequence[m], index, payload, length[m], nowNs))
                    {
                        throw new AssertionError("duplicate not detected; " + REPLAY);
                    }
                }
            }
            return sink;
        }

        private long check(final byte[] payload, final int messageLength)
        {
            final int offset = buffer.completedOffset();
            if (buffer.completedLength() != messageLength ||
                buffer.completedBuffer().getByte(offset) != payload[0] ||
                buffer.completedBuffer().getByte(offset + messageLength - 1) != payload[messageLength - 1] ||
                buffer.completedBuffer().getByte(offset + FRAGMENT) != payload[FRAGMENT])
            {
                throw new AssertionError("wrong bytes; " + REPLAY);
            }
            return messageLength;
        }

        private long next()
        {
            random ^= random << 13;
            random ^= random >>> 7;
            random ^= random << 17;
            return random & Long.MAX_VALUE;
        }
    }
}
