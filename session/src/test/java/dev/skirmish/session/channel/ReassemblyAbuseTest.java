package dev.skirmish.session.channel;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dev.skirmish.session.channel.ReassemblyCounter.DUPLICATES;
import static dev.skirmish.session.channel.ReassemblyCounter.FRAGMENTS_ACCEPTED;
import static dev.skirmish.session.channel.ReassemblyCounter.MESSAGES_COMPLETED;
import static dev.skirmish.session.channel.ReassemblyCounter.MESSAGES_EVICTED;
import static dev.skirmish.session.channel.ReassemblyCounter.MESSAGES_EXPIRED;
import static dev.skirmish.session.channel.ReassemblyCounter.MESSAGES_STARTED;
import static dev.skirmish.session.channel.ReassemblyCounter.REJECTED_BAD_COUNT;
import static dev.skirmish.session.channel.ReassemblyCounter.REJECTED_BAD_INDEX;
import static dev.skirmish.session.channel.ReassemblyCounter.REJECTED_BAD_KEY;
import static dev.skirmish.session.channel.ReassemblyCounter.REJECTED_BAD_LENGTH;
import static dev.skirmish.session.channel.ReassemblyCounter.REJECTED_INCONSISTENT_COUNT;
import static dev.skirmish.session.channel.ReassemblyCounter.REJECTED_NO_MEMORY;
import static dev.skirmish.session.channel.ReassemblyCounter.REJECTED_TOO_MANY_MESSAGES;
import static dev.skirmish.session.channel.ReassemblyResult.ACCEPTED;
import static dev.skirmish.session.channel.ReassemblyResult.BAD_COUNT;
import static dev.skirmish.session.channel.ReassemblyResult.BAD_INDEX;
import static dev.skirmish.session.channel.ReassemblyResult.BAD_KEY;
import static dev.skirmish.session.channel.ReassemblyResult.BAD_LENGTH;
import static dev.skirmish.session.channel.ReassemblyResult.COMPLETE;
import static dev.skirmish.session.channel.ReassemblyResult.DUPLICATE;
import static dev.skirmish.session.channel.ReassemblyResult.INCONSISTENT_COUNT;
import static dev.skirmish.session.channel.ReassemblyResult.NO_MEMORY;
import static dev.skirmish.session.channel.ReassemblyResult.TOO_MANY_MESSAGES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A hostile peer against one session's {@link ReassemblyBuffer} at the default sizes (256 KiB messages, 1170 B
 * fragments, 16 slots, 512 KiB budget, 10 s timeout): 100 000 message ids that never complete, across all channels
 * with wrapping sequences, mixed with re-used ids, inconsistent counts and malformed fragments. Memory and slots stay
 * bounded at every step, every counter adds up, and an honest message still gets through afterwards.
 * Virtual time; seeded (the seed is in every message).
 */
class ReassemblyAbuseTest
{
    private static final long SEED = 0xAB05_E5EEDL;
    private static final String REPLAY = "seed " + Long.toHexString(SEED);
    private static final int IDS = 100_000;
    private static final long MS = 1_000_000L;
    private static final long TIMEOUT_NS = 10_000 * MS;
    private static final int FRAGMENT = 1170;

    private final ReassemblyConfig config = new ReassemblyConfig()
        .fragmentLength(FRAGMENT)
        .maxMessageLength(256 * 1024)
        .maxMessages(16)
        .budgetBytes(512 * 1024)
        .timeoutNs(TIMEOUT_NS);
    private final ReassemblyBuffer buffer = new ReassemblyBuffer(config);
    private final ReassemblySender sender = new ReassemblySender(buffer, config);
    private final Random random = new Random(SEED);
    private final long[] results = new long[TOO_MANY_MESSAGES + 1];
    private long calls;

