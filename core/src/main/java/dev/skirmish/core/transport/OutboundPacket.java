package dev.skirmish.core.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;
import java.util.Queue;

/**
 * A reusable outbound datagram. It is a {@link DatagramPacket} so that Netty's epoll transport batches it into
 * {@code sendmmsg}, but its content and recipient are mutable so that no envelope is allocated per datagram.
 *
 * <p>Lifecycle: a worker takes one from its pool ({@link #wrap}), hands it to an I/O thread through an SPSC queue,
 * the I/O thread writes it, and when Netty releases it after the write (on the I/O thread) the content is released
 * and the envelope goes back to its home pool. Every envelope has exactly one home pool, whose producer is the I/O
 * thread that releases it.
 *
 * <p>Reference counting is the content's: retain/release act on the content buffer, and the release that frees
 * the content recycles the envelope.
 */
public final class OutboundPacket extends DatagramPacket
{
    private static final InetSocketAddress PLACEHOLDER = new InetSocketAddress(0);

    private final Queue<OutboundPacket> home;
    private ByteBuf content = Unpooled.EMPTY_BUFFER;
    private InetSocketAddress recipient = PLACEHOLDER;

    /**
     * @param home pool this envelope returns to when its content is released.
     */
    public OutboundPacket(final Queue<OutboundPacket> home)
    {
        super(Unpooled.EMPTY_BUFFER, PLACEHOLDER);
        this.home = home;
    }

    /**
     * Point this envelope at a buffer and a recipient. Takes ownership of one reference to {@code content}.
     *
     * @param content   bytes to send, readable bytes only.
     * @param recipient destination.
     * @return this.
     */
    public OutboundPacket wrap(final ByteBuf content, final InetSocketAddress recipient)
    {
        this.content = content;
        this.recipient = recipient;
        return this;
    }

    @Override
    public ByteBuf content()
    {
        return content;
    }

    @Override
    public InetSocketAddress recipient()
    {
        return recipient;
    }

    @Override
    public InetSocketAddress sender()
    {
        return null;
    }

    @Override
    public int refCnt()
    {
        return content.refCnt();
    }

    @Override
    public OutboundPacket retain()
    {
        content.retain();
        return this;
    }

    @Override
    public OutboundPacket retain(final int increment)
    {
        content.retain(increment);
        return this;
    }

    @Override
    public OutboundPacket touch()
    {
        content.touch();
        return this;
    }

    @Override
    public OutboundPacket touch(final Object hint)
    {
        content.touch(hint);
        return this;
    }

    @Override
    public boolean release()
    {
        return release(1);
    }

    @Override
    public boolean release(final int decrement)
    {
        final boolean freed = content.release(decrement);
        if (freed)
        {
            recycle();
        }
        return freed;
    }

    /**
     * Drop the content without releasing it and return to the pool; used when the content was released elsewhere.
     */
    void recycle()
    {
        content = Unpooled.EMPTY_BUFFER;
        recipient = PLACEHOLDER;
        if (!home.offer(this))
        {
            throw new IllegalStateException("envelope pool over capacity: an envelope was recycled twice");
        }
    }

    @Override
    public String toString()
    {
        return "OutboundPacket(" + recipient + ", " + content + ")";
    }
}
