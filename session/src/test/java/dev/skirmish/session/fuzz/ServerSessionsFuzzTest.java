package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.OutboundPacket;
import dev.skirmish.core.wire.HeaderCheck;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.core.worker.IoWakeup;
import dev.skirmish.core.worker.Outbound;
import dev.skirmish.session.channel.BodyDecoder;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.server.RecordingListener;
import dev.skirmish.session.server.ServerSession;
import dev.skirmish.session.server.ServerSessions;
import dev.skirmish.session.server.ServerTestFixtures;
import dev.skirmish.session.server.SessionRegistry;
import dev.skirmish.session.server.SessionServer;
import dev.skirmish.session.server.SessionServerConfig;
import dev.skirmish.session.server.TestClient;
import dev.skirmish.session.token.ConnectToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.CachedEpochClock;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target for a worker's {@link ServerSessions} with one live session: a stream of operations (raw datagrams,
 * sometimes carrying the live session's id; genuine packets sealed by the client from its own or other addresses;
 * replays; bit flips; path responses; repeated challenge responses from anywhere; time passing; the game sending and
 * kicking) never throws, never sends more than the limits allow (no datagram over the max length; per operation at
 * most {@code disconnectRedundancy + 2} datagrams besides DATA, at most one ack-only DATA, and ack-eliciting DATA
 * within the congestion window (plus the one packet that may overshoot it and one probe); never more bytes to an
 * unvalidated address than were received from it), sends only DATA bodies that decode, and keeps the registry
 * consistent with the sessions (at most one, since there is one token).
 * <p>
 * Input: up to {@value #MAX_OPS} operations, each {@code [op, arg, len]} then {@code len} bytes of data (fewer at the
 * end of the input). {@code op % 10}:
 * <ol start="0">
 *   <li>raw datagram: type code {@code arg & 0x0F}, the live session id if {@code arg & 0x10} (else data bytes 0..3),
 *   body = data, from address {@code (arg >> 5) & 3};</li>
 *   <li>genuine packet sealed by the client: type {@code SEALED_TYPES[(arg & 7) % 6]}, payload = data (for DATA, the
 *   channel body: seeds carry valid ones), from address {@code (arg >> 4) & 3};</li>
 *   <li>replay of genuine packet {@code arg & 0x3F} (mod the number sealed) from address {@code arg >> 6};</li>
 *   <li>the last genuine packet with one bit flipped (bit from data bytes 0..1, else arg) from address
 *   {@code arg & 3};</li>
 *   <li>time: both clocks advance {@code arg * arg * 100 us} (up to 6.5 s), then a duty cycle;</li>
 *   <li>PATH_RESPONSE with the last path challenge's data (else data) from address {@code arg & 3};</li>
 *   <li>the genuine challenge response from address {@code arg & 3} (as the gate routes it);</li>
 *   <li>the game sends data (at least one byte) on channel {@code arg} mod the channel count of the live session
 *   (queued: it leaves with the next duty cycle);</li>
 *   <li>the game kicks the live session;</li>
 *   <li>a duty cycle.</li>
 * </ol>
 * Address 0 is the client's handshake address. Every input starts from a new server whose session was just
 * allocated, so an input means the same thing whatever ran before. A CHALLENGE_RESPONSE only reaches a worker from
 * the gate, which checked its size (1200 B): raw ones of another size are not delivered. Seeds:
 * {@code ServerSessionsFuzzTestInputs/shouldNeverThrowNorExceedLimits/} ({@link ServerFuzzSeeds}).
 */
class ServerSessionsFuzzTest
{
    static final int MAX_OPS = 256;
    static final PacketType[] SEALED_TYPES = {PacketType.DATA, PacketType.KEEPALIVE, PacketType.DISCONNECT,
        PacketType.PATH_RESPONSE, PacketType.PATH_CHALLENGE, PacketType.ECHO};
    static final InetSocketAddress[] ADDRESSES = {
        ServerTestFixtures.ipv4(198, 51, 100, 1, 50_000),
        ServerTestFixtures.ipv4(203, 0, 113, 2, 50_001),
        ServerTestFixtures.ipv4(203, 0, 113, 2, 50_002),
        ServerTestFixtures.ipv4(192, 0, 2, 99, 6_666)};

