package dev.skirmish.core.impair;

import io.netty.buffer.ByteBuf;

/**
 * Receives the datagrams an {@link ImpairedLink} delivers. Called on the thread that polls the link. The signature
 * matches a client's {@code onDatagram(ByteBuf, long)}, so a method reference can be the handler.
 */
@FunctionalInterface
public interface DeliveryHandler
{
    /**
     * A datagram has crossed the link. Called from the thread that polls the link.
     *
     * @param datagram a read-only view whose readable bytes are the datagram, valid only during the call: its slot
     *                 is reused afterwards, so copy what you keep. Moving its reader index is fine; releasing or
     *                 retaining it does nothing.
     * @param nowNs    the time passed to {@link ImpairedLink#poll(long, DeliveryHandler, int)}, not earlier than the
     *                 datagram's scheduled delivery time.
     */
    void onDelivery(ByteBuf datagram, long nowNs);
}
