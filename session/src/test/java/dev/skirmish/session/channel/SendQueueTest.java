package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The send queue's arena and record rings start small and grow to their caps: a message is never moved out of
 * shape (every held message byte-exact at the offsets the queue gives, through growth while the arena is wrapped),
 * and the queue refuses only at a cap.
 */
class SendQueueTest
{
    private static final int CHANNEL = 0;

    @Test
    void shouldStartSmallAndAllocateTheArenaOnFirstMessage()
    {
        final SendQueue queue = new SendQueue(new ChannelEndpointConfig().conclude(), new boolean[] { true });

        assertEquals(0, queue.arenaCapacity());
        assertEquals(SendQueue.MIN_RECORDS, queue.messageCapacity());
        assertEquals(SendQueue.MIN_RECORDS, queue.chunkCapacity());
        assertTrue(queue.offer(CHANNEL, message(100, 1), 0, 100, 1));
        assertEquals(SendQueue.MIN_ARENA_BYTES, queue.arenaCapacity());
    }

    @Test
    void shouldGrowWhileWrappedKeepingEveryMessageExact()
    {
        final ChannelEndpointConfig config = new ChannelEndpointConfig()
            .maxMessageBytes(4096).sendQueueBytes(16 * 1024).sendQueueMessages(16).sendQueueChunks(64).conclude();
        final Model model = new Model(config, new boolean[] { true });

        for (int i = 0; i < 4; i++)
        {
            assertTrue(model.offer(CHANNEL, 1000, i));          // [0, 4000) of 4096
        }
        model.ackOldest();
        model.ackOldest();                                      // head at 2000
        assertTrue(model.offer(CHANNEL, 1000, 4));              // no room after 4000: wraps to [0, 1000)
        assertEquals(SendQueue.MIN_ARENA_BYTES, model.queue.arenaCapacity());
        model.assertExact("wrapped");

        assertTrue(model.offer(CHANNEL, 1500, 5));              // 1000 free between tail and head: grow
        assertEquals(2 * SendQueue.MIN_ARENA_BYTES, model.queue.arenaCapacity());
        assertEquals(4500, model.queue.queuedBytes());
        model.assertExact("grown while wrapped");

        // fill to the budget: the arena grows to it, then the budget (not the arena) refuses
        int seed = 6;
        while (model.queue.queuedBytes() + 1000 <= config.sendQueueBytes())
        {
            assertTrue(model.offer(CHANNEL, 1000, seed++));
            model.assertExact("fill " + seed);
        }
        assertEquals(config.sendQueueBytes(), model.queue.arenaCapacity());
        assertEquals(16, model.queue.messageCapacity());
        assertFalse(model.offer(CHANNEL, 1000, 99), "queued " + model.queue.queuedBytes());

        while (!model.held.isEmpty())
        {
            model.ackOldest();
            model.assertExact("drain");
        }
        assertEquals(0, model.queue.queuedBytes());
        assertTrue(model.offer(CHANNEL, 1000, 100));
        assertEquals(config.sendQueueBytes(), model.queue.arenaCapacity());
    }