    private static final int MAX_DATAGRAM = ServerTestFixtures.MAX_DATAGRAM_LENGTH;
    private static final Handoff HANDOFF = new Handoff(1, 1, 16, 64, MAX_DATAGRAM);
    private static final Outbound OUTBOUND =
        new Outbound(0, HANDOFF, new CounterSet("outbound-fuzz"), new IoWakeup[]{() -> false});
    private static final CachedEpochClock TOKEN_CLOCK = new CachedEpochClock();
    private static final ConnectToken TOKEN;
    private static final byte[] RESPONSE;

    static
    {
        TOKEN_CLOCK.update(ServerTestFixtures.START_MS);
        TOKEN = ServerTestFixtures.token(ServerTestFixtures.tokenGenerator(TOKEN_CLOCK, 43), 7, 3);
        // The worker does not look at the cookie: the gate verified it.
        RESPONSE = ServerTestFixtures.challengeResponse(new byte[25], ServerTestFixtures.serverPart(TOKEN));
    }

    /** What one input did, for the seed checks. */
    record Summary(CounterSet counters, List<DisconnectReason> closed, int maxMigrations, long payloadsIn)
    {
    }

    @FuzzTest
    void shouldNeverThrowNorExceedLimits(final byte[] input)
    {
        execute(input);
    }

    static Summary execute(final byte[] input)
    {
        final Run run = new Run();
        int pos = 0;
        for (int ops = 0; ops < MAX_OPS && pos + 3 <= input.length; ops++)
        {
            final int op = (input[pos] & 0xFF) % 10;
            final int arg = input[pos + 1] & 0xFF;
            final int len = input[pos + 2] & 0xFF;
            final byte[] data = Arrays.copyOfRange(input, pos + 3, Math.min(pos + 3 + len, input.length));
            pos += 3 + data.length;
            run.apply(op, arg, data);
            run.check("op " + ops + " (" + op + ")");
        }
        return run.finish();
    }

    /**
     * One input's server: fresh registry, sessions, clocks and client; the outbound path is shared and drained.
     */
    private static final class Run
    {
        private final CachedEpochClock epochClock = new CachedEpochClock();
        private final SessionServerConfig config = ServerTestFixtures.config();
        private final SessionServer server = ServerTestFixtures.newServer(config, 1);
        private final CounterSet counters = new CounterSet("worker-fuzz");
        private final RecordingListener listener = new RecordingListener();
        private final ServerSessions sessions;
        private final TestClient client = new TestClient(AeadSuite.DEFAULT, TOKEN, ADDRESSES[0]);
        private final List<byte[]> sealed = new ArrayList<>();
        private final Map<InetSocketAddress, Long> bytesIn = new HashMap<>();
        private final Map<InetSocketAddress, Long> bytesOutUnvalidated = new HashMap<>();
        private final Set<InetSocketAddress> validated = new HashSet<>();
        private final Set<Integer> sessionIds = new HashSet<>();
        private long nowNs = ServerTestFixtures.START_NS;
        private byte[] challengeData;
        private int maxMigrations;
        private long windowBeforeOp;
        private int controlSent;
        private int ackOnlySent;
        private long elicitingDataBytes;
        private final BodyDecoder bodyDecoder = new BodyDecoder();

        Run()
        {
            epochClock.update(ServerTestFixtures.START_MS);
            listener.keepPayloads(false);
            sessions = ServerTestFixtures.newSessions(server, 0, 1, OUTBOUND, counters, epochClock, listener);
            validated.add(ADDRESSES[0]);
            deliver(RESPONSE, ADDRESSES[0]);
            check("handshake");
            assertEquals(1, sessions.sessionCount(), "the genuine response allocates the session");
        }

        void apply(final int op, final int arg, final byte[] data)
        {
            final ServerSession live = sessions.session(client.sessionId());
            windowBeforeOp = null == live ? 0 : live.stats().windowBytes();
            switch (op)
            {
                case 0:
                    raw(arg, data);
                    break;
                case 1:
                    seal(SEALED_TYPES[(arg & 7) % SEALED_TYPES.length], data, ADDRESSES[(arg >> 4) & 3]);
                    break;
                case 2:
                    if (!sealed.isEmpty())
                    {
                        route(sealed.get((arg & 0x3F) % sealed.size()), ADDRESSES[arg >> 6]);
                    }
                    break;
                case 3:
                    flip(arg, data);
                    break;
                case 4:
                    final long deltaNs = arg * arg * 100_000L;
                    nowNs += deltaNs;
                    epochClock.advance(deltaNs / 1_000_000L);
                    doWork();
                    break;
                case 5:
                    seal(PacketType.PATH_RESPONSE, null == challengeData ? data : challengeData, ADDRESSES[arg & 3]);
                    break;
                case 6:
                    deliver(RESPONSE, ADDRESSES[arg & 3]);
                    break;
                case 7:
                    if (null != live)
                    {
                        final byte[] payload = data.length == 0 ? new byte[1] : data;
                        live.send(arg % live.channelCount(), payload, 0, payload.length);
                    }
                    break;
                case 8:
                    if (null != live)
                    {
                        live.disconnect(DisconnectReason.KICKED);
                    }
                    break;
                default:
                    doWork();
                    break;
            }
        }

