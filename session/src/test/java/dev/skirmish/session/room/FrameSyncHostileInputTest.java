package dev.skirmish.session.room;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import static dev.skirmish.session.room.RoomMessageDescriptor.CATCH_UP;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAMES;
import static dev.skirmish.session.room.RoomMessageDescriptor.HISTORY;
import static dev.skirmish.session.room.RoomMessageDescriptor.INPUT;
import static dev.skirmish.session.room.RoomMessageDescriptor.RELAY_INPUT;
import static dev.skirmish.session.room.RoomMessageDescriptor.WELCOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and corrupt room messages, seeded: wrong, too old and too far ahead frame numbers, oversize inputs,
 * truncated and padded messages, bad counts and flags, random bytes. Neither side ever throws, each drop is counted,
 * the room keeps closing valid frames for its honest player, and nothing is allocated while it happens (so memory
 * cannot grow with what a peer sends).
 */
class FrameSyncHostileInputTest
{
    private static final long SEED = Long.getLong("skirmish.test.seed", 0xBAD_F00DL);
    private static final long START_NS = 1_000_000_000L;
    private static final long PERIOD_NS = 1_000_000_000L / 30;
    private static final int MESSAGES = 200_000;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final ByteBuf message = Unpooled.wrappedBuffer(new byte[2048]);

    @Test
    void shouldSurviveHostileInputOnTheServerWithoutAllocating()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        clock.update(START_NS);
        final CounterSet counters = new CounterSet("worker-0");
        final long[] desyncs = {0};
        final RoomHost host = new RoomHost(0, new RoomConfig().nanoClock(clock).hashWindowFrames(64), new RoomListener()
        {
            @Override
            public void onDesync(
                final Room room,
                final long frame,
                final RoomPlayer player,
                final long referenceHash,
                final long reportedHash,
                final long nowNs)
            {
                desyncs[0]++;
            }
        }, counters);
        final RecordingLink honest = new RecordingLink(host, 1, 7);
        final RecordingLink hostile = new RecordingLink(host, 2, 7);
        honest.recording = false;
        hostile.recording = false;
        host.onPlayerConnected(honest, START_NS);
        host.onPlayerConnected(hostile, START_NS);
        final Room room = host.room(7);
        final SplittableRandom random = new SplittableRandom(SEED);
        final ByteBuf honestInput = Unpooled.wrappedBuffer(new byte[16]);
        final long[] now = {START_NS};

        // warm-up as long as the measurement: rare paths (JIT) and any lazily grown structure settle first
        flood(host, room, hostile, honest, honestInput, random, clock, now, MESSAGES);
        final long before = threads.getCurrentThreadAllocatedBytes();
        flood(host, room, hostile, honest, honestInput, random, clock, now, MESSAGES);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        final String context = "seed=" + SEED + " malformed=" + counters.get(Counter.ROOM_MESSAGES_MALFORMED) +
            " late=" + counters.get(Counter.ROOM_INPUTS_LATE) + " ahead=" + counters.get(Counter.ROOM_INPUTS_AHEAD) +
            " oversize=" + counters.get(Counter.ROOM_INPUTS_OVERSIZE) +
            " inbox=" + counters.get(Counter.ROOM_INBOX_FULL) +
            " hashes dropped=" + counters.get(Counter.ROOM_HASHES_DROPPED) + " desyncs=" + desyncs[0] +
            " errors=" + counters.get(Counter.ROOM_ERRORS);
        assertTrue(room.isOpen(), context);
        assertEquals(0, counters.get(Counter.ROOM_ERRORS), context);
        assertTrue(counters.get(Counter.ROOM_MESSAGES_MALFORMED) > MESSAGES / 10, context);
        assertTrue(counters.get(Counter.ROOM_INPUTS_LATE) > 1000, context);
        assertTrue(counters.get(Counter.ROOM_INPUTS_AHEAD) > 1000, context);
        assertTrue(counters.get(Counter.ROOM_INPUTS_OVERSIZE) > 1000, context);
        assertTrue(counters.get(Counter.ROOM_HASHES_DROPPED) > 1000, context);
        assertTrue(allocated < 1024, allocated + " bytes allocated over " + MESSAGES + " hostile messages; " + context);

