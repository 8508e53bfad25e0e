package dev.skirmish.sim.flood;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.skirmish.sim.BotRun;
import dev.skirmish.sim.RunConfig;
import dev.skirmish.sim.RunPhases;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.report.TrafficCounters;
import dev.skirmish.sim.report.WarnOnce;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;

/**
 * Flood mode: {@code clients} connected datagram channels, each its own session id (the client index, so the
 * server's {@code sessionId % workers} routing spreads them over its workers) and each keeping {@code window}
 * datagrams in flight ({@link FloodClient}), on one Netty event-loop group of {@code ioThreads} threads.
 * <p>
 * The calling thread only starts the clients, sleeps until the run ends, waits at most one timeout for the
 * datagrams still in flight, and has every client count what is left as lost.
 */
public final class FloodRun implements BotRun
{
    private static final long CONNECT_TIMEOUT_MS = 10_000;
    private static final long SHUTDOWN_TIMEOUT_MS = 2_000;
    private static final long DRAIN_POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Room for a full window of echoes per socket, counting kernel overhead per datagram generously. */
    private static final int RECEIVE_BUFFER_BYTES_PER_DATAGRAM = 4096;
    private static final int MIN_RECEIVE_BUFFER_BYTES = 256 * 1024;
    private static final int MAX_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

    private final FloodTransport transport;
    private final EventLoopGroup group;
    private final FloodClient[] clients;
    private final Channel[] channels;
    private final TrafficCounters[] counters;
    private final long timeoutNs;

    /**
     * Start the event loops and bind and connect every client's channel; nothing is sent yet.
     *
     * @param config of the run.
     * @param rtt    where round trips are recorded, from every event-loop thread.
     * @param err    for a one-time warning about socket errors.
     * @throws IOException if a channel cannot be opened, bound or connected (e.g. too many open files).
     */
    public FloodRun(final RunConfig config, final RttRecorder rtt, final PrintStream err) throws IOException
    {
        final FloodTransport transport;
        try
        {
            transport = config.transport().resolve();
        }
        catch (final IllegalStateException ex)
        {
            throw new IOException(ex.getMessage(), ex);
        }
        this.transport = transport;
        this.timeoutNs = config.timeoutNs();

        final int clientCount = config.clients();
        final WarnOnce socketErrorWarning = new WarnOnce(err);
        clients = new FloodClient[clientCount];
        channels = new Channel[clientCount];
        counters = new TrafficCounters[clientCount];
        for (int i = 0; i < clientCount; i++)
        {
            clients[i] = new FloodClient(
                i, config.window(), config.payloadLength(), config.timeoutNs(), rtt, socketErrorWarning);
            counters[i] = clients[i].counters();
        }

        group = new MultiThreadIoEventLoopGroup(
            config.ioThreads(), new DefaultThreadFactory("skirmish-bots-io", true), transport.ioHandlerFactory());
        try
        {
            connectAll(config);
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * {@inheritDoc}
     */
    public String transport()
    {
        return transport.cliName();
    }

    /**
     * {@inheritDoc}
     */
    public TrafficCounters[] counters()
    {
        return counters;
    }

    /**
     * {@inheritDoc}
     */
    public long execute(final RunPhases phases) throws InterruptedException
    {
        for (int i = 0; i < clients.length; i++)
        {
            final FloodClient client = clients[i];
            channels[i].eventLoop().execute(() -> client.begin(phases));
        }

        parkUntil(phases.endNs());

        // every datagram still in flight was sent before endNs, so one timeout settles all of them
        final long drainDeadlineNs = phases.endNs() + timeoutNs;
        while (inFlight() > 0 && System.nanoTime() - drainDeadlineNs < 0)
        {
            LockSupport.parkNanos(DRAIN_POLL_NS);
            checkInterrupt();
        }

        final Future<?>[] abandoned = new Future<?>[clients.length];
        for (int i = 0; i < clients.length; i++)
        {
            abandoned[i] = channels[i].eventLoop().submit(clients[i]::abandonInFlight);
        }
        final long abandonDeadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_TIMEOUT_MS);
        for (final Future<?> future : abandoned)
        {
            future.await(Math.max(0, abandonDeadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        return phases.endNs();
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        for (final Channel channel : channels)
        {
            if (null != channel)
            {
                channel.close();
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
    }

    private void connectAll(final RunConfig config) throws IOException
    {
        final InetSocketAddress remote = config.server().socketAddress();
        final InetSocketAddress local = config.server().localBindAddress();
        final int receiveBufferBytes = Math.min(
            MAX_RECEIVE_BUFFER_BYTES,
            Math.max(MIN_RECEIVE_BUFFER_BYTES, config.window() * RECEIVE_BUFFER_BYTES_PER_DATAGRAM));

        final Bootstrap bootstrap = new Bootstrap()
            .group(group)
            .channel(transport.channelClass())
            .option(ChannelOption.SO_RCVBUF, receiveBufferBytes);

        final ChannelFuture[] futures = new ChannelFuture[clients.length];
        for (int i = 0; i < clients.length; i++)
        {
            futures[i] = bootstrap.clone().handler(clients[i]).connect(remote, local);
            channels[i] = futures[i].channel();
        }

        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
        for (int i = 0; i < futures.length; i++)
        {
            final long remainingNs = Math.max(0, deadlineNs - System.nanoTime());
            if (!futures[i].awaitUninterruptibly(remainingNs, TimeUnit.NANOSECONDS))
            {
                throw new IOException("flood client " + i + " not connected within " + CONNECT_TIMEOUT_MS + " ms");
            }

            if (!futures[i].isSuccess())
            {
                final Throwable cause = futures[i].cause();
                throw new IOException("flood client " + i + " cannot connect to " + config.server() + ": " + cause, cause);
            }
        }
    }

    /**
     * Datagrams sent but neither received nor lost; never under-estimated: the settled counts are read
     * before the sent count, which each client increments first.
     */
    private long inFlight()
    {
        final long settled = TrafficCounters.sum(counters, TrafficCounters.RECEIVED) +
            TrafficCounters.sum(counters, TrafficCounters.LOST);

        return TrafficCounters.sum(counters, TrafficCounters.SENT) - settled;
    }

    private static void parkUntil(final long deadlineNs) throws InterruptedException
    {
        long remainingNs;
        while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remainingNs);
            checkInterrupt();
        }
    }

    private static void checkInterrupt() throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
    }
}
