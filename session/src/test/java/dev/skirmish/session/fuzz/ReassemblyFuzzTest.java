package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.session.channel.ReassemblyBuffer;
import dev.skirmish.session.channel.ReassemblyConfig;
import dev.skirmish.session.channel.ReassemblyCounter;
import dev.skirmish.session.channel.ReassemblyResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target for {@link ReassemblyBuffer} (the fragment path): a small config chosen by the input, then a stream of
 * fragments (channel, sequence, index, count, length, source offset, time), {@code expire} and {@code release} calls,
 * compared step by step with a plain model of the class javadoc's contract: the validation order (1)-(7), admission
 * (a new message needs a free slot and budget; only messages at least the timeout old are evicted, oldest first), the
 * timeout of a message already held, and release of the completed message on the next call. Every result must be
 * the model's; memory ({@link ReassemblyBuffer#bytesInUse()}, {@link ReassemblyBuffer#peakBytes()},
 * {@link ReassemblyBuffer#arenaCapacity()}) never exceeds the budget and equals the model's reservations; every
 * COMPLETE message holds exactly the bytes fed for it; counters match; nothing throws.
 * <p>
 * Time increases by at least 1 ns per step, so no two messages start at the same time and "oldest" is never a tie.
 * <p>
 * Input: consumed by a {@link FuzzedDataProvider}; fragments are mostly drawn near valid (a few keys, the counts
 * held, the next missing index, the right length) so messages complete, and sometimes anywhere. Seeds:
 * {@code ReassemblyFuzzTestInputs/shouldMatchTheModelWithinTheBudget/}.
 */
class ReassemblyFuzzTest
{
    private static final int MAX_STEPS = 2048;
    private static final int SRC_CAPACITY = 4096;

    @FuzzTest
    void shouldMatchTheModelWithinTheBudget(final FuzzedDataProvider data)
    {
        final int fragmentLength = data.consumeInt(ReassemblyConfig.FRAGMENT_LENGTH_MIN, 40);
        final int maxMessageLength = data.consumeBoolean() ?
            data.consumeInt(fragmentLength + 1, 8 * fragmentLength) :
            data.consumeInt(fragmentLength + 1, 140 * fragmentLength);
        final int maxMessages = data.consumeInt(1, 6);
        final int budgetBytes = data.consumeInt(maxMessageLength, 3 * maxMessageLength);
        final long timeoutNs = data.consumeLong(ReassemblyConfig.TIMEOUT_NS_MIN, 10 * ReassemblyConfig.TIMEOUT_NS_MIN);
        final ReassemblyConfig config = new ReassemblyConfig()
            .fragmentLength(fragmentLength)
            .maxMessageLength(maxMessageLength)
            .maxMessages(maxMessages)
            .budgetBytes(budgetBytes)
            .timeoutNs(timeoutNs);
        final ReassemblyBuffer buffer = new ReassemblyBuffer(config);
        final Model model = new Model(config);
        final ByteBuf src = Unpooled.buffer(SRC_CAPACITY, SRC_CAPACITY);
        long nowNs = data.consumeLong();
        int fill = 0;

        try
        {
            for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++)
            {
                nowNs += 1;
                final int op = data.consumeInt(0, 15);
                final String at = "step " + step + " op " + op;
                switch (op)
                {
                    case 0:
                        assertEquals(model.expire(nowNs), buffer.expire(nowNs), at);
                        break;
                    case 1:
                        buffer.release();
                        model.release();
                        break;
                    case 2:
                        nowNs += data.consumeLong(0, 2 * timeoutNs);
                        break;
                    default:
                        final Fragment f = op == 3 ? anyFragment(data) : plausibleFragment(data, model, config);
                        // distinct bytes per fragment fed, so a COMPLETE made of the wrong fragments shows
                        final boolean inRange = f.length > 0 && f.offset >= 0 && f.offset <= SRC_CAPACITY - f.length;
                        for (int i = 0; inRange && i < f.length; i++)
                        {
                            src.setByte(f.offset + i, fill + i * 7);
                        }
                        fill++;
                        final byte[] bytes = inRange ? bytes(src, f.offset, f.length) : null;
                        final int expected = model.onFragment(f, bytes, nowNs);
                        final int result = buffer.onFragment(
                            f.channel, f.sequence, f.index, f.count, src, f.offset, f.length, nowNs);
                        assertEquals(ReassemblyResult.name(expected), ReassemblyResult.name(result), at + " " + f);
                        if (ReassemblyResult.COMPLETE == result)
                        {
                            assertArrayEquals(model.completedBytes(),
                                bytes(buffer.completedBuffer(), buffer.completedOffset(), buffer.completedLength()),
                                at + ": completed message bytes");
                        }
                        break;
                }
                check(buffer, model, config, at);
            }
        }
        finally
        {
            src.release();
        }
    }

    private static void check(final ReassemblyBuffer buffer, final Model model, final ReassemblyConfig config,
        final String at)
    {
        assertEquals(model.bytesInUse(), buffer.bytesInUse(), at + ": bytes in use");
        assertTrue(buffer.bytesInUse() <= config.budgetBytes(), at);
        assertTrue(buffer.peakBytes() <= config.budgetBytes(), at);
        assertTrue(buffer.arenaCapacity() <= config.budgetBytes(), at + ": arena " + buffer.arenaCapacity());
        assertEquals(model.inProgress(), buffer.messagesInProgress(), at + ": messages in progress");
        assertTrue(buffer.messagesInProgress() <= config.maxMessages(), at);
        if (null == model.completed)
        {
            assertEquals(-1, buffer.completedOffset(), at);
            assertEquals(0, buffer.completedLength(), at);
        }
        for (final ReassemblyCounter counter : ReassemblyCounter.values())
        {
            if (ReassemblyCounter.ARENA_COMPACTIONS != counter && ReassemblyCounter.ARENA_GROWTHS != counter)
            {
                assertEquals(model.counter(counter), buffer.counter(counter), at + ": " + counter);
            }
        }
        // the arena doubles from 16 KiB up to the budget: log2(budget / 16 KiB) + 1 growths at most
        final int maxGrowths = Integer.SIZE - Integer.numberOfLeadingZeros(config.budgetBytes() / (16 * 1024)) + 1;
        assertTrue(buffer.counter(ReassemblyCounter.ARENA_GROWTHS) <= maxGrowths, at + ": arena growths");
    }

    private static byte[] bytes(final ByteBuf buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static Fragment anyFragment(final FuzzedDataProvider data)
    {
        return new Fragment(data.consumeInt(), data.consumeInt(), data.consumeInt(-2, 300),
            data.consumeInt(-2, 300), data.consumeInt(-2, 300), data.consumeInt(-2, SRC_CAPACITY + 2));
    }

    private static Fragment plausibleFragment(
        final FuzzedDataProvider data, final Model model, final ReassemblyConfig config)
    {
        final int channel = data.consumeInt(0, 3);
        final int sequence = data.consumeBoolean() ? data.consumeInt(0, 3) : data.consumeInt(0, 0xFFFF);
        final Message held = model.messages.get(key(channel, sequence));
        final int maxFragments = config.maxFragments();
        final int count;
        switch (data.consumeInt(0, 7))
        {
            case 0:
                count = data.consumeInt(0, maxFragments + 1);
                break;
            case 1:
                count = maxFragments;
                break;
            case 2:
            case 3:
                count = data.consumeInt(2, Math.min(4, maxFragments));
                break;
            default:
                count = null != held ? held.count : data.consumeInt(2, maxFragments);
                break;
        }
        int index;
        if (null != held && held.count == count && data.consumeBoolean())
        {
            index = held.received.nextClearBit(0);
        }
        else
        {
            index = data.consumeInt(0, Math.max(count, 1));
        }
        final int fragmentLength = config.fragmentLength();
        final int lastMax = Math.min(fragmentLength, config.maxMessageLength() - (count - 1) * fragmentLength);
        int length = index == count - 1 ? data.consumeInt(1, Math.max(lastMax, 1)) : fragmentLength;
        if (data.consumeInt(0, 15) == 0)
        {
            length += data.consumeInt(-1, 1);
        }
        final int offset = data.consumeInt(0, 15) == 0 ? data.consumeInt(-1, SRC_CAPACITY) :
            data.consumeInt(0, SRC_CAPACITY - Math.max(length, 0));
        return new Fragment(channel, sequence, index, count, length, offset);
    }

    private static int key(final int channel, final int sequence)
    {
        return channel << 16 | sequence;
    }

    private record Fragment(int channel, int sequence, int index, int count, int length, int offset)
    {
    }

    /**
     * One message held by the model: in reassembly, or completed and not yet released.
     */
    private static final class Message
    {
        final int key;
        final int count;
        final int reserved;
        final long startNs;
        final BitSet received = new BitSet();
        final byte[][] fragments;

        Message(final int key, final int count, final int reserved, final long startNs)
        {
            this.key = key;
            this.count = count;
            this.reserved = reserved;
            this.startNs = startNs;
            this.fragments = new byte[count][];
        }
    }

    /**
     * The contract of {@link ReassemblyBuffer}, written from its javadoc with maps and lists, no arena.
     */
    private static final class Model
    {
        final ReassemblyConfig config;
        final Map<Integer, Message> messages = new HashMap<>();
        final Map<ReassemblyCounter, Long> counters = new EnumMap<>(ReassemblyCounter.class);
        Message completed;

        Model(final ReassemblyConfig config)
        {
            this.config = config;
        }

        int onFragment(final Fragment f, final byte[] bytes, final long nowNs)
        {
            release();
            final int result = store(f, bytes, nowNs);
            count(counterOf(result), 1);
            return result;
        }

        private int store(final Fragment f, final byte[] bytes, final long nowNs)
        {
            if (f.channel < 0 || f.channel > 7 || f.sequence < 0 || f.sequence > 0xFFFF)
            {
                return ReassemblyResult.BAD_KEY;
            }
            if (f.count < 2 || f.count > config.maxFragments())
            {
                return ReassemblyResult.BAD_COUNT;
            }
            if (f.index < 0 || f.index >= f.count)
            {
                return ReassemblyResult.BAD_INDEX;
            }
            final int fragmentLength = config.fragmentLength();
            final boolean last = f.index == f.count - 1;
            if (f.length < 1 || f.length > fragmentLength || (!last && f.length != fragmentLength) ||
                (last && (long)(f.count - 1) * fragmentLength + f.length > config.maxMessageLength()) ||
                null == bytes)
            {
                return ReassemblyResult.BAD_LENGTH;
            }

            final int key = key(f.channel, f.sequence);
            Message message = messages.get(key);
            if (null != message && nowNs - message.startNs >= config.timeoutNs())
            {
                messages.remove(key);
                count(ReassemblyCounter.MESSAGES_EXPIRED, 1);
                message = null;
            }
            if (null == message)
            {
                final int need = (int)Math.min((long)f.count * fragmentLength, config.maxMessageLength());
                while (messages.size() == config.maxMessages() || bytesInUse() + need > config.budgetBytes())
                {
                    final Message oldest = oldest();
                    if (null == oldest || nowNs - oldest.startNs < config.timeoutNs())
                    {
                        return messages.size() == config.maxMessages() ?
                            ReassemblyResult.TOO_MANY_MESSAGES : ReassemblyResult.NO_MEMORY;
                    }
                    messages.remove(oldest.key);
                    count(ReassemblyCounter.MESSAGES_EVICTED, 1);
                }
                message = new Message(key, f.count, need, nowNs);
                messages.put(key, message);
                count(ReassemblyCounter.MESSAGES_STARTED, 1);
            }
            else if (message.count != f.count)
            {
                return ReassemblyResult.INCONSISTENT_COUNT;
            }

            if (message.received.get(f.index))
            {
                return ReassemblyResult.DUPLICATE;
            }
            message.received.set(f.index);
            message.fragments[f.index] = bytes;
            if (message.received.cardinality() < message.count)
            {
                return ReassemblyResult.ACCEPTED;
            }
            completed = message;
            count(ReassemblyCounter.MESSAGES_COMPLETED, 1);
            return ReassemblyResult.COMPLETE;
        }

        int expire(final long nowNs)
        {
            int expired = 0;
            for (final Message message : messages.values().toArray(new Message[0]))
            {
                if (message != completed && nowNs - message.startNs >= config.timeoutNs())
                {
                    messages.remove(message.key);
                    expired++;
                }
            }
            count(ReassemblyCounter.MESSAGES_EXPIRED, expired);
            return expired;
        }

        void release()
        {
            if (null != completed)
            {
                messages.remove(completed.key);
                completed = null;
            }
        }

        byte[] completedBytes()
        {
            int length = 0;
            for (final byte[] fragment : completed.fragments)
            {
                length += fragment.length;
            }
            final byte[] bytes = new byte[length];
            int position = 0;
            for (final byte[] fragment : completed.fragments)
            {
                System.arraycopy(fragment, 0, bytes, position, fragment.length);
                position += fragment.length;
            }
            return bytes;
        }

        int bytesInUse()
        {
            int bytes = 0;
            for (final Message message : messages.values())
            {
                bytes += message.reserved;
            }
            return bytes;
        }

        int inProgress()
        {
            return messages.size() - (null == completed ? 0 : 1);
        }

        long counter(final ReassemblyCounter counter)
        {
            return counters.getOrDefault(counter, 0L);
        }

        private Message oldest()
        {
            Message oldest = null;
            for (final Message message : messages.values())
            {
                if (message != completed && (null == oldest || message.startNs - oldest.startNs < 0))
                {
                    oldest = message;
                }
            }
            return oldest;
        }

        private void count(final ReassemblyCounter counter, final long delta)
        {
            counters.merge(counter, delta, Long::sum);
        }

        private static ReassemblyCounter counterOf(final int result)
        {
            final ReassemblyCounter[] byResult =
            {
                ReassemblyCounter.FRAGMENTS_ACCEPTED, ReassemblyCounter.FRAGMENTS_ACCEPTED,
                ReassemblyCounter.DUPLICATES, ReassemblyCounter.REJECTED_BAD_KEY, ReassemblyCounter.REJECTED_BAD_COUNT,
                ReassemblyCounter.REJECTED_BAD_INDEX, ReassemblyCounter.REJECTED_INCONSISTENT_COUNT,
                ReassemblyCounter.REJECTED_BAD_LENGTH, ReassemblyCounter.REJECTED_NO_MEMORY,
                ReassemblyCounter.REJECTED_TOO_MANY_MESSAGES,
            };
            return byResult[result];
        }
    }
}
