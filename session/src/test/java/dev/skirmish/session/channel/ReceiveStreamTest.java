package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.skirmish.session.channel.ReceiveChannel.BUFFERED;
import static dev.skirmish.session.channel.ReceiveChannel.DELIVERED;
import static dev.skirmish.session.channel.ReceiveChannel.DUPLICATE;
import static dev.skirmish.session.channel.ReceiveChannel.STALE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Streams of 100 000 messages per mode, from a random initial sequence (so across the u16 wrap at least once),
 * through a seeded link that loses, delays (so reorders) and duplicates; reliable senders resend on a timeout until
 * acknowledged (acks are lost and delayed too) and keep the window and budget contract. Every arrival is checked
 * against an oracle of what the mode must do with it, every delivery byte by byte. Each failure message starts with
 * the seed and the configuration, which replay it.
 */
class ReceiveStreamTest
{
    private static final int MESSAGES = 100_000;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 0x5EED_0001L, 0x5EED_0002L, 0x5EED_0003L })
    void shouldPassEveryUnreliableMessageThroughOnceInArrivalOrder(final long seed)
    {
        final Sim sim = new Sim(seed, ChannelMode.UNRELIABLE, new ReceiveConfig(), 0.10, 12);
        sim.run();
        assertTrue(sim.arrivals > MESSAGES * 8L / 10 && sim.arrivals < MESSAGES, sim.replay + sim.stats());
        assertEquals(sim.arrivals, sim.deliveredCount, sim.replay);
        assertArrivalOrder(sim);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 0x5EED_0011L, 0x5EED_0012L, 0x5EED_0013L })
    void shouldDeliverOnlyNewerSequencedMessagesAndNeverGoBack(final long seed)
    {
        final Sim sim = new Sim(seed, ChannelMode.UNRELIABLE_SEQUENCED, new ReceiveConfig(), 0.10, 12);
        sim.run();
        final ReceiveChannel channel = sim.channel;
        assertEquals(sim.sequence(sim.maxArrived), channel.newestSequence(), sim.replay);
        assertEquals(sim.arrivals - sim.deliveredCount, channel.counter(ReceiveCounter.STALE), sim.replay);
        assertTrue(channel.counter(ReceiveCounter.STALE) > 1000, sim.replay + sim.stats());
        for (int i = 1; i < sim.deliveredCount; i++)
        {
            if (sim.deliveryLog[i] <= sim.deliveryLog[i - 1])
            {
                fail(sim.replay + ": went back from " + sim.deliveryLog[i - 1] + " to " + sim.deliveryLog[i]);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}, window {1}, loss {2}, max delay {3}")
    @MethodSource("unorderedCases")
    void shouldDeliverEveryReliableUnorderedMessageExactlyOnceAtItsFirstArrival(
        final long seed, final int window, final double loss, final int maxDelayTicks)
    {
        final Sim sim = new Sim(
            seed, ChannelMode.RELIABLE_UNORDERED, new ReceiveConfig().window(window), loss, maxDelayTicks);
        sim.run();
        assertReliableEnd(sim);
        for (int id = 0; id < MESSAGES; id++)
        {
            if (1 != sim.deliveries[id])
            {
                fail(sim.replay + ": message " + id + " delivered " + sim.deliveries[id] + " times");
            }
        }
        assertTrue(sim.outOfOrderFirstArrivals > 1000, sim.replay + sim.stats());
    }

    @ParameterizedTest(name = "seed {0}, window {1}, budget {2}, loss {3}, max delay {4}")
    @MethodSource("orderedCases")
    void shouldDeliverReliableOrderedInExactOrderOnceAndByteExactWithinTheBudget(
        final long seed, final int window, final int budgetBytes, final double loss, final int maxDelayTicks)
    {
        final Sim sim = new Sim(seed, ChannelMode.RELIABLE_ORDERED,
            new ReceiveConfig().window(window).reorderBudgetBytes(budgetBytes), loss, maxDelayTicks);
        sim.run();
        assertReliableEnd(sim);
        for (int i = 0; i < MESSAGES; i++)
        {
            if (sim.deliveryLog[i] != i)
            {
                fail(sim.replay + ": delivery " + i + " was message " + sim.deliveryLog[i]);
            }
        }
        final ReceiveChannel channel = sim.channel;
        assertTrue(channel.maxBufferedBytes() <= budgetBytes, sim.replay + sim.stats());
        assertEquals(budgetBytes, channel.reorderBudgetBytes(), sim.replay);
        assertEquals(0, channel.bufferedBytes(), sim.replay);
        assertEquals(0, channel.bufferedMessages(), sim.replay);
        assertTrue(channel.counter(ReceiveCounter.MESSAGES_BUFFERED) > 1000, sim.replay + sim.stats());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 0x5EED_0041L, 0x5EED_0042L })
    void shouldRefuseWhatABudgetBreakingSenderSendsAndStillDeliverInOrderOnceResent(final long seed)
    {
        final int budgetBytes = 4096;
        final Sim sim = new Sim(seed, ChannelMode.RELIABLE_ORDERED,
            new ReceiveConfig().window(1024).reorderBudgetBytes(budgetBytes), 0.02, 8, MESSAGES / 5);
        sim.breakBudget = true;
        sim.run();
        assertReliableEndRefusing(sim, budgetBytes);
    }

    static Stream<Arguments> unorderedCases()
    {
        return Stream.of(
            Arguments.of(0x5EED_0021L, ReceiveConfig.WINDOW_DEFAULT, 0.10, 12),
            Arguments.of(0x5EED_0022L, ReceiveConfig.WINDOW_DEFAULT, 0.01, 2),
            Arguments.of(0x5EED_0023L, ReceiveConfig.WINDOW_MIN, 0.10, 12),
            Arguments.of(0x5EED_0024L, ReceiveConfig.WINDOW_MAX, 0.30, 40));
    }

    static Stream<Arguments> orderedCases()
    {
        final int defaultBudget = ReceiveConfig.REORDER_BUDGET_BYTES_DEFAULT;
        return Stream.of(
            Arguments.of(0x5EED_0031L, ReceiveConfig.WINDOW_DEFAULT, defaultBudget, 0.10, 12),
            Arguments.of(0x5EED_0032L, ReceiveConfig.WINDOW_DEFAULT, defaultBudget, 0.01, 2),
            Arguments.of(0x5EED_0033L, ReceiveConfig.WINDOW_MIN, 1024, 0.10, 12), // the budget binds first
            Arguments.of(0x5EED_0034L, 256, 2048, 0.02, 4),
            Arguments.of(0x5EED_0035L, ReceiveConfig.WINDOW_MAX, 64 * 1024, 0.30, 40));
    }

    private static void assertReliableEnd(final Sim sim)
    {
        final ReceiveChannel channel = sim.channel;
        assertEquals(MESSAGES, sim.deliveredCount, sim.replay + sim.stats());
        assertEquals(MESSAGES, channel.counter(ReceiveCounter.MESSAGES_DELIVERED), sim.replay);
        assertEquals(sim.sequence(MESSAGES), channel.base(), sim.replay);
        assertEquals(0, channel.counter(ReceiveCounter.OUT_OF_WINDOW), sim.replay);
        assertEquals(0, channel.counter(ReceiveCounter.NO_ROOM), sim.replay);
        assertEquals(sim.arrivals - sim.firstArrivals, channel.counter(ReceiveCounter.DUPLICATES), sim.replay);
        assertTrue(channel.counter(ReceiveCounter.DUPLICATES) > 1000, sim.replay + sim.stats());
        assertTrue(sim.windowStalls > 0 || channel.counter(ReceiveCounter.MESSAGES_RECEIVED) > MESSAGES, sim.replay);
    }

    private static void assertReliableEndRefusing(final Sim sim, final int budgetBytes)
    {
        final ReceiveChannel channel = sim.channel;
        assertEquals(sim.messages, sim.deliveredCount, sim.replay + sim.stats());
        for (int i = 0; i < sim.messages; i++)
        {
            if (sim.deliveryLog[i] != i)
            {
                fail(sim.replay + ": delivery " + i + " was message " + sim.deliveryLog[i]);
            }
        }
        assertEquals(sim.refused, channel.counter(ReceiveCounter.NO_ROOM), sim.replay);
        assertTrue(sim.refused > 1000, sim.replay + sim.stats());
        assertTrue(channel.maxBufferedBytes() <= budgetBytes, sim.replay + sim.stats());
        assertEquals(0, channel.counter(ReceiveCounter.OUT_OF_WINDOW), sim.replay);
    }

    private static void assertArrivalOrder(final Sim sim)
    {
        for (int i = 0; i < sim.arrivals; i++)
        {
            if (sim.deliveryLog[i] != sim.arrivalLog[i])
            {
                fail(sim.replay + ": delivery " + i + " was " + sim.deliveryLog[i] + ", arrived " + sim.arrivalLog[i]);
            }
        }
    }

    /**
     * Sender, link and receiver of one channel on a tick clock. Message {@code id} (0..n-1) carries sequence
     * {@code initial + id}; its payload is its id (int LE) then a pattern of the id, 4..64 bytes.
     */
    static final class Sim implements ReceiveChannel.MessageHandler
    {
        private static final int HORIZON = 128;
        private static final int STALL_TICKS = 10_000;
        private static final double ACK_LOSS = 0.10;
        private static final double DUPLICATION = 0.05;
        private static final int MAX_ACK_DELAY_TICKS = 6;
        private static final int RESEND_TICKS = 30;
        private static final int SENDS_PER_TICK = 8;
        private static final int BLACKHOLE_EVERY = 9973;
        private static final int BLACKHOLE_SENDS = 4;

        final String replay;
        final ReceiveChannel channel;
        final int messages;
        final int[] deliveryLog;
        final int[] arrivalLog;
        final int[] deliveries;
        int deliveredCount;
        long arrivals;
        long firstArrivals;
        long outOfOrderFirstArrivals;
        long windowStalls;
        long refused;
        /** Sends up to twice the budget: the receiver must refuse some, and the sender must resend them. */
        boolean breakBudget;
        int maxArrived = -1;

        private final SplittableRandom random;
        private final double loss;
        private final int maxDelayTicks;
        private final ChannelMode mode;
        private final int window;
        private final int budgetBytes;
        private final int initial;
        private final IntList[] dataCalendar = new IntList[HORIZON];
        private final IntList[] ackCalendar = new IntList[HORIZON];
        private final ByteBuf scratch;
        private final boolean[] received;
        private final boolean[] acked;
        private final int[] lastSentTick;
        private final int[] sends;
        private int lastProgressTick;
        private int lastProgressCount;
        private int tick;
        private int nextId;
        private int sendBase;
        private long spanBytes;
        private int expected;

        Sim(final long seed, final ChannelMode mode, final ReceiveConfig config, final double loss,
            final int maxDelayTicks)
        {
            this(seed, mode, config, loss, maxDelayTicks, MESSAGES);
        }

        Sim(final long seed, final ChannelMode mode, final ReceiveConfig config, final double loss,
            final int maxDelayTicks, final int messages)
        {
            this.messages = messages;
            deliveryLog = new int[messages];
            deliveries = new int[messages];
            received = new boolean[messages];
            acked = new boolean[messages];
            lastSentTick = new int[messages];
            sends = new int[messages];
            random = new SplittableRandom(seed);
            this.loss = loss;
            this.maxDelayTicks = maxDelayTicks;
            this.mode = mode;
            this.window = config.window();
            this.budgetBytes = config.reorderBudgetBytes();
            initial = random.nextInt(SequenceNumbers.MODULUS);
            replay = "seed " + Long.toHexString(seed) + ", " + mode + ", " + config + ", loss " + loss +
                ", max delay " + maxDelayTicks +
                ", initial " + initial;
            channel = new ReceiveChannel(random.nextInt(8), mode, config);
            channel.reset(initial);
            arrivalLog = mode.isReliable() ? null : new int[messages];
            for (int i = 0; i < HORIZON; i++)
            {
                dataCalendar[i] = new IntList();
                ackCalendar[i] = new IntList();
            }
            // wrapped, not allocated: the paranoid leak detector would record every access of 100k messages
            scratch = random.nextBoolean() ?
                Unpooled.wrappedBuffer(new byte[256]) : Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(256));
        }

        int sequence(final int id)
        {
            return (initial + id) & SequenceNumbers.MASK;
        }

        String stats()
        {
            return "; ticks " + tick + ", expected " + expected + " (sequence " + sequence(expected) + ", base " +
                channel.base() + ", sends " + (expected < messages ? sends[expected] : -1) + "), send base " +
                sendBase + ", next " + nextId + ", arrivals " + arrivals + ", delivered " + deliveredCount +
                ", out-of-order first arrivals " + outOfOrderFirstArrivals + ", window stalls " + windowStalls +
                ", counters " + counters();
        }

        void run()
        {
            while (!done())
            {
                if (deliveredCount != lastProgressCount)
                {
                    lastProgressCount = deliveredCount;
                    lastProgressTick = tick;
                }
                else if (tick - lastProgressTick > STALL_TICKS)
                {
                    fail(replay + ": no delivery for " + STALL_TICKS + " ticks" + stats());
                }
                arrive(dataCalendar[tick % HORIZON]);
                acknowledge(ackCalendar[tick % HORIZON]);
                if (mode.isReliable())
                {
                    resend();
                }
                sendNew();
                tick++;
            }
        }

        private boolean done()
        {
            if (mode.isReliable())
            {
                return sendBase == messages;
            }
            return nextId == messages && tick > lastSentTick[messages - 1] + maxDelayTicks + 1;
        }

        private void sendNew()
        {
            for (int i = 0; i < SENDS_PER_TICK && nextId < messages; i++)
            {
                if (mode.isReliable())
                {
                    final boolean windowFull = nextId - sendBase >= window;
                    final boolean budgetFull = ChannelMode.RELIABLE_ORDERED == mode &&
                        spanBytes + length(nextId) > (breakBudget ? 2L * budgetBytes : budgetBytes);
                    if (windowFull || budgetFull)
                    {
                        windowStalls++;
                        return;
                    }
                    spanBytes += length(nextId);
                }
                transmit(nextId++);
            }
        }

        private void resend()
        {
            for (int id = sendBase; id < nextId; id++)
            {
                if (!acked[id] && tick - lastSentTick[id] >= RESEND_TICKS)
                {
                    transmit(id);
                }
            }
        }

        private void transmit(final int id)
        {
            lastSentTick[id] = tick;
            final boolean blackholed = id % BLACKHOLE_EVERY == 0 && sends[id] < BLACKHOLE_SENDS && mode.isReliable();
            sends[id]++;
            if (blackholed || random.nextDouble() < loss)
            {
                return;
            }
            dataCalendar[(tick + 1 + random.nextInt(maxDelayTicks)) % HORIZON].add(id);
            if (mode.isReliable() && random.nextDouble() < DUPLICATION)
            {
                dataCalendar[(tick + 1 + random.nextInt(maxDelayTicks)) % HORIZON].add(id);
            }
        }

        private void acknowledge(final IntList acks)
        {
            for (int i = 0; i < acks.size; i++)
            {
                acked[acks.values[i]] = true;
            }
            acks.size = 0;
            while (sendBase < nextId && acked[sendBase])
            {
                spanBytes -= length(sendBase);
                sendBase++;
            }
        }

        private void arrive(final IntList arriving)
        {
            arriving.shuffle(random);
            for (int i = 0; i < arriving.size; i++)
            {
                arrive(arriving.values[i]);
            }
            arriving.size = 0;
        }

        private void arrive(final int id)
        {
            final int length = length(id);
            final int offset = random.nextInt(scratch.capacity() - length + 1);
            write(scratch, offset, id);
            final int before = deliveredCount;
            final int result = channel.receive(sequence(id), scratch, offset, length, this);
            final int delivered = deliveredCount - before;
            for (int j = 0; j < length; j++)
            {
                scratch.setByte(offset + j, ~scratch.getByte(offset + j)); // a held reference would read garbage
            }

            final boolean first = !received[id];
            if (breakBudget && ReceiveChannel.NO_ROOM == result)
            {
                // refused, not recorded, not acknowledged: the sender resends it
                if (!first || id == expected || channel.bufferedBytes() + length <= budgetBytes || 0 != delivered)
                {
                    fail(replay + ": message " + id + " refused while it fit" + stats());
                }
                refused++;
                arrivals++;
                return;
            }
            if (null != arrivalLog)
            {
                arrivalLog[(int)arrivals] = id;
            }
            arrivals++;
            if (first)
            {
                firstArrivals++;
                if (mode.isReliable() && id != expected)
                {
                    outOfOrderFirstArrivals++;
                }
            }
            received[id] = true;
            switch (mode)
            {
                case UNRELIABLE:
                    expect(DELIVERED, 1, result, delivered, id);
                    break;

                case UNRELIABLE_SEQUENCED:
                    final boolean newer = id > maxArrived;
                    expect(newer ? DELIVERED : STALE, newer ? 1 : 0, result, delivered, id);
                    break;

                case RELIABLE_UNORDERED:
                    expect(first ? DELIVERED : DUPLICATE, first ? 1 : 0, result, delivered, id);
                    break;

                default:
                    if (!first)
                    {
                        expect(DUPLICATE, 0, result, delivered, id);
                    }
                    else if (id == expected)
                    {
                        int releasable = 1;
                        while (expected + releasable < messages && received[expected + releasable])
                        {
                            releasable++;
                        }
                        expect(DELIVERED, releasable, result, delivered, id);
                    }
                    else
                    {
                        expect(BUFFERED, 0, result, delivered, id);
                    }
                    if (channel.bufferedBytes() > budgetBytes)
                    {
                        fail(replay + ": holding " + channel.bufferedBytes() + " bytes");
                    }
            }
            maxArrived = Math.max(maxArrived, id);
            if (mode.isReliable())
            {
                while (expected < messages && received[expected])
                {
                    expected++;
                }
                if (random.nextDouble() >= ACK_LOSS)
                {
                    ackCalendar[(tick + 1 + random.nextInt(MAX_ACK_DELAY_TICKS)) % HORIZON].add(id);
                }
            }
        }

        private void expect(
            final int expectedResult, final int expectedDeliveries, final int result, final int delivered, final int id)
        {
            if (expectedResult != result || expectedDeliveries != delivered)
            {
                fail(replay + ": message " + id + " (sequence " + sequence(id) + ", base " + channel.base() +
                    ") expected result " + expectedResult + " with " + expectedDeliveries + " deliveries, got " +
                    result + " with " + delivered + stats());
            }
        }

        public void onMessage(final int channelId, final ByteBuf buffer, final int offset, final int length)
        {
            if (channelId != channel.channel())
            {
                fail(replay + ": channel " + channelId);
            }
            if (length < 4)
            {
                fail(replay + ": length " + length);
            }
            final int id = buffer.getIntLE(offset);
            if (id < 0 || id >= messages || length != length(id))
            {
                fail(replay + ": delivered id " + id + ", length " + length);
            }
            for (int j = 4; j < length; j++)
            {
                if (buffer.getByte(offset + j) != pattern(id, j))
                {
                    fail(replay + ": message " + id + " byte " + j + " differs");
                }
            }
            if (++deliveries[id] > 1)
            {
                fail(replay + ": message " + id + " delivered twice");
            }
            deliveryLog[deliveredCount++] = id;
        }

        private String counters()
        {
            final StringBuilder builder = new StringBuilder("{");
            for (final ReceiveCounter counter : ReceiveCounter.values())
            {
                builder.append(counter.label()).append('=').append(channel.counter(counter)).append(' ');
            }
            return builder.append("max_buffered_bytes=").append(channel.maxBufferedBytes()).append('}').toString();
        }

        static int length(final int id)
        {
            return 4 + (int)(((id * 0x9E3779B1L) >>> 7) % 61);
        }

        static byte pattern(final int id, final int index)
        {
            return (byte)(id * 131 + index * 17 + (id >>> 8));
        }

        static void write(final ByteBuf buffer, final int offset, final int id)
        {
            buffer.setIntLE(offset, id);
            final int length = length(id);
            for (int j = 4; j < length; j++)
            {
                buffer.setByte(offset + j, pattern(id, j));
            }
        }
    }

    /**
     * A growable list of ints, for the link's calendar.
     */
    static final class IntList
    {
        int[] values = new int[16];
        int size;

        void add(final int value)
        {
            if (size == values.length)
            {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void shuffle(final SplittableRandom random)
        {
            for (int i = size - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final int value = values[i];
                values[i] = values[j];
                values[j] = value;
            }
        }
    }
}
