package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static dev.skirmish.session.channel.ReassemblyCounter.ARENA_COMPACTIONS;
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

/**
 * Unit tests of {@link ReassemblyBuffer} on a small configuration: 100 B fragments, 1000 B messages (10 fragments),
 * 4 slots, 2000 B budget, 10 s timeout. Virtual time; seeded randomness (the seed is in every message).
 */
class ReassemblyBufferTest
{
    private static final long SEED = 0x5EED_F4A6L;
    private static final String REPLAY = "seed " + Long.toHexString(SEED);
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long TIMEOUT_NS = 10 * SECOND_NS;
    private static final int FRAGMENT = 100;

    private final ReassemblyConfig config = new ReassemblyConfig()
        .fragmentLength(FRAGMENT)
        .maxMessageLength(1000)
        .maxMessages(4)
        .budgetBytes(2000)
        .timeoutNs(TIMEOUT_NS);
    private final ReassemblyBuffer buffer = new ReassemblyBuffer(config);
    private final ReassemblySender sender = new ReassemblySender(buffer, config);
    private final Random random = new Random(SEED);

    @ParameterizedTest
    @ValueSource(ints = { 101, 150, 199, 200, 201, 999, 1000 })
    void shouldReassembleInOrder(final int length)
    {
        final byte[] message = ReassemblySender.message(random, length);
        final int count = sender.count(message);
        for (int i = 0; i < count - 1; i++)
        {
            assertEquals(ACCEPTED, sender.send(2, 7, i, message, 0));
        }
        assertEquals(COMPLETE, sender.send(2, 7, count - 1, message, 0));
        assertArrayEquals(message, ReassemblySender.completed(buffer));
        assertEquals(1, buffer.counter(MESSAGES_COMPLETED));
        assertEquals(count, buffer.counter(FRAGMENTS_ACCEPTED));
    }

    @ParameterizedTest
    @ValueSource(ints = { 101, 200, 555, 1000 })
    void shouldReassembleInReverseOrder(final int length)
    {
        final byte[] message = ReassemblySender.message(random, length);
        final int count = sender.count(message);
        for (int i = count - 1; i > 0; i--)
        {
            assertEquals(ACCEPTED, sender.send(0, 0xFFFF, i, message, 0));
        }
        assertEquals(COMPLETE, sender.send(0, 0xFFFF, 0, message, 0));
        assertArrayEquals(message, ReassemblySender.completed(buffer));
    }

    @Test
    void shouldReassembleInRandomOrderWithDuplicates()
    {
        for (int round = 0; round < 200; round++)
        {
            final byte[] message = ReassemblySender.message(random, 101 + random.nextInt(900));
            final int count = sender.count(message);
            final int[] order = ReassemblySender.shuffled(random, count);
            final int sequence = round & 0xFFFF;
            for (int i = 0; i < count - 1; i++)
            {
                assertEquals(ACCEPTED, sender.send(round & 7, sequence, order[i], message, 0), REPLAY);
                if (random.nextInt(3) == 0)
                {
                    assertEquals(DUPLICATE, sender.send(round & 7, sequence, order[random.nextInt(i + 1)], message, 0));
                }
            }
            assertEquals(COMPLETE, sender.send(round & 7, sequence, order[count - 1], message, 0), REPLAY);
            assertArrayEquals(message, ReassemblySender.completed(buffer), REPLAY);
        }
        assertEquals(200, buffer.counter(MESSAGES_COMPLETED));
        assertEquals(200, buffer.counter(MESSAGES_STARTED));
    }

