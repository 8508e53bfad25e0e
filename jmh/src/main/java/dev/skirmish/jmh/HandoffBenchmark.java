package dev.skirmish.jmh;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.OutboundPacket;
import dev.skirmish.core.worker.EchoHandler;
import dev.skirmish.core.worker.IoWakeup;
import dev.skirmish.core.worker.Outbound;
import dev.skirmish.core.worker.WorkerAgent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DatagramPacket;
import org.agrona.concurrent.CachedNanoClock;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The I/O thread to worker to I/O thread path of one datagram, without sockets:
 * <ul>
 *   <li>{@link #echoRoundTrip}: what the server does per echoed datagram after the read and before the write, run
 *   on one thread so that it is deterministic. As the I/O thread: offer a received {@link DatagramPacket} (a pooled
 *   direct buffer holding a valid 72-byte ECHO datagram, retained before each offer because it is released once
 *   per trip) into {@code inbound(0, 0)}. As the worker: one {@link WorkerAgent#doWork()} duty cycle (invoker mode)
 *   whose {@link EchoHandler} copies the datagram into a claimed outbound slot, offers it to {@code outbound(0, 0)}
 *   and hands the received packet back on {@code returns(0, 0)}. As the I/O thread again: poll the
 *   {@link OutboundPacket} and {@link OutboundPacket#release()} it as Netty does after the write (the envelope and
 *   its slot go back to the pool), and release the returned packet. Cross-core cache misses are not included.</li>
 *   <li>{@link #echoRoundTripNettySlice}: the same, but the received packet is made per datagram the way Netty's
 *   epoll {@code recvmmsg} read does: a {@code retainedSlice} of a larger receive buffer wrapped in a new
 *   {@link DatagramPacket} (the sender address, which Netty also allocates per datagram, is reused here). The
 *   difference to {@link #echoRoundTrip} is Netty's share per received datagram.</li>
 *   <li>{@link #spscOfferPoll}: only the SPSC queue part, offer and poll of the same packet on one thread.</li>
 *   <li>{@code transfer} group: one producer thread offers into an {@link SpscArrayQueue}, one consumer thread
 *   polls, each spinning until its operation succeeds, so one operation is one datagram handed over; this does show
 *   the cross-core cost (on a shared 2-core machine, expect noise).</li>
 *   <li>{@code pingPong} group: {@link #echoRoundTrip} split over two threads as in the server. The "I/O thread"
 *   ({@link #pingPongIo}) offers the datagram, spins until its echo comes back, releases the echo and the returned
 *   packet, so its score is the cross-thread round-trip time; the "worker" ({@link #pingPongWorker}) runs
 *   {@link WorkerAgent#doWork()} until a cycle has echoed the datagram. Both sides complete one operation per round
 *   trip, so the group's {@code gc.alloc.rate.norm} is half the bytes allocated per echoed datagram.</li>
 * </ul>
 * Queue capacities, the drain limit and the slot length are core's defaults. Everything but Netty's share in
 * {@link #echoRoundTripNettySlice} should be 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms512m", "-Xmx512m"})
public class HandoffBenchmark
{
    /** Bytes of the receive buffer that {@link #echoRoundTripNettySlice} slices, as one recvmmsg batch of 16. */
    static final int RECEIVE_BUFFER_LENGTH = 16 * SkirmishContext.MAX_DATAGRAM_LENGTH_DEFAULT;

    /**
     * One I/O thread, one worker, wired as {@code SkirmishNode} does in invoker mode, and one received datagram.
     */
    abstract static class Wiring
    {
        Handoff handoff;
        SpscArrayQueue<DatagramPacket> inbound;
        SpscArrayQueue<DatagramPacket> returns;
        SpscArrayQueue<OutboundPacket> outbound;
        WorkerAgent workerAgent;
        CachedNanoClock clock;
        DatagramPacket received;
        ByteBuf receiveBuffer;
        InetSocketAddress sender;
        InetSocketAddress recipient;
        volatile Throwable error;

        final void wire()
        {
            handoff = new Handoff(
                1,
                1,
                SkirmishContext.INBOUND_QUEUE_CAPACITY_DEFAULT,
                SkirmishContext.OUTBOUND_QUEUE_CAPACITY_DEFAULT,
                SkirmishContext.MAX_DATAGRAM_LENGTH_DEFAULT);
            inbound = handoff.inbound(0, 0);
            returns = handoff.returns(0, 0);
            outbound = handoff.outbound(0, 0);
            clock = new CachedNanoClock();
            final CounterSet counters = new CounterSet("worker-0");
            final IoWakeup[] ioWakeups = {() -> false};
            final Outbound out = new Outbound(0, handoff, counters, ioWakeups);
            workerAgent = new WorkerAgent(0, handoff, SkirmishContext.WORKER_DRAIN_LIMIT_DEFAULT, clock, counters,
                (ex) -> error = ex, out, () -> {});
            workerAgent.handler(new EchoHandler(out));
            workerAgent.onStart();

            final InetAddress loopback = InetAddress.getLoopbackAddress();
            recipient = new InetSocketAddress(loopback, SkirmishContext.PORT_DEFAULT);
            sender = new InetSocketAddress(loopback, 40000);
            received = new DatagramPacket(
                HeaderCodecBenchmark.newDatagram(HeaderCodecBenchmark.DATAGRAM_LENGTH), recipient, sender);
            receiveBuffer = HeaderCodecBenchmark.newDatagram(RECEIVE_BUFFER_LENGTH);
        }

        final void releaseReplies()
        {
            OutboundPacket reply;
            while (null != (reply = outbound.relaxedPoll()))
            {
                reply.release();
            }
        }

        final void releaseInbound()
        {
            DatagramPacket packet;
            while (null != (packet = inbound.relaxedPoll()))
            {
                packet.release();
            }
            releaseReturned();
        }

        final void releaseReturned()
        {
            DatagramPacket packet;
            while (null != (packet = returns.relaxedPoll()))
            {
                packet.release();
            }
        }

        final void checkError()
        {
            final Throwable ex = error;
            if (null != ex)
            {
                throw new IllegalStateException("worker reported an error", ex);
            }
        }

        final void unwire()
        {
            releaseInbound();
            releaseReplies();
            workerAgent.onClose();
            releaseReturned();
            if (1 != received.refCnt() || 1 != receiveBuffer.refCnt())
            {
                throw new IllegalStateException(
                    "unbalanced: refCnt=" + received.refCnt() + " receive buffer refCnt=" + receiveBuffer.refCnt());
            }
            received.release();
            receiveBuffer.release();
        }
    }

    /**
     * The wiring driven by one benchmark thread playing both the I/O thread and the worker.
     */
    @State(Scope.Thread)
    public static class Path extends Wiring
    {
        /**
         * Build the queues, the worker and the received datagram.
         */
        @Setup
        public void setup()
        {
            wire();
        }

        /**
         * Fail the run if the handler reported an error or a datagram or reply went missing.
         */
        @TearDown(Level.Iteration)
        public void check()
        {
            checkError();
            if (1 != received.refCnt() || 1 != receiveBuffer.refCnt() || !inbound.isEmpty() || !returns.isEmpty() ||
                !outbound.isEmpty())
            {
                throw new IllegalStateException("unbalanced: refCnt=" + received.refCnt() + " receive buffer refCnt=" +
                    receiveBuffer.refCnt() + " inbound=" + inbound.size() + " returns=" + returns.size() +
                    " outbound=" + outbound.size());
            }
        }

        /**
         * Release the received datagram.
         */
        @TearDown
        public void tearDown()
        {
            unwire();
        }
    }

    /**
     * The wiring shared by the two threads of the {@code pingPong} group: the worker thread runs the worker agent,
     * the I/O thread owns the received datagram and the replies it polls.
     */
    @State(Scope.Group)
    public static class SharedPath extends Wiring
    {
        /**
         * Build the queues, the worker and the received datagram.
         */
        @Setup
        public void setup()
        {
            wire();
        }

        /**
         * Drop the datagram left in flight when the iteration stopped mid round trip, so that every iteration starts
         * with empty queues and the two threads stay in lockstep; fail the run if the handler reported an error.
         */
        @TearDown(Level.Iteration)
        public void check()
        {
            releaseInbound();
            releaseReplies();
            checkError();
        }

        /**
         * Release what is in flight, then the received datagram.
         */
        @TearDown
        public void tearDown()
        {
            unwire();
        }
    }

    /**
     * A queue shared by the producer and consumer threads of the {@code transfer} group.
     */
    @State(Scope.Group)
    public static class Transfer
    {
        SpscArrayQueue<DatagramPacket> queue;
        DatagramPacket packet;

        /**
         * Build the queue and the packet handed over (the same one each time: only the reference travels).
         */
        @Setup
        public void setup()
        {
            queue = new SpscArrayQueue<>(SkirmishContext.INBOUND_QUEUE_CAPACITY_DEFAULT);
            final InetAddress loopback = InetAddress.getLoopbackAddress();
            packet = new DatagramPacket(
                HeaderCodecBenchmark.newDatagram(HeaderCodecBenchmark.DATAGRAM_LENGTH),
                new InetSocketAddress(loopback, 7777), new InetSocketAddress(loopback, 40000));
        }

        /**
         * Empty the queue between iterations so each starts alike.
         */
        @TearDown(Level.Iteration)
        public void drain()
        {
            queue.clear();
        }

        /**
         * Release the packet.
         */
        @TearDown
        public void tearDown()
        {
            packet.release();
        }
    }

    /**
     * One echoed datagram: I/O thread offer, worker duty cycle, I/O thread poll and release.
     *
     * @param path the wired worker and its queues.
     * @return the work count of the duty cycle (1).
     */
    @Benchmark
    public int echoRoundTrip(final Path path)
    {
        return roundTrip(path, path.received.retain());
    }

    /**
     * One echoed datagram received the way Netty's epoll transport delivers it: a new {@link DatagramPacket} around
     * a retained slice of the receive buffer.
     *
     * @param path the wired worker and its queues.
     * @return the work count of the duty cycle (1).
     */
    @Benchmark
    public int echoRoundTripNettySlice(final Path path)
    {
        final ByteBuf slice = path.receiveBuffer.retainedSlice(0, HeaderCodecBenchmark.DATAGRAM_LENGTH);
        return roundTrip(path, new DatagramPacket(slice, path.recipient, path.sender));
    }

    private static int roundTrip(final Path path, final DatagramPacket received)
    {
        if (!path.inbound.offer(received))
        {
            throw new IllegalStateException("inbound queue full");
        }

        final int workCount = path.workerAgent.doWork();

        final OutboundPacket reply = path.outbound.relaxedPoll();
        if (null == reply)
        {
            throw new IllegalStateException("no reply");
        }
        reply.release();

        final DatagramPacket returned = path.returns.relaxedPoll();
        if (null == returned)
        {
            throw new IllegalStateException("received packet not handed back");
        }
        returned.release();

        return workCount;
    }

    /**
     * Offer and poll one packet through an inbound SPSC queue on one thread.
     *
     * @param path the queues.
     * @return the polled packet.
     */
    @Benchmark
    public DatagramPacket spscOfferPoll(final Path path)
    {
        path.inbound.offer(path.received);
        return path.inbound.relaxedPoll();
    }

    /**
     * Producer side of the two-thread hand-off: offer, spinning while the queue is full.
     *
     * @param transfer the shared queue.
     * @param control  to stop spinning when the iteration ends.
     * @return true if offered.
     */
    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public boolean transferOffer(final Transfer transfer, final Control control)
    {
        final SpscArrayQueue<DatagramPacket> queue = transfer.queue;
        final DatagramPacket packet = transfer.packet;
        while (!queue.offer(packet))
        {
            if (control.stopMeasurement)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /**
     * Consumer side of the two-thread hand-off: poll, spinning while the queue is empty.
     *
     * @param transfer the shared queue.
     * @param control  to stop spinning when the iteration ends.
     * @return the packet, or null when the iteration ended first.
     */
    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public DatagramPacket transferPoll(final Transfer transfer, final Control control)
    {
        final SpscArrayQueue<DatagramPacket> queue = transfer.queue;
        DatagramPacket packet;
        while (null == (packet = queue.relaxedPoll()))
        {
            if (control.stopMeasurement)
            {
                return null;
            }
            Thread.onSpinWait();
        }
        return packet;
    }

    /**
     * I/O thread side of the two-thread echo: offer the datagram, spin until the echo arrives, release it.
     *
     * @param path    the shared wiring.
     * @param control to stop spinning when the iteration ends.
     * @return the echo (already released; only its identity is consumed), or null when the iteration ended first.
     */
    @Benchmark
    @Group("pingPong")
    @GroupThreads(1)
    public OutboundPacket pingPongIo(final SharedPath path, final Control control)
    {
        final DatagramPacket received = path.received;
        if (!path.inbound.offer(received.retain()))
        {
            received.release();
            return null;
        }

        final SpscArrayQueue<OutboundPacket> outbound = path.outbound;
        OutboundPacket reply;
        while (null == (reply = outbound.relaxedPoll()))
        {
            if (control.stopMeasurement)
            {
                return null;
            }
            Thread.onSpinWait();
        }
        reply.release();
        path.releaseReturned();
        return reply;
    }

    /**
     * Worker side of the two-thread echo: run duty cycles until one has echoed a datagram.
     *
     * @param path    the shared wiring.
     * @param control to stop spinning when the iteration ends.
     * @return the work count of the last duty cycle (1, or 0 when the iteration ended first).
     */
    @Benchmark
    @Group("pingPong")
    @GroupThreads(1)
    public int pingPongWorker(final SharedPath path, final Control control)
    {
        final WorkerAgent workerAgent = path.workerAgent;
        int workCount;
        while (0 == (workCount = workerAgent.doWork()))
        {
            if (control.stopMeasurement)
            {
                return 0;
            }
            Thread.onSpinWait();
        }
        return workCount;
    }
}
