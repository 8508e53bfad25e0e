package dev.skirmish.session.room;

import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.server.ServerSession;
import io.netty.buffer.ByteBuf;

/**
 * A {@link ServerSession} as a room player's connection; kept in the session's attachment by {@link RoomHost}.
 */
final class SessionLink extends PlayerLink
{
    final ServerSession session;

    SessionLink(final ServerSession session)
    {
        this.session = session;
    }

    @Override
    public long clientId()
    {
        return session.clientId();
    }

    @Override
    public long roomId()
    {
        return session.roomId();
    }

    @Override
    public boolean send(final int channel, final ByteBuf src, final int offset, final int length)
    {
        return session.send(channel, src, offset, length);
    }

    @Override
    public int claim(final int channel, final int length)
    {
        return session.claim(channel, length);
    }

    @Override
    public ByteBuf claimBuffer()
    {
        return session.claimBuffer();
    }

    @Override
    public long sendBudgetBytes()
    {
        return session.sendBudgetBytes();
    }

    @Override
    public int maxWholeMessageBytes()
    {
        return session.maxWholeMessageBytes();
    }

    @Override
    public void disconnect(final DisconnectReason reason)
    {
        session.disconnect(reason);
    }

    @Override
    public String toString()
    {
        return "SessionLink{" + session + '}';
    }
}