    @Test
    void shouldReassembleInterleavedMessagesAcrossChannelsByteExact()
    {
        final int messages = 3000;
        final byte[][] payload = new byte[messages][];
        final int[][] order = new int[messages][];
        final int[] next = new int[messages];
        final int[] sequences = new int[8];
        final int[] channel = new int[messages];
        final int[] sequence = new int[messages];
        for (int m = 0; m < messages; m++)
        {
            payload[m] = ReassemblySender.message(random, 101 + random.nextInt(900));
            order[m] = ReassemblySender.shuffled(random, sender.count(payload[m]));
            channel[m] = random.nextInt(8);
            sequence[m] = (0xFFF0 + sequences[channel[m]]++) & 0xFFFF;
        }

        final int window = 6;
        int started = 0;
        int done = 0;
        int refused = 0;
        final int[] inFlight = new int[window];
        int inFlightCount = 0;
        for (long step = 0; done < messages; step++)
        {
            assertTrue(step < 1_000_000, "no progress; " + REPLAY);
            while (inFlightCount < window && started < messages)
            {
                inFlight[inFlightCount++] = started++;
            }
            final int pick = random.nextInt(inFlightCount);
            final int m = inFlight[pick];
            final int result = sender.send(channel[m], sequence[m], order[m][next[m]], payload[m], 0);
            if (NO_MEMORY == result || TOO_MANY_MESSAGES == result)
            {
                assertEquals(0, next[m], "only a new message is refused; " + REPLAY);
                refused++;
                continue;
            }
            next[m]++;
            if (COMPLETE == result)
            {
                assertEquals(order[m].length, next[m], REPLAY);
                assertArrayEquals(payload[m], ReassemblySender.completed(buffer), "message " + m + "; " + REPLAY);
                if (random.nextBoolean())
                {
                    buffer.release();
                }
                inFlight[pick] = inFlight[--inFlightCount];
                done++;
            }
            else
            {
                assertEquals(ACCEPTED, result, REPLAY);
            }
            assertTrue(buffer.bytesInUse() <= config.budgetBytes(), REPLAY);
            assertTrue(buffer.arenaCapacity() <= config.budgetBytes(), REPLAY);
        }

        assertEquals(messages, buffer.counter(MESSAGES_COMPLETED));
        assertEquals(messages, buffer.counter(MESSAGES_STARTED));
        assertTrue(refused > 0, "the window should overrun the budget; " + REPLAY);
        assertTrue(buffer.counter(ARENA_COMPACTIONS) > 0, "scattered regions should need compaction; " + REPLAY);
        assertEquals(refused, buffer.counter(REJECTED_NO_MEMORY) + buffer.counter(REJECTED_TOO_MANY_MESSAGES));
    }

    @Test
    void shouldCopyFromDirectBuffer()
    {
        final byte[] message = ReassemblySender.message(random, 250);
        final ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(512);
        try
        {
            direct.setBytes(40, message, 200, 50);
            assertEquals(ACCEPTED, buffer.onFragment(1, 1, 2, 3, direct, 40, 50, 0));
            direct.setBytes(40, message, 0, 100);
            assertEquals(ACCEPTED, buffer.onFragment(1, 1, 0, 3, direct, 40, 100, 0));
            direct.setBytes(40, message, 100, 100);
            assertEquals(COMPLETE, buffer.onFragment(1, 1, 1, 3, direct, 40, 100, 0));
            assertArrayEquals(message, ReassemblySender.completed(buffer));
        }
        finally
        {
            direct.release();
        }
    }

    @Test
    void shouldTreatDuplicatesAsIdempotent()
    {
        final byte[] message = ReassemblySender.message(random, 300);
        assertEquals(ACCEPTED, sender.send(3, 9, 1, message, 0));
        final int bytes = buffer.bytesInUse();
        for (int i = 0; i < 10; i++)
        {
            assertEquals(DUPLICATE, sender.send(3, 9, 1, message, 0));
        }
        assertEquals(bytes, buffer.bytesInUse());
        assertEquals(ACCEPTED, sender.send(3, 9, 0, message, 0));
        assertEquals(COMPLETE, sender.send(3, 9, 2, message, 0));
        assertArrayEquals(message, ReassemblySender.completed(buffer));
        assertEquals(10, buffer.counter(DUPLICATES));
        assertEquals(3, buffer.counter(FRAGMENTS_ACCEPTED));
    }

    @Test
    void shouldRejectBadKeys()
    {
        assertEquals(BAD_KEY, sender.raw(8, 0, 0, 2, FRAGMENT, 0));
        assertEquals(BAD_KEY, sender.raw(-1, 0, 0, 2, FRAGMENT, 0));
        assertEquals(BAD_KEY, sender.raw(0, 0x10000, 0, 2, FRAGMENT, 0));
        assertEquals(BAD_KEY, sender.raw(0, -1, 0, 2, FRAGMENT, 0));
        assertEquals(4, buffer.counter(REJECTED_BAD_KEY));
        assertNothingHeld();
    }

    @Test
    void shouldRejectBadCounts()
    {
        assertEquals(BAD_COUNT, sender.raw(0, 1, 0, 0, FRAGMENT, 0));
        assertEquals(BAD_COUNT, sender.raw(0, 1, 0, 1, FRAGMENT, 0));
        assertEquals(BAD_COUNT, sender.raw(0, 1, 0, config.maxFragments() + 1, FRAGMENT, 0));
        assertEquals(BAD_COUNT, sender.raw(0, 1, 0, 0xFFFF, FRAGMENT, 0));
        assertEquals(BAD_COUNT, sender.raw(0, 1, 0, -5, FRAGMENT, 0));
        assertEquals(5, buffer.counter(REJECTED_BAD_COUNT));
        assertNothingHeld();
    }

