package dev.skirmish.session.server;

import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;

/**
 * The game's side of a worker: session events and payloads, all delivered on the worker thread that owns the
 * session, so a listener owns its state single-threaded. One listener per worker ({@link Factory}).
 */
public interface SessionListener
{
    /**
     * A session completed its handshake: the client's first authentic packet arrived.
     *
     * @param session the session; valid until {@link #onSessionClosed}.
     * @param nowNs   the worker's clock.
     */
    default void onSessionConnected(final ServerSession session, final long nowNs)
    {
    }

    /**
     * A DATA payload arrived, authenticated and not replayed.
     *
     * @param session sender.
     * @param buffer  holds the payload; valid only during the call.
     * @param offset  of the payload in buffer.
     * @param length  of the payload, at least 1.
     * @param nowNs   the worker's clock.
     */
    default void onPayload(
        final ServerSession session, final ByteBuf buffer, final int offset, final int length, final long nowNs)
    {
    }

    /**
     * A session ended. Called once per session that was allocated (also for sessions that never confirmed).
     *
     * @param session the session, now {@link dev.skirmish.session.lifecycle.SessionState#CLOSED}.
     * @param reason  why.
     * @param nowNs   the worker's clock.
     */
    default void onSessionClosed(final ServerSession session, final DisconnectReason reason, final long nowNs)
    {
    }

    /**
     * Once per worker duty cycle, after packets and timers: game ticks go here.
     *
     * @param nowNs the worker's clock.
     * @return work done.
     */
    default int doWork(final long nowNs)
    {
        return 0;
    }

    /**
     * Creates the listener of each worker.
     */
    @FunctionalInterface
    interface Factory
    {
        /**
         * @param worker   worker index.
         * @param sessions that worker's sessions, to send and look up.
         * @return its listener.
         */
        SessionListener newListener(int worker, ServerSessions sessions);
    }
}
