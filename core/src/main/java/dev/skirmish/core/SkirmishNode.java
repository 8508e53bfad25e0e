package dev.skirmish.core;

import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.metrics.Counters;
import dev.skirmish.core.transport.IoThreadHandler;
import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.core.transport.UdpTransport;
import dev.skirmish.core.worker.IoWakeup;
import dev.skirmish.core.worker.Outbound;
import dev.skirmish.core.worker.WakeableBackoffIdleStrategy;
import dev.skirmish.core.worker.WorkerAgent;
import dev.skirmish.core.worker.WorkerWakeup;
import io.netty.util.concurrent.FastThreadLocalThread;
import net.openhft.affinity.Affinity;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running data path: I/O threads with their sockets, the SPSC hand-off, and the workers. Start with
 * {@link #launch(SkirmishContext)}, stop with {@link #close()}.
 *
 * <pre>
 *  socket k ─recvmmsg─► I/O thread k ─validate, route─► inbound(k,w) ─► worker w ─► outbound(w,k) ─► I/O thread k
 * </pre>
 */
public final class SkirmishNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SkirmishNode.class);

    private final SkirmishContext ctx;
    private final Counters counters = new Counters();
    private final Handoff handoff;
    private final List<IoThreadHandler> ioHandlers = new ArrayList<>();
    private final List<WorkerAgent> workers = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final UdpTransport transport;
    private boolean closed;

    private SkirmishNode(final SkirmishContext ctx) throws InterruptedException
    {
        this.ctx = ctx;
        final int ioThreads = ctx.ioThreads();
        final int workerCount = ctx.workers();
        handoff = new Handoff(ioThreads, workerCount, ctx.inboundQueueCapacity(), ctx.outboundQueueCapacity(),
            ctx.maxDatagramLength());

        final IdleStrategy[] idleStrategies = new IdleStrategy[workerCount];
        final WorkerWakeup[] workerWakeups = new WorkerWakeup[workerCount];
        for (int w = 0; w < workerCount; w++)
        {
            idleStrategies[w] = newIdleStrategy();
            workerWakeups[w] = idleStrategies[w] instanceof WorkerWakeup ?
                (WorkerWakeup)idleStrategies[w] : WorkerWakeup.NONE;
        }

        final boolean rawEcho = ctx.ioMode() == IoMode.RAW_ECHO;
        for (int k = 0; k < ioThreads; k++)
        {
            ioHandlers.add(new IoThreadHandler(k, handoff, ctx.maxDatagramLength(), counters.newSet("io-" + k),
                workerWakeups, rawEcho, ctx.outboundQueueCapacity(), ctx.errorHandler(),
                TimeUnit.MICROSECONDS.toNanos(ctx.ioSpinUs())));
        }
        if (!rawEcho && null != ctx.handshakeGateFactory())
        {
            for (final IoThreadHandler handler : ioHandlers)
            {
                handler.handshakeGate(
                    ctx.handshakeGateFactory().newGate(handler.index(), handler.counters(), workerCount));
            }
        }
        final IoWakeup[] ioWakeups = ioHandlers.toArray(new IoWakeup[0]);

        final int[] cpus = ctx.pinCpus();
        if (!rawEcho)
        {
            for (int w = 0; w < workerCount; w++)
            {
                final CounterSet workerCounters = counters.newSet("worker-" + w);
                final Outbound outbound = new Outbound(w, handoff, workerCounters, ioWakeups);
                final int cpu = w < cpus.length ? cpus[w] : -1;
                final WorkerAgent agent = new WorkerAgent(w, handoff, ctx.workerDrainLimit(), ctx.nanoClock(),
                    workerCounters, ctx.errorHandler(), outbound, () -> pin("worker", cpu));
                agent.handler(ctx.handlerFactory().newHandler(w, outbound));
                if (idleStrategies[w] instanceof WakeableBackoffIdleStrategy)
                {
                    ((WakeableBackoffIdleStrategy)idleStrategies[w]).hasWork(agent::hasInbound);
                }
                workers.add(agent);
            }
        }

        final int workerCpus = rawEcho ? 0 : workerCount;
        transport = new UdpTransport(ctx.transport(), ctx.resolvedBindAddress(), ctx.port(), ioHandlers,
            ctx.batch(), ctx.maxDatagramLength(), ctx.socketBufferBytes(), ctx.allocator(), (k) -> pin("io", workerCpus + k < cpus.length ? cpus[workerCpus + k] : -1));

        if (ctx.threadingMode() == ThreadingMode.DEDICATED)
        {
            for (int w = 0; w < workers.size(); w++)
            {
                final AgentRunner runner = new AgentRunner(
                    idleStrategies[w], ctx.errorHandler(), (AtomicCounter)null, workers.get(w));
                // A FastThreadLocalThread gets Netty's per-thread buffer cache and recycler fast path: pooled
                // allocate/release then costs 0 B/op instead of ~100 B/op on a plain thread (measured).
                AgentRunner.startOnThread(runner, (r) ->
                {
                    final Thread thread = new FastThreadLocalThread(r);
                    thread.setDaemon(true);
                    return thread;
                });
                runners.add(runner);
            }
        }
    }

    /**
     * Conclude the context (if not yet), bind the sockets, start the I/O threads and, in
     * {@link ThreadingMode#DEDICATED} mode, the worker threads.
     *
     * @param ctx configuration.
     * @return the running node.
     * @throws InterruptedException if interrupted while binding.
     * @throws ConfigurationException if the configuration is invalid.
     */
    public static SkirmishNode launch(final SkirmishContext ctx) throws InterruptedException
    {
        if (null == ctx.resolvedBindAddress())
        {
            ctx.conclude();
        }
        final SkirmishNode node = new SkirmishNode(ctx);
        LOG.info("Skirmish node up: {} I/O thread(s), {} worker(s), mode {}, port {}",
            ctx.ioThreads(), node.workers.size(), ctx.ioMode(), node.port());
        return node;
    }

    private IdleStrategy newIdleStrategy()
    {
        switch (ctx.workerIdle())
        {
            case SPIN:
                return new BusySpinIdleStrategy();
            case YIELD:
                return new YieldingIdleStrategy();
            default:
                return new WakeableBackoffIdleStrategy(
                    TimeUnit.MICROSECONDS.toNanos(ctx.backoffSpinUs()), ctx.backoffYields(),
                    TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(ctx.backoffMaxParkUs()));
        }
    }

    private static void pin(final String role, final int cpu)
    {
        if (cpu < 0)
        {
            return;
        }
        try
        {
            Affinity.setAffinity(cpu);
            LOG.info("{} thread {} pinned to CPU {}", role, Thread.currentThread().getName(), cpu);
        }
        catch (final Throwable ex)
        {
            LOG.warn("could not pin {} thread {} to CPU {}: {}", role, Thread.currentThread().getName(), cpu,
                ex.toString());
        }
    }

    /**
     * @return the bound UDP port.
     */
    public int port()
    {
        return transport.port();
    }

    /**
     * @return the transport in use.
     */
    public TransportKind transportKind()
    {
        return transport.kind();
    }

    /**
     * @return all counters of this node, readable from any thread.
     */
    public Counters counters()
    {
        return counters;
    }

    /**
     * @return the effective configuration.
     */
    public SkirmishContext context()
    {
        return ctx;
    }

    /**
     * Worker {@code w}, to drive it with {@code doWork()} in {@link ThreadingMode#INVOKER} mode. Only one thread may
     * drive a worker.
     *
     * @param w worker index.
     * @return the agent.
     */
    public WorkerAgent worker(final int w)
    {
        return workers.get(w);
    }

    /**
     * The event loop of I/O thread {@code k}, e.g. for a test to hold the thread busy while datagrams queue up in
     * its socket.
     *
     * @param k I/O thread index.
     * @return its executor.
     */
    public java.util.concurrent.Executor ioExecutor(final int k)
    {
        return transport.channels().get(k).eventLoop();
    }

    /**
     * @return number of workers running (0 in raw-echo mode).
     */
    public int workerCount()
    {
        return workers.size();
    }

    /**
     * Stop: close the sockets, stop the workers, stop the I/O threads, then release anything still queued so every
     * pooled buffer is released exactly once. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final org.agrona.concurrent.AgentRunner runner : runners)
        {
            runner.close();
        }
        transport.close();
        if (ctx.threadingMode() == ThreadingMode.INVOKER)
        {
            for (final WorkerAgent agent : workers)
            {
                agent.onClose();
            }
        }
        for (final IoThreadHandler handler : ioHandlers)
        {
            handler.releaseQueued();
        }
    }
}