    @Test
    void shouldRejectIndexNotBelowCount()
    {
        assertEquals(BAD_INDEX, sender.raw(0, 1, 2, 2, FRAGMENT, 0));
        assertEquals(BAD_INDEX, sender.raw(0, 1, 0xFFFF, 10, FRAGMENT, 0));
        assertEquals(BAD_INDEX, sender.raw(0, 1, -1, 10, FRAGMENT, 0));
        assertEquals(3, buffer.counter(REJECTED_BAD_INDEX));
        assertNothingHeld();
    }

    @Test
    void shouldRejectBadLengths()
    {
        assertEquals(BAD_LENGTH, sender.raw(0, 1, 0, 3, FRAGMENT - 1, 0), "short non-last fragment");
        assertEquals(BAD_LENGTH, sender.raw(0, 1, 0, 3, FRAGMENT + 1, 0), "long non-last fragment");
        assertEquals(BAD_LENGTH, sender.raw(0, 1, 2, 3, FRAGMENT + 1, 0), "long last fragment");
        assertEquals(BAD_LENGTH, sender.raw(0, 1, 2, 3, 0, 0), "empty last fragment");
        assertEquals(BAD_LENGTH, sender.raw(0, 1, 2, 3, -1, 0), "negative length");
        final ReassemblyConfig odd = new ReassemblyConfig().fragmentLength(100).maxMessageLength(950);
        final ReassemblyBuffer oddBuffer = new ReassemblyBuffer(odd);
        final ReassemblySender oddSender = new ReassemblySender(oddBuffer, odd);
        assertEquals(BAD_LENGTH, oddSender.raw(0, 1, 9, 10, 51, 0), "whole message over the maximum");
        assertEquals(ACCEPTED, oddSender.raw(0, 1, 9, 10, 50, 0), "exactly the maximum");
        assertEquals(BAD_LENGTH, buffer.onFragment(0, 1, 0, 3, sender.src, sender.src.capacity() - 50, FRAGMENT, 0),
            "outside the source buffer");
        assertEquals(BAD_LENGTH, buffer.onFragment(0, 1, 0, 3, sender.src, -1, FRAGMENT, 0), "negative offset");
        assertEquals(7, buffer.counter(REJECTED_BAD_LENGTH));
        assertNothingHeld();
    }

    @Test
    void shouldRejectInconsistentCountsForOneMessage()
    {
        final byte[] message = ReassemblySender.message(random, 250);
        assertEquals(ACCEPTED, sender.send(5, 42, 0, message, 0));
        assertEquals(INCONSISTENT_COUNT, sender.raw(5, 42, 1, 4, FRAGMENT, 0));
        assertEquals(INCONSISTENT_COUNT, sender.raw(5, 42, 1, 2, FRAGMENT, 0));
        assertEquals(INCONSISTENT_COUNT, sender.raw(5, 42, 0, 10, FRAGMENT, 0), "even for an index already held");
        assertEquals(3, buffer.counter(REJECTED_INCONSISTENT_COUNT));
        assertEquals(ACCEPTED, sender.send(5, 42, 2, message, 0));
        assertEquals(COMPLETE, sender.send(5, 42, 1, message, 0));
        assertArrayEquals(message, ReassemblySender.completed(buffer), "rejected fragments leave the message intact");
        assertEquals(ACCEPTED, sender.raw(6, 42, 1, 4, FRAGMENT, 0), "same sequence on another channel is another key");
    }

    @Test
    void shouldRefuseWhenSlotsAreFullThenEvictOnceExpired()
    {
        for (int i = 0; i < 4; i++)
        {
            assertEquals(ACCEPTED, sender.raw(i, 0, 0, 3, FRAGMENT, i * SECOND_NS));
        }
        assertEquals(TOO_MANY_MESSAGES, sender.raw(7, 0, 0, 3, FRAGMENT, 5 * SECOND_NS));
        assertEquals(TOO_MANY_MESSAGES, sender.raw(7, 0, 0, 3, FRAGMENT, TIMEOUT_NS - 1), "oldest not yet expired");
        assertEquals(ACCEPTED, sender.raw(7, 0, 0, 3, FRAGMENT, TIMEOUT_NS), "oldest (channel 0) evicted");
        assertEquals(1, buffer.counter(MESSAGES_EVICTED));
        assertEquals(2, buffer.counter(REJECTED_TOO_MANY_MESSAGES));
        assertEquals(4, buffer.messagesInProgress());
        assertEquals(ACCEPTED, sender.raw(1, 0, 1, 3, FRAGMENT, TIMEOUT_NS), "channel 1 kept");
        assertEquals(TOO_MANY_MESSAGES, sender.raw(0, 0, 1, 3, FRAGMENT, TIMEOUT_NS), "channel 0 was forgotten");
        assertEquals(ACCEPTED, sender.raw(0, 0, 1, 3, FRAGMENT, TIMEOUT_NS + SECOND_NS), "evicting channel 1");
        assertEquals(2, buffer.counter(MESSAGES_EVICTED));
        assertEquals(6, buffer.counter(MESSAGES_STARTED));
        assertEquals(4, buffer.messagesInProgress());
    }

