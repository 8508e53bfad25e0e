package dev.skirmish.session.room;

import dev.skirmish.core.metrics.CounterSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The room test vectors of PROTOCOL.md, section "Rooms: frame-sync messages", subsection "Room test vectors". Each
 * vector is built by the real encoders, compared byte for byte with the hex string below, which must appear verbatim
 * on a line of its own in PROTOCOL.md, and decoded back by the other side. The expected bytes were worked out by hand
 * from the layout tables of that section.
 */
class FrameSyncVectorTest
{
    private static final Path PROTOCOL = Path.of("..", "PROTOCOL.md");

    private static final String WELCOME = "81 00 01 04 1e 03 20 20 0807060504030201 2c010000 00000000";
    private static final String INPUT = "01 00 01 2d010000 01 0c";
    private static final String INPUT_WITH_HASH = "01 01 02 29010000 8877665544332211 2e010000 02 0a0b 2d010000 01 0c";
    private static final String CATCH_UP = "02 00000000";
    private static final String FRAME_0 = "02 000101aa 010000";
    private static final String FRAME_1 = "02 000000 010102bbcc";
    private static final String FRAMES = "82 02 01000000 01000000 0900 02000000010102bbcc 0800 02000101aa010000";
    private static final String HISTORY = "83 02 00000000 0800 02000101aa010000 0900 02000000010102bbcc";
    private static final String RELAY_INPUT = "03 6869";
    private static final String RELAY = "84 6869";

    private final List<byte[]> clientSent = new ArrayList<>();
    private final List<FrameView> unused = new ArrayList<>();

    private static byte[] hex(final String spaced)
    {
        return ByteBufUtil.decodeHexDump(spaced.replace(" ", ""));
    }

    private static void assertVector(final String expected, final byte[] actual) throws Exception
    {
        assertEquals(expected.replace(" ", ""), ByteBufUtil.hexDump(actual));
        assertTrue(Files.readAllLines(PROTOCOL).contains(expected), "PROTOCOL.md has the line: " + expected);
    }

    private FrameSyncClient client(final List<String> frames)
    {
        return new FrameSyncClient(new FrameSyncClientConfig(), (channel, buffer, offset, length) ->
        {
            clientSent.add(ByteBufUtil.getBytes(buffer, offset, length));
            return true;
        }, (c, frame) -> frames.add(frame.frame() + ":" +
            ByteBufUtil.hexDump(frame.buffer(), frame.offset(), frame.length()) + ":" + frame.carriesOwnInput()));
    }

    @Test
    void shouldEncodeAndDecodeWelcome() throws Exception
    {
        final RoomConfig config = new RoomConfig().emptyRoomGraceNs(Long.MAX_VALUE / 4)
            .nanoClock(new org.agrona.concurrent.CachedNanoClock());
        final RoomHost host = new RoomHost(0, config, new RoomListener()
        {
        }, new CounterSet("worker-0"));
        final Room room = host.createRoom(0x0102030405060708L, RoomMode.FRAME_SYNC, 4, 30, 0);
        for (long tick = 0; tick < 300; tick++)
        {
            host.doWork(room.schedule().deadlineNs(tick));
        }
        final RecordingLink first = new RecordingLink(host, 1, 0x0102030405060708L);
        final RecordingLink second = new RecordingLink(host, 2, 0x0102030405060708L);
        host.onPlayerConnected(first, 0);
        host.onPlayerConnected(second, 0);
        final byte[] welcome = second.sentOfType(RoomMessageDescriptor.WELCOME).get(0).bytes();
        assertVector(WELCOME, welcome);

        final FrameSyncClient client = client(new ArrayList<>());
        assertTrue(client.onMessage(2, Unpooled.wrappedBuffer(welcome), 0, welcome.length, 0));
        assertEquals(1, client.slot());
        assertEquals(4, client.capacity());
        assertEquals(30, client.tickRateHz());
        assertEquals(32, client.maxInputBytes());
        assertEquals(0x0102030405060708L, client.roomId());
        assertEquals(RoomMode.FRAME_SYNC, client.mode());
        assertEquals(299, client.newestFrame());
        // a new client lacks frames 0-299: it asks for them from 0
        assertEquals(1, clientSent.size());
        assertVector(CATCH_UP, clientSent.get(0));
    }

    @Test
    void shouldEncodeInputsAndDecodeThemOnTheServer() throws Exception
    {
        final FrameSyncClient client = client(new ArrayList<>());
        final byte[] welcome = hex(WELCOME);
        welcome[RoomMessageDescriptor.WELCOME_SLOT_OFFSET] = 0;
        client.onMessage(2, Unpooled.wrappedBuffer(welcome), 0, welcome.length, 0);
        clientSent.clear();
        assertTrue(client.sendInput(301, Unpooled.wrappedBuffer(new byte[]{0x0c}), 0, 1, 10));
        client.reportHash(297, 0x1122334455667788L, 20);
        assertTrue(client.sendInput(302, Unpooled.wrappedBuffer(new byte[]{0x0a, 0x0b}), 0, 2, 30));
        assertVector(INPUT, clientSent.get(0));
        assertVector(INPUT_WITH_HASH, clientSent.get(1));

        final CounterSet counters = new CounterSet("worker-0");
        final FrameSyncServer server = new FrameSyncServer(new RoomConfig().conclude(), 4, counters,
            (frame, slot, reference, reported) -> { });
        server.add(0);
        for (int i = 0; i < 300; i++)
        {
            server.closeFrame();
        }
        final byte[] input = clientSent.get(1);
        assertEquals(2, server.onInput(0, Unpooled.wrappedBuffer(input), 0, input.length));
        server.closeFrame();
        server.closeFrame();
        assertEquals("01 00 01 01 0c".replace(" ", ""), ByteBufUtil.hexDump(
            server.lastFrame().buffer(), server.lastFrame().offset(), server.lastFrame().length()));
        server.closeFrame();
        assertEquals("01 00 01 02 0a0b".replace(" ", ""), ByteBufUtil.hexDump(
            server.lastFrame().buffer(), server.lastFrame().offset(), server.lastFrame().length()));
    }

