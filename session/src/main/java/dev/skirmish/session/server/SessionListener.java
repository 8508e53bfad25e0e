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
     * A message arrived on a channel, delivered as its channel's mode promises (once; in order on an ordered
     * channel; never older than the newest on a sequenced one), from an authenticated, non-replayed packet.
     *
     * @param session sender.
     * @param channel channel id.
     * @param buffer  holds the message; valid only during the call: copy what must outlive it, do not release it.
     * @param offset  of the message in buffer.
     * @param length  of the message, at least 1.
     * @param nowNs   the worker's clock.
     */
    default void onMessage(
        final ServerSession session,
        final int channel,
        final ByteBuf buffer,
        final int offset,
        final int length,
        final long nowNs)
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
     * Once per worker duty cycle, after packets and timers: game ticks go here. Messages sent here or while
     * handling packets leave together, in one flush per session right after this returns.
     *
     * @param nowNs the worker's clock.
     * @return work done.
     */
    default int doWork(final long nowNs)
    {
        return 0;
    }

    /**
     * The server is stopping: called once on the worker thread, before the worker closes its remaining sessions
     * with SERVER_SHUTDOWN (each then gets {@link #onSessionClosed}). Sessions are still open here: end matches,
     * persist results. The server already refuses new connections. An exception is counted ({@code worker_errors})
     * and logged; the sessions are closed anyway.
     *
     * @param nowNs the worker's clock at its last duty cycle.
     */
    default void onShutdown(final long nowNs)
    {
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
