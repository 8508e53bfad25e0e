package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.wire.HeaderCheck;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.server.RecordingReplies;
import dev.skirmish.session.server.ServerTestFixtures;
import dev.skirmish.session.server.SessionRegistry;
import dev.skirmish.session.server.SessionServer;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target for the I/O-thread handshake gate ({@code ServerHandshake}, a {@link HandshakeGate}): any datagram
 * that passes core's header check with a handshake type is handled without throwing; at most one reply, never longer
 * than the datagram; a CHALLENGE only for the genuine token (or, under load, for any 1200-byte connect request,
 * echoing its tag); no DENIED (the only authentic token names this server); a datagram routed to a worker only if it
 * is the genuine challenge response (padding aside), to the worker of its room; and nothing stored.
 * <p>
 * Input layout: byte 0 holds flags: bits 0-1 the mode, bit 2 "under load" (a gate whose load threshold is 0).
 * <ul>
 *   <li>mode 0: bytes 1.. are the datagram as received;</li>
 *   <li>mode 1: byte 1 picks the type (2 + (b &amp; 3)) and, with bit 2 set, a session id from bytes 2..5 (else 0
 *   and the body starts at byte 2); a valid header is put in front of the rest;</li>
 *   <li>mode 2: the genuine connect request, bytes 1.. XORed onto it from offset 0;</li>
 *   <li>mode 3: the genuine challenge response, with a cookie this gate has just issued, bytes 1.. XORed onto it.</li>
 * </ul>
 * A fresh gate per input, so an input means the same thing whatever ran before. Seeds:
 * {@code ServerHandshakeFuzzTestInputs/shouldNeverAmplifyNorAcceptForgeries/} ({@link ServerFuzzSeeds}).
 */
class ServerHandshakeFuzzTest
{
    static final int WORKERS = 3;
    static final long ROOM_ID = 0x1234_5678_9ABCL;
    static final InetSocketAddress SOURCE = ServerTestFixtures.ipv4(198, 51, 100, 7, 50_000);

    private static final CachedNanoClock NANO_CLOCK = new CachedNanoClock();
    private static final CachedEpochClock EPOCH_CLOCK = new CachedEpochClock();
    private static final SessionServer SERVER;
    private static final SessionServer LOADED_SERVER;
    private static final byte[] SERVER_PART;
    private static final byte[] REQUEST;

    static
    {
        NANO_CLOCK.update(ServerTestFixtures.START_NS);
        EPOCH_CLOCK.update(ServerTestFixtures.START_MS);
        SERVER = ServerTestFixtures.newServer(ServerTestFixtures.config().rateLimiterCapacity(8), WORKERS);
        LOADED_SERVER = ServerTestFixtures.newServer(
            ServerTestFixtures.config().rateLimiterCapacity(8).handshakeLoadThresholdPerSecond(0), WORKERS);
        final ConnectToken token = ServerTestFixtures.token(
            ServerTestFixtures.tokenGenerator(EPOCH_CLOCK, 42), 7, ROOM_ID);
        SERVER_PART = ServerTestFixtures.serverPart(token);
        REQUEST = ServerTestFixtures.connectRequest(SERVER_PART);
    }

    /**
     * What one input did.
     *
     * @param genuine the genuine datagram the input was XORed onto (modes 2 and 3), else null.
     */
    record Outcome(int mode, boolean underLoad, byte[] genuine, byte[] datagram, int result, List<byte[]> replies)
    {
    }

    @FuzzTest
    void shouldNeverAmplifyNorAcceptForgeries(final byte[] input)
    {
        final Outcome outcome = execute(input);
        if (null == outcome)
        {
            return;
        }
        final byte[] datagram = outcome.datagram();
        final int type = ServerTestFixtures.typeOf(datagram);
        final List<byte[]> replies = outcome.replies();

        assertTrue(replies.size() <= 1, "more than one reply");
        int replyBytes = 0;
        for (final byte[] reply : replies)
        {
            replyBytes += reply.length;
            assertEquals(PacketType.CHALLENGE.code(), ServerTestFixtures.typeOf(reply), "only challenges expected");
            assertEquals(HandshakeDescriptor.CHALLENGE_LENGTH, reply.length);
            assertEquals(0, ServerTestFixtures.sessionIdOf(reply));
            assertEquals(PacketType.CONNECT_REQUEST.code(), type, "challenged a type " + type);
            assertEquals(HandshakeDescriptor.CONNECT_REQUEST_LENGTH, datagram.length);
            if (outcome.underLoad())
            {
                final int tagOffset = HandshakeDescriptor.REQUEST_TOKEN_OFFSET +
                    HandshakeDescriptor.TAG_IN_SERVER_PART_OFFSET;
                assertArrayEquals(Arrays.copyOfRange(datagram, tagOffset, tagOffset + 16),
                    ServerTestFixtures.tagOf(reply), "the challenge echoes the tag as sent");
            }
            else
            {
                final int end = HandshakeDescriptor.REQUEST_TOKEN_OFFSET + ConnectTokenDescriptor.SERVER_PART_LENGTH;
                assertArrayEquals(Arrays.copyOf(REQUEST, end), Arrays.copyOf(datagram, end),
                    "challenged a token that is not the genuine one");
            }
        }
        assertTrue(replyBytes <= datagram.length, replyBytes + " B answered " + datagram.length + " B");

        if (HandshakeGate.CONSUMED != outcome.result())
        {
            assertEquals(3, outcome.mode(), "routed a forged challenge response");
            final int end = HandshakeDescriptor.RESPONSE_TOKEN_OFFSET + ConnectTokenDescriptor.SERVER_PART_LENGTH;
            assertArrayEquals(Arrays.copyOf(outcome.genuine(), end), Arrays.copyOf(datagram, end),
                "routed a challenge response that is not the genuine one");
            assertEquals((int)Long.remainderUnsigned(ROOM_ID, WORKERS), outcome.result());
            assertTrue(replies.isEmpty());
        }
    }