    @Test
    void shouldRefuseWhenBudgetIsFullThenEvictOnceExpired()
    {
        assertEquals(ACCEPTED, sender.raw(0, 0, 0, 10, FRAGMENT, 0));
        assertEquals(ACCEPTED, sender.raw(1, 0, 0, 10, FRAGMENT, SECOND_NS));
        assertEquals(2000, buffer.bytesInUse());
        assertEquals(NO_MEMORY, sender.raw(2, 0, 0, 2, FRAGMENT, 2 * SECOND_NS));
        assertEquals(ACCEPTED, sender.raw(2, 0, 0, 2, FRAGMENT, TIMEOUT_NS), "oldest evicted: room for 200 B");
        assertEquals(NO_MEMORY, sender.raw(3, 0, 0, 10, FRAGMENT, TIMEOUT_NS), "next oldest not expired");
        assertEquals(ACCEPTED, sender.raw(3, 0, 0, 8, FRAGMENT, TIMEOUT_NS), "800 B still fit");
        assertEquals(2000, buffer.bytesInUse());
        assertEquals(1, buffer.counter(MESSAGES_EVICTED));
        assertEquals(2, buffer.counter(REJECTED_NO_MEMORY));
        assertEquals(2000, buffer.peakBytes());
    }

    @Test
    void shouldExpireIncompleteMessagesAndFreeTheirMemory()
    {
        assertEquals(ACCEPTED, sender.raw(0, 0, 0, 5, FRAGMENT, 0));
        assertEquals(ACCEPTED, sender.raw(0, 1, 0, 5, FRAGMENT, 3 * SECOND_NS));
        assertEquals(1000, buffer.bytesInUse());
        assertEquals(0, buffer.expire(TIMEOUT_NS - 1));
        assertEquals(1, buffer.expire(TIMEOUT_NS), "age counts from the first fragment");
        assertEquals(ACCEPTED, sender.raw(0, 1, 1, 5, FRAGMENT, 12 * SECOND_NS), "progress does not renew the age");
        assertEquals(1, buffer.expire(13 * SECOND_NS));
        assertEquals(2, buffer.counter(MESSAGES_EXPIRED));
        assertNothingHeld();
        assertEquals(1000, buffer.peakBytes());
    }

    @Test
    void shouldRestartTimedOutMessageOnItsNextFragment()
    {
        assertEquals(ACCEPTED, sender.raw(4, 4, 0, 5, FRAGMENT, 0));
        assertEquals(INCONSISTENT_COUNT, sender.raw(4, 4, 1, 3, FRAGMENT, TIMEOUT_NS - 1));
        assertEquals(ACCEPTED, sender.raw(4, 4, 1, 3, FRAGMENT, TIMEOUT_NS), "stale message dropped, new one started");
        assertEquals(1, buffer.counter(MESSAGES_EXPIRED));
        assertEquals(2, buffer.counter(MESSAGES_STARTED));
        assertEquals(300, buffer.bytesInUse());
        assertEquals(1, buffer.messagesInProgress());
    }

    @Test
    void shouldHoldCompletedMessageUntilReleasedOrNextCall()
    {
        final byte[] message = ReassemblySender.message(random, 1000);
        for (int i = 0; i < 9; i++)
        {
            sender.send(0, 0, i, message, 0);
        }
        assertEquals(COMPLETE, sender.send(0, 0, 9, message, 0));
        assertEquals(1000, buffer.bytesInUse());
        assertEquals(0, buffer.messagesInProgress());
        assertEquals(0, buffer.expire(Long.MAX_VALUE / 2), "expiry leaves the completed message readable");
        assertArrayEquals(message, ReassemblySender.completed(buffer));
        buffer.release();
        buffer.release();
        assertEquals(0, buffer.bytesInUse());
        assertEquals(-1, buffer.completedOffset());
        assertEquals(0, buffer.completedLength());

        for (int i = 0; i < 9; i++)
        {
            sender.send(0, 1, i, message, 0);
        }
        assertEquals(COMPLETE, sender.send(0, 1, 9, message, 0));
        assertEquals(BAD_COUNT, sender.raw(0, 2, 0, 0, FRAGMENT, 0), "any next call frees the completed message");
        assertNothingHeld();
    }

    private void assertNothingHeld()
    {
        assertEquals(0, buffer.bytesInUse());
        assertEquals(0, buffer.messagesInProgress());
    }
}
