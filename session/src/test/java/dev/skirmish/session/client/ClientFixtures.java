package dev.skirmish.session.client;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.agrona.concurrent.CachedEpochClock;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Shared pieces of the client tests: tokens, the server's handshake packets, a capturing {@link PacketSender} and a
 * recording {@link ClientListener}.
 */
final class ClientFixtures
{
    static final long PROTOCOL_ID = 0x1122334455667788L;
    static final long NOW_MS = 1_700_000_000_000L;
    static final int TIMEOUT_SECONDS = 5;
    static final long LIFETIME_MS = 30_000;
    static final int MAX = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;

    private ClientFixtures()
    {
    }

    static ConnectToken token(final InetSocketAddress server)
    {
        return token(server, NOW_MS);
    }

    static ConnectToken token(final InetSocketAddress server, final long createTimeMs)
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(createTimeMs);
        return new ConnectTokenGenerator(TokenKey.DEVELOPMENT, PROTOCOL_ID, clock, new SecureRandom())
            .generate(7L, 3L, List.of(server), TIMEOUT_SECONDS, LIFETIME_MS, null);
    }

    static byte[] serverPart(final ConnectToken token)
    {
        final byte[] serverPart = new byte[ConnectTokenDescriptor.SERVER_PART_LENGTH];
        token.getServerPart(serverPart, 0);
        return serverPart;
    }

    /** The token tag the server echoes in CHALLENGE and DENIED: the last 16 bytes of the server part. */
    static byte[] tag(final ConnectToken token)
    {
        final byte[] serverPart = serverPart(token);
        return Arrays.copyOfRange(serverPart, HandshakeDescriptor.TAG_IN_SERVER_PART_OFFSET, serverPart.length);
    }

    static byte[] cookie(final int first)
    {
        final byte[] cookie = new byte[ChallengeCookieDescriptor.COOKIE_LENGTH];
        for (int i = 0; i < cookie.length; i++)
        {
            cookie[i] = (byte)(first + i);
        }
        return cookie;
    }

    static void writeChallenge(final ByteBuf buffer, final byte[] tag, final byte[] cookie)
    {
        PacketHeader.write(buffer, PacketType.CHALLENGE, 0);
        buffer.writeBytes(tag);
        buffer.writeBytes(cookie);
    }

    static void writeDenied(final ByteBuf buffer, final byte[] tag, final int reasonCode)
    {
        PacketHeader.write(buffer, PacketType.DENIED, 0);
        buffer.writeBytes(tag);
        buffer.writeByte(reasonCode);
        buffer.writeZero(3);
    }

    static byte[] bytes(final ByteBuf buffer, final int offset, final int length)
    {
        return ByteBufUtil.getBytes(buffer, buffer.readerIndex() + offset, length);
    }

    static boolean isZero(final ByteBuf buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (0 != buffer.getByte(buffer.readerIndex() + offset + i))
            {
                return false;
            }
        }
        return true;
    }

    static PacketType type(final ByteBuf buffer)
    {
        return PacketType.get(PacketHeader.typeCode(buffer));
    }

    static byte[] payload(final ByteBuf opened)
    {
        final int length = opened.readableBytes() - ProtectedPacketDescriptor.PAYLOAD_OFFSET;
        return bytes(opened, ProtectedPacketDescriptor.PAYLOAD_OFFSET, length);
    }

    /**
     * Stands in for the transport: hands out pooled direct buffers, keeps what the client sends, and checks at the
     * end that every buffer it handed out was released.
     */
    static final class CapturingSender implements PacketSender
    {
        private final Deque<ByteBuf> sent = new ArrayDeque<>();
        private final List<ByteBuf> claimed = new ArrayList<>();
        boolean exhausted;
        boolean refuse;

        @Override
        public ByteBuf claim()
        {
            if (exhausted)
            {
                return null;
            }
            final ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(MAX);
            claimed.add(buffer);
            return buffer;
        }

        @Override
        public boolean send(final ByteBuf datagram)
        {
            if (refuse)
            {
                datagram.release();
                return false;
            }
            sent.add(datagram);
            return true;
        }

        /** The oldest datagram sent and not yet taken, or null; the caller releases it. */
        ByteBuf poll()
        {
            return sent.poll();
        }

        /** The oldest datagram sent and not yet taken; fails if none. The caller releases it. */
        ByteBuf take()
        {
            final ByteBuf datagram = sent.poll();
            assertNotNull(datagram, "expected a datagram from the client");
            return datagram;
        }

        int pending()
        {
            return sent.size();
        }

        void discardAll()
        {
            ByteBuf datagram;
            while (null != (datagram = sent.poll()))
            {
                datagram.release();
            }
        }

        void assertAllReleased()
        {
            for (final ByteBuf buffer : claimed)
            {
                assertEquals(0, buffer.refCnt(), "a datagram buffer was not released");
            }
        }
    }

    /**
     * Records the listener's calls in order; payloads are copied during the call.
     */
    static class RecordingListener implements ClientListener
    {
        final List<String> events = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        final List<DisconnectReason> reasons = new ArrayList<>();
        int connected;

        @Override
        public void onConnected(final SkirmishClient client)
        {
            connected++;
            events.add("connected");
        }

        @Override
        public void onMessage(
            final SkirmishClient client, final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            payloads.add(ByteBufUtil.getBytes(buffer, offset, length));
            events.add("payload");
        }

        @Override
        public void onDisconnected(final SkirmishClient client, final DisconnectReason reason)
        {
            reasons.add(reason);
            events.add("disconnected " + reason);
        }
    }
}