    /**
     * Run one input through a fresh gate.
     *
     * @return what happened, or null when the input maps to no datagram core would hand to the gate.
     */
    static Outcome execute(final byte[] input)
    {
        if (input.length < 1)
        {
            return null;
        }
        final int mode = input[0] & 3;
        final boolean underLoad = (input[0] & 4) != 0;
        final SessionServer server = underLoad ? LOADED_SERVER : SERVER;
        final HandshakeGate gate = ServerTestFixtures.newGate(
            server, new CounterSet("io-fuzz"), WORKERS, NANO_CLOCK, EPOCH_CLOCK);

        try (RecordingReplies replies = new RecordingReplies(ServerTestFixtures.MAX_DATAGRAM_LENGTH))
        {
            byte[] genuine = null;
            final byte[] datagram;
            switch (mode)
            {
                case 0:
                    datagram = Arrays.copyOfRange(input, 1, input.length);
                    break;
                case 1:
                    datagram = withHeader(input);
                    break;
                case 2:
                    genuine = REQUEST;
                    datagram = xor(genuine, input);
                    break;
                default:
                    final int issued = call(gate, REQUEST, replies);
                    assertEquals(HandshakeGate.CONSUMED, issued);
                    assertEquals(1, replies.lastCall().size(), "the genuine request is challenged");
                    final byte[] cookie = ServerTestFixtures.cookieOf(replies.lastCall().get(0));
                    genuine = ServerTestFixtures.challengeResponse(cookie, SERVER_PART);
                    datagram = xor(genuine, input);
                    break;
            }
            if (!reachesGate(datagram))
            {
                return null;
            }

            final int result = call(gate, datagram, replies);

            assertTrue(HandshakeGate.CONSUMED == result || result >= 0 && result < WORKERS, "worker " + result);
            final SessionRegistry registry = server.registry();
            assertEquals(0, registry.sessionCount() + registry.pendingCount() + registry.clientCount() +
                registry.usedTokenCount(), "the gate stores nothing");
            return new Outcome(mode, underLoad, genuine, datagram, result, List.copyOf(replies.lastCall()));
        }
    }

    private static int call(final HandshakeGate gate, final byte[] datagram, final RecordingReplies replies)
    {
        // Like a received datagram: nothing readable or even allocated past its end.
        final ByteBuf buffer = Unpooled.wrappedBuffer(datagram.clone());
        try
        {
            replies.beginCall();
            final int result = gate.onHandshake(buffer, SOURCE, replies);
            final byte[] after = new byte[buffer.readableBytes()];
            buffer.getBytes(buffer.readerIndex(), after);
            if (!Arrays.equals(datagram, after))
            {
                fail("the gate modified the datagram");
            }
            return result;
        }
        finally
        {
            buffer.release();
        }
    }

    /**
     * What the I/O thread checks before calling the gate: a valid fixed header with a handshake type.
     */
    static boolean reachesGate(final byte[] datagram)
    {
        final ByteBuf buffer = Unpooled.wrappedBuffer(datagram);
        try
        {
            if (HeaderCheck.VALID != HeaderCheck.validate(buffer, ServerTestFixtures.MAX_DATAGRAM_LENGTH))
            {
                return false;
            }
            final int type = ServerTestFixtures.typeOf(datagram);
            return type >= PacketType.CONNECT_REQUEST.code() && type <= PacketType.DENIED.code();
        }
        finally
        {
            buffer.release();
        }
    }

    private static byte[] withHeader(final byte[] input)
    {
        if (input.length < 2)
        {
            return new byte[0];
        }
        final int type = PacketType.CONNECT_REQUEST.code() + (input[1] & 3);
        final boolean withSessionId = (input[1] & 4) != 0;
        int bodyOffset = 2;
        int sessionId = 0;
        if (withSessionId)
        {
            for (int i = 0; i < Integer.BYTES && bodyOffset < input.length; i++, bodyOffset++)
            {
                sessionId |= (input[bodyOffset] & 0xFF) << (8 * i);
            }
        }
        final byte[] datagram = new byte[PacketHeader.LENGTH + input.length - bodyOffset];
        ServerTestFixtures.writeHeader(datagram, type, sessionId);
        System.arraycopy(input, bodyOffset, datagram, PacketHeader.LENGTH, input.length - bodyOffset);
        return datagram;
    }

    private static byte[] xor(final byte[] genuine, final byte[] input)
    {
        final byte[] datagram = genuine.clone();
        for (int i = 1; i < input.length && i - 1 < datagram.length; i++)
        {
            datagram[i - 1] ^= input[i];
        }
        return datagram;
    }
}
