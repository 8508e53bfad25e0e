package dev.skirmish.session.client;

import dev.skirmish.core.impair.DeliveryHandler;
import dev.skirmish.core.impair.ImpairedLink;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.token.ConnectToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * One client of a {@link ClientGroup}: its {@link SkirmishClient}, its UDP socket and its event loop. The client
 * itself is owned by the loop: touch {@link #client()} only there, through {@link #execute} or from the listener.
 * Everything else here is safe from any thread.
 */
public final class ClientHandle
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientHandle.class);
    /** How far ahead of now the impaired link is drained when the client closes: past any delay and jitter. */
    private static final long CLOSE_DRAIN_HORIZON_NS = java.util.concurrent.TimeUnit.HOURS.toNanos(1);

    private final ClientGroup group;
    private final ClientLoop loop;
    private final InetSocketAddress server;
    private final SkirmishClient client;
    private final int maxDatagramLength;
    private final ImpairedLink toServerLink;
    private final ImpairedLink fromServerLink;
    private final DeliveryHandler toServerDelivery = this::onToServerDelivery;
    private final DeliveryHandler fromServerDelivery = this::onFromServerDelivery;
    private final ByteBuf impairedInbound;

    // Written on the loop only; volatile so that other threads can read a snapshot.
    private volatile Channel channel;
    private volatile SessionState state = SessionState.CLOSED;
    private volatile long foreignDatagrams;
    private volatile long errors;
    private volatile long rebinds;

    // Set once before the first bind: the local IP to bind (null: chosen from the server's address).
    volatile java.net.InetAddress localBindAddress;

    // Loop only.
    private boolean flushPending;
    private boolean closed;

    ClientHandle(
        final ClientGroup group,
        final ClientLoop loop,
        final InetSocketAddress server,
        final ClientConfig config,
        final ClientListener listener,
        final ClientImpairment impairment)
    {
        this.group = group;
        this.loop = loop;
        this.server = server;
        this.maxDatagramLength = config.maxDatagramLength();
        this.toServerLink = null == impairment ? null : impairment.newToServerLink(maxDatagramLength);
        this.fromServerLink = null == impairment ? null : impairment.newFromServerLink(maxDatagramLength);
        this.impairedInbound = null == impairment ? null : Unpooled.buffer(maxDatagramLength, maxDatagramLength);
        this.client = new SkirmishClient(config, new StateListener(listener), new ChannelSender());
    }

    /**
     * The client. Only on its event loop: from {@link #execute}, or from its listener.
     *
     * @return the client.
     */
    public SkirmishClient client()
    {
        assert loop.eventLoop().inEventLoop() : "client() off its event loop";
        return client;
    }

    /**
     * @return the event loop that owns the client.
     */
    public EventLoop eventLoop()
    {
        return loop.eventLoop();
    }

    /**
     * Run a task on the client's event loop; datagrams it sends are flushed after it.
     *
     * @param task to run; an exception it throws is logged and counted in {@link #errors()}.
     * @throws RejectedExecutionException if the group is shut down.
     */
    public void execute(final Runnable task)
    {
        Objects.requireNonNull(task, "task");
        loop.eventLoop().execute(() ->
        {
            try
            {
                task.run();
            }
            catch (final RuntimeException ex)
            {
                onError(ex);
            }
            finally
            {
                flushClient();
            }
        });
    }

    /**
     * Flush what the client has queued (e.g. messages sent with {@link SkirmishClient#send(int, ByteBuf, int, int)}
     * from a timer task on the loop), as the end of an {@link #execute} task does, without allocating a task.
     * Called from the client's event loop.
     */
    public void flush()
    {
        assert loop.eventLoop().inEventLoop();
        flushClient();
    }

    /**
     * Send a whole array as one message. See {@link #send(int, byte[], int, int)}.
     *
     * @param channel channel id.
     * @param message 1 to max message bytes.
     * @return as {@link #send(int, byte[], int, int)}.
     */
    public boolean send(final int channel, final byte[] message)
    {
        return send(channel, message, 0, message.length);
    }

    /**
     * Send one message on a channel, from any thread. On the client's loop it is queued and flushed now (to batch
     * several messages into one packet, send them from one {@link #execute} task with
     * {@link SkirmishClient#send(int, byte[], int, int)}: the task's end flushes); from another thread it is copied
     * and sent from the loop (if the client is not CONNECTED by then it is dropped).
     *
     * @param channel channel id.
     * @param src     holding the message.
     * @param offset  of the message in src.
     * @param length  of the message.
     * @return on the loop: whether the client queued it. Elsewhere: whether it was handed to the loop.
     * @throws IllegalArgumentException if length is out of range (checked on the loop for other threads).
     */
    public boolean send(final int channel, final byte[] src, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, src.length);
        if (loop.eventLoop().inEventLoop())
        {
            final boolean sent = client.send(channel, src, offset, length);
            flushClient();
            return sent;
        }

        final byte[] copy = Arrays.copyOfRange(src, offset, offset + length);
        try
        {
            execute(() -> client.send(channel, copy, 0, copy.length));
            return true;
        }
        catch (final RejectedExecutionException ex)
        {
            return false;
        }
    }

    /**
     * Disconnect from any thread: the loop calls {@link SkirmishClient#disconnect}. The socket stays open; see
     * {@link #close()}.
     */
    public void disconnect()
    {
        try
        {
            execute(() -> client.disconnect(group.nanoClock().nanoTime()));
        }
        catch (final RejectedExecutionException ex)
        {
            // the group closed, which disconnected the client already
        }
    }

    /**
     * Disconnect (if connecting or connected), close the client and its socket, and leave the group; asynchronous,
     * from any thread. Idempotent.
     */
    public void close()
    {
        try
        {
            loop.eventLoop().execute(() ->
            {
                closeOnLoop();
                loop.remove(this);
            });
        }
        catch (final RejectedExecutionException ex)
        {
            // the group closed, which closed this client already
        }
    }

    /**
     * Replace the socket with a new one on a new ephemeral port, keeping the same client and session: the
     * connection migration a NAT rebinding causes. Datagrams sent before the switch leave from the old port; the old
     * socket is closed once the new one is bound.
     *
     * @return completes, on the loop, with the new local address; or exceptionally if binding failed or the handle
     * or group closed.
     */
    public CompletableFuture<InetSocketAddress> rebind()
    {
        final CompletableFuture<InetSocketAddress> rebound = new CompletableFuture<>();
        if (group.isClosed())
        {
            rebound.completeExceptionally(new IllegalStateException("client group is closed"));
            return rebound;
        }
        try
        {
            group.bind(this).addListener((ChannelFuture future) ->
            {
                if (!future.isSuccess())
                {
                    rebound.completeExceptionally(future.cause());
                    return;
                }
                if (closed)
                {
                    future.channel().close();
                    rebound.completeExceptionally(new IllegalStateException("client closed"));
                    return;
                }
                flushIfPending();
                final Channel old = channel;
                channel = future.channel();
                rebinds++;
                if (null != old)
                {
                    old.close();
                }
                rebound.complete(localAddress());
            });
        }
        catch (final RejectedExecutionException ex)
        {
            rebound.completeExceptionally(ex);
        }
        return rebound;
    }

    /**
     * @return the client's state as of its last change, readable from any thread.
     */
    public SessionState state()
    {
        return state;
    }

    /**
     * @return the address of the current socket, or null before it is bound.
     */
    public InetSocketAddress localAddress()
    {
        final Channel current = channel;
        return null == current ? null : (InetSocketAddress)current.localAddress();
    }

    /**
     * @return the server this client talks to.
     */
    public InetSocketAddress serverAddress()
    {
        return server;
    }

    /**
     * @return datagrams dropped because they came from another address than the server's.
     */
    public long foreignDatagrams()
    {
        return foreignDatagrams;
    }

    /**
     * @return exceptions caught on the loop for this client (listener, tasks, socket errors); each is logged.
     */
    public long errors()
    {
        return errors;
    }

    /**
     * @return completed {@link #rebind()}s.
     */
    public long rebinds()
    {
        return rebinds;
    }

    /**
     * @return server, local address and state.
     */
    @Override
    public String toString()
    {
        return "ClientHandle{server=" + server + ", local=" + localAddress() + ", state=" + state + '}';
    }

    void onOpened(final Channel boundChannel, final ConnectToken token)
    {
        channel = boundChannel;
        loop.add(this);
        try
        {
            client.connect(token, group.nanoClock().nanoTime(), group.epochClock().time());
        }
        catch (final RuntimeException ex)
        {
            loop.remove(this);
            throw ex;
        }
        finally
        {
            state = client.state();
            flushIfPending();
        }
    }

    void doWork(final long nowNs, final long nowMs)
    {
        try
        {
            pollImpairment(nowNs);
            client.doWork(nowNs, nowMs);
        }
        catch (final RuntimeException ex)
        {
            onError(ex);
        }
        flushIfPending();
    }

    void closeOnLoop()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            client.disconnect(group.nanoClock().nanoTime());
            if (null != toServerLink)
            {
                // the socket closes now: hand over what the impaired link still holds (the DISCONNECTs among it)
                // as if its delays had passed, or the server would only learn of the leave by timeout
                toServerLink.poll(group.nanoClock().nanoTime() + CLOSE_DRAIN_HORIZON_NS, toServerDelivery);
            }
        }
        catch (final RuntimeException ex)
        {
            onError(ex);
        }
        flushIfPending();
        client.close();
        state = SessionState.CLOSED;
        final Channel current = channel;
        if (null != current)
        {
            current.close();
        }
        group.onClientClosed();
    }

    private void onDatagram(final DatagramPacket packet)
    {
        if (!server.equals(packet.sender()))
        {
            foreignDatagrams++;
            return;
        }
        try
        {
            final long nowNs = group.nanoClock().nanoTime();
            if (null != fromServerLink)
            {
                final ByteBuf content = packet.content();
                fromServerLink.offer(content, content.readerIndex(), content.readableBytes(), nowNs);
                fromServerLink.poll(nowNs, fromServerDelivery);
                return;
            }
            client.onDatagram(packet.content(), nowNs);
        }
        catch (final RuntimeException ex)
        {
            onError(ex);
        }
    }

    private void pollImpairment(final long nowNs)
    {
        if (null != toServerLink)
        {
            toServerLink.poll(nowNs, toServerDelivery);
            fromServerLink.poll(nowNs, fromServerDelivery);
        }
    }

    private void onFromServerDelivery(final ByteBuf datagram, final long nowNs)
    {
        // the client opens packets in place: a writable copy of the link's read-only view
        impairedInbound.clear().writeBytes(datagram);
        client.onDatagram(impairedInbound, nowNs);
    }

    private void onToServerDelivery(final ByteBuf datagram, final long nowNs)
    {
        final Channel current = channel;
        if (null == current || !current.isActive())
        {
            return;
        }
        final ByteBuf copy = current.alloc().directBuffer(datagram.readableBytes()).writeBytes(datagram);
        current.write(new DatagramPacket(copy, server), current.voidPromise());
        flushPending = true;
    }

    /**
     * @return counters of the impaired link towards the server, or null without impairment.
     */
    public ImpairedLink toServerLink()
    {
        return toServerLink;
    }

    /**
     * @return counters of the impaired link from the server, or null without impairment.
     */
    public ImpairedLink fromServerLink()
    {
        return fromServerLink;
    }

    /**
     * Let the client's channel layer send (acks, queued messages) now, then flush the socket.
     */
    private void flushClient()
    {
        try
        {
            client.flush(group.nanoClock().nanoTime());
        }
        catch (final RuntimeException ex)
        {
            onError(ex);
        }
        flushIfPending();
    }

    private void flushIfPending()
    {
        if (flushPending)
        {
            flushPending = false;
            final Channel current = channel;
            if (null != current)
            {
                current.flush();
            }
        }
    }

    private void onError(final Throwable cause)
    {
        final long count = ++errors;
        if (1 == count)
        {
            LOG.warn("client of {} on {}: error (further ones logged at debug)", server, localAddress(), cause);
        }
        else
        {
            LOG.debug("client of {} on {}: error #{}", server, localAddress(), count, cause);
        }
    }

    /**
     * Keeps {@link #state} current before the listener runs, so that the listener sees it too.
     */
    private final class StateListener implements ClientListener
    {
        private final ClientListener delegate;

        StateListener(final ClientListener delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public void onConnected(final SkirmishClient c)
        {
            state = c.state();
            delegate.onConnected(c);
        }

        @Override
        public void onMessage(
            final SkirmishClient c, final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            delegate.onMessage(c, channel, buffer, offset, length);
        }

        @Override
        public void onDisconnected(final SkirmishClient c, final DisconnectReason reason)
        {
            state = c.state();
            delegate.onDisconnected(c, reason);
        }
    }

    /**
     * Pooled direct buffers from the socket's allocator; writes are flushed once per timer tick, read batch or task.
     */
    private final class ChannelSender implements PacketSender
    {
        @Override
        public ByteBuf claim()
        {
            final Channel current = channel;
            if (null == current || !current.isActive())
            {
                return null;
            }
            return current.alloc().directBuffer(maxDatagramLength);
        }

        @Override
        public boolean send(final ByteBuf datagram)
        {
            final Channel current = channel;
            if (null == current || !current.isActive() || !current.isWritable())
            {
                datagram.release();
                return false;
            }
            if (null != toServerLink)
            {
                final long nowNs = group.nanoClock().nanoTime();
                try
                {
                    toServerLink.offer(datagram, datagram.readerIndex(), datagram.readableBytes(), nowNs);
                }
                finally
                {
                    datagram.release();
                }
                toServerLink.poll(nowNs, toServerDelivery);
                return true;
            }
            current.write(new DatagramPacket(datagram, server), current.voidPromise());
            flushPending = true;
            return true;
        }
    }

    /**
     * Hands the server's datagrams to the client and releases every one exactly once; one per socket.
     */
    static final class InboundHandler extends ChannelInboundHandlerAdapter
    {
        private final ClientHandle handle;

        InboundHandler(final ClientHandle handle)
        {
            this.handle = handle;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof DatagramPacket)
                {
                    handle.onDatagram((DatagramPacket)msg);
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            handle.flushClient();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            handle.onError(cause);
        }
    }
}
