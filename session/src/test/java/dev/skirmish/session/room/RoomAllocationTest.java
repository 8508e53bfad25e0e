package dev.skirmish.session.room;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.core.metrics.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady state allocates nothing per tick, input or frame: a frame-sync room of 4 players (5% loss, so redundancy
 * and catch-up run too) and a state relay room, server and clients on this thread with their channel endpoints and
 * impaired links, measured with the thread's allocated bytes over 300 ticks after 45 s of the same traffic (the
 * channel layer grows its queues on demand, up to their caps, during the first half minute or so).
 */
class RoomAllocationTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final ImpairmentProfile LOSSY = ImpairmentProfile.NONE.withLoss(0.05)
        .withDelayNs(TimeUnit.MILLISECONDS.toNanos(10));
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    @Test
    void shouldNotAllocatePerTickInputOrFrameInFrameSync()
    {
        final long[] hashes = {0};
        final RoomTestNetwork network = new RoomTestNetwork(new RoomConfig(), new RoomListener()
        {
            @Override
            public void onTick(final Room room, final long tick, final long nowNs)
            {
                final FrameView frame = room.lastFrame();
                for (int i = 0; i < frame.entryCount(); i++)
                {
                    hashes[0] += frame.inputLength(i);
                }
            }
        });
        network.recordServerFrames = false;
        for (int i = 0; i < 4; i++)
        {
            final RoomTestNetwork.SimClient client = network.newClient(1 + i, 1, LOSSY, LOSSY, 99 + i);
            client.record = false;
            client.connect();
        }
        network.run(45 * SECOND); // warm-up: the JIT settles rare paths; the channel layer grows its queues on demand
        final long ticksBefore = network.counter(Counter.ROOM_TICKS);
        final long inputsBefore = network.counter(Counter.ROOM_INPUTS);
        final long framesBefore = network.clients.get(0).frameSync.framesDelivered();
        final long before = threads.getCurrentThreadAllocatedBytes();
        network.run(10 * SECOND);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        final long ticks = network.counter(Counter.ROOM_TICKS) - ticksBefore;
        final long inputs = network.counter(Counter.ROOM_INPUTS) - inputsBefore;
        final long frames = network.clients.get(0).frameSync.framesDelivered() - framesBefore;
        final String result = allocated + " B over " + ticks + " ticks (" + (double)allocated / ticks + " B/tick), " +
            inputs + " inputs, " + frames + " frames per client; redundancy " +
            network.clients.get(0).frameSync.framesFromRedundancy() + " catch-up frames " +
            network.counter(Counter.ROOM_CATCHUP_FRAMES);
        System.out.println("RoomAllocationTest frame sync: " + result);
        assertTrue(ticks >= 299 && inputs > 1000 && frames >= 290, result);
        assertTrue(allocated < 1024, result);
    }

    @Test
    void shouldNotAllocatePerTickInStateRelay()
    {
        final RoomTestNetwork network = new RoomTestNetwork(new RoomConfig().mode(RoomMode.STATE_RELAY),
            new RoomListener()
            {
                private final ByteBuf snapshot = Unpooled.buffer(64);
                private long sum;

                @Override
                public void onInput(
                    final Room room,
                    final RoomPlayer player,
                    final ByteBuf buffer,
                    final int offset,
                    final int length,
                    final long nowNs)
                {
                    sum += buffer.getLongLE(offset);
                }

                @Override
                public void onTick(final Room room, final long tick, final long nowNs)
                {
                    snapshot.clear().writeLongLE(tick).writeLongLE(sum).writeZero(40);
                    room.broadcast(1, snapshot, 0, 56);
                    for (int slot = 0; slot < room.capacity(); slot++)
                    {
                        final RoomPlayer player = room.player(slot);
                        if (null != player && player.isConnected())
                        {
                            room.send(player, 2, snapshot, 0, 16);
                        }
                    }
                }
            });
        network.recordServerFrames = false;
        for (int i = 0; i < 4; i++)
        {
            final RoomTestNetwork.SimClient client = network.newClient(1 + i, 1, LOSSY, LOSSY, 199 + i);
            client.record = false;
            client.relayChannel = 0;
            client.connect();
        }
        network.run(45 * SECOND); // warm-up: the channel layer grows its queues on demand up to their caps
        final long ticksBefore = network.counter(Counter.ROOM_TICKS);
        final long before = threads.getCurrentThreadAllocatedBytes();
        network.run(10 * SECOND);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        final long ticks = network.counter(Counter.ROOM_TICKS) - ticksBefore;
        final String result = allocated + " B over " + ticks + " ticks, relay messages received by client 0: " +
            network.clients.get(0).relayReceived[1];
        System.out.println("RoomAllocationTest state relay: " + result);
        assertTrue(ticks >= 299, result);
        assertTrue(allocated < 1024, result);
    }
}
