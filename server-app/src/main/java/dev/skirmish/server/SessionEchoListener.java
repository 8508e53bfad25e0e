package dev.skirmish.server;

import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.server.ServerSession;
import dev.skirmish.session.server.ServerSessions;
import dev.skirmish.session.server.SessionListener;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToLongFunction;

/**
 * The reference game of {@code ./skirmish server --mode session}: every message is sent back to the session it came
 * from, as is, on the channel it came on, and sessions connected and closed (per {@link DisconnectReason}) are counted. Rooms and frame
 * sync come later; this is enough for bots to measure the session data path end to end.
 *
 * <p>One instance per worker ({@link Group}), called from that worker thread only. Its counts are single-writer
 * (ordered writes) and may be read from any thread, e.g. the stats printer.
 */
public final class SessionEchoListener implements SessionListener
{
    private static final int CONNECTED = 0;
    private static final int ECHOED = 1;
    private static final int ECHO_FAILED = 2;
    private static final int CLOSED_BASE = 3;

    private final AtomicLongArray counts = new AtomicLongArray(CLOSED_BASE + DisconnectReason.values().length);

    @Override
    public void onSessionConnected(final ServerSession session, final long nowNs)
    {
        increment(CONNECTED);
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
        // false: the session's send queue is full (counted and logged by the session layer) or it is closing.
        increment(session.send(channel, buffer, offset, length) ? ECHOED : ECHO_FAILED);
    }

    @Override
    public void onSessionClosed(final ServerSession session, final DisconnectReason reason, final long nowNs)
    {
        increment(CLOSED_BASE + reason.ordinal());
    }

    private void increment(final int index)
    {
        // Single writer: a plain read and an ordered write are enough, no read-modify-write.
        counts.lazySet(index, counts.get(index) + 1);
    }

    /**
     * @return sessions that completed their handshake on this worker.
     */
    public long connected()
    {
        return counts.get(CONNECTED);
    }

    /**
     * @return payloads sent back.
     */
    public long echoed()
    {
        return counts.get(ECHOED);
    }

    /**
     * @return payloads that could not be sent back (outbound queue full or session closing).
     */
    public long echoFailed()
    {
        return counts.get(ECHO_FAILED);
    }

    /**
     * @param reason why sessions ended.
     * @return sessions closed for that reason on this worker.
     */
    public long closed(final DisconnectReason reason)
    {
        return counts.get(CLOSED_BASE + reason.ordinal());
    }

    /**
     * Creates the listener of each worker and sums their counts for reports. Thread safe.
     */
    public static final class Group implements SessionListener.Factory
    {
        private final AtomicReferenceArray<SessionEchoListener> listeners;

        /**
         * @param workers number of workers of the server.
         */
        public Group(final int workers)
        {
            listeners = new AtomicReferenceArray<>(workers);
        }

        @Override
        public SessionListener newListener(final int worker, final ServerSessions sessions)
        {
            final SessionEchoListener listener = new SessionEchoListener();
            listeners.set(worker, listener);
            return listener;
        }

        /**
         * @return sessions connected, all workers.
         */
        public long connected()
        {
            return sum(SessionEchoListener::connected);
        }

        /**
         * @param reason why sessions ended.
         * @return sessions closed for that reason, all workers.
         */
        public long closed(final DisconnectReason reason)
        {
            return sum((listener) -> listener.closed(reason));
        }

        /**
         * @return payloads sent back, all workers.
         */
        public long echoed()
        {
            return sum(SessionEchoListener::echoed);
        }

        /**
         * @return payloads that could not be sent back, all workers.
         */
        public long echoFailed()
        {
            return sum(SessionEchoListener::echoFailed);
        }

        private long sum(final ToLongFunction<SessionEchoListener> count)
        {
            long sum = 0;
            for (int i = 0; i < listeners.length(); i++)
            {
                final SessionEchoListener listener = listeners.get(i);
                sum += null == listener ? 0 : count.applyAsLong(listener);
            }
            return sum;
        }

        /**
         * @return the counts as report lines: connected, echoed, echo failures, then closed per reason (non-zero
         * reasons only).
         */
        public String report()
        {
            final StringBuilder sb = new StringBuilder("session listener (echo):\n");
            sb.append("  connected ").append(connected()).append('\n');
            sb.append("  payloads_echoed ").append(echoed()).append('\n');
            sb.append("  payloads_echo_failed ").append(echoFailed()).append('\n');
            for (final DisconnectReason reason : DisconnectReason.values())
            {
                final long closed = closed(reason);
                if (0 != closed)
                {
                    sb.append("  closed_").append(reason.name().toLowerCase()).append(' ').append(closed).append('\n');
                }
            }
            return sb.toString();
        }
    }
}
