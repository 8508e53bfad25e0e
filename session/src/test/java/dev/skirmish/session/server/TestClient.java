package dev.skirmish.session.server;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.channel.Bodies;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.protect.ReplayWindow;
import dev.skirmish.session.token.ConnectToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The client side of one session, as far as the server tests need it: the token, the handshake datagrams, and the
 * two protectors (client-to-server key sealing, server-to-client key opening). It has no channel layer: DATA bodies
 * are built and read with {@link Bodies}.
 */
public final class TestClient
{
    /** A packet opened by the client. */
    public record Opened(int result, int type, int sessionId, byte[] payload)
    {
        /**
         * @return true if authentic and not replayed.
         */
        public boolean ok()
        {
            return ProtectResult.OK == result;
        }

        /**
         * @return the whole messages of this DATA packet's body, in order; empty for an ack-only body.
         * @throws AssertionError if the body is malformed.
         */
        public List<byte[]> messages()
        {
            return Bodies.messages(payload);
        }
    }

    private final AeadSuite suite;
    private final ConnectToken token;
    private final byte[] serverPart;
    private PacketProtector sender;
    private PacketProtector receiver;
    private InetSocketAddress address;
    private int sessionId;

    /**
     * @param suite   the server's AEAD suite.
     * @param token   the client's token.
     * @param address the client's source address.
     */
    public TestClient(final AeadSuite suite, final ConnectToken token, final InetSocketAddress address)
    {
        this.suite = suite;
        this.token = token;
        this.serverPart = ServerTestFixtures.serverPart(token);
        this.address = address;
        resetProtectors();
    }

    /**
     * Start both directions from sequence 0 again, as a new session with the same token would.
     */
    public void resetProtectors()
    {
        sender = PacketProtector.forSending(suite, token.clientToServerKey(), ServerTestFixtures.MAX_DATAGRAM_LENGTH);
        receiver = PacketProtector.forReceiving(
            suite, token.serverToClientKey(), ServerTestFixtures.MAX_DATAGRAM_LENGTH, new ReplayWindow());
    }

    /**
     * @return the token.
     */
    public ConnectToken token()
    {
        return token;
    }

    /**
     * @return the token's server part.
     */
    public byte[] serverPart()
    {
        return serverPart.clone();
    }

    /**
     * @return the token's tag.
     */
    public byte[] tag()
    {
        return ServerTestFixtures.tag(serverPart);
    }

    /**
     * @return the current source address.
     */
    public InetSocketAddress address()
    {
        return address;
    }

    /**
     * @param address the new source address (the client moved).
     */
    public void address(final InetSocketAddress address)
    {
        this.address = address;
    }

    /**
     * @return the session id learnt from the server's first protected packet, 0 before.
     */
    public int sessionId()
    {
        return sessionId;
    }

    /**
     * @param sessionId the session id to put in every sealed packet.
     */
    public void sessionId(final int sessionId)
    {
        this.sessionId = sessionId;
    }

    /**
     * @return a connect request for the token.
     */
    public byte[] connectRequest()
    {
        return ServerTestFixtures.connectRequest(serverPart);
    }

    /**
     * @return a challenge response echoing {@code cookie}.
     */
    public byte[] challengeResponse(final byte[] cookie)
    {
        return ServerTestFixtures.challengeResponse(cookie, serverPart);
    }

    /**
     * @return the packet number (AEAD sequence) the next {@link #seal} uses: what the server's acks name.
     */
    public long nextSequence()
    {
        return sender.nextSequence();
    }

    /**
     * Seal a protected packet with the client-to-server key and the session id.
     *
     * @param type    packet type.
     * @param payload plaintext, possibly empty.
     * @return the datagram.
     */
    public byte[] seal(final PacketType type, final byte[] payload)
    {
        // Not from an allocator: no leak-detector record per packet (fuzz targets seal many).
        final ByteBuf buffer = Unpooled.wrappedBuffer(new byte[ServerTestFixtures.MAX_DATAGRAM_LENGTH]).clear();
        try
        {
            PacketHeader.write(buffer, type, sessionId);
            buffer.writeZero(ProtectedPacketDescriptor.SEQUENCE_LENGTH);
            buffer.writeBytes(payload);
            final int result = sender.seal(buffer);
            if (ProtectResult.OK != result)
            {
                throw new AssertionError("seal failed: " + ProtectResult.name(result));
            }
            final byte[] bytes = new byte[buffer.readableBytes()];
            buffer.getBytes(buffer.readerIndex(), bytes);
            return bytes;
        }
        finally
        {
            buffer.release();
        }
    }

    /**
     * Open a datagram the server sent, with the server-to-client key.
     *
     * @param datagram as sent.
     * @return the outcome and, if authentic, the payload.
     */
    public Opened open(final byte[] datagram)
    {
        final ByteBuf buffer = Unpooled.wrappedBuffer(datagram.clone());
        try
        {
            final boolean hasHeader = datagram.length >= PacketHeader.LENGTH;
            final int type = hasHeader ? ServerTestFixtures.typeOf(datagram) : -1;
            final int id = hasHeader ? ServerTestFixtures.sessionIdOf(datagram) : 0;
            final int result = receiver.open(buffer);
            if (ProtectResult.OK != result)
            {
                return new Opened(result, type, id, new byte[0]);
            }
            final int payloadOffset = buffer.readerIndex() + ProtectedPacketDescriptor.PAYLOAD_OFFSET;
            final byte[] payload = new byte[buffer.writerIndex() - payloadOffset];
            buffer.getBytes(payloadOffset, payload);
            return new Opened(result, type, id, payload);
        }
        finally
        {
            buffer.release();
        }
    }
}
