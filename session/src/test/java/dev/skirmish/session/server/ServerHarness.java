package dev.skirmish.session.server;

import dev.skirmish.core.handoff.Handoff;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.transport.OutboundPacket;
import dev.skirmish.core.wire.HeaderCheck;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.core.worker.IoWakeup;
import dev.skirmish.core.worker.Outbound;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A session server without sockets, driven by the test thread in invoker style: one I/O thread's
 * {@link ServerHandshake} answering through {@link RecordingReplies}, the {@link ServerSessions} of every worker
 * sending through a real {@link Outbound} over a {@link Handoff}, virtual clocks, and a {@link #route} that does what
 * the I/O thread does with a received datagram (header check, gate for handshake types, else session id mod workers).
 *
 * <p>Every datagram is delivered like a received one, a slice ending with the datagram (a read past its end throws),
 * here at a non-zero reader index, so absolute-offset and unchecked-length mistakes show.
 * {@link #drain()} copies what the workers sent and returns the envelopes to their pools, as the I/O thread does
 * after writing. {@link #close()} drains and releases everything.
 */
public final class ServerHarness implements AutoCloseable
{
    /** Returned by {@link #route} when core's header check drops the datagram. */
    public static final int DROPPED = -2;
    /** I/O thread index used for everything (one socket). */
    public static final int IO_THREAD = 0;
    private static final int READER_OFFSET = 7;
    private static final int OUTBOUND_CAPACITY = 256;

    /** A datagram a worker queued for sending. */
    public record Sent(int worker, InetSocketAddress recipient, byte[] bytes)
    {
        /**
         * @return its type code.
         */
        public int type()
        {
            return ServerTestFixtures.typeOf(bytes);
        }

        /**
         * @return its session id.
         */
        public int sessionId()
        {
            return ServerTestFixtures.sessionIdOf(bytes);
        }

        @Override
        public String toString()
        {
            return "Sent{worker=" + worker + ", to=" + recipient + ", type=" + type() + ", length=" + bytes.length +
                '}';
        }
    }

    private final CachedNanoClock nanoClock = new CachedNanoClock();
    private final CachedEpochClock epochClock = new CachedEpochClock();
    private final SessionServerConfig config;
    private final SessionServer server;
    private final int workers;
    private final CounterSet ioCounters = new CounterSet("io-0");
    private final CounterSet[] workerCounters;
    private final Handoff handoff;
    private final Outbound[] outbound;
    private final ServerSessions[] sessions;
    private final ServerHandshake gate;
    private final RecordingReplies replies = new RecordingReplies(ServerTestFixtures.MAX_DATAGRAM_LENGTH);
    private final RecordingListener listener = new RecordingListener();
    private final ConnectTokenGenerator tokens;
    private final ByteBuf inbound = Unpooled.buffer(READER_OFFSET + ServerTestFixtures.MAX_DATAGRAM_LENGTH + 64);
    private ByteBuf view = Unpooled.EMPTY_BUFFER;

    /**
     * @param config  settings; the test key and {@link ServerTestFixtures#SERVER} unless overridden.
     * @param workers number of workers.
     * @param seed    of the token generator.
     */
    public ServerHarness(final SessionServerConfig config, final int workers, final long seed)
    {
        nanoClock.update(ServerTestFixtures.START_NS);
        epochClock.update(ServerTestFixtures.START_MS);
        this.config = config;
        this.workers = workers;
        this.server = ServerTestFixtures.newServer(config, workers);
        this.handoff = new Handoff(1, workers, 64, OUTBOUND_CAPACITY, ServerTestFixtures.MAX_DATAGRAM_LENGTH);
        this.workerCounters = new CounterSet[workers];
        this.outbound = new Outbound[workers];
        this.sessions = new ServerSessions[workers];
        for (int w = 0; w < workers; w++)
        {
            workerCounters[w] = new CounterSet("worker-" + w);
            outbound[w] = new Outbound(w, handoff, workerCounters[w], new IoWakeup[]{() -> false});
            sessions[w] = ServerTestFixtures.newSessions(
                server, w, workers, outbound[w], workerCounters[w], epochClock, listener);
        }
        this.gate = ServerTestFixtures.newGate(server, ioCounters, workers, nanoClock, epochClock);
        this.tokens = ServerTestFixtures.tokenGenerator(epochClock, seed);
    }

    /**
     * @return a harness with {@link ServerTestFixtures#config()} and one worker.
     */
    public static ServerHarness oneWorker(final long seed)
    {
        return new ServerHarness(ServerTestFixtures.config(), 1, seed);
    }

    /**
     * @return the concluded settings.
     */
    public SessionServerConfig config()
    {
        return config;
    }

    /**
     * @return the server (registry, secrets, public addresses).
     */
    public SessionServer server()
    {
        return server;
    }

    /**
     * @return the shared session bookkeeping.
     */
    public SessionRegistry registry()
    {
        return server.registry();
    }

    /**
     * @return the gate of I/O thread 0.
     */
    public ServerHandshake gate()
    {
        return gate;
    }

    /**
     * @return that worker's sessions.
     */
    public ServerSessions sessions(final int worker)
    {
        return sessions[worker];
    }

    /**
     * @return what the gate answered.
     */
    public RecordingReplies replies()
    {
        return replies;
    }

    /**
     * @return the game's listener of every worker.
     */
    public RecordingListener listener()
    {
        return listener;
    }

    /**
     * @return the counters of I/O thread 0.
     */
    public CounterSet ioCounters()
    {
        return ioCounters;
    }

    /**
     * @return the workers' and the gate's nano clock.
     */
    public CachedNanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * @return the server's epoch clock (tokens, cookies).
     */
    public CachedEpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * @return the combined value of a counter over the I/O thread and every worker.
     */
    public long counter(final Counter counter)
    {
        long sum = ioCounters.get(counter);
        for (final CounterSet set : workerCounters)
        {
            sum += set.get(counter);
        }
        return sum;
    }

    /**
     * @return a new token for {@link ServerTestFixtures#SERVER}, created at the epoch clock's time.
     */
    public ConnectToken newToken(final long clientId, final long roomId)
    {
        return ServerTestFixtures.token(tokens, clientId, roomId);
    }

    /**
     * @return a new token naming the given servers, created at the epoch clock's time.
     */
    public ConnectToken newTokenFor(final long clientId, final long roomId, final List<InetSocketAddress> servers)
    {
        return tokens.generate(clientId, roomId, servers, ServerTestFixtures.TIMEOUT_SECONDS,
            ServerTestFixtures.TOKEN_LIFETIME_MS, null);
    }

    /**
     * @return a client holding a new token, at {@code address}.
     */
    public TestClient newClient(final long clientId, final long roomId, final InetSocketAddress address)
    {
        return new TestClient(config.aeadSuite(), newToken(clientId, roomId), address);
    }

    /**
     * Hand a handshake datagram to the gate as the I/O thread does, checking the anti-amplification rule.
     *
     * @return what the gate returned: a worker or {@link HandshakeGate#CONSUMED}.
     */
    public int gate(final byte[] datagram, final InetSocketAddress from)
    {
        return gate(gate, datagram, from);
    }

    /**
     * Like {@link #gate(byte[], InetSocketAddress)} through another gate of the same server (another I/O thread).
     */
    public int gate(final HandshakeGate gate, final byte[] datagram, final InetSocketAddress from)
    {
        load(datagram);
        replies.beginCall();
        final int result = gate.onHandshake(view, from, replies);
        if (replies.callBytes() > datagram.length)
        {
            throw new AssertionError("amplification: " + replies.callBytes() + " B answered " + datagram.length +
                " B from " + from);
        }
        if (HandshakeGate.CONSUMED != result && (result < 0 || result >= workers))
        {
            throw new AssertionError("gate returned worker " + result + " of " + workers);
        }
        return result;
    }

    /**
     * Send a connect request for the client's token and return the cookie of the one CHALLENGE it must get.
     */
    public byte[] cookieFor(final TestClient client)
    {
        final int result = gate(client.connectRequest(), client.address());
        if (HandshakeGate.CONSUMED != result || replies.lastCall().size() != 1 ||
            ServerTestFixtures.typeOf(replies.lastCall().get(0)) != PacketType.CHALLENGE.code())
        {
            throw new AssertionError("no challenge for " + client.address() + ": result " + result + ", " +
                replies.lastCall().size() + " replies");
        }
        return ServerTestFixtures.cookieOf(replies.lastCall().get(0));
    }

    /**
     * What the I/O thread does with a received datagram: header check, then the gate for handshake types (routing
     * what it returns) or session id mod workers, then the worker's {@code onDatagram}.
     *
     * @return the worker it went to, {@link HandshakeGate#CONSUMED} or {@link #DROPPED}.
     */
    public int route(final byte[] datagram, final InetSocketAddress from)
    {
        load(datagram);
        if (HeaderCheck.VALID != HeaderCheck.validate(view, ServerTestFixtures.MAX_DATAGRAM_LENGTH))
        {
            return DROPPED;
        }
        final int type = view.getUnsignedByte(view.readerIndex() + PacketHeader.TYPE_OFFSET);
        final int worker;
        if (type >= PacketType.CONNECT_REQUEST.code() && type <= PacketType.DENIED.code())
        {
            worker = gate(datagram, from);
            if (HandshakeGate.CONSUMED == worker)
            {
                return worker;
            }
            final byte[] after = new byte[view.readableBytes()];
            view.getBytes(view.readerIndex(), after);
            if (!Arrays.equals(datagram, after))
            {
                throw new AssertionError("the gate modified a datagram it routed");
            }
        }
        else
        {
            worker = Integer.remainderUnsigned(PacketHeader.sessionId(view), workers);
        }
        deliverLoaded(worker, from);
        return worker;
    }

    /**
     * Hand a datagram straight to a worker (bypassing the gate), as a routed datagram.
     */
    public void deliver(final int worker, final byte[] datagram, final InetSocketAddress from)
    {
        load(datagram);
        deliverLoaded(worker, from);
    }

    private void deliverLoaded(final int worker, final InetSocketAddress from)
    {
        sessions[worker].onDatagram(IO_THREAD, view, from, nanoClock.nanoTime());
        outbound[worker].abort();
    }

    /**
     * Like a received datagram: a slice whose capacity ends with the datagram (reads past it throw), here with the
     * datagram at a non-zero reader index.
     */
    private void load(final byte[] datagram)
    {
        inbound.clear();
        inbound.writeZero(READER_OFFSET);
        inbound.writeBytes(datagram);
        view = inbound.slice(0, READER_OFFSET + datagram.length);
        view.readerIndex(READER_OFFSET);
    }

    /**
     * One duty cycle of every worker after the inbound queues: channel timers, lifecycle tick, listener, then the
     * flush of every session that received, queued or timed out (its messages and due acks), and wake-ups. A
     * {@link ServerSession#send} only queues: its message leaves here.
     *
     * @return work done.
     */
    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        int work = 0;
        for (int w = 0; w < workers; w++)
        {
            work += sessions[w].doWork(nowNs);
            outbound[w].flushWakeups();
        }
        return work;
    }

    /**
     * @param deltaNs time to add to the nano clock.
     */
    public void advanceNs(final long deltaNs)
    {
        nanoClock.advance(deltaNs);
    }

    /**
     * @return everything the workers queued since the last drain, envelopes returned to their pools.
     */
    public List<Sent> drain()
    {
        final List<Sent> sent = new ArrayList<>();
        for (int w = 0; w < workers; w++)
        {
            OutboundPacket packet;
            while (null != (packet = handoff.outbound(w, IO_THREAD).relaxedPoll()))
            {
                final ByteBuf content = packet.content();
                final byte[] bytes = new byte[content.readableBytes()];
                content.getBytes(content.readerIndex(), bytes);
                final InetSocketAddress recipient = packet.recipient();
                packet.release();
                if (bytes.length > ServerTestFixtures.MAX_DATAGRAM_LENGTH)
                {
                    throw new AssertionError("datagram of " + bytes.length + " B queued");
                }
                sent.add(new Sent(w, recipient, bytes));
            }
        }
        return sent;
    }

    /**
     * Full handshake: connect request, challenge, challenge response routed to the worker, which must answer with
     * one KEEPALIVE that the client opens to learn its session id. The session is CONNECTING afterwards.
     */
    public TestClient connect(final long clientId, final long roomId, final InetSocketAddress address)
    {
        final TestClient client = newClient(clientId, roomId, address);
        connect(client);
        return client;
    }

    /**
     * Full handshake for an existing client (see {@link #connect(long, long, InetSocketAddress)}).
     */
    public void connect(final TestClient client)
    {
        final byte[] cookie = cookieFor(client);
        final int worker = route(client.challengeResponse(cookie), client.address());
        if (worker < 0)
        {
            throw new AssertionError("challenge response not routed: " + worker);
        }
        final List<Sent> sent = drain();
        if (sent.size() != 1 || sent.get(0).type() != PacketType.KEEPALIVE.code() ||
            !sent.get(0).recipient().equals(client.address()))
        {
            throw new AssertionError("expected one KEEPALIVE to " + client.address() + ", got " + sent);
        }
        final TestClient.Opened opened = client.open(sent.get(0).bytes());
        if (!opened.ok() || 0 == opened.sessionId())
        {
            throw new AssertionError("keepalive did not open: " + opened);
        }
        client.sessionId(opened.sessionId());
    }

    /**
     * Seal a packet as the client and route it from the client's address.
     *
     * @return the sealed datagram, for replays.
     */
    public byte[] send(final TestClient client, final PacketType type, final byte[] payload)
    {
        final byte[] datagram = client.seal(type, payload);
        route(datagram, client.address());
        return datagram;
    }

    /**
     * @return the worker that owns a session id.
     */
    public int workerOf(final int sessionId)
    {
        return Integer.remainderUnsigned(sessionId, workers);
    }

    /**
     * @return the server's session of a client, or null.
     */
    public ServerSession session(final TestClient client)
    {
        return sessions[workerOf(client.sessionId())].session(client.sessionId());
    }

    /**
     * @return live sessions over all workers.
     */
    public int sessionCount()
    {
        int count = 0;
        for (final ServerSessions s : sessions)
        {
            count += s.sessionCount();
        }
        return count;
    }

    /**
     * @return a description of the registry, for assertion messages.
     */
    public String registryState()
    {
        final SessionRegistry registry = server.registry();
        return "sessions=" + registry.sessionCount() + " pending=" + registry.pendingCount() + " clients=" +
            registry.clientCount() + " usedTokens=" + registry.usedTokenCount();
    }

    @Override
    public void close()
    {
        drain();
        replies.close();
        if (inbound.refCnt() > 0)
        {
            inbound.release();
        }
    }
}