    @Test
    void shouldRefuseAtTheMessageAndChunkCaps()
    {
        final ChannelEndpointConfig config = new ChannelEndpointConfig()
            .maxMessageBytes(4096).sendQueueBytes(1024 * 1024).sendQueueMessages(128).sendQueueChunks(256).conclude();
        final Model messages = new Model(config, new boolean[] { true });
        for (int i = 0; i < 128; i++)
        {
            assertTrue(messages.offer(CHANNEL, 10, i), "message " + i);
        }
        assertFalse(messages.offer(CHANNEL, 10, 128));
        assertEquals(128, messages.queue.messageCapacity());
        messages.assertExact("message cap");

        final Model chunks = new Model(config, new boolean[] { true });
        final int fragments = (4096 + config.fragmentLength() - 1) / config.fragmentLength();
        int offered = 0;
        while (chunks.offer(CHANNEL, 4096, offered))
        {
            offered++;
        }
        assertEquals(256 / fragments, offered);
        assertEquals(256, chunks.queue.chunkCapacity());
        chunks.assertExact("chunk cap");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 1L, 0x5EED_0A11L, 0xC0FFEEL, 77L })
    void shouldKeepEveryMessageExactAsItGrowsUnderRandomTraffic(final long seed)
    {
        final String replay = "seed " + Long.toHexString(seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final int budget = 48 * 1024;
        final int messageCap = 256;
        final int chunkCap = 512;
        final ChannelEndpointConfig config = new ChannelEndpointConfig()
            .maxMessageBytes(8192).sendQueueBytes(budget).sendQueueMessages(messageCap).sendQueueChunks(chunkCap)
            .conclude();
        final int fragmentLength = config.fragmentLength();
        final Model model = new Model(config, new boolean[] { true, false });
        final SendQueue queue = model.queue;
        final List<Long> sent = new ArrayList<>();
        int refused = 0;

        for (int step = 0; step < 200_000; step++)
        {
            final boolean filling = (step / 3_000) % 2 == 0;
            final int op = random.nextInt(10);
            if (op < (filling ? 6 : 2))
            {
                final int channel = random.nextInt(4) == 0 ? 1 : 0;
                final int largest = 0 == channel && random.nextInt(4) == 0 ? 8192 : fragmentLength;
                final int length = 1 + random.nextInt(random.nextBoolean() ? 300 : largest);
                final long queuedBefore = queue.queuedBytes();
                final long messagesBefore = queue.queuedMessages();
                final int arenaBefore = queue.arenaCapacity();
                final long chunkSpan = model.chunkSpan();
                if (!model.offer(channel, length, step))
                {
                    refused++;
                    final boolean recordsFull = messagesBefore == messageCap ||
                        chunkSpan + Model.chunks(length, fragmentLength) > chunkCap;
                    final boolean bytesFull = queuedBefore + length > budget;
                    if (!recordsFull && !bytesFull && arenaBefore < budget)
                    {
                        fail(replay + " step " + step + ": refused below every cap: queued " + queuedBefore +
                            " + " + length + ", arena " + arenaBefore + ", messages " + messagesBefore);
                    }
                }
            }
            else if (op < 7)
            {
                final int channel = random.nextInt(2);
                if (queue.unsentMessage(channel) >= 0)
                {
                    final long chunk = model.take(channel);
                    if (0 == channel)
                    {
                        sent.add(chunk);
                    }
                }
            }
            else if (op < 9)
            {
                if (!sent.isEmpty())
                {
                    final long chunk = sent.remove(random.nextInt(sent.size()));
                    if (random.nextInt(5) != 0 || !queue.onChunkLost(chunk))
                    {
                        model.ack(chunk);
                    }
                }
            }
            else
            {
                final long chunk = queue.peekResend();
                if (chunk >= 0)
                {
                    queue.takeResend();
                    sent.add(chunk);
                }
            }
            if (step % 53 == 0)
            {
                model.assertExact(replay + " step " + step);
                assertEquals(model.held.size(), queue.queuedMessages(), replay + " step " + step);
            }
        }
        assertEquals(budget, queue.arenaCapacity(), replay);
        assertEquals(messageCap, queue.messageCapacity(), replay);
        assertEquals(chunkCap, queue.chunkCapacity(), replay);
        assertTrue(refused > 0, replay);
    }

    private static ByteBuf message(final int length, final int seed)
    {
        final ByteBuf src = Unpooled.buffer(length);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++)
        {
            src.writeByte(random.nextInt(256));
        }
        return src;
    }

    /**
     * The queue and what it must hold: every message from the oldest not done on (the queue reclaims from the head
     * as soon as the head message is done, so these are exactly the messages it holds, oldest first).
     */
    private static final class Model
    {
        final SendQueue queue;
        final List<Held> held = new ArrayList<>();
        private final boolean[] reliable;
        private final int fragmentLength;
        private long nextChunk;

        Model(final ChannelEndpointConfig config, final boolean[] reliable)
        {
            this.queue = new SendQueue(config, reliable);
            this.reliable = reliable;
            this.fragmentLength = config.fragmentLength();
        }

        static int chunks(final int length, final int fragmentLength)
        {
            return length > fragmentLength ? (length + fragmentLength - 1) / fragmentLength : 1;
        }

        boolean offer(final int channel, final int length, final int seed)
        {
            final ByteBuf src = message(length, seed);
            final int chunks = chunks(length, fragmentLength);
            if (!queue.offer(channel, src, 0, length, chunks))
            {
                return false;
            }
            final byte[] bytes = new byte[length];
            src.getBytes(0, bytes);
            held.add(new Held(nextChunk, chunks, bytes));
            nextChunk += chunks;
            return true;
        }

        long take(final int channel)
        {
            final long chunk = queue.takeUnsent(channel);
            if (!reliable[channel])
            {
                done(chunk);
            }
            return chunk;
        }

        void ack(final long chunk)
        {
            queue.onChunkAcked(chunk);
            done(chunk);
        }

        void ackOldest()
        {
            final Held oldest = held.get(0);
            for (int i = 0; i < oldest.chunks; i++)
            {
                final long chunk = oldest.firstChunk + i;
                while (queue.unsentMessage(CHANNEL) >= 0 && queue.peekUnsent(CHANNEL) <= chunk)
                {
                    queue.takeUnsent(CHANNEL);
                }
                ack(chunk);
            }
        }

        long chunkSpan()
        {
            return held.isEmpty() ? 0 : nextChunk - held.get(0).firstChunk;
        }

        private void done(final long chunk)
        {
            for (int i = 0; i < held.size(); i++)
            {
                final Held h = held.get(i);
                if (chunk >= h.firstChunk && chunk < h.firstChunk + h.chunks)
                {
                    h.doneChunks++;
                    while (!held.isEmpty() && held.get(0).doneChunks == held.get(0).chunks)
                    {
                        held.remove(0);
                    }
                    return;
                }
            }
            fail("chunk " + chunk + " of no held message");
        }

        void assertExact(final String context)
        {
            for (final Held h : held)
            {
                int position = 0;
                for (int i = 0; i < h.chunks; i++)
                {
                    final long chunk = h.firstChunk + i;
                    final int offset = queue.chunkOffset(chunk);
                    final int length = queue.chunkLength(chunk);
                    for (int b = 0; b < length; b++)
                    {
                        if (h.bytes[position + b] != queue.buffer().getByte(offset + b))
                        {
                            fail(context + ": chunk " + chunk + " byte " + (position + b) + " of " + h.bytes.length);
                        }
                    }
                    position += length;
                }
                assertEquals(h.bytes.length, position, context);
            }
        }
    }

    private static final class Held
    {
        final long firstChunk;
        final int chunks;
        final byte[] bytes;
        int doneChunks;

        Held(final long firstChunk, final int chunks, final byte[] bytes)
        {
            this.firstChunk = firstChunk;
            this.chunks = chunks;
            this.bytes = bytes;
        }
    }
}
