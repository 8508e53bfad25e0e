package dev.skirmish.session.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client engine on its own: which frame an input targets, which earlier inputs an INPUT repeats, when a gap asks
 * for a catch-up (only beyond what redundancy repairs, again only when it stalls), and frames the server no longer has.
 */
class FrameSyncClientTest
{
    private static final long T0 = 5_000_000_000L;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final List<byte[]> sent = new ArrayList<>();
    private final List<Long> delivered = new ArrayList<>();
    private final List<long[]> lost = new ArrayList<>();
    private final FrameSyncClient client = new FrameSyncClient(new FrameSyncClientConfig().inputLeadFrames(1),
        (channel, buffer, offset, length) -> sent.add(ByteBufUtil.getBytes(buffer, offset, length)),
        new FrameSyncClient.Listener()
        {
            @Override
            public void onFrame(final FrameSyncClient c, final FrameView frame)
            {
                delivered.add(frame.frame());
            }

            @Override
            public void onFramesLost(final FrameSyncClient c, final long fromFrame, final long toFrame)
            {
                lost.add(new long[]{fromFrame, toFrame});
            }
        });
    private final ByteBuf one = Unpooled.wrappedBuffer(new byte[]{1});
    private static final FrameSyncClient.Listener IGNORE = (c, frame) -> { };

    private void welcome(final long nextFrame, final long nowNs)
    {
        final ByteBuf message = Unpooled.buffer(24).writeByte(0x81).writeByte(0).writeByte(0).writeByte(2)
            .writeByte(30).writeByte(3).writeByte(32).writeByte(32).writeLongLE(9).writeIntLE((int)nextFrame)
            .writeIntLE(0);
        assertTrue(client.onMessage(2, message, 0, 24, nowNs));
    }

    /** FRAMES with count frames down from newest, each an empty frame (no players). */
    private boolean frames(final long newest, final int count, final long inputAck, final long nowNs)
    {
        final ByteBuf message = Unpooled.buffer(64).writeByte(0x82).writeByte(count).writeIntLE((int)newest)
            .writeIntLE((int)inputAck);
        for (int i = 0; i < count; i++)
        {
            message.writeShortLE(1).writeByte(0);
        }
        return client.onMessage(0, message, 0, message.readableBytes(), nowNs);
    }

    private boolean history(final long first, final int count, final long nowNs)
    {
        final ByteBuf message = Unpooled.buffer(256).writeByte(0x83).writeByte(count).writeIntLE((int)first);
        for (int i = 0; i < count; i++)
        {
            message.writeShortLE(1).writeByte(0);
        }
        return client.onMessage(2, message, 0, message.readableBytes(), nowNs);
    }

    private List<Long> inputFrames(final byte[] message)
    {
        final ByteBuf bytes = Unpooled.wrappedBuffer(message);
        final List<Long> frames = new ArrayList<>();
        int position = 3 + ((bytes.getByte(1) & 1) != 0 ? 12 : 0);
        for (int i = 0; i < bytes.getUnsignedByte(2); i++)
        {
            frames.add(bytes.getUnsignedIntLE(position));
            position += 5 + bytes.getUnsignedByte(position + 4);
        }
        return frames;
    }

    @Test
    void shouldTargetTheEstimatedServerFramePlusTheLead()
    {
        assertEquals(-1, client.nextInputFrame(T0), "not before WELCOME");
        welcome(0, T0);
        assertEquals(2, client.nextInputFrame(T0), "a new room: frame 0, the next one, plus a lead of 1");
        assertEquals(5, client.nextInputFrame(T0 + 100 * MS), "3 ticks later");
        frames(10, 1, 0xFFFF_FFFFL, T0 + 200 * MS);
        assertEquals(13, client.nextInputFrame(T0 + 200 * MS));
        assertEquals(13, client.sendInput(one, 0, 1, T0 + 200 * MS));
        assertEquals(14, client.sendInput(one, 0, 1, T0 + 200 * MS), "each frame once: after the last one");
        assertFalse(client.sendInput(14, one, 0, 1, T0), "not again");
        for (int i = 0; i < 40; i++)
        {
            client.sendInput(one, 0, 1, T0 + 200 * MS);
        }
        assertEquals(10 + 1 + 31, client.lastInputFrame(), "never beyond the server's input window");
        assertTrue(client.inputsRefused() > 0);
        assertFalse(client.sendInput(50, Unpooled.wrappedBuffer(new byte[33]), 0, 33, T0), "over max input");
    }