        // the honest player's input is in every frame, and every frame is well formed
        final FrameView view = new FrameView();
        final long newest = room.frameSync().nextFrame() - 1;
        for (long frame = newest - 100; frame <= newest; frame++)
        {
            assertTrue(room.frameSync().frame(frame, view), "frame " + frame);
            assertEquals(0, view.slot(0));
            assertTrue(view.hasInput(0), "honest input in frame " + frame + "; " + context);
            assertEquals(frame, view.buffer().getLongLE(view.inputOffset(0)));
        }
        System.out.println("FrameSyncHostileInputTest server: " + allocated + " B allocated over " + MESSAGES +
            " messages; " + context);
    }

    private void flood(
        final RoomHost host,
        final Room room,
        final RecordingLink hostile,
        final RecordingLink honest,
        final ByteBuf honestInput,
        final SplittableRandom random,
        final CachedNanoClock clock,
        final long[] now,
        final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (0 == i % 50)
            {
                // the honest player's input for the next frame, then a tick
                final long frame = room.frameSync().nextFrame();
                honestInput.setByte(0, INPUT);
                honestInput.setByte(1, 0);
                honestInput.setByte(2, 1);
                honestInput.setIntLE(3, (int)frame);
                honestInput.setByte(7, 8);
                honestInput.setLongLE(8, frame);
                host.onPlayerMessage(honest, 0, honestInput, 0, 16, now[0]);
                now[0] += PERIOD_NS;
                clock.update(now[0]);
                host.doWork(now[0]);
            }
            final int length = hostileMessage(random, room.frameSync().nextFrame());
            host.onPlayerMessage(hostile, random.nextInt(4), message, 0, length, now[0]);
        }
    }

    /**
     * @return the length of a hostile message written at the start of {@link #message}.
     */
    private int hostileMessage(final SplittableRandom random, final long nextFrame)
    {
        final int kind = random.nextInt(8);
        switch (kind)
        {
            case 0:
            {
                final int length = random.nextInt(1300);
                for (int i = 0; i < length; i++)
                {
                    message.setByte(i, random.nextInt(256));
                }
                return length;
            }
            case 1:
            case 2:
            case 3:
            {
                // well-formed INPUT, hostile values: frames anywhere, inputs up to 255 B, random hash
                final boolean hash = random.nextBoolean();
                final int count = random.nextInt(9);
                message.setByte(0, INPUT);
                message.setByte(1, hash ? 1 : 0);
                message.setByte(2, count);
                int position = 3;
                if (hash)
                {
                    message.setIntLE(position, (int)hostileFrame(random, nextFrame));
                    message.setLongLE(position + 4, random.nextLong(4));
                    position += 12;
                }
                for (int i = 0; i < count; i++)
                {
                    final int inputLength = random.nextBoolean() ? random.nextInt(33) : random.nextInt(256);
                    message.setIntLE(position, (int)hostileFrame(random, nextFrame));
                    message.setByte(position + 4, inputLength);
                    position += 5 + inputLength;
                }
                // sometimes cut short or padded
                if (2 == kind)
                {
                    return Math.max(0, position - 1 - random.nextInt(position));
                }
                if (3 == kind)
                {
                    message.setByte(position, random.nextInt(256));
                    return position + 1 + random.nextInt(3);
                }
                return position;
            }
            case 4:
                message.setByte(0, INPUT);
                message.setByte(1, random.nextInt(256));
                message.setByte(2, random.nextInt(256));
                return 3 + random.nextInt(20);
            case 5:
                message.setByte(0, CATCH_UP);
                message.setIntLE(1, (int)hostileFrame(random, nextFrame));
                return random.nextBoolean() ? 5 : random.nextInt(10);
            case 6:
                message.setByte(0, RELAY_INPUT);
                return 1 + random.nextInt(1200);
            default:
                message.setByte(0, random.nextInt(256));
                return 1 + random.nextInt(64);
        }
    }

    private static long hostileFrame(final SplittableRandom random, final long nextFrame)
    {
        switch (random.nextInt(5))
        {
            case 0:
                return Math.max(0, nextFrame - 1 - random.nextInt(1000)); // too old
            case 1:
                return nextFrame + 32 + random.nextInt(100_000); // too far ahead
            case 2:
                return random.nextLong(1L << 32); // anywhere in u32
            case 3:
                return 0xFFFF_FFFFL;
            default:
                return nextFrame + random.nextInt(32); // inside the window
        }
    }

    @Test
    void shouldSurviveGarbageOnTheClientWithoutAllocating()
    {
        final long[] frames = {0};
        final FrameSyncClient client = new FrameSyncClient(new FrameSyncClientConfig(),
            (channel, buffer, offset, length) -> true, (c, frame) -> frames[0]++);
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        garbage(client, random, MESSAGES / 10);
        final long before = threads.getCurrentThreadAllocatedBytes();
        garbage(client, random, MESSAGES);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(client.malformedMessages() > MESSAGES / 2, client.toString());
        assertTrue(frames[0] > 0, "well-formed hostile frames were delivered: " + frames[0]);
        assertTrue(client.duplicateFrames() > 1000 && client.framesLost() > 0, client.toString());
        assertTrue(allocated < 1024, allocated + " bytes allocated; " + client);
        System.out.println("FrameSyncHostileInputTest client: " + allocated + " B allocated over " + MESSAGES +
            " messages; " + client);
    }

    /**
     * A well-formed WELCOME, FRAMES or HISTORY with hostile numbers: frames anywhere in u32, any slot and capacity.
     *
     * @return its length.
     */
    private int wellFormedHostile(final SplittableRandom random)
    {
        final long frame = random.nextBoolean() ? random.nextInt(2000) : random.nextLong(0xFFFF_FFFFL);
        switch (random.nextInt(3))
        {
            case 0:
                message.setByte(0, WELCOME);
                message.setByte(1, random.nextInt(2));
                message.setByte(2, random.nextInt(8));
                message.setByte(3, 8);
                message.setByte(4, 10 + random.nextInt(119));
                message.setByte(5, random.nextInt(16));
                message.setByte(6, random.nextInt(256));
                message.setByte(7, 1 + random.nextInt(128));
                message.setLongLE(8, random.nextLong());
                message.setIntLE(16, (int)frame);
                message.setIntLE(20, (int)Math.max(0, frame - random.nextInt(100)));
                return RoomMessageDescriptor.WELCOME_LENGTH;
            case 1:
            {
                final int count = 1 + random.nextInt(4);
                message.setByte(0, FRAMES);
                message.setByte(1, count);
                message.setIntLE(2, (int)(frame + count));
                message.setIntLE(6, random.nextInt());
                return framesAt(10, count, random);
            }
            default:
            {
                final int count = 1 + random.nextInt(40);
                message.setByte(0, HISTORY);
                message.setByte(1, count);
                message.setIntLE(2, (int)frame);
                return framesAt(6, count, random);
            }
        }
    }

    private int framesAt(final int start, final int count, final SplittableRandom random)
    {
        int position = start;
        for (int i = 0; i < count; i++)
        {
            final int entries = random.nextInt(4);
            int length = 1;
            message.setByte(position + 2, entries);
            for (int e = 0; e < entries; e++)
            {
                final int inputLength = random.nextInt(8);
                message.setByte(position + 2 + length, e * 2);
                message.setByte(position + 3 + length, random.nextInt(4));
                message.setByte(position + 4 + length, inputLength);
                length += 3 + inputLength;
            }
            message.setShortLE(position, length);
            position += 2 + length;
        }
        return position;
    }

    private void garbage(final FrameSyncClient client, final SplittableRandom random, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final int kind = random.nextInt(6);
            final int length = 1 + random.nextInt(1300);
            for (int b = 0; b < length; b++)
            {
                message.setByte(b, random.nextInt(256));
            }
            switch (kind)
            {
                case 0:
                    client.onMessage(0, message, 0, wellFormedHostile(random), START_NS + i * 1000L);
                    message.setByte(0, FRAMES);
                    break;
                case 1:
                    message.setByte(0, HISTORY);
                    break;
                case 2:
                    message.setByte(0, WELCOME);
                    break;
                case 3:
                    // a plausible FRAMES header with hostile frame lengths
                    message.setByte(0, FRAMES);
                    message.setByte(1, 1 + random.nextInt(4));
                    message.setIntLE(2, random.nextInt(1000));
                    message.setShortLE(10, random.nextInt(70));
                    message.setByte(12, random.nextInt(70));
                    break;
                default:
                    break;
            }
            client.onMessage(random.nextInt(4), message, 0, length, START_NS + i * 1000L);
            client.doWork(START_NS + i * 1000L);
        }
    }
}
