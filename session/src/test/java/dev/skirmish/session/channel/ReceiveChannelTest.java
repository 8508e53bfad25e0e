package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.skirmish.session.channel.ReceiveChannel.BUFFERED;
import static dev.skirmish.session.channel.ReceiveChannel.DELIVERED;
import static dev.skirmish.session.channel.ReceiveChannel.DUPLICATE;
import static dev.skirmish.session.channel.ReceiveChannel.INVALID;
import static dev.skirmish.session.channel.ReceiveChannel.NO_ROOM;
import static dev.skirmish.session.channel.ReceiveChannel.OUT_OF_WINDOW;
import static dev.skirmish.session.channel.ReceiveChannel.STALE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each mode's decisions one message at a time: window edges, the wrap, the reorder budget, compaction, counters.
 */
class ReceiveChannelTest
{
    private static final int CHANNEL = 3;

    private final Recorder recorder = new Recorder();

    @Test
    void shouldDeliverEveryUnreliableMessageAsItArrives()
    {
        final ReceiveChannel channel = new ReceiveChannel(CHANNEL, ChannelMode.UNRELIABLE, new ReceiveConfig());

        assertEquals(DELIVERED, receive(channel, 7, "a"));
        assertEquals(DELIVERED, receive(channel, 3, "b"));
        assertEquals(DELIVERED, receive(channel, 7, "c"));
        assertEquals(DELIVERED, receive(channel, 40_000, "d"));

        assertEquals(List.of("a", "b", "c", "d"), recorder.strings());
        assertEquals(4, channel.counter(ReceiveCounter.MESSAGES_DELIVERED));
        assertEquals(-1, channel.base());
        assertEquals(0, channel.reorderBudgetBytes());
    }

    @Test
    void shouldDeliverOnlyNewerSequencedMessages()
    {
        final ReceiveChannel channel = new ReceiveChannel(
            CHANNEL, ChannelMode.UNRELIABLE_SEQUENCED, new ReceiveConfig());
        assertEquals(-1, channel.newestSequence());

        assertEquals(DELIVERED, receive(channel, 40_000, "first")); // the first is always delivered
        assertEquals(STALE, receive(channel, 40_000, "same"));
        assertEquals(STALE, receive(channel, 39_999, "older"));
        assertEquals(DELIVERED, receive(channel, 40_005, "newer"));
        assertEquals(STALE, receive(channel, 40_001, "skipped"));
        assertEquals(STALE, receive(channel, (40_005 + SequenceNumbers.HALF) & 0xFFFF, "half way"));
        assertEquals(DELIVERED, receive(channel, (40_005 + SequenceNumbers.HALF - 1) & 0xFFFF, "far ahead"));

        assertEquals(List.of("first", "newer", "far ahead"), recorder.strings());
        assertEquals(4, channel.counter(ReceiveCounter.STALE));
        assertEquals(3, channel.counter(ReceiveCounter.MESSAGES_DELIVERED));
        assertEquals(7, channel.counter(ReceiveCounter.MESSAGES_RECEIVED));
    }

    @Test
    void shouldKeepSequencedOrderAcrossTheWrap()
    {
        final ReceiveChannel channel = new ReceiveChannel(
            CHANNEL, ChannelMode.UNRELIABLE_SEQUENCED, new ReceiveConfig());

        assertEquals(DELIVERED, receive(channel, 65_534, "a"));
        assertEquals(DELIVERED, receive(channel, 1, "b"));
        assertEquals(STALE, receive(channel, 65_535, "c"));
        assertEquals(STALE, receive(channel, 0, "d"));
        assertEquals(DELIVERED, receive(channel, 2, "e"));

        assertEquals(List.of("a", "b", "e"), recorder.strings());
        assertEquals(2, channel.newestSequence());
    }

