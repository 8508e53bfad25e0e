package dev.skirmish.sim.pingpong;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.sim.BotRun;
import dev.skirmish.sim.RunConfig;
import dev.skirmish.sim.RunPhases;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.report.TrafficCounters;
import dev.skirmish.sim.report.WarnOnce;
import dev.skirmish.sim.wire.EchoDatagram;

/**
 * One client with one datagram in flight: send, wait for the echo, record the round trip, send the next at
 * once. This measures the unloaded latency of the path through the server.
 * <p>
 * <b>How it waits.</b> The connected JDK {@link DatagramChannel} is non-blocking. After each send the thread
 * first polls {@code read()} for at most {@code --spin} (e.g. {@link #SPIN_NS}; default 0), which catches fast
 * echoes without paying for a
 * wake-up (a blocked thread takes ~25 µs to wake on this class of machine, as much as the round trip itself).
 * Then it blocks in {@link Selector#select(Consumer, long)}: that is {@code epoll_wait} on the calling thread,
 * woken directly by the kernel when the echo lands, and bounded by the timeout. A blocking channel cannot
 * time out (it has no SO_TIMEOUT); polling with {@code parkNanos} would add the kernel's timer slack (~50 µs)
 * to every wait; spinning without bound would take a core from the server on a 2-core machine.
 * <p>
 * Nothing is allocated per datagram: one direct buffer each for sending and receiving, and
 * {@code select(Consumer, long)} does not fill the selected-key set.
 * <p>
 * Runs entirely on the thread that calls {@link #execute(RunPhases)}: single writer of its counters.
 */
public final class PingPongRun implements BotRun
{
    /** A typical poll window for {@code --spin} (the default is 0: block at once); see BotsMain. */
    public static final long SPIN_NS = 20_000;
    /** Transport name stored in the report. */
    public static final String TRANSPORT = "jdk-nio-selector";

    private static final int SESSION_ID = 0;
    private static final long NO_REPLY = Long.MIN_VALUE;
    private static final int MAX_READS_PER_POLL = 64;
    private static final Consumer<SelectionKey> IGNORE_KEY = (key) -> {};

    private final RttRecorder rtt;
    private final WarnOnce socketErrorWarning;
    private final TrafficCounters counters = new TrafficCounters();
    private final TrafficCounters[] allCounters = { counters };
    private final String server;
    private final long timeoutNs;
    private final long spinNs;
    private final int datagramLength;
    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer sendBuffer;
    private final ByteBuffer receiveBuffer;

