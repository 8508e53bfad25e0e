package dev.skirmish.session.room;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's lockstep engine on its own: frames from inputs, the missing-input policies, the FRAMES message with
 * its redundancy and per-player input ack, the input window rules, catch-up from the history, and hashes.
 */
class FrameSyncServerTest
{
    private final CounterSet counters = new CounterSet("worker-0");
    private final Output output = new Output();
    private final List<long[]> desyncs = new ArrayList<>();

    private FrameSyncServer engine(final RoomConfig config, final int capacity)
    {
        return new FrameSyncServer(config.conclude(), capacity, counters,
            (frame, slot, reference, reported) -> desyncs.add(new long[]{frame, slot, reference, reported}));
    }

    /** INPUT message bytes: entries as (frame, input bytes...) pairs. */
    static ByteBuf inputWithHash(final long hashFrame, final long hash, final Object... frameAndInput)
    {
        final ByteBuf message = Unpooled.buffer(256);
        message.writeByte(RoomMessageDescriptor.INPUT);
        message.writeByte(hashFrame >= 0 ? RoomMessageDescriptor.INPUT_FLAG_HASH : 0);
        message.writeByte(frameAndInput.length / 2);
        if (hashFrame >= 0)
        {
            message.writeIntLE((int)hashFrame);
            message.writeLongLE(hash);
        }
        for (int i = 0; i < frameAndInput.length; i += 2)
        {
            final byte[] bytes = (byte[])frameAndInput[i + 1];
            message.writeIntLE(((Number)frameAndInput[i]).intValue());
            message.writeByte(bytes.length);
            message.writeBytes(bytes);
        }
        return message;
    }

    static ByteBuf input(final Object... frameAndInput)
    {
        return inputWithHash(-1, 0, frameAndInput);
    }

    static ByteBuf catchUp(final long from)
    {
        return Unpooled.buffer(5).writeByte(RoomMessageDescriptor.CATCH_UP).writeIntLE((int)from);
    }

    private static int feed(final FrameSyncServer engine, final int slot, final ByteBuf message)
    {
        return engine.onInput(slot, message, message.readerIndex(), message.readableBytes());
    }

    private static byte[] frameBytes(final FrameView view)
    {
        return ByteBufUtil.getBytes(view.buffer(), view.offset(), view.length());
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }

    @Test
    void shouldCloseFramesWithTheInputsThatArrivedInSlotOrder()
    {
        final FrameSyncServer engine = engine(new RoomConfig(), 4);
        engine.add(2);
        engine.add(0);
        assertEquals(1, feed(engine, 2, input(0, bytes(0xAA, 0xBB))));
        assertEquals(0, engine.closeFrame());
        // 2 entries: slot 0 missing (empty, no flags), slot 2 with its input
        assertArrayEquals(bytes(2, 0, 0, 0, 2, 1, 2, 0xAA, 0xBB), frameBytes(engine.lastFrame()));
        assertEquals(1, engine.nextFrame());
        assertFalse(engine.lastFrame().carriesOwnInput());
        assertEquals(1, counters.get(Counter.ROOM_FRAMES));
        assertEquals(1, counters.get(Counter.ROOM_INPUTS));
    }

    @Test
    void shouldRepeatTheLastInputWhenConfigured()
    {
        final FrameSyncServer engine = engine(new RoomConfig().missingInputPolicy(MissingInputPolicy.REPEAT_LAST), 2);
        engine.add(0);
        engine.add(1);
        feed(engine, 0, input(0, bytes(7)));
        engine.closeFrame();
        engine.closeFrame();
        // frame 1: slot 0 repeats 7 (REPEATED), slot 1 never sent anything: empty
        assertArrayEquals(bytes(2, 0, 2, 1, 7, 1, 0, 0), frameBytes(engine.lastFrame()));
        feed(engine, 0, input(2, bytes()));
        engine.closeFrame();
        assertArrayEquals(bytes(2, 0, 1, 0, 1, 0, 0), frameBytes(engine.lastFrame()));
    }