    @Test
    void shouldStayBoundedUnderNeverCompletedMessagesOverTime()
    {
        final int maxFragments = config.maxFragments();
        final int[] nextSequence = new int[8];
        Arrays.fill(nextSequence, 0xFFFF - 3000);
        final int[] countOf = new int[8 << 16];
        long nowNs = 0;

        for (int id = 0; id < IDS; id++)
        {
            nowNs += random.nextInt(2 * (int)MS);
            final int channel = random.nextInt(8);
            final int kind = random.nextInt(100);
            if (kind < 80)
            {
                final int sequence = nextSequence[channel]++ & 0xFFFF;
                final int count = random.nextBoolean() ? 2 + random.nextInt(3) : 2 + random.nextInt(maxFragments - 1);
                countOf[(channel << 16) | sequence] = count;
                fragment(channel, sequence, random.nextInt(count - 1), count, FRAGMENT, nowNs);
            }
            else if (kind < 92)
            {
                final int sequence = (nextSequence[channel] - 1 - random.nextInt(8)) & 0xFFFF;
                final int known = countOf[(channel << 16) | sequence];
                final int count = known >= 2 && random.nextBoolean() ? known : 3 + random.nextInt(maxFragments - 2);
                fragment(channel, sequence, random.nextInt(count - 1), count, FRAGMENT, nowNs);
            }
            else
            {
                malformed(channel, nextSequence[channel]++ & 0xFFFF, maxFragments, nowNs);
            }
            if (id % 1000 == 999)
            {
                buffer.expire(nowNs);
            }
            if (id % 10_000 == 9_999)
            {
                // A lull longer than the timeout: the tick's expiry, not admission, collects the flood.
                nowNs += TIMEOUT_NS;
                assertTrue(buffer.expire(nowNs) > 0, REPLAY);
                assertEquals(0, buffer.bytesInUse(), REPLAY);
            }
        }

        assertEquals(0, results[COMPLETE], REPLAY);
        assertCountersConsistent();
        assertTrue(results[ACCEPTED] > 0 && results[DUPLICATE] > 0 && results[INCONSISTENT_COUNT] > 0, REPLAY);
        assertTrue(results[NO_MEMORY] > 0 && results[TOO_MANY_MESSAGES] > 0, REPLAY);
        assertTrue(results[BAD_KEY] > 0 && results[BAD_COUNT] > 0 && results[BAD_INDEX] > 0, REPLAY);
        assertTrue(results[BAD_LENGTH] > 0, REPLAY);
        assertTrue(buffer.counter(MESSAGES_EVICTED) > 0 && buffer.counter(MESSAGES_EXPIRED) > 0,
            buffer.counter(MESSAGES_EVICTED) + " evicted, " + buffer.counter(MESSAGES_EXPIRED) + " expired, " +
            Arrays.toString(results) + "; " + REPLAY);
        assertTrue(buffer.peakBytes() > config.budgetBytes() - config.maxMessageLength(), "filled; " + REPLAY);

        // Once the flood's messages are a timeout old, an honest message evicts them as it needs room.
        nowNs += TIMEOUT_NS;
        assertHonestMessageReassembles(nowNs);
        assertTrue(buffer.counter(MESSAGES_EVICTED) > 0, REPLAY);
        buffer.expire(nowNs + TIMEOUT_NS);
        assertEquals(0, buffer.messagesInProgress());
        assertEquals(0, buffer.bytesInUse());
        assertEquals(buffer.counter(MESSAGES_STARTED), buffer.counter(MESSAGES_COMPLETED) +
            buffer.counter(MESSAGES_EXPIRED) + buffer.counter(MESSAGES_EVICTED), "every started id was completed, " +
            "expired or evicted; " + REPLAY);
    }

    @Test
    void shouldRefuseFloodAtOneInstantAndRecoverAfterExpiry()
    {
        final int maxFragments = config.maxFragments();
        final long nowNs = 5 * MS;
        for (int id = 0; id < IDS; id++)
        {
            final int count = 2 + random.nextInt(maxFragments - 1);
            fragment(id & 7, (id >>> 3) & 0xFFFF, random.nextInt(count - 1), count, FRAGMENT, nowNs);
        }

        assertCountersConsistent();
        assertEquals(0, buffer.counter(MESSAGES_EVICTED), "nothing is old enough to evict");
        assertEquals(IDS, results[ACCEPTED] + results[NO_MEMORY] + results[TOO_MANY_MESSAGES], REPLAY);
        assertTrue(buffer.counter(MESSAGES_STARTED) <= config.maxMessages(), REPLAY);

        assertEquals(buffer.counter(MESSAGES_STARTED), buffer.expire(nowNs + TIMEOUT_NS));
        assertEquals(0, buffer.bytesInUse());
        assertHonestMessageReassembles(nowNs + TIMEOUT_NS);
    }