    @Test
    void shouldDeliverReliableUnorderedAtOnceAndDropDuplicates()
    {
        final ReceiveChannel channel = reliable(ChannelMode.RELIABLE_UNORDERED, 64);

        assertEquals(DELIVERED, receive(channel, 2, "2"));
        assertEquals(DELIVERED, receive(channel, 5, "5"));
        assertEquals(DUPLICATE, receive(channel, 2, "2 again"));
        assertEquals(0, channel.base()); // 0 still missing: holds the base, not the delivery of others
        assertEquals(DELIVERED, receive(channel, 0, "0"));
        assertEquals(1, channel.base());
        assertEquals(DELIVERED, receive(channel, 1, "1"));
        assertEquals(3, channel.base()); // stepped over 2
        assertEquals(DUPLICATE, receive(channel, 0, "0 again"));
        assertEquals(DUPLICATE, receive(channel, 5, "5 again"));
        assertEquals(DELIVERED, receive(channel, 3, "3"));
        assertEquals(DELIVERED, receive(channel, 4, "4"));
        assertEquals(6, channel.base());

        assertEquals(List.of("2", "5", "0", "1", "3", "4"), recorder.strings());
        assertEquals(3, channel.counter(ReceiveCounter.DUPLICATES));
        assertEquals(0, channel.counter(ReceiveCounter.MESSAGES_BUFFERED));
    }

    @Test
    void shouldDeliverReliableOrderedInSequenceOrder()
    {
        final ReceiveChannel channel = reliable(ChannelMode.RELIABLE_ORDERED, 64);

        assertEquals(BUFFERED, receive(channel, 2, "two"));
        assertEquals(BUFFERED, receive(channel, 1, "one"));
        assertEquals(DUPLICATE, receive(channel, 2, "two again"));
        assertEquals(BUFFERED, receive(channel, 4, "four"));
        assertEquals(List.of(), recorder.strings());
        assertEquals(3, channel.bufferedMessages());
        assertEquals(10, channel.bufferedBytes());

        assertEquals(DELIVERED, receive(channel, 0, "zero"));
        assertEquals(List.of("zero", "one", "two"), recorder.strings());
        assertEquals(3, channel.base());
        assertEquals(DELIVERED, receive(channel, 3, "three"));
        assertEquals(List.of("zero", "one", "two", "three", "four"), recorder.strings());
        assertEquals(5, channel.base());
        assertEquals(0, channel.bufferedBytes());
        assertEquals(0, channel.bufferedMessages());
        assertEquals(10, channel.maxBufferedBytes());

        assertEquals(DUPLICATE, receive(channel, 0, "zero again"));
        assertEquals(5, channel.counter(ReceiveCounter.MESSAGES_DELIVERED));
        assertEquals(3, channel.counter(ReceiveCounter.MESSAGES_BUFFERED));
        assertEquals(2, channel.counter(ReceiveCounter.DUPLICATES));
    }

    @ParameterizedTest
    @EnumSource(value = ChannelMode.class, names = { "RELIABLE_UNORDERED", "RELIABLE_ORDERED" })
    void shouldAcceptTheLastSequenceOfTheWindowAndRefuseTheNext(final ChannelMode mode)
    {
        final int window = 64;
        final ReceiveChannel channel = reliable(mode, window);
        channel.reset(65_500); // the window straddles the wrap

        final int last = (65_500 + window - 1) & 0xFFFF;
        final int beyond = (65_500 + window) & 0xFFFF;
        assertTrue(channel.wouldAccept(last));
        assertFalse(channel.wouldAccept(beyond));
        assertEquals(mode == ChannelMode.RELIABLE_ORDERED ? BUFFERED : DELIVERED, receive(channel, last, "last"));
        assertEquals(OUT_OF_WINDOW, receive(channel, beyond, "beyond"));
        assertEquals(OUT_OF_WINDOW, receive(channel, (65_500 + SequenceNumbers.HALF - 1) & 0xFFFF, "far"));
        assertEquals(DUPLICATE, receive(channel, 65_499, "before"));
        assertEquals(DUPLICATE, receive(channel, (65_500 - SequenceNumbers.HALF) & 0xFFFF, "half behind"));
        assertEquals(2, channel.counter(ReceiveCounter.OUT_OF_WINDOW));
        assertTrue(ReceiveChannel.isProtocolViolation(OUT_OF_WINDOW));
        assertFalse(ReceiveChannel.isProtocolViolation(DUPLICATE));

        // fill the window: every sequence from the base, in reverse, then the base releases or steps over all of it
        for (int i = window - 2; i >= 1; i--)
        {
            assertEquals(mode == ChannelMode.RELIABLE_ORDERED ? BUFFERED : DELIVERED,
                receive(channel, (65_500 + i) & 0xFFFF, "m" + i));
        }
        assertEquals(DELIVERED, receive(channel, 65_500, "m0"));
        assertEquals(beyond, channel.base());
        assertEquals(window, channel.counter(ReceiveCounter.MESSAGES_DELIVERED));
        if (mode == ChannelMode.RELIABLE_ORDERED)
        {
            final List<String> strings = recorder.strings();
            for (int i = 0; i < window - 1; i++)
            {
                assertEquals("m" + i, strings.get(i));
            }
            assertEquals("last", strings.get(window - 1));
        }
        // now the old "beyond" is the base, and the old window is behind it
        assertEquals(DELIVERED, receive(channel, beyond, "beyond"));
        assertEquals(DUPLICATE, receive(channel, last, "last"));
    }

