package dev.skirmish.session.room;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.core.metrics.Counter;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frame sync under the seeded impairer: clients joined to one frame-sync room through their own pair of
 * {@link dev.skirmish.core.impair.ImpairedLink}s (10% loss each way, 20 ms delay, &plusmn;10 ms jitter, 1% reordered),
 * on a virtual clock ({@link RoomTestNetwork}). Every client must rebuild exactly the server's frame sequence, byte
 * for byte, from frame 0, through redundancy (lost FRAMES packets) and the catch-up history (a client behind a
 * blackout, a late joiner). The seed is printed on failure; replay with {@code -Dskirmish.test.seed=...}.
 */
class FrameSyncImpairedTest
{
    private static final long SEED = Long.getLong("skirmish.test.seed", 0x5EED_F5A1L);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final ImpairmentProfile LOSSY = ImpairmentProfile.NONE
        .withLoss(0.10)
        .withDelayNs(TimeUnit.MILLISECONDS.toNanos(20))
        .withJitterNs(TimeUnit.MILLISECONDS.toNanos(10))
        .withReorder(0.01);

    @Test
    void shouldGiveEveryClientTheIdenticalFrameSequenceUnderLoss()
    {
        final long seed = SEED;
        final RoomTestNetwork network = new RoomTestNetwork(new RoomConfig(), new RoomListener()
        {
        });
        for (int i = 0; i < 4; i++)
        {
            network.newClient(100 + i, 1, LOSSY, LOSSY, seed + 10L * i).connect();
        }
        // a fifth player behind 1.5 s blackouts every 8 s (both ways): far beyond what redundancy repairs
        final ImpairmentProfile blackout = LOSSY.withBlackout(
            TimeUnit.MILLISECONDS.toNanos(1500), 8 * SECOND, 3 * SECOND);
        network.newClient(104, 1, blackout, blackout, seed + 40).connect();

        network.run(10 * SECOND);
        // a late joiner catches up from frame 0 out of the history (300 frames < 1024 held)
        final RoomTestNetwork.SimClient late = network.newClient(105, 1, LOSSY, LOSSY, seed + 50);
        late.connect();
        network.run(10 * SECOND);
        for (final RoomTestNetwork.SimClient client : network.clients)
        {
            client.sendInputs = false;
        }
        network.run(SECOND);
        final int frames = network.serverFrames.size();
        network.run(SECOND);

        final String context = describe(seed, network);
        assertTrue(frames >= 21 * 30 - 2, "frames closed " + frames + "; " + context);
        for (final RoomTestNetwork.SimClient client : network.clients)
        {
            assertSameFrames(network, client, frames, context);
            assertEquals(0, client.lostFrames, context);
            assertEquals(0, client.frameSync.malformedMessages(), context);
            assertEquals(0, client.frameSync.framesTooLarge(), context);
            assertTrue(client.frameSync.framesFromRedundancy() > 0, "redundancy used; " + context);
        }
        final RoomTestNetwork.SimClient behindBlackout = network.clients.get(4);
        assertTrue(behindBlackout.frameSync.framesFromHistory() > 0, "blackout repaired by catch-up; " + context);
        assertTrue(behindBlackout.frameSync.catchUpRequests() >= 2, context);
        assertTrue(late.frameSync.framesFromHistory() >= 290, "late joiner caught up from history; " + context);
        assertEquals(0, late.firstFrame, context);
        assertTrue(network.counter(Counter.ROOM_CATCHUP_FRAMES) > 0, context);
        assertEquals(0, network.counter(Counter.ROOM_MESSAGES_MALFORMED), context);
        assertEquals(0, network.counter(Counter.ROOM_CATCHUP_TRUNCATED), context);

        // inputs: a client's input is in most frames it targeted (it repeats unacknowledged inputs)
        for (int i = 0; i < 4; i++)
        {
            final RoomTestNetwork.SimClient client = network.clients.get(i);
            final double carried = (double)client.ownInputFrames / client.frameSync.inputsSent();
            assertTrue(carried > 0.95, "own input carried in " + carried + " of targeted frames; " + context);
        }
        final RoomTestNetwork.SimClient first = network.clients.get(0);
        System.out.println("FrameSyncImpairedTest seed=" + seed + ": " + frames + " frames checked on " +
            network.clients.size() + " clients; client 0 " + first.frameSync + ", mean input-to-frame " +
            first.latencySumNs / Math.max(1, first.ownInputFrames) / 1000 + " us");
    }

