package dev.skirmish.core.transport;

import io.netty.channel.epoll.Epoll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which socket implementation carries the datagrams.
 */
public enum TransportKind
{
    /** Native epoll when available (Linux), otherwise NIO with one log line saying so. */
    AUTO,
    /** Netty native epoll: recvmmsg batching, sendmmsg, SO_REUSEPORT. Fails to start where unavailable. */
    EPOLL,
    /** Netty NIO: portable, one datagram per read syscall. */
    NIO;

    private static final Logger LOG = LoggerFactory.getLogger(TransportKind.class);

    /**
     * The implementation to use for a request: {@link #AUTO} becomes {@link #EPOLL} where native epoll loads, else
     * {@link #NIO} with one warning naming {@code who}.
     *
     * @param requested what the configuration asks for.
     * @param who       names the user in the warning, e.g. "server" or "client group".
     * @return {@link #EPOLL} or {@link #NIO}.
     * @throws IllegalStateException if {@link #EPOLL} is requested where it is unavailable.
     */
    public static TransportKind resolve(final TransportKind requested, final String who)
    {
        switch (requested)
        {
            case NIO:
                return NIO;
            case EPOLL:
                if (!Epoll.isAvailable())
                {
                    throw new IllegalStateException("epoll transport requested but unavailable: " +
                        Epoll.unavailabilityCause());
                }
                return EPOLL;
            default:
                if (Epoll.isAvailable())
                {
                    return EPOLL;
                }
                LOG.warn("{}: native epoll unavailable ({}); falling back to NIO: no recvmmsg/sendmmsg batching",
                    who, String.valueOf(Epoll.unavailabilityCause()));
                return NIO;
        }
    }
}