        private void raw(final int arg, final byte[] data)
        {
            int sessionId = 0;
            if ((arg & 0x10) != 0)
            {
                sessionId = client.sessionId();
            }
            else
            {
                for (int i = 0; i < Integer.BYTES && i < data.length; i++)
                {
                    sessionId |= (data[i] & 0xFF) << (8 * i);
                }
            }
            final byte[] datagram = new byte[PacketHeader.LENGTH + data.length];
            ServerTestFixtures.writeHeader(datagram, arg & 0x0F, sessionId);
            System.arraycopy(data, 0, datagram, PacketHeader.LENGTH, data.length);
            route(datagram, ADDRESSES[(arg >> 5) & 3]);
        }

        private void seal(final PacketType type, final byte[] payload, final InetSocketAddress from)
        {
            final byte[] datagram = client.seal(type, payload);
            if (sealed.size() < 256)
            {
                sealed.add(datagram);
            }
            route(datagram, from);
        }

        private void flip(final int arg, final byte[] data)
        {
            if (sealed.isEmpty())
            {
                return;
            }
            final byte[] datagram = sealed.get(sealed.size() - 1).clone();
            final int choice = data.length >= 2 ? (data[0] & 0xFF) << 8 | (data[1] & 0xFF) : arg;
            final int bit = choice % (datagram.length * Byte.SIZE);
            datagram[bit / Byte.SIZE] ^= (byte)(1 << (bit % Byte.SIZE));
            route(datagram, ADDRESSES[arg & 3]);
        }

        /**
         * What the I/O thread hands a worker: a valid header. The gate routes only full-size challenge responses, but
         * the worker must not depend on it, so responses of any size reach it here.
         */
        private void route(final byte[] datagram, final InetSocketAddress from)
        {
            final ByteBuf buffer = Unpooled.wrappedBuffer(datagram);
            final boolean valid = HeaderCheck.VALID == HeaderCheck.validate(buffer, MAX_DATAGRAM);
            buffer.release();
            if (!valid)
            {
                return;
            }
            deliver(datagram, from);
        }

        private void deliver(final byte[] datagram, final InetSocketAddress from)
        {
            bytesIn.merge(from, (long)datagram.length, Long::sum);
            final ByteBuf buffer = Unpooled.wrappedBuffer(datagram.clone());
            try
            {
                sessions.onDatagram(0, buffer, from, nowNs);
            }
            finally
            {
                OUTBOUND.abort();
                buffer.release();
            }
        }

        private void doWork()
        {
            sessions.doWork(nowNs);
            OUTBOUND.flushWakeups();
        }

        void check(final String step)
        {
            final List<byte[]> sent = new ArrayList<>();
            final List<InetSocketAddress> recipients = new ArrayList<>();
            OutboundPacket packet;
            while (null != (packet = HANDOFF.outbound(0, 0).relaxedPoll()))
            {
                final ByteBuf content = packet.content();
                final byte[] bytes = new byte[content.readableBytes()];
                content.getBytes(content.readerIndex(), bytes);
                recipients.add(packet.recipient());
                packet.release();
                sent.add(bytes);
            }
            // A new session is always at the handshake address, so the one before the operation tells what moved.
            final ServerSession before = sessions.session(client.sessionId());
            if (null != before)
            {
                validated.add(before.remoteAddress());
                maxMigrations = Math.max(maxMigrations, before.migrations());
            }
            controlSent = 0;
            ackOnlySent = 0;
            elicitingDataBytes = 0;
            for (int i = 0; i < sent.size(); i++)
            {
                checkSent(step, sent.get(i), recipients.get(i));
            }
            assertTrue(controlSent <= config.disconnectRedundancy() + 2, step + ": " + controlSent + " datagrams");
            assertTrue(ackOnlySent <= 1, step + ": " + ackOnlySent + " ack-only packets");
            // The flush sends while the window has room: the last packet may overshoot it, and a probe ignores it.
            final long window = Math.max(windowBeforeOp, null == before ? 0 : before.stats().windowBytes());
            assertTrue(elicitingDataBytes <= window + 2L * MAX_DATAGRAM,
                step + ": " + elicitingDataBytes + " B of DATA in a " + window + " B window");

            final ServerSession live = sessions.session(client.sessionId());
            final SessionRegistry registry = server.registry();
            final int count = sessions.sessionCount();
            assertTrue(count <= 1, step + ": one token, " + count + " sessions");
            assertEquals(count, registry.sessionCount(), step);
            assertEquals(count, registry.clientCount(), step);
            final int connecting = null != live && SessionState.CONNECTING == live.state() ? 1 : 0;
            assertEquals(connecting, registry.pendingCount(), step);
            assertTrue(count == 0 || null != live, step + ": the client knows its session");
            assertTrue(registry.usedTokenCount() <= 1, step);
        }