    @ParameterizedTest
    @EnumSource(value = ChannelMode.class, names = { "RELIABLE_UNORDERED", "RELIABLE_ORDERED" })
    void shouldSplitTheWholeSpaceAtTheLargestWindow(final ChannelMode mode)
    {
        final ReceiveChannel channel = new ReceiveChannel(
            CHANNEL, mode, new ReceiveConfig().window(ReceiveConfig.WINDOW_MAX).reorderBudgetBytes(1024));
        channel.reset(10);

        assertEquals(DUPLICATE, receive(channel, (10 + SequenceNumbers.HALF) & 0xFFFF, "half"));
        assertEquals(DUPLICATE, receive(channel, 9, "behind"));
        assertEquals(mode == ChannelMode.RELIABLE_ORDERED ? BUFFERED : DELIVERED,
            receive(channel, 10 + SequenceNumbers.HALF - 1, "last"));
        assertEquals(DELIVERED, receive(channel, 10, "base"));
        assertEquals(0, channel.counter(ReceiveCounter.OUT_OF_WINDOW));
    }

    @Test
    void shouldRefuseAnOutOfOrderMessageThatDoesNotFitTheBudgetAndTakeItLater()
    {
        final ReceiveChannel channel = new ReceiveChannel(
            CHANNEL, ChannelMode.RELIABLE_ORDERED, new ReceiveConfig().window(64).reorderBudgetBytes(100));

        assertEquals(BUFFERED, receive(channel, 1, bytes(60, 1)));
        assertEquals(NO_ROOM, receive(channel, 2, bytes(41, 2)));
        assertTrue(ReceiveChannel.isProtocolViolation(NO_ROOM));
        assertEquals(1, channel.counter(ReceiveCounter.NO_ROOM));
        assertEquals(60, channel.bufferedBytes());
        assertTrue(channel.wouldAccept(2)); // not recorded: a resend is still welcome
        assertEquals(BUFFERED, receive(channel, 2, bytes(40, 2))); // exactly fills the budget
        assertEquals(100, channel.bufferedBytes());
        assertEquals(NO_ROOM, receive(channel, 3, bytes(1, 3)));

        // the message at the base is never buffered, whatever its size
        assertEquals(DELIVERED, receive(channel, 0, bytes(1000, 0)));
        assertEquals(0, channel.bufferedBytes());
        assertEquals(100, channel.maxBufferedBytes());
        assertEquals(3, recorder.messages.size());
        assertArrayEquals(bytes(1000, 0), recorder.messages.get(0));
        assertArrayEquals(bytes(60, 1), recorder.messages.get(1));
        assertArrayEquals(bytes(40, 2), recorder.messages.get(2));
        assertEquals(DELIVERED, receive(channel, 3, bytes(1, 3)));
    }

