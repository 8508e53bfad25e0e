package dev.skirmish.session.server;

import dev.skirmish.core.transport.HandshakeGate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link HandshakeGate.Replies} that hands out one reusable buffer and records every reply, enforcing nothing: the
 * tests check the anti-amplification rule themselves (reply bytes &le; request bytes). Call {@link #beginCall()}
 * before each {@link HandshakeGate#onHandshake}; {@link #close()} releases the buffer.
 */
public final class RecordingReplies implements HandshakeGate.Replies, AutoCloseable
{
    private final ByteBuf buffer;
    private final List<byte[]> lastCall = new ArrayList<>();
    private boolean claimed;
    private int callBytes;
    private long totalBytes;
    private long totalReplies;
    private int maxRepliesPerCall;

    /**
     * @param capacity size of the buffer handed out, the max datagram length.
     */
    public RecordingReplies(final int capacity)
    {
        buffer = Unpooled.buffer(capacity, capacity);
    }

    /**
     * Forget the replies of the previous call.
     */
    public void beginCall()
    {
        lastCall.clear();
        callBytes = 0;
        claimed = false;
    }

    @Override
    public ByteBuf claim()
    {
        buffer.clear();
        claimed = true;
        return buffer;
    }

    @Override
    public boolean send()
    {
        if (!claimed)
        {
            return false;
        }
        claimed = false;
        final byte[] reply = new byte[buffer.readableBytes()];
        buffer.getBytes(buffer.readerIndex(), reply);
        lastCall.add(reply);
        callBytes += reply.length;
        totalBytes += reply.length;
        totalReplies++;
        maxRepliesPerCall = Math.max(maxRepliesPerCall, lastCall.size());
        return true;
    }

    /**
     * @return replies sent during the current call, in order.
     */
    public List<byte[]> lastCall()
    {
        return lastCall;
    }

    /**
     * @return bytes sent during the current call.
     */
    public int callBytes()
    {
        return callBytes;
    }

    /**
     * @return bytes sent since construction.
     */
    public long totalBytes()
    {
        return totalBytes;
    }

    /**
     * @return replies sent since construction.
     */
    public long totalReplies()
    {
        return totalReplies;
    }

    /**
     * @return most replies sent during one call.
     */
    public int maxRepliesPerCall()
    {
        return maxRepliesPerCall;
    }

    @Override
    public void close()
    {
        if (buffer.refCnt() > 0)
        {
            buffer.release();
        }
    }
}