        private void checkSent(final String step, final byte[] bytes, final InetSocketAddress to)
        {
            assertTrue(bytes.length <= MAX_DATAGRAM, step + ": " + bytes.length + " B");
            final int type = ServerTestFixtures.typeOf(bytes);
            if (type == PacketType.DENIED.code())
            {
                assertEquals(HandshakeDescriptor.DENIED_LENGTH, bytes.length, step);
                assertEquals(0, ServerTestFixtures.sessionIdOf(bytes), step);
                controlSent++;
            }
            else
            {
                assertTrue(bytes.length >= ProtectedPacketDescriptor.MIN_LENGTH, step);
                final int sessionId = ServerTestFixtures.sessionIdOf(bytes);
                assertTrue(type == PacketType.KEEPALIVE.code() || type == PacketType.DATA.code() ||
                    type == PacketType.DISCONNECT.code() || type == PacketType.PATH_CHALLENGE.code(), step);
                if (sessionId != client.sessionId() && type == PacketType.KEEPALIVE.code())
                {
                    // A new session for the same token: both directions start again from sequence 0.
                    client.resetProtectors();
                    client.sessionId(sessionId);
                    sessionIds.add(sessionId);
                }
                assertTrue(sessionIds.contains(sessionId), step + ": packet for session " + sessionId);
                final TestClient.Opened opened = client.open(bytes);
                assertTrue(opened.ok(), step + ": the client cannot open a " + type);
                if (type == PacketType.PATH_CHALLENGE.code())
                {
                    challengeData = opened.payload();
                }
                if (type == PacketType.DATA.code())
                {
                    checkBody(step, opened.payload(), bytes.length);
                }
                else
                {
                    controlSent++;
                }
            }
            if (!validated.contains(to))
            {
                final long out = bytesOutUnvalidated.merge(to, (long)bytes.length, Long::sum);
                final long in = bytesIn.getOrDefault(to, 0L);
                assertTrue(out <= in, step + ": " + out + " B sent to unvalidated " + to + ", " + in + " B received");
            }
        }

        private void checkBody(final String step, final byte[] body, final int datagramLength)
        {
            assertTrue(body.length <= config.channels().pathPayloadBytes(), step + ": " + body.length + " B body");
            final ByteBuf buffer = Unpooled.wrappedBuffer(body);
            boolean frames = false;
            try
            {
                final int channels = config.channels().channels().length;
                final int maxFragments = config.channels().reassemblyConfig().maxFragments();
                final int result = bodyDecoder.wrap(buffer, 0, body.length, channels, maxFragments);
                assertEquals(BodyDecoder.OK, result, step + ": the server sent a malformed body");
                while (bodyDecoder.nextFrame())
                {
                    frames = true;
                }
            }
            finally
            {
                buffer.release();
            }
            if (bodyDecoder.hasAck() && !frames)
            {
                ackOnlySent++;
            }
            else
            {
                elicitingDataBytes += datagramLength;
            }
        }

        Summary finish()
        {
            sessions.onClose();
            check("close");
            final SessionRegistry registry = server.registry();
            assertEquals(0, sessions.sessionCount());
            assertEquals(0, registry.sessionCount() + registry.pendingCount() + registry.clientCount());
            assertEquals(counters.get(Counter.SESSIONS_OPENED), listener.closed().size(), "one close per session");
            final List<DisconnectReason> reasons = new ArrayList<>();
            for (final RecordingListener.Closed closed : listener.closed())
            {
                reasons.add(closed.reason());
            }
            return new Summary(counters, reasons, maxMigrations, listener.payloadCount());
        }
    }
}