    @Test
    void shouldCompactHeldBytesWhenTheFreeSpaceIsScattered()
    {
        final ReceiveChannel channel = new ReceiveChannel(
            CHANNEL, ChannelMode.RELIABLE_ORDERED, new ReceiveConfig().window(64).reorderBudgetBytes(100));

        assertEquals(BUFFERED, receive(channel, 2, bytes(40, 2)));  // [0, 40)
        assertEquals(BUFFERED, receive(channel, 5, bytes(40, 5)));  // [40, 80)
        assertEquals(DELIVERED, receive(channel, 0, bytes(3, 0)));
        assertEquals(DELIVERED, receive(channel, 1, bytes(3, 1)));  // releases 2: a hole at [0, 40)
        assertEquals(40, channel.bufferedBytes());
        assertEquals(0, channel.counter(ReceiveCounter.REORDER_COMPACTIONS));

        assertEquals(BUFFERED, receive(channel, 6, bytes(50, 6)));  // 80 + 50 > 100: compact, 5 moves to 0
        assertEquals(1, channel.counter(ReceiveCounter.REORDER_COMPACTIONS));
        assertEquals(90, channel.bufferedBytes());
        assertEquals(DELIVERED, receive(channel, 3, bytes(7, 3)));
        assertEquals(DELIVERED, receive(channel, 4, bytes(9, 4)));

        final int[] lengths = { 3, 3, 40, 7, 9, 40, 50 };
        assertEquals(lengths.length, recorder.messages.size());
        for (int i = 0; i < lengths.length; i++)
        {
            assertArrayEquals(bytes(lengths[i], i), recorder.messages.get(i), "message " + i);
        }
        assertEquals(0, channel.bufferedBytes());
    }

    @Test
    void shouldHoldAndDeliverEmptyMessages()
    {
        final ReceiveChannel channel = new ReceiveChannel(
            CHANNEL, ChannelMode.RELIABLE_ORDERED, new ReceiveConfig().window(64).reorderBudgetBytes(1));

        assertEquals(BUFFERED, receive(channel, 1, new byte[0]));
        assertEquals(BUFFERED, receive(channel, 2, bytes(1, 2)));
        assertEquals(BUFFERED, receive(channel, 3, new byte[0]));
        assertEquals(3, channel.bufferedMessages());
        assertEquals(1, channel.bufferedBytes());
        assertEquals(DELIVERED, receive(channel, 0, new byte[0]));
        assertEquals(4, recorder.messages.size());
        assertEquals(0, recorder.messages.get(1).length);
        assertArrayEquals(bytes(1, 2), recorder.messages.get(2));
        assertEquals(0, recorder.messages.get(3).length);
    }

    @Test
    void shouldReleaseHeldMessagesWithTheNextAcceptedOneAfterTheHandlerThrew()
    {
        final ReceiveChannel channel = reliable(ChannelMode.RELIABLE_ORDERED, 64);
        final ByteBuf buffer = Unpooled.wrappedBuffer(bytes(4, 0));
        final ReceiveChannel.MessageHandler throwing = (ch, b, o, l) ->
        {
            throw new IllegalStateException("application bug");
        };

        assertEquals(BUFFERED, receive(channel, 1, "one"));
        assertEquals(BUFFERED, receive(channel, 2, "two"));
        assertThrows(IllegalStateException.class, () -> channel.receive(0, buffer, 0, 4, throwing));
        assertEquals(1, channel.base()); // 0 counts as delivered: the handler had it

        assertEquals(BUFFERED, receive(channel, 4, "four"));
        assertEquals(List.of("one", "two"), recorder.strings());
        assertEquals(DELIVERED, receive(channel, 3, "three"));
        assertEquals(List.of("one", "two", "three", "four"), recorder.strings());
    }

    @ParameterizedTest
    @EnumSource(ChannelMode.class)
    void shouldDropInvalidArgumentsWithoutThrowing(final ChannelMode mode)
    {
        final ReceiveChannel channel = reliable(mode, 64);
        final ByteBuf buffer = Unpooled.wrappedBuffer(bytes(4, 0));

        assertEquals(INVALID, channel.receive(-1, buffer, 0, 4, recorder));
        assertEquals(INVALID, channel.receive(65_536, buffer, 0, 4, recorder));
        assertEquals(INVALID, channel.receive(0, buffer, -1, 4, recorder));
        assertEquals(INVALID, channel.receive(0, buffer, 0, -1, recorder));
        assertFalse(channel.wouldAccept(65_536));
        assertEquals(4, channel.counter(ReceiveCounter.INVALID));
        assertEquals(4, channel.counter(ReceiveCounter.MESSAGES_RECEIVED));
        assertEquals(0, recorder.messages.size());
        assertEquals(DELIVERED, channel.receive(0, buffer, 0, 4, recorder));
        assertEquals(CHANNEL, recorder.lastChannel);
    }

