package dev.skirmish.core.transport;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * The stateless handshake steps that run on an I/O thread before a datagram is routed: the session layer plugs in
 * here (core knows nothing of tokens or cookies). One instance per I/O thread, called from that thread only, so an
 * implementation owns its state (rate limiter, decoder, scratch arrays) single-threaded.
 *
 * <p>Only datagrams with a valid fixed header whose type is a handshake type (connect request, challenge, challenge
 * response, denied) reach the gate. The gate either answers right here through {@link Replies} and consumes the
 * datagram, or names the worker that should get it (e.g. the worker that owns the room named in the token).
 */
public interface HandshakeGate
{
    /** Returned by {@link #onHandshake} when the datagram was consumed (answered or dropped). */
    int CONSUMED = -1;

    /**
     * A handshake datagram arrived. Called from the I/O thread.
     *
     * @param datagram the datagram, header at the reader index; the caller releases it afterwards unless it is
     *                 routed, so never keep it.
     * @param sender   source address, unvalidated.
     * @param replies  to answer the source; every reply is at most as long as this datagram.
     * @return the worker to route the datagram to, or {@link #CONSUMED}.
     */
    int onHandshake(ByteBuf datagram, InetSocketAddress sender, Replies replies);

    /**
     * A worker's inbound queue was full and a datagram was dropped: the server is overloaded, so a gate may start
     * protecting itself (rate limits) even if the handshake rate alone is below its threshold. Called from the I/O
     * thread.
     */
    default void onQueuePressure()
    {
    }

    /**
     * Sends replies from the I/O thread to an unvalidated source, enforcing anti-amplification: a reply longer than
     * the datagram it answers is not sent.
     */
    interface Replies
    {
        /**
         * A buffer to write one reply into. Valid until {@link #send} or the next {@code claim}.
         *
         * @return an empty buffer of at least the max datagram length.
         */
        ByteBuf claim();

        /**
         * Send the claimed reply to the source of the datagram being handled.
         *
         * @return true if sent; false if it was longer than the request (counted as
         * {@link dev.skirmish.core.metrics.Counter#AMPLIFICATION_LIMITED}) or nothing was claimed.
         */
        boolean send();
    }

    /**
     * Creates the gate of each I/O thread.
     */
    @FunctionalInterface
    interface Factory
    {
        /**
         * @param ioThread index of the I/O thread.
         * @param counters that thread's counters (single writer: that thread).
         * @param workers  number of workers, the range of worker indices to return.
         * @return its gate.
         */
        HandshakeGate newGate(int ioThread, dev.skirmish.core.metrics.CounterSet counters, int workers);
    }
}