    @Test
    void shouldTargetTheFirstFrameWhoseInputDeadlineHasNotPassed()
    {
        final FrameSyncClient timed = new FrameSyncClient(new FrameSyncClientConfig(),
            (channel, buffer, offset, length) -> sent.add(ByteBufUtil.getBytes(buffer, offset, length)), IGNORE);
        final ByteBuf welcome = Unpooled.buffer(24).writeByte(0x81).writeByte(0).writeByte(0).writeByte(2)
            .writeByte(30).writeByte(3).writeByte(32).writeByte(32).writeLongLE(9).writeIntLE(0).writeIntLE(0);
        assertTrue(timed.onMessage(2, welcome, 0, 24, T0));
        final long period = 1_000_000_000L / 30;
        // fresh frames 0..15 arrive 5 ms after their tick (tick n at T0 + n x 33.3 ms), the odd ones 3 ms later still
        for (int n = 0; n < 16; n++)
        {
            final long arrival = T0 + n * 1_000_000_000L / 30 + 5 * MS + (n % 2) * 3 * MS;
            final ByteBuf frame = Unpooled.buffer(16).writeByte(0x82).writeByte(1).writeIntLE(n).writeIntLE(-1)
                .writeShortLE(1).writeByte(0);
            assertTrue(timed.onMessage(0, frame, 0, frame.readableBytes(), arrival));
            if (n < 7)
            {
                assertEquals(Long.MIN_VALUE, timed.inputDeadlineNs(n + 1), "no phase yet after " + (n + 1));
            }
        }
        timed.pathRtt(4 * MS);
        // phase = the least-delayed arrival: T0 + 5 ms; margin = max(2 ms, 3 x mean deviation ~1.5 ms) = ~4.5 ms
        final long deadline20 = timed.inputDeadlineNs(20);
        final long frame20 = T0 + 20 * 1_000_000_000L / 30;
        assertTrue(deadline20 <= frame20 + 5 * MS - 4 * MS - 2 * MS, "RTT and at least 2 ms margin: " + deadline20);
        assertTrue(deadline20 >= frame20 + 5 * MS - 4 * MS - 6 * MS, "margin from the deviation: " + deadline20);
        assertEquals(period, timed.inputDeadlineNs(21) - deadline20, 2, "one period per frame");

        assertEquals(20, timed.nextInputFrame(deadline20), "at its deadline: still frame 20");
        assertEquals(21, timed.nextInputFrame(deadline20 + 1), "1 ns late: the next one");
        assertEquals(20, timed.sendInput(one, 0, 1, deadline20 - MS));
        assertEquals(FrameSyncClient.HELD, timed.sendInput(one, 0, 1, deadline20 - MS / 2), "20 has its input");
        assertEquals(1, timed.inputsHeld());
        assertEquals(0, timed.inputsRefused(), "held is not refused");
        assertEquals(21, timed.sendInput(one, 0, 1, deadline20 + period - MS), "one tick later: 21");
        assertEquals(23, timed.sendInput(one, 0, 1, deadline20 + 3 * period - MS), "a late tick skips a frame");
    }