    @Test
    void shouldSendTheNewestFrameWithKPreviousAndThePlayersInputAck()
    {
        final FrameSyncServer engine = engine(new RoomConfig().redundancy(3), 2);
        engine.add(0);
        engine.add(1);
        feed(engine, 1, input(0, bytes(1), 1, bytes(2), 5, bytes(9)));
        engine.closeFrame();
        engine.sendFrames(output);
        ByteBuf message = output.last(0, false);
        assertEquals(RoomMessageDescriptor.FRAMES, message.getUnsignedByte(0));
        assertEquals(1, message.getUnsignedByte(1));
        assertEquals(0, message.getUnsignedIntLE(2));
        assertEquals(RoomMessageDescriptor.NO_FRAME, message.getUnsignedIntLE(6), "slot 0 sent no input");
        assertEquals(5, output.last(1, false).getUnsignedIntLE(6), "slot 1: highest input frame received");

        for (int i = 0; i < 5; i++)
        {
            engine.closeFrame();
        }
        output.clear();
        engine.sendFrames(output);
        message = output.last(0, false);
        assertEquals(4, message.getUnsignedByte(1), "newest and 3 before it");
        assertEquals(5, message.getUnsignedIntLE(2));
        final FrameView view = new FrameView();
        int position = RoomMessageDescriptor.FRAMES_HEADER_LENGTH;
        for (int i = 0; i < 4; i++)
        {
            final int length = message.getUnsignedShortLE(position);
            assertTrue(view.wrap(5 - i, message, position + 2, length));
            final FrameView expected = new FrameView();
            assertTrue(engine.frame(5 - i, expected));
            assertArrayEquals(frameBytes(expected), frameBytes(view));
            position += 2 + length;
        }
        assertEquals(message.readableBytes(), position);
        assertEquals(2, output.count(false), "one FRAMES message per player");
    }

    @Test
    void shouldTruncateRedundancyThatDoesNotFitAndCountIt()
    {
        // a frame of 4 x 32 B inputs is 141 B: two fit a 300 B message with its header, three do not
        final FrameSyncServer engine = engine(new RoomConfig().maxMessageBytes(300), 4);
        final byte[] full = new byte[32];
        for (int slot = 0; slot < 4; slot++)
        {
            engine.add(slot);
        }
        for (int frame = 0; frame < 3; frame++)
        {
            for (int slot = 0; slot < 4; slot++)
            {
                feed(engine, slot, input(frame, full));
            }
            engine.closeFrame();
        }
        engine.sendFrames(output);
        assertEquals(2, output.last(0, false).getUnsignedByte(1));
        assertTrue(output.last(0, false).readableBytes() <= 300);
        assertEquals(1, counters.get(Counter.ROOM_REDUNDANCY_TRUNCATED));
    }

    @Test
    void shouldKeepOnlyInputsInsideTheWindowAndTheFirstCopy()
    {
        final FrameSyncServer engine = engine(new RoomConfig().inputWindowFrames(8).maxInputBytes(4), 2);
        engine.add(0);
        engine.closeFrame();
        engine.closeFrame();
        assertEquals(2, engine.nextFrame());
        assertEquals(0, feed(engine, 0, input(1, bytes(1))));
        assertEquals(1, counters.get(Counter.ROOM_INPUTS_LATE));
        assertEquals(0, feed(engine, 0, input(10, bytes(1))));
        assertEquals(1, counters.get(Counter.ROOM_INPUTS_AHEAD));
        assertEquals(0, feed(engine, 0, input(3, bytes(1, 2, 3, 4, 5))));
        assertEquals(1, counters.get(Counter.ROOM_INPUTS_OVERSIZE));
        assertEquals(2, feed(engine, 0, input(9, bytes(9), 2, bytes(2))), "the last frame of the window is fine");
        assertEquals(0, feed(engine, 0, input(2, bytes(3))), "a later copy does not replace the first");
        assertEquals(0, feed(engine, 1, input(2, bytes(3))), "a free slot sends nothing");
        engine.closeFrame();
        assertArrayEquals(bytes(1, 0, 1, 1, 2), frameBytes(engine.lastFrame()));
        assertEquals(9, engine.inputAck(0));
    }

    @Test
    void shouldKeepAnAwayPlayerInFramesAndDropARemovedOne()
    {
        final FrameSyncServer engine = engine(new RoomConfig(), 3);
        engine.add(0);
        engine.add(1);
        engine.away(1);
        assertEquals(0, feed(engine, 1, input(0, bytes(5))), "no inputs while away");
        engine.closeFrame();
        assertArrayEquals(bytes(2, 0, 0, 0, 1, 0, 0), frameBytes(engine.lastFrame()));
        engine.sendFrames(output);
        assertEquals(1, output.count(false), "nothing is sent to an away player");
        engine.remove(1);
        engine.closeFrame();
        assertArrayEquals(bytes(1, 0, 0, 0), frameBytes(engine.lastFrame()));
    }

