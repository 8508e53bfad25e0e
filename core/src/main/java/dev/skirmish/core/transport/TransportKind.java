package dev.skirmish.core.transport;

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
    NIO
}
