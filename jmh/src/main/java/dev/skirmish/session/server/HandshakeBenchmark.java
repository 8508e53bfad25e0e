package dev.skirmish.session.server;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.NanoClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The server's stateless handshake per datagram, on one I/O thread's {@link ServerHandshake} (the
 * {@link HandshakeGate} the I/O thread calls), with everything preallocated: the datagrams are pooled direct buffers
 * received once and handed in again and again (the gate never moves their indices), replies go into one reused
 * buffer with the I/O thread's anti-amplification check, and time is fixed ({@link CachedEpochClock}), so tokens
 * and cookies stay valid for the whole run. What one operation is:
 * <ul>
 *   <li>{@link #connectRequest}: a valid CONNECT_REQUEST (1200 B) → token decrypted (ChaCha20-Poly1305, 1008 B),
 *   address, client and used-token checks → CHALLENGE (49 B) with a fresh cookie (case a);</li>
 *   <li>{@link #challengeResponse}: a valid CHALLENGE_RESPONSE → cookie verified, token decrypted again, address
 *   checked → routed to the worker that owns the token's room (case b; the worker's allocation is not included);</li>
 *   <li>{@link #forgedConnectRequest}: a CONNECT_REQUEST whose public fields are right (version, protocol id,
 *   unexpired) and whose sealed part is random → a full decryption attempt, rejected (case c, the attacker's best
 *   price per datagram when not under load);</li>
 *   <li>{@link #garbageConnectRequest}: a CONNECT_REQUEST of the right size holding random bytes → rejected at the
 *   version check, before any crypto (case c, the cheap end);</li>
 *   <li>{@link #connectRequestUnderLoad}: the valid CONNECT_REQUEST while under handshake load
 *   ({@code handshakeLoadThresholdPerSecond(0)}) → per-source rate limiter, then CHALLENGE without decrypting the
 *   token (case d);</li>
 *   <li>{@link #connectRequestRateLimited}: under load, a source over its budget → dropped by the limiter, before
 *   anything else (what a flood from one address costs).</li>
 * </ul>
 * Outside load the normal-path states set the load threshold to {@link Long#MAX_VALUE}, so the detector never
 * engages whatever the rate. Each state checks the outcome of one operation in its setup and the counters at the end
 * of each iteration, so a benchmark that silently took another path fails. Run with {@code -prof gc}: the figure
 * that matters besides ns/op is {@code gc.alloc.rate.norm}, B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms512m", "-Xmx512m"})
public class HandshakeBenchmark
{
    static final int MAX_DATAGRAM = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
    static final int WORKERS = 4;
    static final long CLIENT_ID = 42;
    static final long ROOM_ID = 7;
    /** Fixed server time, epoch ms: tokens are created here and never expire during a run. */
    static final long NOW_MS = 1_750_000_000_000L;
    static final long TOKEN_LIFETIME_MS = TimeUnit.HOURS.toMillis(1);
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 7777);
    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50_000);

    /**
     * One I/O thread's gate of a server with default settings except the load threshold, and the datagrams of a
     * client with a valid token: connect request, challenge response (with a cookie the gate issued), a forged and
     * a garbage connect request.
     */
    @State(Scope.Thread)
    public static class Gate
    {
        final CachedEpochClock epochClock = new CachedEpochClock();
        final CounterSet counters = new CounterSet("io-0");
        final Replies replies = new Replies();
        ServerHandshake handshake;
        ByteBuf connectRequest;
        ByteBuf challengeResponse;
        ByteBuf forgedRequest;
        ByteBuf garbageRequest;
        byte[] serverPart;

        /**
         * The session settings of this state.
         *
         * @return a config, not concluded.
         */
        SessionServerConfig config()
        {
            return new SessionServerConfig().handshakeLoadThresholdPerSecond(Long.MAX_VALUE);
        }

        /**
         * The I/O thread's monotonic clock of this state.
         *
         * @return the clock.
         */
        NanoClock nanoClock()
        {
            return new CachedNanoClock();
        }

        /**
         * Build the gate and the datagrams, and check each datagram's outcome once.
         */
        @Setup(Level.Trial)
        public void setup()
        {
            epochClock.update(NOW_MS);
            final SessionServerConfig config = config().conclude();
            final SessionServer server = new SessionServer(config, WORKERS);
            server.publicAddresses(List.of(SERVER));
            handshake = server.newHandshake(counters, WORKERS, nanoClock(), epochClock);

            final ConnectToken token = new ConnectTokenGenerator(
                TokenKey.DEVELOPMENT, config.protocolId(), epochClock, new SecureRandom())
                .generate(CLIENT_ID, ROOM_ID, List.of(SERVER), 5, TOKEN_LIFETIME_MS, null);
            serverPart = new byte[ConnectTokenDescriptor.SERVER_PART_LENGTH];
            token.getServerPart(serverPart, 0);

            connectRequest = datagram(PacketType.CONNECT_REQUEST);
            connectRequest.setBytes(HandshakeDescriptor.REQUEST_TOKEN_OFFSET, serverPart);

            final Random random = new Random(1);
            final byte[] forgedPart = serverPart.clone();
            final byte[] noise = new byte[ConnectTokenDescriptor.SEALED_LENGTH];
            random.nextBytes(noise);
            System.arraycopy(noise, 0, forgedPart, ConnectTokenDescriptor.SEALED_OFFSET, noise.length);
            forgedRequest = datagram(PacketType.CONNECT_REQUEST);
            forgedRequest.setBytes(HandshakeDescriptor.REQUEST_TOKEN_OFFSET, forgedPart);

            final byte[] garbage = new byte[HandshakeDescriptor.CONNECT_REQUEST_LENGTH - PacketHeader.LENGTH];
            random.nextBytes(garbage);
            garbageRequest = datagram(PacketType.CONNECT_REQUEST);
            garbageRequest.setBytes(PacketHeader.LENGTH, garbage);

            expectReply(connectRequest, PacketType.CHALLENGE, "connect request");
            final byte[] cookie = new byte[ChallengeCookieDescriptor.COOKIE_LENGTH];
            replies.buffer.getBytes(HandshakeDescriptor.CHALLENGE_COOKIE_OFFSET, cookie);
            challengeResponse = datagram(PacketType.CHALLENGE_RESPONSE);
            challengeResponse.setBytes(HandshakeDescriptor.RESPONSE_COOKIE_OFFSET, cookie);
            challengeResponse.setBytes(HandshakeDescriptor.RESPONSE_TOKEN_OFFSET, serverPart);
            checkOutcomes();
        }

        void checkOutcomes()
        {
            final int worker = handshake.onHandshake(challengeResponse, CLIENT, replies);
            if (SessionServer.workerForRoom(ROOM_ID, WORKERS) != worker)
            {
                throw new IllegalStateException(
                    "challenge response routed to " + worker + ", counters " + describe(counters));
            }
            expectDropped(forgedRequest, Counter.TOKEN_DECRYPT_FAILED, "forged connect request");
            expectDropped(garbageRequest, Counter.TOKEN_BAD_VERSION, "garbage connect request");
        }

        void expectReply(final ByteBuf request, final PacketType type, final String what)
        {
            final long sent = replies.sent;
            final int result = handshake.onHandshake(request, CLIENT, replies);
            if (HandshakeGate.CONSUMED != result || replies.sent != sent + 1 ||
                PacketHeader.typeCode(replies.buffer) != type.code())
            {
                throw new IllegalStateException(
                    what + ": expected a " + type + " reply, counters " + describe(counters));
            }
        }

        void expectDropped(final ByteBuf request, final Counter counter, final String what)
        {
            final long before = counters.get(counter);
            final long sent = replies.sent;
            final int result = handshake.onHandshake(request, CLIENT, replies);
            if (HandshakeGate.CONSUMED != result || counters.get(counter) != before + 1 || replies.sent != sent)
            {
                throw new IllegalStateException(what + ": expected a silent drop counted as " + counter +
                    ", counters " + describe(counters));
            }
        }

        /**
         * After each iteration: every operation took its intended path (the counters of other outcomes stay 0).
         */
        @TearDown(Level.Iteration)
        public void checkCounters()
        {
            for (final Counter counter : new Counter[]{Counter.TOKEN_EXPIRED, Counter.TOKEN_WRONG_SERVER,
                Counter.TOKEN_CLIENT_CONNECTED, Counter.TOKEN_REUSED, Counter.DENIED_SERVER_FULL,
                Counter.COOKIE_EXPIRED, Counter.COOKIE_INVALID, Counter.HANDSHAKE_BAD_SIZE,
                Counter.HANDSHAKE_WRONG_DIRECTION, Counter.AMPLIFICATION_LIMITED})
            {
                if (0 != counters.get(counter))
                {
                    throw new IllegalStateException(counter + " = " + counters.get(counter));
                }
            }
        }

        /**
         * Return the buffers to the pool.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            connectRequest.release();
            challengeResponse.release();
            forgedRequest.release();
            garbageRequest.release();
            replies.buffer.release();
        }
    }

    /**
     * The same gate under handshake load ({@code handshakeLoadThresholdPerSecond(0)}: every packet counts as load).
     * The per-source limiter runs on every packet; its rate is raised to 10<sup>6</sup>/s and the I/O thread's clock
     * advances 1 µs per packet, so this one source always has budget and every request gets its challenge.
     */
    @State(Scope.Thread)
    public static class GateUnderLoad extends Gate
    {
        @Override
        SessionServerConfig config()
        {
            return new SessionServerConfig()
                .handshakeLoadThresholdPerSecond(0)
                .perSourceHandshakesPerSecond(1e6)
                .perSourceHandshakeBurst(40);
        }

        @Override
        NanoClock nanoClock()
        {
            return new StepNanoClock(TimeUnit.MICROSECONDS.toNanos(1));
        }

        @Override
        void checkOutcomes()
        {
            // The challenge was made without decrypting: nothing opened the token.
            if (0 != counters.get(Counter.TOKEN_DECRYPT_FAILED) || 0 != counters.get(Counter.TOKEN_BAD_VERSION) ||
                0 != counters.get(Counter.HANDSHAKE_RATE_LIMITED))
            {
                throw new IllegalStateException("under load: unexpected counters " + describe(counters));
            }
        }

        @Override
        public void checkCounters()
        {
            super.checkCounters();
            if (0 != counters.get(Counter.HANDSHAKE_RATE_LIMITED))
            {
                throw new IllegalStateException("rate limited " + counters.get(Counter.HANDSHAKE_RATE_LIMITED));
            }
        }
    }

    /**
     * Under load with a fixed clock: the source's burst is spent in setup, so every packet is dropped by the limiter.
     */
    @State(Scope.Thread)
    public static class GateRateLimited extends Gate
    {
        @Override
        SessionServerConfig config()
        {
            return new SessionServerConfig().handshakeLoadThresholdPerSecond(0);
        }

        @Override
        void checkOutcomes()
        {
            for (int i = 0; i <= new SessionServerConfig().perSourceHandshakeBurst(); i++)
            {
                handshake.onHandshake(connectRequest, CLIENT, replies);
            }
            expectDropped(connectRequest, Counter.HANDSHAKE_RATE_LIMITED, "connect request over budget");
        }
    }

    /**
     * A connect request answered with a challenge: the token is decrypted, nothing is stored.
     *
     * @param gate the I/O thread's gate and the datagram.
     * @return {@link HandshakeGate#CONSUMED}.
     */
    @Benchmark
    public int connectRequest(final Gate gate)
    {
        return gate.handshake.onHandshake(gate.connectRequest, CLIENT, gate.replies);
    }

    /**
     * A challenge response: cookie verified, token decrypted, routed to its room's worker.
     *
     * @param gate the I/O thread's gate and the datagram.
     * @return the worker index.
     */
    @Benchmark
    public int challengeResponse(final Gate gate)
    {
        return gate.handshake.onHandshake(gate.challengeResponse, CLIENT, gate.replies);
    }

    /**
     * A connect request with plausible public fields and a random sealed part: decryption fails, dropped silently.
     *
     * @param gate the I/O thread's gate and the datagram.
     * @return {@link HandshakeGate#CONSUMED}.
     */
    @Benchmark
    public int forgedConnectRequest(final Gate gate)
    {
        return gate.handshake.onHandshake(gate.forgedRequest, CLIENT, gate.replies);
    }

    /**
     * A connect request of the right size full of random bytes: dropped at the token's version check.
     *
     * @param gate the I/O thread's gate and the datagram.
     * @return {@link HandshakeGate#CONSUMED}.
     */
    @Benchmark
    public int garbageConnectRequest(final Gate gate)
    {
        return gate.handshake.onHandshake(gate.garbageRequest, CLIENT, gate.replies);
    }

    /**
     * Under load: rate limiter, then a challenge without decrypting the token.
     *
     * @param gate the gate under load and the datagram.
     * @return {@link HandshakeGate#CONSUMED}.
     */
    @Benchmark
    public int connectRequestUnderLoad(final GateUnderLoad gate)
    {
        return gate.handshake.onHandshake(gate.connectRequest, CLIENT, gate.replies);
    }

    /**
     * Under load, a source over its budget: dropped by the rate limiter.
     *
     * @param gate the gate under load and the datagram.
     * @return {@link HandshakeGate#CONSUMED}.
     */
    @Benchmark
    public int connectRequestRateLimited(final GateRateLimited gate)
    {
        return gate.handshake.onHandshake(gate.connectRequest, CLIENT, gate.replies);
    }

    static String describe(final CounterSet counters)
    {
        final StringBuilder sb = new StringBuilder("{");
        for (final Counter counter : Counter.values())
        {
            if (0 != counters.get(counter))
            {
                sb.append(sb.length() == 1 ? "" : ", ")
                    .append(counter.label()).append('=').append(counters.get(counter));
            }
        }
        return sb.append('}').toString();
    }

    static ByteBuf datagram(final PacketType type)
    {
        final ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(
            HandshakeDescriptor.CONNECT_REQUEST_LENGTH, HandshakeDescriptor.CONNECT_REQUEST_LENGTH);
        PacketHeader.write(buffer, type, 0);
        buffer.writeZero(HandshakeDescriptor.CONNECT_REQUEST_LENGTH - PacketHeader.LENGTH);
        return buffer;
    }

    /**
     * The I/O thread's side of a reply, preallocated: one buffer, and the anti-amplification check (a reply may be
     * no longer than the 1200-byte request it answers).
     */
    static final class Replies implements HandshakeGate.Replies
    {
        final ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(MAX_DATAGRAM, MAX_DATAGRAM);
        long sent;

        @Override
        public ByteBuf claim()
        {
            return buffer.clear();
        }

        @Override
        public boolean send()
        {
            if (buffer.readableBytes() > HandshakeDescriptor.CONNECT_REQUEST_LENGTH)
            {
                return false;
            }
            sent++;
            return true;
        }
    }

    /**
     * A monotonic clock that advances a fixed step every time it is read.
     */
    static final class StepNanoClock implements NanoClock
    {
        private final long stepNs;
        private long nowNs;

        StepNanoClock(final long stepNs)
        {
            this.stepNs = stepNs;
        }

        @Override
        public long nanoTime()
        {
            nowNs += stepNs;
            return nowNs;
        }
    }
}