    @Test
    void shouldStreamCatchUpFromTheHistoryWithinTheFrameLimitAndTheBudget()
    {
        final FrameSyncServer engine = engine(new RoomConfig().catchUpFramesPerTick(64), 2);
        engine.add(0);
        for (int i = 0; i < 100; i++)
        {
            engine.closeFrame();
        }
        engine.add(1);
        assertTrue(engine.onCatchUp(1, catchUp(0), 0, 5));
        output.budget = 0;
        engine.sendFrames(output);
        assertEquals(0, output.count(true), "no send budget: wait");
        assertTrue(engine.isCatchingUp(1));

        output.budget = Long.MAX_VALUE;
        final List<Long> received = new ArrayList<>();
        for (int tick = 0; tick < 3; tick++)
        {
            engine.closeFrame();
            output.clear();
            engine.sendFrames(output);
            for (final ByteBuf message : output.reliable(1))
            {
                assertEquals(RoomMessageDescriptor.HISTORY, message.getUnsignedByte(0));
                final int count = message.getUnsignedByte(1);
                final long first = message.getUnsignedIntLE(2);
                for (int i = 0; i < count; i++)
                {
                    received.add(first + i);
                }
            }
            assertTrue(output.reliable(1).stream().mapToInt((m) -> m.getUnsignedByte(1)).sum() <= 64);
        }
        for (int i = 0; i < received.size(); i++)
        {
            assertEquals(i, received.get(i));
        }
        assertEquals(102, received.size(), "caught up to the newest frame");
        assertFalse(engine.isCatchingUp(1));
        assertEquals(102, counters.get(Counter.ROOM_CATCHUP_FRAMES));
    }

    @Test
    void shouldStartCatchUpAtTheOldestHeldFrameWhenTheRequestedOnesAreGone()
    {
        final FrameSyncServer engine = engine(new RoomConfig().historyFrames(16), 1);
        engine.add(0);
        for (int i = 0; i < 40; i++)
        {
            engine.closeFrame();
        }
        assertEquals(24, engine.oldestFrame());
        engine.onCatchUp(0, catchUp(3), 0, 5);
        engine.closeFrame();
        engine.sendFrames(output);
        final ByteBuf history = output.reliable(0).get(0);
        assertEquals(25, history.getUnsignedIntLE(2), "the oldest held frame after the 41st closed");
        assertEquals(1, counters.get(Counter.ROOM_CATCHUP_TRUNCATED));
    }

    @Test
    void shouldCountAndReportADesyncOncePerPlayerAndFrame()
    {
        final FrameSyncServer engine = engine(new RoomConfig().hashWindowFrames(16), 3);
        engine.add(0);
        engine.add(1);
        engine.add(2);
        for (int i = 0; i < 10; i++)
        {
            engine.closeFrame();
        }
        feed(engine, 0, inputWithHash(5, 0x1234));
        feed(engine, 1, inputWithHash(5, 0x1234));
        assertTrue(desyncs.isEmpty());
        feed(engine, 2, inputWithHash(5, 0x9999));
        assertEquals(1, desyncs.size());
        assertArrayEquals(new long[]{5, 2, 0x1234, 0x9999}, desyncs.get(0));
        feed(engine, 2, inputWithHash(5, 0x7777));
        assertEquals(1, desyncs.size(), "a player's hash frames must increase");
        feed(engine, 0, inputWithHash(10, 1));
        assertEquals(2, counters.get(Counter.ROOM_HASHES_DROPPED), "the repeat and a frame not yet closed");
        for (int i = 0; i < 20; i++)
        {
            engine.closeFrame();
        }
        feed(engine, 1, inputWithHash(6, 1));
        assertEquals(3, counters.get(Counter.ROOM_HASHES_DROPPED), "older than the hash window");
        assertEquals(1, engine.desyncs());
        assertEquals(1, counters.get(Counter.ROOM_DESYNCS));
    }

    /** Records messages per slot. */
    static final class Output implements FrameSyncServer.Output
    {
        final List<Object[]> messages = new ArrayList<>();
        long budget = Long.MAX_VALUE;

        @Override
        public boolean send(
            final int slot, final boolean reliable, final ByteBuf buffer, final int offset, final int length)
        {
            final ByteBuf copy = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(buffer, offset, length));
            messages.add(new Object[]{slot, reliable, copy});
            return true;
        }

        @Override
        public long sendBudgetBytes(final int slot)
        {
            return budget;
        }

        ByteBuf last(final int slot, final boolean reliable)
        {
            for (int i = messages.size() - 1; i >= 0; i--)
            {
                if ((int)messages.get(i)[0] == slot && (boolean)messages.get(i)[1] == reliable)
                {
                    return (ByteBuf)messages.get(i)[2];
                }
            }
            throw new AssertionError("no message for slot " + slot);
        }

        List<ByteBuf> reliable(final int slot)
        {
            final List<ByteBuf> result = new ArrayList<>();
            for (final Object[] message : messages)
            {
                if ((int)message[0] == slot && (boolean)message[1])
                {
                    result.add((ByteBuf)message[2]);
                }
            }
            return result;
        }

        int count(final boolean reliable)
        {
            int count = 0;
            for (final Object[] message : messages)
            {
                if ((boolean)message[1] == reliable)
                {
                    count++;
                }
            }
            return count;
        }

        void clear()
        {
            messages.clear();
        }
    }
}