    /**
     * Open and connect the socket. No datagram is sent until {@link #execute(RunPhases)}.
     *
     * @param config of the run.
     * @param rtt    where round trips are recorded.
     * @param err    for a one-time warning about socket errors.
     * @throws IOException if the socket cannot be opened, bound or connected.
     */
    public PingPongRun(final RunConfig config, final RttRecorder rtt, final PrintStream err) throws IOException
    {
        this.rtt = rtt;
        this.socketErrorWarning = new WarnOnce(err);
        this.server = config.server().toString();
        this.timeoutNs = config.timeoutNs();
        this.spinNs = config.spinNs();
        this.datagramLength = EchoDatagram.datagramLength(config.payloadLength());
        this.sendBuffer = EchoDatagram.newDatagram(SESSION_ID, config.payloadLength());
        // one byte more than the largest datagram we accept, so an oversized one shows as too long, not truncated
        this.receiveBuffer = ByteBuffer.allocateDirect(PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH + 1)
            .order(ByteOrder.LITTLE_ENDIAN);

        final InetSocketAddress remote = config.server().socketAddress();
        final boolean ipv6 = remote.getAddress() instanceof Inet6Address;
        DatagramChannel channel = null;
        Selector selector = null;
        try
        {
            channel = DatagramChannel.open(ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            channel.bind(config.server().localBindAddress());
            channel.connect(remote);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(selector);
            closeQuietly(channel);
            throw ex;
        }
        this.channel = channel;
        this.selector = selector;
    }

    /**
     * {@inheritDoc}
     */
    public String transport()
    {
        return TRANSPORT;
    }

    /**
     * {@inheritDoc}
     */
    public TrafficCounters[] counters()
    {
        return allCounters;
    }

    /**
     * {@inheritDoc}
     */
    public long execute(final RunPhases phases)
    {
        long sequence = 0;
        while (true)
        {
            final long sendNs = System.nanoTime();
            if (sendNs - phases.endNs() >= 0)
            {
                return sendNs;
            }

            final boolean measured = phases.isMeasured(sendNs);
            send(sendNs, sequence);
            counters.onSent(measured);

            final long replyNs = awaitEcho(sequence, sendNs + timeoutNs);
            if (NO_REPLY == replyNs)
            {
                counters.onLost(measured);
            }
            else
            {
                rtt.record(replyNs - sendNs, measured);
                counters.onReceived(measured);
            }
            sequence++;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        closeQuietly(selector);
        closeQuietly(channel);
    }

    private void send(final long sendNs, final long sequence)
    {
        EchoDatagram.stamp(sendBuffer, sendNs, sequence);
        try
        {
            channel.write(sendBuffer);
        }
        catch (final IOException ex)
        {
            // e.g. PortUnreachableException left by an earlier ICMP error: the wait below times out and the
            // datagram counts as lost, which paces retries at one per timeout
            onSocketError(ex);
        }
    }

    /**
     * Wait for the echo of {@code sequence}; stale echoes of earlier, timed-out datagrams are skipped.
     *
     * @return {@link System#nanoTime()} when it arrived, or {@link #NO_REPLY} at the deadline.
     */
    private long awaitEcho(final long sequence, final long deadlineNs)
    {
        final long spinEndNs = Math.min(System.nanoTime() + spinNs, deadlineNs);
        long nowNs;
        do
        {
            final long replyNs = readEcho(sequence);
            if (NO_REPLY != replyNs)
            {
                return replyNs;
            }
            Thread.onSpinWait();
            nowNs = System.nanoTime();
        }
        while (nowNs - spinEndNs < 0);

        while (deadlineNs - nowNs > 0)
        {
            final long timeoutMs = Math.max(1, (deadlineNs - nowNs + 999_999) / 1_000_000);
            try
            {
                selector.select(IGNORE_KEY, timeoutMs);
            }
            catch (final IOException ex)
            {
                onSocketError(ex);
                return NO_REPLY;
            }

            final long replyNs = readEcho(sequence);
            if (NO_REPLY != replyNs)
            {
                return replyNs;
            }
            nowNs = System.nanoTime();
        }

        return NO_REPLY;
    }

    /**
     * Read until the echo of {@code sequence} is found, nothing is left, or {@link #MAX_READS_PER_POLL} datagrams
     * were read, so a stream of stray datagrams cannot hold the caller past its deadline.
     */
    private long readEcho(final long sequence)
    {
        for (int i = 0; i < MAX_READS_PER_POLL; i++)
        {
            final int length;
            try
            {
                receiveBuffer.clear();
                length = channel.read(receiveBuffer);
            }
            catch (final IOException ex)
            {
                onSocketError(ex);
                return NO_REPLY;
            }

            if (length <= 0)
            {
                return NO_REPLY;
            }

            final long replyNs = System.nanoTime();
            if (!EchoDatagram.isEcho(receiveBuffer, length, datagramLength, SESSION_ID))
            {
                counters.onInvalid();
            }
            else if (receiveBuffer.getLong(EchoDatagram.SEQUENCE_OFFSET) != sequence)
            {
                counters.onLate();
            }
            else
            {
                return replyNs;
            }
        }

        return NO_REPLY;
    }

    private void onSocketError(final IOException ex)
    {
        counters.onError();
        socketErrorWarning.warn("socket error talking to " + server + ": " + ex);
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        if (null != closeable)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
                // closing at the end of a run: nothing useful to do
            }
        }
    }
}