    @ParameterizedTest
    @EnumSource(ChannelMode.class)
    void shouldForgetEverythingOnReset(final ChannelMode mode)
    {
        final ReceiveChannel channel = reliable(mode, 64);
        receive(channel, 1, "x");
        receive(channel, 0, "y");
        receive(channel, 0, "z");

        channel.reset(0);

        for (final ReceiveCounter counter : ReceiveCounter.values())
        {
            assertEquals(0, channel.counter(counter), counter.label());
        }
        assertEquals(0, channel.bufferedBytes());
        assertEquals(0, channel.maxBufferedBytes());
        assertEquals(-1, channel.newestSequence());
        assertTrue(channel.wouldAccept(0));
        assertEquals(DELIVERED, receive(channel, 0, "again"));
    }

    @Test
    void shouldCountEveryCallOnceByOutcome()
    {
        final ReceiveChannel channel = new ReceiveChannel(
            CHANNEL, ChannelMode.RELIABLE_ORDERED, new ReceiveConfig().window(64).reorderBudgetBytes(8));
        receive(channel, 1, "held");      // buffered
        receive(channel, 1, "held");      // duplicate
        receive(channel, 2, "too long");  // no room
        receive(channel, 64, "beyond");   // out of window
        receive(channel, 0, "base");      // delivered (+1 released)

        long outcomes = 0;
        for (final ReceiveCounter counter : ReceiveCounter.values())
        {
            if (counter != ReceiveCounter.MESSAGES_RECEIVED && counter != ReceiveCounter.REORDER_COMPACTIONS)
            {
                outcomes += channel.counter(counter);
            }
        }
        assertEquals(5, channel.counter(ReceiveCounter.MESSAGES_RECEIVED));
        // the one released from the buffer counts as buffered, then delivered
        assertEquals(5 + 1, outcomes);
    }

    @Test
    void shouldValidateConfigAndChannel()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReceiveConfig().window(32).conclude());
        assertThrows(IllegalArgumentException.class, () -> new ReceiveConfig().window(100).conclude());
        assertThrows(IllegalArgumentException.class, () -> new ReceiveConfig().window(65_536).conclude());
        assertThrows(IllegalArgumentException.class, () -> new ReceiveConfig().reorderBudgetBytes(0).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new ReceiveConfig().reorderBudgetBytes(ReceiveConfig.REORDER_BUDGET_BYTES_MAX + 1).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new ReceiveChannel(8, ChannelMode.UNRELIABLE, new ReceiveConfig()));
        assertThrows(IllegalArgumentException.class,
            () -> new ReceiveChannel(-1, ChannelMode.UNRELIABLE, new ReceiveConfig()));
        new ReceiveConfig().window(ReceiveConfig.WINDOW_MIN).reorderBudgetBytes(1).conclude();
        assertEquals("ReceiveConfig{window=1024, reorderBudgetBytes=262144}", new ReceiveConfig().toString());
        for (int i = 0; i < ReceiveCounter.count(); i++)
        {
            assertEquals(i, ReceiveCounter.get(i).id());
        }
    }

    private ReceiveChannel reliable(final ChannelMode mode, final int window)
    {
        return new ReceiveChannel(CHANNEL, mode, new ReceiveConfig().window(window).reorderBudgetBytes(4096));
    }

    private int receive(final ReceiveChannel channel, final int sequence, final String text)
    {
        return receive(channel, sequence, text.getBytes(StandardCharsets.US_ASCII));
    }

    private int receive(final ReceiveChannel channel, final int sequence, final byte[] message)
    {
        // at an offset, and overwritten afterwards: a channel that kept a reference would deliver garbage
        final ByteBuf buffer = Unpooled.wrappedBuffer(new byte[message.length + 16]).clear();
        buffer.writerIndex(5).writeBytes(message);
        final int result = channel.receive(sequence, buffer, 5, message.length, recorder);
        buffer.setZero(0, buffer.capacity());
        return result;
    }

    private static byte[] bytes(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed * 31 + i * 7 + 1);
        }
        return bytes;
    }

    static final class Recorder implements ReceiveChannel.MessageHandler
    {
        final List<byte[]> messages = new ArrayList<>();
        int lastChannel = -1;

        public void onMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            lastChannel = channel;
            messages.add(ByteBufUtil.getBytes(buffer, offset, length));
        }

        List<String> strings()
        {
            final List<String> strings = new ArrayList<>();
            for (final byte[] message : messages)
            {
                strings.add(new String(message, StandardCharsets.US_ASCII));
            }
            return strings;
        }
    }
}
