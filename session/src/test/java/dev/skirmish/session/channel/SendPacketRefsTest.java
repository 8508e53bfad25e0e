package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packet refs start small and grow to their capacities: {@link SendPacketRefs#free()} always counts against the
 * full ref capacity, and every ack, loss and spurious loss of a packet reaches exactly its chunks, through growth of
 * the ref ring and of the packet table, with packets acked and lost in any order.
 */
class SendPacketRefsTest
{
    private static final int REF_CAPACITY = 1024;
    private static final int PACKET_CAPACITY = 512;

    @Test
    void shouldCountFreeAgainstTheFullCapacityFromTheStart()
    {
        final SendPacketRefs refs = new SendPacketRefs(REF_CAPACITY, PACKET_CAPACITY);
        assertEquals(REF_CAPACITY, refs.free());
        refs.beginPacket();
        for (int i = 0; i < SendPacketRefs.MIN_CAPACITY + 1; i++)
        {
            refs.add(i);
        }
        assertEquals(REF_CAPACITY - SendPacketRefs.MIN_CAPACITY - 1, refs.free());
    }

    @Test
    void shouldIgnoreASpuriousLossOfARunTheGrownRingNoLongerHolds()
    {
        final SendQueue queue = new SendQueue(new ChannelEndpointConfig().conclude(), new boolean[] { true });
        final SendPacketRefs refs = new SendPacketRefs(REF_CAPACITY, PACKET_CAPACITY);
        final ByteBuf src = Unpooled.buffer(10).writeZero(10);
        for (int i = 0; i < 2; i++)
        {
            queue.offer(0, src, 0, 10, 1);
        }
        final long first = queue.takeUnsent(0);                 // chunk 0, carried by packet 1 (live)
        final long second = queue.takeUnsent(0);                // chunk 1, carried by packet 0 (lost)
        refs.beginPacket();
        refs.add(second);                                       // ring position 0
        refs.record(0);
        refs.onLost(0, queue);
        assertEquals(SendQueue.LOST, queue.chunkState(second));

        refs.beginPacket();
        refs.add(first);
        for (int i = 0; i < SendPacketRefs.MIN_CAPACITY; i++)   // fills the ring and grows it: position 0 is gone
        {
            queue.offer(0, src, 0, 10, 1);
            refs.add(queue.takeUnsent(0));
        }
        refs.record(1);

        refs.onSpuriousLoss(0, queue);
        assertEquals(SendQueue.SENT, queue.chunkState(first));
        assertEquals(SendQueue.LOST, queue.chunkState(second));
        refs.onAcked(1, queue);
        assertEquals(SendQueue.ACKED, queue.chunkState(first));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = { 3L, 0x5EED_0BEEL, 0xFACADEL, 99L })
    void shouldRouteEveryAckAndLossToItsChunksAsItGrows(final long seed)
    {
        final String replay = "seed " + Long.toHexString(seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final ChannelEndpointConfig config = new ChannelEndpointConfig().conclude();
        final SendQueue queue = new SendQueue(config, new boolean[] { true });
        final SendPacketRefs refs = new SendPacketRefs(REF_CAPACITY, PACKET_CAPACITY);
        final ByteBuf src = Unpooled.buffer(10).writeZero(10);
        final Map<Long, Byte> states = new HashMap<>();
        final Map<Long, long[]> live = new HashMap<>();
        final Map<Long, Long> runStart = new HashMap<>();
        final List<Long> livePackets = new ArrayList<>();
        long write = 0;
        long packetNumber = 0;
        int mostLive = 0;

        for (int step = 0; step < 20_000; step++)
        {
            final int target = (step / 2_500) % 2 == 0 ? 400 : 20;
            final long oldestLive = livePackets.stream().mapToLong(Long::longValue).min().orElse(packetNumber);
            if (livePackets.size() < target && packetNumber - oldestLive < PACKET_CAPACITY - 1)
            {
                // build a packet of resends and new chunks, as the endpoint does: free() before every add
                final long buildStart = write;
                final long liveStart = livePackets.isEmpty() ? buildStart :
                    runStart.get(livePackets.stream().mapToLong(Long::longValue).min().getAsLong());
                assertEquals(REF_CAPACITY - (write - liveStart), refs.free(), replay + " step " + step);
                refs.beginPacket();
                final List<Long> chunks = new ArrayList<>();
                final int wanted = 1 + random.nextInt(8);
                while (chunks.size() < wanted && refs.free() > 0)
                {
                    final long chunk;
                    if (queue.peekResend() >= 0 && random.nextBoolean())
                    {
                        chunk = queue.peekResend();
                        queue.takeResend();
                    }
                    else
                    {
                        assertTrue(queue.offer(0, src, 0, 10, 1), replay);
                        chunk = queue.takeUnsent(0);
                    }
                    states.put(chunk, SendQueue.SENT);
                    refs.add(chunk);
                    write++;
                    chunks.add(chunk);
                }
                if (chunks.isEmpty())
                {
                    refs.abandon(queue);
                }
                else
                {
                    final long number = packetNumber++;
                    packetNumber += random.nextInt(10) == 0 ? 1 : 0;  // an untracked packet number between
                    refs.record(number);
                    live.put(number, chunks.stream().mapToLong(Long::longValue).toArray());
                    runStart.put(number, buildStart);
                    livePackets.add(number);
                    mostLive = Math.max(mostLive, livePackets.size());
                }
            }
            else if (!livePackets.isEmpty())
            {
                final long number = livePackets.remove(random.nextInt(livePackets.size()));
                final long[] chunks = live.remove(number);
                if (random.nextInt(4) == 0)
                {
                    refs.onLost(number, queue);
                    for (final long chunk : chunks)
                    {
                        states.computeIfPresent(chunk, (c, s) -> SendQueue.SENT == s ? SendQueue.LOST : s);
                    }
                    assertStates(queue, states, replay + " lost " + number);
                    if (random.nextInt(3) == 0)
                    {
                        refs.onSpuriousLoss(number, queue);
                        for (final long chunk : chunks)
                        {
                            states.put(chunk, SendQueue.ACKED);
                        }
                    }
                }
                else
                {
                    refs.onAcked(number, queue);
                    for (final long chunk : chunks)
                    {
                        states.put(chunk, SendQueue.ACKED);
                    }
                }
                assertStates(queue, states, replay + " packet " + number);
            }
        }
        assertTrue(mostLive > SendPacketRefs.MIN_CAPACITY, replay + " most live " + mostLive);
    }

    private static void assertStates(final SendQueue queue, final Map<Long, Byte> states, final String context)
    {
        for (final Map.Entry<Long, Byte> entry : states.entrySet())
        {
            final int actual = queue.chunkState(entry.getKey());
            // an acked chunk may be reclaimed already
            if (actual != entry.getValue() && !(SendQueue.ACKED == entry.getValue() && -1 == actual))
            {
                fail(context + ": chunk " + entry.getKey() + " expected " + entry.getValue() + " was " + actual);
            }
        }
        states.values().removeIf(state -> SendQueue.ACKED == state);
    }
}