    @Test
    void shouldAssumeTwoTickPeriodsOfRttUntilTold()
    {
        final FrameSyncClient timed = new FrameSyncClient(new FrameSyncClientConfig(),
            (channel, buffer, offset, length) -> true, IGNORE);
        final ByteBuf welcome = Unpooled.buffer(24).writeByte(0x81).writeByte(0).writeByte(0).writeByte(2)
            .writeByte(30).writeByte(3).writeByte(32).writeByte(32).writeLongLE(9).writeIntLE(0).writeIntLE(0);
        assertTrue(timed.onMessage(2, welcome, 0, 24, T0));
        for (int n = 0; n < 8; n++)
        {
            final ByteBuf frame = Unpooled.buffer(16).writeByte(0x82).writeByte(1).writeIntLE(n).writeIntLE(-1)
                .writeShortLE(1).writeByte(0);
            assertTrue(timed.onMessage(0, frame, 0, frame.readableBytes(), T0 + n * 1_000_000_000L / 30));
        }
        final long untold = timed.inputDeadlineNs(30);
        timed.pathRtt(0);
        assertEquals(2 * 1_000_000_000L / 30, timed.inputDeadlineNs(30) - untold, 1);
    }

    @Test
    void shouldRepeatRecentInputsUntilAcknowledgedOrClosed()
    {
        welcome(100, T0);
        sent.clear();
        client.sendInput(101, one, 0, 1, T0);
        client.sendInput(102, one, 0, 1, T0);
        client.sendInput(103, one, 0, 1, T0);
        client.sendInput(104, one, 0, 1, T0);
        client.sendInput(105, one, 0, 1, T0);
        assertEquals(List.of(101L), inputFrames(sent.get(0)));
        assertEquals(List.of(105L, 104L, 103L, 102L), inputFrames(sent.get(4)), "the newest and 3 before it");
        frames(101, 1, 103, T0 + MS);
        client.sendInput(106, one, 0, 1, T0 + MS);
        assertEquals(List.of(106L, 105L, 104L), inputFrames(sent.get(5)), "not what the server acknowledged");
        client.reportHash(101, 0x77, T0 + MS);
        client.sendInput(107, one, 0, 1, T0 + MS);
        final ByteBuf withHash = Unpooled.wrappedBuffer(sent.get(6));
        assertEquals(1, withHash.getByte(1));
        assertEquals(101, withHash.getUnsignedIntLE(3));
        assertEquals(0x77, withHash.getLongLE(7));
        assertEquals(List.of(107L, 106L, 105L, 104L), inputFrames(sent.get(6)));
    }

    @Test
    void shouldAskForCatchUpOnlyBeyondRedundancyAndAgainWhenItStalls()
    {
        welcome(0, T0);
        assertTrue(frames(0, 1, 0xFFFF_FFFFL, T0));
        sent.clear();
        assertTrue(frames(4, 4, 0xFFFF_FFFFL, T0 + MS), "frames 1-4; frame 1 is still in the next message's reach");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), delivered);
        assertTrue(frames(9, 4, 0xFFFF_FFFFL, T0 + 2 * MS), "frames 6-9: 5 is lost for FRAMES");
        assertEquals(1, sent.size());
        assertEquals("0205000000", ByteBufUtil.hexDump(sent.get(0)));
        frames(10, 4, 0xFFFF_FFFFL, T0 + 3 * MS);
        assertEquals(1, sent.size(), "one request outstanding");
        client.doWork(T0 + 2 * MS + 499 * MS);
        assertEquals(1, sent.size());
        client.doWork(T0 + 2 * MS + 500 * MS);
        assertEquals(2, sent.size(), "asked again: no progress for 500 ms");
        assertTrue(history(5, 1, T0 + 600 * MS));
        assertEquals(11, client.nextFrame(), "5 from the history, then 6-10 held");
        assertEquals(1, client.framesFromHistory());
        assertTrue(client.framesFromRedundancy() > 0);
    }

    @Test
    void shouldReportFramesTheServerNoLongerHas()
    {
        welcome(3000, T0);
        assertEquals("0200000000", ByteBufUtil.hexDump(sent.get(0)), "a new client asks from frame 0");
        assertTrue(history(1976, 10, T0 + MS));
        assertEquals(1, lost.size());
        assertEquals(0, lost.get(0)[0]);
        assertEquals(1976, lost.get(0)[1]);
        assertEquals(1986, client.nextFrame());
        assertEquals(1976, client.framesLost());
        assertEquals(1976L, delivered.get(0));
    }
}
