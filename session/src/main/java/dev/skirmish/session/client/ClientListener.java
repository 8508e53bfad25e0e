package dev.skirmish.session.client;

import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;

/**
 * Events of one {@link SkirmishClient}, called on the thread that drives it (from inside {@code connect},
 * {@code onDatagram}, {@code doWork}, {@code disconnect} or {@code close}). Callbacks may call back into the client,
 * for example to send or to disconnect.
 */
public interface ClientListener
{
    /**
     * The handshake completed: the client is CONNECTED and {@link SkirmishClient#sessionId()} is known.
     *
     * @param client that connected.
     */
    default void onConnected(final SkirmishClient client)
    {
    }

    /**
     * A message from the server on a channel, delivered as its channel's mode promises (once; in order on an
     * ordered channel; never older than the newest on a sequenced one). The bytes are valid only during the call:
     * copy what must outlive it and do not release or keep the buffer.
     *
     * @param client  that received it.
     * @param channel channel id.
     * @param buffer  holding the message.
     * @param offset  of the message in buffer.
     * @param length  of the message, at least 1 byte.
     */
    default void onMessage(
        final SkirmishClient client, final int channel, final ByteBuf buffer, final int offset, final int length)
    {
    }

    /**
     * The client is CLOSED: the session ended, or the connect attempt failed.
     *
     * @param client that closed.
     * @param reason why; {@link SkirmishClient#denyReason()} tells more for {@link DisconnectReason#DENIED}.
     */
    default void onDisconnected(final SkirmishClient client, final DisconnectReason reason)
    {
    }
}
