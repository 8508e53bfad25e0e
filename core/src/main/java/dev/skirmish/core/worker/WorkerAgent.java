package dev.skirmish.core.worker;

import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import io.netty.channel.socket.DatagramPacket;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.jctools.queues.SpscArrayQueue;

/**
 * Worker w: the single owner of the sessions of its shard. Each duty cycle reads the clock once, drains its inbound
 * queues (one per I/O thread, a bounded number each, starting from a rotating index for fairness), hands each
 * datagram to the {@link DatagramHandler}, runs the handler's timers, then wakes the I/O threads it sent to.
 *
 * <p>Every inbound datagram is given up exactly once after the handler returns, whatever the handler did: handed
 * back to its I/O thread for release (or released here should that queue be full).
 * A handler exception costs only that datagram: it is counted, reported and the cycle goes on.
 *
 * <p>Run by an {@code AgentRunner} on its own thread, or driven by a test calling {@link #doWork()} (invoker mode).
 */
public final class WorkerAgent implements Agent
{
    private final int index;
    private final Handoff handoff;
    private final int ioThreads;
    private final int drainLimit;
    private final NanoClock clock;
    private final CounterSet counters;
    private final ErrorHandler errorHandler;
    private final Outbound outbound;
    private final Runnable onStart;
    private DatagramHandler handler;

    private int startIoThread;
    private long lastCycleNs;
    private boolean lastCycleDidWork;

    /**
     * @param index        worker index (its shard).
     * @param handoff      the queues.
     * @param drainLimit   datagrams taken from each inbound queue per duty cycle at most.
     * @param clock        read once per duty cycle.
     * @param counters     this worker's counters (single writer: this worker).
     * @param errorHandler receives handler exceptions; must not throw.
     * @param outbound     this worker's outbound path.
     * @param onStart      run on the worker thread when it starts (e.g. CPU pinning); may be a no-op.
     */
    public WorkerAgent(
        final int index,
        final Handoff handoff,
        final int drainLimit,
        final NanoClock clock,
        final CounterSet counters,
        final ErrorHandler errorHandler,
        final Outbound outbound,
        final Runnable onStart)
    {
        this.index = index;
        this.handoff = handoff;
        this.ioThreads = handoff.ioThreads();
        this.drainLimit = drainLimit;
        this.clock = clock;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.outbound = outbound;
        this.onStart = onStart;
    }

    /**
     * Set the handler. Called once before the worker starts.
     *
     * @param handler what to do with datagrams.
     */
    public void handler(final DatagramHandler handler)
    {
        this.handler = handler;
    }

    /**
     * @return this worker's outbound path, for its handler.
     */
    public Outbound outbound()
    {
        return outbound;
    }

    /**
     * @return worker index.
     */
    public int index()
    {
        return index;
    }

    @Override
    public void onStart()
    {
        onStart.run();
        lastCycleNs = clock.nanoTime();
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        trackDutyCycle(nowNs);

        int workCount = 0;
        final int start = startIoThread;
        for (int i = 0; i < ioThreads; i++)
        {
            int k = start + i;
            if (k >= ioThreads)
            {
                k -= ioThreads;
            }
            workCount += drain(k, handoff.inbound(k, index), nowNs);
        }
        startIoThread = start + 1 >= ioThreads ? 0 : start + 1;

        try
        {
            workCount += handler.doWork(nowNs);
        }
        catch (final Throwable ex)
        {
            counters.increment(Counter.WORKER_ERRORS);
            errorHandler.onError(ex);
        }

        outbound.flushWakeups();
        lastCycleDidWork = workCount > 0;
        return workCount;
    }

    private int drain(final int ioThread, final SpscArrayQueue<DatagramPacket> queue, final long nowNs)
    {
        final SpscArrayQueue<DatagramPacket> returns = handoff.returns(ioThread, index);
        int count = 0;
        DatagramPacket packet;
        while (count < drainLimit && null != (packet = queue.relaxedPoll()))
        {
            count++;
            try
            {
                handler.onDatagram(ioThread, packet.content(), packet.sender(), nowNs);
            }
            catch (final Throwable ex)
            {
                counters.increment(Counter.WORKER_ERRORS);
                errorHandler.onError(ex);
            }
            finally
            {
                outbound.abort();
                // Hand back to the I/O thread that received it: releasing there allocates nothing.
                if (!returns.offer(packet))
                {
                    packet.release();
                }
            }
        }
        if (count > 0)
        {
            counters.add(Counter.WORKER_DATAGRAMS, count);
        }
        return count;
    }

    private void trackDutyCycle(final long nowNs)
    {
        // One clock read per cycle: the previous cycle's length is the gap to this one. Idle gaps are excluded
        // because only cycles that did work count, and after work the idle strategy returns immediately.
        if (lastCycleDidWork)
        {
            counters.increment(Counter.WORKER_DUTY_CYCLES);
            counters.max(Counter.WORKER_DUTY_CYCLE_MAX_NS, nowNs - lastCycleNs);
        }
        lastCycleNs = nowNs;
    }

    /**
     * True when any inbound queue of this worker holds a datagram. Called from the worker thread by its idle
     * strategy just before parking.
     *
     * @return true if there is inbound work.
     */
    public boolean hasInbound()
    {
        for (int k = 0; k < ioThreads; k++)
        {
            if (!handoff.inbound(k, index).isEmpty())
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onClose()
    {
        // Release what is still queued so no pooled buffer leaks on shutdown.
        for (int k = 0; k < ioThreads; k++)
        {
            final SpscArrayQueue<DatagramPacket> queue = handoff.inbound(k, index);
            DatagramPacket packet;
            while (null != (packet = queue.relaxedPoll()))
            {
                packet.release();
            }
        }
        if (null != handler)
        {
            handler.onClose();
        }
    }

    @Override
    public String roleName()
    {
        return "skirmish-worker-" + index;
    }
}