    @Test
    void shouldEncodeFramesAndHistoryAndRebuildThemOnTheClient() throws Exception
    {
        final FrameSyncServer server = new FrameSyncServer(new RoomConfig().conclude(), 2, new CounterSet("w"),
            (frame, slot, reference, reported) -> { });
        server.add(0);
        server.add(1);
        final ByteBuf first = FrameSyncServerTest.input(0, new byte[]{(byte)0xaa});
        final ByteBuf second = FrameSyncServerTest.input(1, new byte[]{(byte)0xbb, (byte)0xcc});
        assertEquals(1, server.onInput(0, first, 0, first.readableBytes()));
        assertEquals(1, server.onInput(1, second, 0, second.readableBytes()));
        server.closeFrame();
        assertVector(FRAME_0, ByteBufUtil.getBytes(server.lastFrame().buffer(), server.lastFrame().offset(),
            server.lastFrame().length()));
        server.closeFrame();
        assertVector(FRAME_1, ByteBufUtil.getBytes(server.lastFrame().buffer(), server.lastFrame().offset(),
            server.lastFrame().length()));
        final FrameSyncServerTest.Output output = new FrameSyncServerTest.Output();
        server.onCatchUp(1, FrameSyncServerTest.catchUp(0), 0, 5);
        server.sendFrames(output);
        final byte[] frames = ByteBufUtil.getBytes(output.last(1, false));
        final byte[] history = ByteBufUtil.getBytes(output.last(1, true));
        assertVector(FRAMES, frames);
        assertVector(HISTORY, history);

        // a client in slot 1 gets both frames from either message, in order, once
        for (final byte[] message : List.of(frames, history))
        {
            final List<String> delivered = new ArrayList<>();
            final FrameSyncClient client = client(delivered);
            final byte[] welcome = hex(WELCOME);
            welcome[RoomMessageDescriptor.WELCOME_NEXT_FRAME_OFFSET] = 0;
            welcome[RoomMessageDescriptor.WELCOME_NEXT_FRAME_OFFSET + 1] = 0;
            client.onMessage(2, Unpooled.wrappedBuffer(welcome), 0, welcome.length, 0);
            assertTrue(client.onMessage(0, Unpooled.wrappedBuffer(message), 0, message.length, 5));
            assertEquals(List.of("0:" + FRAME_0.replace(" ", "") + ":false", "1:" + FRAME_1.replace(" ", "") + ":true"),
                delivered);
            assertFalse(client.onMessage(0, Unpooled.wrappedBuffer(message), 0, message.length - 1, 6),
                "one byte short is malformed");
            assertEquals(2, client.framesDelivered());
        }
        assertEquals(1, Unpooled.wrappedBuffer(frames).getUnsignedIntLE(RoomMessageDescriptor.FRAMES_INPUT_ACK_OFFSET),
            "slot 1's inputs are held up to frame 1");
    }

    @Test
    void shouldEncodeRelayMessages() throws Exception
    {
        final FrameSyncClient client = client(new ArrayList<>());
        assertTrue(client.sendRelayInput(0, Unpooled.wrappedBuffer(new byte[]{0x68, 0x69}), 0, 2));
        assertVector(RELAY_INPUT, clientSent.get(0));

        final RoomHost host = new RoomHost(0, new RoomConfig().mode(RoomMode.STATE_RELAY), new RoomListener()
        {
        }, new CounterSet("worker-0"));
        final RecordingLink link = new RecordingLink(host, 1, 9);
        host.onPlayerConnected(link, 0);
        final Room room = host.room(9);
        assertTrue(room.send(room.player(0), 3, new byte[]{0x68, 0x69}, 0, 2));
        final byte[] relay = link.sentOfType(RoomMessageDescriptor.RELAY).get(0).bytes();
        assertVector(RELAY, relay);
        final byte[][] received = new byte[1][];
        final FrameSyncClient relayClient = new FrameSyncClient(new FrameSyncClientConfig(),
            (channel, buffer, offset, length) -> true, new FrameSyncClient.Listener()
            {
                @Override
                public void onFrame(final FrameSyncClient c, final FrameView frame)
                {
                    unused.add(frame);
                }

                @Override
                public void onRelay(
                    final FrameSyncClient c,
                    final int channel,
                    final ByteBuf buffer,
                    final int offset,
                    final int length)
                {
                    received[0] = ByteBufUtil.getBytes(buffer, offset, length);
                }
            });
        assertTrue(relayClient.onMessage(3, Unpooled.wrappedBuffer(relay), 0, relay.length, 0));
        assertArrayEquals(new byte[]{0x68, 0x69}, received[0]);
        assertTrue(unused.isEmpty());
    }
}