    private void fragment(
        final int channel, final int sequence, final int index, final int count, final int length, final long nowNs)
    {
        record(sender.raw(channel, sequence, index, count, length, nowNs));
    }

    private void malformed(final int channel, final int sequence, final int maxFragments, final long nowNs)
    {
        switch (random.nextInt(7))
        {
            case 0 -> fragment(channel, sequence, 0, 0, FRAGMENT, nowNs);
            case 1 -> fragment(channel, sequence, 0, 1, FRAGMENT, nowNs);
            case 2 -> fragment(channel, sequence, 0, maxFragments + 1 + random.nextInt(0xFFFF - maxFragments), FRAGMENT,
                nowNs);
            case 3 -> fragment(channel, sequence, 5 + random.nextInt(0xFFFF - 5), 5, FRAGMENT, nowNs);
            case 4 -> fragment(channel, sequence, 0, 5, 1 + random.nextInt(FRAGMENT - 1), nowNs);
            case 5 -> fragment(8 + random.nextInt(248), sequence, 0, 5, FRAGMENT, nowNs);
            default -> fragment(channel, sequence, maxFragments - 1, maxFragments, FRAGMENT, nowNs);
        }
    }

    private void record(final int result)
    {
        calls++;
        results[result]++;
        if (COMPLETE == result)
        {
            fail("a message that was never sent whole completed; " + REPLAY);
        }
        if (buffer.bytesInUse() > config.budgetBytes() || buffer.arenaCapacity() > config.budgetBytes() ||
            buffer.messagesInProgress() > config.maxMessages() || buffer.bytesInUse() < 0)
        {
            fail("bounds exceeded at call " + calls + ": bytes " + buffer.bytesInUse() + ", arena " +
                buffer.arenaCapacity() + ", messages " + buffer.messagesInProgress() + "; " + REPLAY);
        }
    }

    private void assertCountersConsistent()
    {
        assertEquals(results[ACCEPTED] + results[COMPLETE], buffer.counter(FRAGMENTS_ACCEPTED), REPLAY);
        assertEquals(results[DUPLICATE], buffer.counter(DUPLICATES), REPLAY);
        assertEquals(results[BAD_KEY], buffer.counter(REJECTED_BAD_KEY), REPLAY);
        assertEquals(results[BAD_COUNT], buffer.counter(REJECTED_BAD_COUNT), REPLAY);
        assertEquals(results[BAD_INDEX], buffer.counter(REJECTED_BAD_INDEX), REPLAY);
        assertEquals(results[INCONSISTENT_COUNT], buffer.counter(REJECTED_INCONSISTENT_COUNT), REPLAY);
        assertEquals(results[BAD_LENGTH], buffer.counter(REJECTED_BAD_LENGTH), REPLAY);
        assertEquals(results[NO_MEMORY], buffer.counter(REJECTED_NO_MEMORY), REPLAY);
        assertEquals(results[TOO_MANY_MESSAGES], buffer.counter(REJECTED_TOO_MANY_MESSAGES), REPLAY);
        long sum = 0;
        for (final long count : results)
        {
            sum += count;
        }
        assertEquals(calls, sum);
        assertEquals(buffer.counter(MESSAGES_STARTED), buffer.counter(MESSAGES_COMPLETED) +
            buffer.counter(MESSAGES_EXPIRED) + buffer.counter(MESSAGES_EVICTED) + buffer.messagesInProgress(), REPLAY);
        assertTrue(buffer.bytesInUse() <= config.budgetBytes() && buffer.peakBytes() <= config.budgetBytes(), REPLAY);
    }

    private void assertHonestMessageReassembles(final long nowNs)
    {
        final byte[] message = ReassemblySender.message(random, config.maxMessageLength());
        final int[] order = ReassemblySender.shuffled(random, sender.count(message));
        for (int i = 0; i < order.length - 1; i++)
        {
            assertEquals(ACCEPTED, sender.send(3, 0x1234, order[i], message, nowNs), "fragment " + i + "; " + REPLAY);
        }
        assertEquals(COMPLETE, sender.send(3, 0x1234, order[order.length - 1], message, nowNs), REPLAY);
        assertArrayEquals(message, ReassemblySender.completed(buffer), REPLAY);
        buffer.release();
    }
}
