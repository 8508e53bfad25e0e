package dev.skirmish.sim.flood;

import java.util.concurrent.TimeUnit;

import dev.skirmish.sim.RunPhases;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.report.TrafficCounters;
import dev.skirmish.sim.report.WarnOnce;
import dev.skirmish.sim.wire.EchoDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One flood client: a connected datagram channel that keeps {@code window} ECHO datagrams in flight, sending
 * the next one as each echo comes back.
 * <p>
 * <b>Slots.</b> The window is an array of slots; slot {@code s} carries sequences {@code s, s + window,
 * s + 2 * window, ...}, so an echo's slot is {@code sequence % window} and no map is needed. An echo whose
 * sequence is not the one in flight in its slot is late (its datagram already timed out) and is only counted.
 * A datagram without echo after the timeout is counted lost and its slot re-armed with the next sequence, so
 * loss never stalls the client. The timeout check runs every {@code timeout / 2} on the event loop.
 * <p>
 * Sends are written as echoes arrive and flushed once per {@code channelReadComplete}, so a read batch turns
 * into one write batch ({@code sendmmsg} on epoll). The client stops sending by itself at
 * {@link RunPhases#endNs()}.
 * <p>
 * <b>Threading:</b> everything here runs on the channel's event loop, the single writer of the slots and
 * the counters, except {@link #counters()} which any thread may read.
 */
final class FloodClient extends ChannelInboundHandlerAdapter
{
    private static final long MIN_CHECK_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int sessionId;
    private final int window;
    private final int payloadLength;
    private final int datagramLength;
    private final long timeoutNs;
    private final RttRecorder rtt;
    private final WarnOnce socketErrorWarning;
    private final TrafficCounters counters = new TrafficCounters();
    private final Runnable checkTimeouts = this::checkTimeouts;

    private final long[] slotSequence;
    private final long[] slotSendNs;
    private final boolean[] slotInFlight;
    private ChannelHandlerContext ctx;
    private RunPhases phases;
    private ScheduledFuture<?> timeoutCheck;
    private boolean flushPending;

    FloodClient(
        final int sessionId,
        final int window,
        final int payloadLength,
        final long timeoutNs,
        final RttRecorder rtt,
        final WarnOnce socketErrorWarning)
    {
        this.sessionId = sessionId;
        this.window = window;
        this.payloadLength = payloadLength;
        this.datagramLength = EchoDatagram.datagramLength(payloadLength);
        this.timeoutNs = timeoutNs;
        this.rtt = rtt;
        this.socketErrorWarning = socketErrorWarning;
        this.slotSequence = new long[window];
        this.slotSendNs = new long[window];
        this.slotInFlight = new boolean[window];
    }

    TrafficCounters counters()
    {
        return counters;
    }

    /**
     * {@inheritDoc}
     */
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * Fill the window and start the timeout check. Called on the event loop once the channel is connected.
     *
     * @param phases of the run.
     */
    void begin(final RunPhases phases)
    {
        assert ctx.executor().inEventLoop();
        this.phases = phases;
        for (int slot = 0; slot < window; slot++)
        {
            send(slot, slot);
        }
        ctx.flush();

        final long checkPeriodNs = Math.max(timeoutNs / 2, MIN_CHECK_PERIOD_NS);
        timeoutCheck = ctx.executor().scheduleAtFixedRate(
            checkTimeouts, checkPeriodNs, checkPeriodNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Count every datagram still in flight as lost and stop the timeout check. Called on the event loop after
     * the run has ended and the drain time is over.
     */
    void abandonInFlight()
    {
        assert ctx.executor().inEventLoop();
        if (null != timeoutCheck)
        {
            timeoutCheck.cancel(false);
        }

        for (int slot = 0; slot < window; slot++)
        {
            if (slotInFlight[slot])
            {
                slotInFlight[slot] = false;
                counters.onLost(phases.isMeasured(slotSendNs[slot]));
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof DatagramPacket)
            {
                onDatagram(((DatagramPacket)msg).content(), System.nanoTime());
            }
            else if (msg instanceof ByteBuf)
            {
                onDatagram((ByteBuf)msg, System.nanoTime());
            }
            else
            {
                counters.onInvalid();
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        if (flushPending)
        {
            flushPending = false;
            ctx.flush();
        }
    }

    /**
     * Socket errors, e.g. ICMP port unreachable when no server listens, are counted; the channel stays open and
     * the datagram concerned times out like any lost one.
     *
     * @param ctx   of this handler.
     * @param cause of the error.
     */
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        counters.onError();
        socketErrorWarning.warn("socket error in flood client " + sessionId + ": " + cause);
    }

    private void onDatagram(final ByteBuf datagram, final long nowNs)
    {
        if (null == phases || !EchoDatagram.isEcho(datagram, datagramLength, sessionId))
        {
            counters.onInvalid();
            return;
        }

        final long sequence = EchoDatagram.sequence(datagram);
        if (sequence < 0)
        {
            counters.onInvalid();
            return;
        }

        final int slot = (int)(sequence % window);
        if (!slotInFlight[slot] || slotSequence[slot] != sequence)
        {
            counters.onLate();
            return;
        }

        slotInFlight[slot] = false;
        final long sendNs = slotSendNs[slot];
        final boolean measured = phases.isMeasured(sendNs);
        rtt.record(nowNs - sendNs, measured);
        counters.onReceived(measured);

        if (send(slot, sequence + window))
        {
            flushPending = true;
        }
    }

    private void checkTimeouts()
    {
        final long nowNs = System.nanoTime();
        boolean sent = false;
        for (int slot = 0; slot < window; slot++)
        {
            if (slotInFlight[slot] && nowNs - slotSendNs[slot] >= timeoutNs)
            {
                slotInFlight[slot] = false;
                counters.onLost(phases.isMeasured(slotSendNs[slot]));
                sent |= send(slot, slotSequence[slot] + window);
            }
        }

        if (sent)
        {
            ctx.flush();
        }
    }

    /**
     * Write (not flush) the next datagram of a slot, unless the run has ended.
     *
     * @return true if a datagram was written.
     */
    private boolean send(final int slot, final long sequence)
    {
        final long sendNs = System.nanoTime();
        if (sendNs - phases.endNs() >= 0)
        {
            return false;
        }

        final ByteBuf datagram = ctx.alloc().directBuffer(datagramLength, datagramLength);
        EchoDatagram.write(datagram, sessionId, sendNs, sequence, payloadLength);
        slotSequence[slot] = sequence;
        slotSendNs[slot] = sendNs;
        slotInFlight[slot] = true;
        counters.onSent(phases.isMeasured(sendNs));
        ctx.write(datagram, ctx.voidPromise());

        return true;
    }
}
