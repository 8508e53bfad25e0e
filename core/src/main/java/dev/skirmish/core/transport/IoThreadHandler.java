package dev.skirmish.core.transport;

import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.wire.HeaderCheck;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.core.worker.IoWakeup;
import dev.skirmish.core.worker.WorkerWakeup;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.jctools.queues.SpscArrayQueue;
import org.agrona.ErrorHandler;

import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.MessagePassingQueue;

/**
 * The pipeline handler of I/O thread k (one socket). Inbound: validate the fixed header, count, and route each
 * datagram by session id to its worker's SPSC queue (no lookup: {@code sessionId mod workers}); a bad datagram or a
 * full queue drops and counts that datagram only, the rest of the batch goes on. After each read batch, parked
 * workers that received datagrams are woken. Outbound: drain every worker's queue to this thread, write all, flush
 * once (Netty then sends the batch with sendmmsg).
 *
 * <p>Everything except {@link #requestDrain()} runs on I/O thread k. In raw-echo mode datagrams are echoed right
 * here with no queue or worker: the baseline the full path is measured against.
 */
public final class IoThreadHandler extends ChannelInboundHandlerAdapter
    implements IoWakeup, Runnable, HandshakeGate.Replies
{
    private final int index;
    private final Handoff handoff;
    private final int workers;
    private final int maxDatagramLength;
    private final CounterSet counters;
    private final WorkerWakeup[] workerWakeups;
    private final boolean rawEcho;
    private final int drainLimit;
    private final ErrorHandler errorHandler;
    private final boolean[] touchedWorkers;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final ArrayDeque<OutboundPacket> rawEchoPool;
    private final MessagePassingQueue.Consumer<OutboundPacket> writeOutbound = this::writeOutbound;
    private final MessagePassingQueue.Consumer<DatagramPacket> releaseReturned = DatagramPacket::release;
    private final int returnsLimit;

    private final ReplyWaitWindow replyWaitWindow;
    private HandshakeGate handshakeGate;
    private ByteBuf replyBuffer;
    private int replyLimit;
    private InetSocketAddress replyTo;
    private Channel channel;
    private boolean anyTouched;
    private boolean pendingReplies;
    private int drained;

    /**
     * @param index             I/O thread index k.
     * @param handoff           the queues.
     * @param maxDatagramLength largest datagram accepted.
     * @param counters          counters of I/O thread k (single writer: that thread).
     * @param workerWakeups     one per worker.
     * @param rawEcho           echo on this thread instead of routing to workers.
     * @param rawEchoPoolSize   envelopes for raw echo.
     * @param errorHandler      for socket errors; must not throw.
     * @param replyWaitNs       how long to poll for worker replies after a hand-off before blocking; 0 never polls.
     */
    public IoThreadHandler(
        final int index,
        final Handoff handoff,
        final int maxDatagramLength,
        final CounterSet counters,
        final WorkerWakeup[] workerWakeups,
        final boolean rawEcho,
        final int rawEchoPoolSize,
        final ErrorHandler errorHandler,
        final long replyWaitNs)
    {
        this.replyWaitWindow = new ReplyWaitWindow(rawEcho ? 0 : replyWaitNs);
        this.index = index;
        this.handoff = handoff;
        this.workers = handoff.workers();
        this.maxDatagramLength = maxDatagramLength;
        this.counters = counters;
        this.workerWakeups = workerWakeups;
        this.rawEcho = rawEcho;
        this.errorHandler = errorHandler;
        this.touchedWorkers = new boolean[workers];
        this.drainLimit = handoff.outbound(0, index).capacity();
        this.returnsLimit = handoff.returns(index, 0).capacity();
        this.rawEchoPool = new ArrayDeque<>(rawEcho ? rawEchoPoolSize : 0);
        if (rawEcho)
        {
            for (int i = 0; i < rawEchoPoolSize; i++)
            {
                rawEchoPool.add(new OutboundPacket(rawEchoPool));
            }
        }
    }

    /**
     * Install the stateless handshake steps of this I/O thread. Call before the channel is registered.
     *
     * @param gate the gate, or null to route handshake datagrams by session id like any other.
     */
    public void handshakeGate(final HandshakeGate gate)
    {
        this.handshakeGate = gate;
    }

    ReplyWaitWindow replyWaitWindow()
    {
        return replyWaitWindow;
    }

    /**
     * @return this I/O thread's counters.
     */
    public CounterSet counters()
    {
        return counters;
    }

    /**
     * @return I/O thread index.
     */
    public int index()
    {
        return index;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final DatagramPacket packet = (DatagramPacket)msg;
        final ByteBuf content = packet.content();
        counters.increment(Counter.DATAGRAMS_IN);
        counters.add(Counter.BYTES_IN, content.readableBytes());

        final HeaderCheck check = HeaderCheck.validate(content, maxDatagramLength);
        if (check != HeaderCheck.VALID)
        {
            counters.increment(check.dropCounter());
            packet.release();
            return;
        }

        if (rawEcho)
        {
            echo(packet);
            return;
        }

        final int worker;
        if (null != handshakeGate && isHandshake(content))
        {
            worker = gate(packet);
            if (HandshakeGate.CONSUMED == worker)
            {
                packet.release();
                return;
            }
        }
        else
        {
            worker = Integer.remainderUnsigned(PacketHeader.sessionId(content), workers);
        }
        if (!handoff.inbound(index, worker).offer(packet))
        {
            counters.increment(Counter.DROP_INBOUND_QUEUE_FULL);
            packet.release();
            if (null != handshakeGate)
            {
                handshakeGate.onQueuePressure();
            }
            return;
        }
        touchedWorkers[worker] = true;
        anyTouched = true;
    }

    private static boolean isHandshake(final ByteBuf content)
    {
        final int type = content.getUnsignedByte(content.readerIndex() + PacketHeader.TYPE_OFFSET);
        return type >= PacketType.CONNECT_REQUEST.code() && type <= PacketType.DENIED.code();
    }

    private int gate(final DatagramPacket packet)
    {
        replyTo = packet.sender();
        replyLimit = packet.content().readableBytes();
        try
        {
            final int worker = handshakeGate.onHandshake(packet.content(), replyTo, this);
            return worker >= 0 && worker < workers ? worker : HandshakeGate.CONSUMED;
        }
        catch (final RuntimeException ex)
        {
            // A bug in the gate must not stop this socket; count it like a handler error and drop the datagram.
            counters.increment(Counter.WORKER_ERRORS);
            errorHandler.onError(ex);
            return HandshakeGate.CONSUMED;
        }
        finally
        {
            if (null != replyBuffer)
            {
                replyBuffer.release();
                replyBuffer = null;
            }
            replyTo = null;
        }
    }

    @Override
    public ByteBuf claim()
    {
        if (null == replyBuffer)
        {
            replyBuffer = channel.alloc().directBuffer(maxDatagramLength, maxDatagramLength);
        }
        replyBuffer.clear();
        return replyBuffer;
    }

    @Override
    public boolean send()
    {
        final ByteBuf reply = replyBuffer;
        if (null == reply || null == replyTo)
        {
            return false;
        }
        if (reply.readableBytes() > replyLimit)
        {
            counters.increment(Counter.AMPLIFICATION_LIMITED);
            return false;
        }
        replyBuffer = null;
        replyLimit -= reply.readableBytes();
        counters.increment(Counter.DATAGRAMS_OUT);
        counters.add(Counter.BYTES_OUT, reply.readableBytes());
        // Handshake replies are rare next to data; flushed with the batch in channelReadComplete.
        channel.write(new DatagramPacket(reply, replyTo), channel.voidPromise());
        pendingReplies = true;
        return true;
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        if (rawEcho)
        {
            flush();
            return;
        }

        if (anyTouched)
        {
            anyTouched = false;
            replyWaitWindow.open(System.nanoTime());
            // Pairs with the worker's volatile store of "parked" before it re-checks its queues.
            VarHandle.fullFence();
            for (int w = 0; w < workers; w++)
            {
                if (touchedWorkers[w])
                {
                    touchedWorkers[w] = false;
                    if (workerWakeups[w].wake())
                    {
                        counters.increment(Counter.WORKER_WAKEUPS);
                    }
                }
            }
        }
        // Replies may already be waiting; sending them now saves a wake-up.
        drainOutbound();
        if (pendingReplies)
        {
            pendingReplies = false;
            flush();
        }
    }

    private void echo(final DatagramPacket packet)
    {
        final OutboundPacket envelope = rawEchoPool.poll();
        if (null == envelope)
        {
            counters.increment(Counter.DROP_OUTBOUND_QUEUE_FULL);
            packet.release();
            return;
        }
        // The envelope takes over the packet's reference to its content.
        envelope.wrap(packet.content(), packet.sender());
        write(envelope);
    }

    /**
     * Drain task, run on this I/O thread when a worker scheduled it.
     */
    @Override
    public void run()
    {
        drainScheduled.set(false);
        drainOutbound();
    }

    /**
     * Called by workers after queueing datagrams for this thread. Schedules one drain task unless one is pending.
     *
     * @return true if a drain was scheduled by this call.
     */
    @Override
    public boolean requestDrain()
    {
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true))
        {
            try
            {
                channel.eventLoop().execute(this);
                return true;
            }
            catch (final RejectedExecutionException ignore)
            {
                // Shutting down: nothing will be sent any more.
                return false;
            }
        }
        return false;
    }

    private void drainOutbound()
    {
        for (int w = 0; w < workers; w++)
        {
            handoff.returns(index, w).drain(releaseReturned, returnsLimit);
        }
        drained = 0;
        for (int w = 0; w < workers; w++)
        {
            final SpscArrayQueue<OutboundPacket> queue = handoff.outbound(w, index);
            queue.drain(writeOutbound, drainLimit);
        }
        if (drained > 0)
        {
            replyWaitWindow.close();
            flush();
        }
    }

    private void writeOutbound(final OutboundPacket packet)
    {
        drained++;
        write(packet);
    }

    private void write(final OutboundPacket packet)
    {
        counters.increment(Counter.DATAGRAMS_OUT);
        counters.add(Counter.BYTES_OUT, packet.content().readableBytes());
        channel.write(packet, channel.voidPromise());
    }

    private void flush()
    {
        counters.increment(Counter.OUTBOUND_FLUSHES);
        channel.flush();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // A failed write with the void promise lands here; the datagram was released by Netty.
        counters.increment(Counter.DROP_OUTBOUND_NOT_SENT);
        errorHandler.onError(cause);
    }

    /**
     * Release whatever workers queued for this thread and never got written, and whatever this thread queued for
     * workers that had already stopped. Called once the channel is closed and the workers have stopped.
     */
    public void releaseQueued()
    {
        for (int w = 0; w < workers; w++)
        {
            final SpscArrayQueue<OutboundPacket> queue = handoff.outbound(w, index);
            OutboundPacket packet;
            while (null != (packet = queue.relaxedPoll()))
            {
                packet.release();
            }
            handoff.returns(index, w).drain(releaseReturned);
            // Datagrams this thread queued after its worker had stopped and drained for the last time.
            handoff.inbound(index, w).drain(releaseReturned);
        }
    }
}