    @Test
    void shouldStayIdenticalForMoreSeedsWithRepeatLastPolicy()
    {
        for (int s = 0; s < 3; s++)
        {
            final long seed = SEED + 1000 + s;
            final RoomTestNetwork network = new RoomTestNetwork(
                new RoomConfig().missingInputPolicy(MissingInputPolicy.REPEAT_LAST).redundancy(2), new RoomListener()
                {
                });
            for (int i = 0; i < 4; i++)
            {
                final RoomTestNetwork.SimClient client = network.newClient(200 + i, 7, LOSSY, LOSSY, seed + 10L * i);
                client.inputIntervalNs = SECOND / (20 + 5 * i); // 20-35 Hz against a 30 Hz room
                client.connect();
            }
            network.run(8 * SECOND);
            for (final RoomTestNetwork.SimClient client : network.clients)
            {
                client.sendInputs = false;
            }
            network.run(SECOND);
            final int frames = network.serverFrames.size();
            network.run(SECOND);
            final String context = describe(seed, network);
            for (final RoomTestNetwork.SimClient client : network.clients)
            {
                assertSameFrames(network, client, frames, context);
            }
            assertTrue(network.counter(Counter.ROOM_INPUTS) > 0, context);
        }
    }

    /**
     * The client delivered at least the first {@code frames} frames (closed a second before the end), and every frame
     * it delivered equals the server's, byte for byte.
     */
    static void assertSameFrames(
        final RoomTestNetwork network, final RoomTestNetwork.SimClient client, final int frames, final String context)
    {
        assertTrue(client.deliveredUpTo() >= frames,
            "client " + client.clientId + " delivered up to " + client.deliveredUpTo() + " < " + frames + "; " +
            context);
        assertEquals(0, client.firstFrame, "client " + client.clientId + " first frame; " + context);
        for (int n = 0; n < client.deliveredUpTo(); n++)
        {
            final byte[] expected = network.serverFrames.get(n);
            assertNotNull(expected, "server frame " + n);
            final byte[] actual = n < client.frames.size() ? client.frames.get(n) : null;
            assertNotNull(actual, "client " + client.clientId + " missing frame " + n + "; " + context);
            assertArrayEquals(expected, actual, "client " + client.clientId + " frame " + n + " differs: " +
                Arrays.toString(actual) + "; " + context);
        }
    }

    static String describe(final long seed, final RoomTestNetwork network)
    {
        final StringBuilder builder = new StringBuilder("seed=").append(seed)
            .append(" (replay with -Dskirmish.test.seed=").append(seed).append(")");
        for (final RoomTestNetwork.SimClient client : network.clients)
        {
            builder.append("\n  ").append(client.describe());
        }
        builder.append("\n  counters: catchup_frames=").append(network.counter(Counter.ROOM_CATCHUP_FRAMES))
            .append(" catchup_requests=").append(network.counter(Counter.ROOM_CATCHUP_REQUESTS))
            .append(" inputs=").append(network.counter(Counter.ROOM_INPUTS))
            .append(" late=").append(network.counter(Counter.ROOM_INPUTS_LATE))
            .append(" ahead=").append(network.counter(Counter.ROOM_INPUTS_AHEAD))
            .append(" send_failed=").append(network.counter(Counter.ROOM_SEND_FAILED));
        return builder.toString();
    }
}
