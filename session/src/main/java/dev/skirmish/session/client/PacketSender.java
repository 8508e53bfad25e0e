package dev.skirmish.session.client;

import io.netty.buffer.ByteBuf;

/**
 * Where a {@link SkirmishClient} gets its send buffers and hands its datagrams, so that the client knows nothing
 * about sockets. Called from the thread that owns the client only.
 */
public interface PacketSender
{
    /**
     * A buffer to write one datagram into.
     *
     * @return an empty buffer (reader and writer index 0) whose capacity is at least the client's
     * {@link ClientConfig#maxDatagramLength()}, owned by the caller from now on; or null when none is available
     * (back pressure), which the client counts as a send failure.
     */
    ByteBuf claim();

    /**
     * Send the readable bytes of a datagram to the server. Takes ownership of the buffer whatever the outcome: the
     * sender releases it once written or dropped.
     *
     * @param datagram a buffer from {@link #claim()}, holding one whole datagram between reader and writer index.
     * @return true when handed to the transport, false when dropped (counted by the client as a send failure).
     */
    boolean send(ByteBuf datagram);
}
