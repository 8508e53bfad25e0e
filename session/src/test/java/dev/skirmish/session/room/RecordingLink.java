package dev.skirmish.session.room;

import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * A player connection that records what the room sends it. Disconnecting it calls the host back, as
 * {@code ServerSessions.close} does for a session.
 */
final class RecordingLink extends PlayerLink
{
    /** A message sent on a channel. */
    record Sent(int channel, byte[] bytes)
    {
        int type()
        {
            return bytes[0] & 0xFF;
        }
    }

    final RoomHost host;
    final long clientId;
    final long roomId;
    final List<Sent> sent = new ArrayList<>();
    final ByteBuf claimBuffer = Unpooled.wrappedBuffer(new byte[64 * 1024]);
    long budgetBytes = Long.MAX_VALUE;
    int maxWholeMessageBytes = 1176;
    boolean refuseSends;
    boolean recording = true;
    DisconnectReason disconnectReason;
    long nowNs;
    private int claimedChannel = -1;
    private int claimedLength;

    RecordingLink(final RoomHost host, final long clientId, final long roomId)
    {
        this.host = host;
        this.clientId = clientId;
        this.roomId = roomId;
    }

    @Override
    public long clientId()
    {
        return clientId;
    }

    @Override
    public long roomId()
    {
        return roomId;
    }

    @Override
    public boolean send(final int channel, final ByteBuf src, final int offset, final int length)
    {
        commitClaim();
        if (refuseSends || null != disconnectReason)
        {
            return false;
        }
        if (recording)
        {
            sent.add(new Sent(channel, ByteBufUtil.getBytes(src, offset, length)));
        }
        return true;
    }

    @Override
    public int claim(final int channel, final int length)
    {
        commitClaim();
        if (refuseSends || null != disconnectReason)
        {
            return -1;
        }
        claimedChannel = channel;
        claimedLength = length;
        return 0;
    }

    @Override
    public ByteBuf claimBuffer()
    {
        return claimBuffer;
    }

    /** A claimed message is complete once the next send or claim starts, or when the test reads {@link #sent()}. */
    private void commitClaim()
    {
        if (claimedChannel >= 0)
        {
            if (recording)
            {
                sent.add(new Sent(claimedChannel, ByteBufUtil.getBytes(claimBuffer, 0, claimedLength)));
            }
            claimedChannel = -1;
        }
    }

    List<Sent> sent()
    {
        commitClaim();
        return sent;
    }

    List<Sent> sentOfType(final int type)
    {
        final List<Sent> result = new ArrayList<>();
        for (final Sent message : sent())
        {
            if (message.type() == type)
            {
                result.add(message);
            }
        }
        return result;
    }

    @Override
    public long sendBudgetBytes()
    {
        return budgetBytes;
    }

    @Override
    public int maxWholeMessageBytes()
    {
        return maxWholeMessageBytes;
    }

    @Override
    public void disconnect(final DisconnectReason reason)
    {
        if (null != disconnectReason)
        {
            return;
        }
        disconnectReason = reason;
        host.onPlayerDisconnected(this, reason, nowNs);
    }

    /**
     * The session ended from the client's side or by timeout: the host hears of it.
     */
    void close(final DisconnectReason reason, final long nowNs)
    {
        disconnectReason = reason;
        host.onPlayerDisconnected(this, reason, nowNs);
    }
}
