package dev.skirmish.session.room;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.skirmish.session.room.RoomMessageDescriptor.FRAME_LIMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frame numbers never wrap: a frame-sync room closes its last frame, {@link RoomMessageDescriptor#FRAME_LIMIT} − 1,
 * and then closes ({@link RoomCloseReason#FRAME_LIMIT}) rather than numbering another. Run on the virtual clock of
 * {@link RoomTestNetwork} from a room started 90 frames before the limit (the {@code startAt} seam), with clients
 * whose inputs and frames carry numbers just below 2^31 on the wire.
 */
class FrameSyncFrameLimitTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long FIRST = FRAME_LIMIT - 90;

    @Test
    void shouldCloseTheRoomAfterItsLastFrameWithClientsInStepToTheEnd()
    {
        final List<String> closed = new ArrayList<>();
        final long[] lastTickFrame = {-1};
        final RoomTestNetwork network = new RoomTestNetwork(new RoomConfig().autoCreateRooms(false), new RoomListener()
        {
            @Override
            public void onTick(final Room room, final long tick, final long nowNs)
            {
                lastTickFrame[0] = room.lastFrame().frame();
            }

            @Override
            public void onRoomClosed(final Room room, final RoomCloseReason reason, final long nowNs)
            {
                closed.add(reason + " after frame " + lastTickFrame[0] + ", players connected " +
                    room.connectedCount());
            }
        });
        network.recordServerFrames = false;
        final Room room = network.host.createRoom(1, RoomMode.FRAME_SYNC, 2, 30, network.nowNs);
        room.frameSync.startAt(FIRST, FRAME_LIMIT);
        final List<RoomTestNetwork.SimClient> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++)
        {
            final RoomTestNetwork.SimClient client =
                network.newClient(10 + i, 1, ImpairmentProfile.NONE, ImpairmentProfile.NONE, 7 + i);
            client.record = false;
            client.connect();
            clients.add(client);
        }

        network.run(2 * SECOND); // 60 of the 90 frames
        assertTrue(room.isOpen());
        for (final RoomTestNetwork.SimClient client : clients)
        {
            assertEquals(FIRST, client.firstFrame, client.describe());
            assertEquals(FIRST, client.lostFrames, "frames 0 to the first held one are reported lost once");
            assertTrue(client.ownInputFrames > 30, "inputs for frames near 2^31 are kept: " + client.describe());
        }

        network.run(2 * SECOND);
        assertFalse(room.isOpen());
        assertEquals(RoomCloseReason.FRAME_LIMIT, room.closeReason());
        assertEquals(List.of("FRAME_LIMIT after frame " + (FRAME_LIMIT - 1) + ", players connected 2"), closed);
        assertEquals(90, network.counter(Counter.ROOM_FRAMES));
        for (final RoomTestNetwork.SimClient client : clients)
        {
            assertEquals(FRAME_LIMIT, client.deliveredUpTo(), "every frame up to the last: " + client.describe());
            assertEquals(DisconnectReason.ROOM_CLOSED, client.disconnectReason);
        }
        assertEquals(0, network.counter(Counter.ROOM_MESSAGES_MALFORMED));
        assertEquals(0, network.counter(Counter.ROOM_ERRORS));
    }

    @Test
    void shouldRefuseInputsForFramesAtOrPastTheLimit()
    {
        final CounterSet counters = new CounterSet("worker-0");
        final FrameSyncServer server = new FrameSyncServer(new RoomConfig().conclude(), 1, counters,
            (frame, slot, referenceHash, reportedHash) -> { });
        server.startAt(FRAME_LIMIT - 2, FRAME_LIMIT);
        server.add(0);
        assertEquals(1, server.onInput(0, input(FRAME_LIMIT - 1), 0, 8));
        assertEquals(0, server.onInput(0, input(FRAME_LIMIT), 0, 8));
        assertEquals(0, server.onInput(0, input(0xFFFF_FFFFL), 0, 8));
        assertEquals(2, counters.get(Counter.ROOM_INPUTS_AHEAD));
        assertEquals(FRAME_LIMIT - 2, server.closeFrame());
        assertFalse(server.isAtFrameLimit());
        assertEquals(FRAME_LIMIT - 1, server.closeFrame());
        assertTrue(server.isAtFrameLimit());
        assertTrue(server.lastFrame().hasInput(0), "the last frame carries the input sent for it");
        assertEquals(FRAME_LIMIT - 1, server.inputAck(0));
        assertThrows(IllegalStateException.class, () -> server.startAt(0, FRAME_LIMIT), "only before the first frame");
    }

    /** An INPUT message with one empty input for a frame. */
    private static ByteBuf input(final long frame)
    {
        final ByteBuf message = Unpooled.buffer(8);
        message.writeByte(RoomMessageDescriptor.INPUT).writeByte(0).writeByte(1);
        message.writeIntLE((int)frame).writeByte(0);
        return message;
    }
}
