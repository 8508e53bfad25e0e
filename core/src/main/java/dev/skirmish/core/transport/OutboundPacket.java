package dev.skirmish.core.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.IllegalReferenceCountException;

import java.net.InetSocketAddress;
import java.util.Queue;

/**
 * A reusable outbound datagram. It is a {@link DatagramPacket} so that Netty's epoll transport batches it into
 * {@code sendmmsg}, but its content and recipient are mutable so that nothing is allocated per datagram.
 *
 * <p>Two kinds:
 * <ul>
 *   <li><b>slot</b> envelopes own a fixed buffer (a slot of a slab preallocated per worker/I-O-thread pair). A worker
 *   {@link #claim claims} one, encodes into {@link #buffer()}, and hands it to an I/O thread. When Netty releases it
 *   after the write, the envelope returns to its pool with its buffer intact: no allocator call, no cross-thread free
 *   of pooled memory (which costs Netty's recycler garbage, measured ~10 B per datagram).</li>
 *   <li><b>wrapping</b> envelopes carry someone else's buffer ({@link #wrap}) and release it when released (raw echo
 *   of a received slice, on the I/O thread).</li>
 * </ul>
 * Every envelope has exactly one home pool, and is returned there by the thread that releases it (the I/O thread
 * that wrote it), which is that pool's single producer.
 */
public final class OutboundPacket extends DatagramPacket
{
    private static final InetSocketAddress PLACEHOLDER = new InetSocketAddress(0);

    private final Queue<OutboundPacket> home;
    private final ByteBuf slot;
    private ByteBuf content = Unpooled.EMPTY_BUFFER;
    private InetSocketAddress recipient = PLACEHOLDER;
    private int refCnt;

    /**
     * A wrapping envelope.
     *
     * @param home pool this envelope returns to when released.
     */
    public OutboundPacket(final Queue<OutboundPacket> home)
    {
        this(home, null);
    }

    /**
     * A slot envelope.
     *
     * @param home pool this envelope returns to when released.
     * @param slot the buffer this envelope owns for its whole life; null for a wrapping envelope.
     */
    public OutboundPacket(final Queue<OutboundPacket> home, final ByteBuf slot)
    {
        super(Unpooled.EMPTY_BUFFER, PLACEHOLDER);
        this.home = home;
        this.slot = slot;
    }

    /**
     * Take this slot envelope for encoding: its buffer is empty and writable up to the slot size.
     *
     * @return this.
     */
    public OutboundPacket claim()
    {
        slot.clear();
        content = slot;
        refCnt = 1;
        return this;
    }

    /**
     * The slot buffer to encode the datagram into (slot envelopes only, after {@link #claim()}).
     *
     * @return the buffer; its readable bytes are what will be sent.
     */
    public ByteBuf buffer()
    {
        return slot;
    }

    /**
     * Set the destination of a claimed slot envelope.
     *
     * @param recipient destination.
     * @return this.
     */
    public OutboundPacket recipient(final InetSocketAddress recipient)
    {
        this.recipient = recipient;
        return this;
    }

    /**
     * Point a wrapping envelope at a buffer and a recipient. Takes ownership of one reference to {@code content}.
     *
     * @param content   bytes to send, readable bytes only.
     * @param recipient destination.
     * @return this.
     */
    public OutboundPacket wrap(final ByteBuf content, final InetSocketAddress recipient)
    {
        this.content = content;
        this.recipient = recipient;
        this.refCnt = 1;
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
        return refCnt;
    }

    @Override
    public OutboundPacket retain()
    {
        return retain(1);
    }

    @Override
    public OutboundPacket retain(final int increment)
    {
        if (refCnt <= 0)
        {
            throw new IllegalReferenceCountException(refCnt, increment);
        }
        refCnt += increment;
        return this;
    }

    @Override
    public OutboundPacket touch()
    {
        return this;
    }

    @Override
    public OutboundPacket touch(final Object hint)
    {
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
        if (decrement <= 0 || decrement > refCnt)
        {
            throw new IllegalReferenceCountException(refCnt, -decrement);
        }
        refCnt -= decrement;
        if (refCnt > 0)
        {
            return false;
        }
        if (null == slot)
        {
            content.release();
        }
        content = Unpooled.EMPTY_BUFFER;
        recipient = PLACEHOLDER;
        if (!home.offer(this))
        {
            throw new IllegalStateException("envelope pool over capacity: an envelope was released twice");
        }
        return true;
    }

    @Override
    public String toString()
    {
        return "OutboundPacket(" + recipient + ", " + content + ")";
    }
}
