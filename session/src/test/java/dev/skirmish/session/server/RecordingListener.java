package dev.skirmish.session.server;

import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SessionListener} that records every event, for assertions.
 */
public final class RecordingListener implements SessionListener
{
    /** A delivered message, copied, with its channel. */
    public record Payload(ServerSession session, int channel, byte[] bytes, long nowNs)
    {
    }

    /** A closed session. */
    public record Closed(ServerSession session, DisconnectReason reason, long nowNs)
    {
    }

    private final List<ServerSession> connected = new ArrayList<>();
    private final List<Payload> payloads = new ArrayList<>();
    private final List<Closed> closed = new ArrayList<>();
    private boolean keepPayloads = true;
    private long payloadCount;

    @Override
    public void onSessionConnected(final ServerSession session, final long nowNs)
    {
        connected.add(session);
    }

    @Override
    public void onMessage(
        final ServerSession session,
        final int channel,
        final ByteBuf buffer,
        final int offset,
        final int length,
        final long nowNs)
    {
        payloadCount++;
        if (keepPayloads)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            payloads.add(new Payload(session, channel, bytes, nowNs));
        }
    }

    @Override
    public void onSessionClosed(final ServerSession session, final DisconnectReason reason, final long nowNs)
    {
        closed.add(new Closed(session, reason, nowNs));
    }

    /**
     * @param keep false to count messages without copying them (long runs).
     */
    public void keepPayloads(final boolean keep)
    {
        this.keepPayloads = keep;
    }

    /**
     * @return sessions connected, in order.
     */
    public List<ServerSession> connected()
    {
        return connected;
    }

    /**
     * @return messages delivered and kept, in order.
     */
    public List<Payload> payloads()
    {
        return payloads;
    }

    /**
     * @return messages delivered, kept or not.
     */
    public long payloadCount()
    {
        return payloadCount;
    }

    /**
     * @return sessions closed, in order.
     */
    public List<Closed> closed()
    {
        return closed;
    }
}
