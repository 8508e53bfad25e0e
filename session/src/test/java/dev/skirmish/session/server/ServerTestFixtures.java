package dev.skirmish.session.server;

import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.core.worker.Outbound;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.test.TestBytes;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Fixed inputs of the server tests and the fuzz targets: key, server address, start time, deterministic token
 * generators, handshake datagram builders, and public entry points to the package-private constructors of the
 * server classes (so that the fuzz package can build a gate or a worker's sessions without sockets).
 */
public final class ServerTestFixtures
{
    /** Server epoch clock at the start of every test, a multiple of the cookie tick (100 ms). */
    public static final long START_MS = 1_700_000_000_000L;
    /** Server nano clock at the start of every test (not 0, to catch "0 means unset" mistakes). */
    public static final long START_NS = 1_000_000_000L;
    public static final long PROTOCOL_ID = SessionServerConfig.PROTOCOL_ID_DEFAULT;
    public static final TokenKey KEY = TokenKey.fromBytes(TestBytes.sequence(0x20, TokenKey.LENGTH));
    /** The one public address of the server under test. */
    public static final InetSocketAddress SERVER = TestBytes.address("192.0.2.10", 40_000);
    /** Same host, another port: tokens naming only this one are for another server. */
    public static final InetSocketAddress OTHER_SERVER = TestBytes.address("192.0.2.10", 40_001);
    public static final int MAX_DATAGRAM_LENGTH = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
    public static final int TIMEOUT_SECONDS = 5;
    public static final long TOKEN_LIFETIME_MS = 30_000;
    /** Handshake load threshold that is never reached: the gate always decrypts. */
    public static final long NEVER_UNDER_LOAD = 1_000_000_000L;

    private ServerTestFixtures()
    {
    }

    /**
     * @return a config for the test key and {@link #SERVER}, never under handshake load, not concluded.
     */
    public static SessionServerConfig config()
    {
        return new SessionServerConfig()
            .tokenKey(KEY)
            .protocolId(PROTOCOL_ID)
            .publicAddresses(List.of(SERVER))
            .handshakeLoadThresholdPerSecond(NEVER_UNDER_LOAD);
    }

    /**
     * A server without a node: registry, secrets and public addresses only.
     *
     * @param config  settings (concluded here if not yet).
     * @param workers number of workers.
     * @return the server.
     */
    public static SessionServer newServer(final SessionServerConfig config, final int workers)
    {
        final SessionServer server = new SessionServer(config, workers);
        server.publicAddresses(config.publicAddresses().isEmpty() ? List.of(SERVER) : config.publicAddresses());
        return server;
    }

    /**
     * @return a gate of one I/O thread of {@code server}.
     */
    public static ServerHandshake newGate(
        final SessionServer server,
        final CounterSet counters,
        final int workers,
        final NanoClock nanoClock,
        final EpochClock epochClock)
    {
        return server.newHandshake(counters, workers, nanoClock, epochClock);
    }

    /**
     * @return the sessions of one worker of {@code server}, sending through {@code outbound}.
     */
    public static ServerSessions newSessions(
        final SessionServer server,
        final int worker,
        final int workers,
        final Outbound outbound,
        final CounterSet counters,
        final EpochClock epochClock,
        final SessionListener listener)
    {
        return server.newSessions(
            worker, workers, outbound, counters, epochClock, MAX_DATAGRAM_LENGTH, (w, sessions) -> listener);
    }

    /**
     * @param clock source of the tokens' create time (the server's epoch clock in tests).
     * @param seed  of the deterministic nonces and session keys.
     * @return a generator for the test key and protocol id.
     */
    public static ConnectTokenGenerator tokenGenerator(final EpochClock clock, final long seed)
    {
        return tokenGenerator(KEY, PROTOCOL_ID, clock, seed);
    }

    /**
     * @return a generator with any key and protocol id, deterministic for a seed.
     */
    public static ConnectTokenGenerator tokenGenerator(
        final TokenKey key, final long protocolId, final EpochClock clock, final long seed)
    {
        return new ConnectTokenGenerator(key, protocolId, clock, deterministicRandom(seed));
    }

    /**
     * @return a token for {@link #SERVER}, {@link #TIMEOUT_SECONDS} idle timeout, {@link #TOKEN_LIFETIME_MS}.
     */
    public static ConnectToken token(final ConnectTokenGenerator generator, final long clientId, final long roomId)
    {
        return generator.generate(clientId, roomId, List.of(SERVER), TIMEOUT_SECONDS, TOKEN_LIFETIME_MS, null);
    }

    static SecureRandom deterministicRandom(final long seed)
    {
        try
        {
            // SHA1PRNG seeded before first use is deterministic: the same tokens every run.
            final SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new AssertionError(ex);
        }
    }

    /**
     * @return the {@value ConnectTokenDescriptor#SERVER_PART_LENGTH}-byte server part of a token.
     */
    public static byte[] serverPart(final ConnectToken token)
    {
        final byte[] serverPart = new byte[ConnectTokenDescriptor.SERVER_PART_LENGTH];
        token.getServerPart(serverPart, 0);
        return serverPart;
    }

    /**
     * @return the token's tag: the last 16 bytes of its server part.
     */
    public static byte[] tag(final byte[] serverPart)
    {
        return Arrays.copyOfRange(serverPart, HandshakeDescriptor.TAG_IN_SERVER_PART_OFFSET, serverPart.length);
    }

    /**
     * @return a zeroed datagram of {@code length} bytes starting with a valid header.
     */
    public static byte[] datagram(final PacketType type, final int sessionId, final int length)
    {
        final byte[] bytes = new byte[length];
        writeHeader(bytes, type.code(), sessionId);
        return bytes;
    }

    /**
     * Write a fixed header with any type code into bytes 0..7.
     */
    public static void writeHeader(final byte[] bytes, final int typeCode, final int sessionId)
    {
        bytes[0] = (byte)PacketHeader.MAGIC;
        bytes[1] = (byte)(PacketHeader.MAGIC >>> 8);
        bytes[2] = (byte)PacketHeader.VERSION;
        bytes[3] = (byte)typeCode;
        for (int i = 0; i < Integer.BYTES; i++)
        {
            bytes[PacketHeader.SESSION_ID_OFFSET + i] = (byte)(sessionId >>> (8 * i));
        }
    }

    /**
     * @return a {@value HandshakeDescriptor#CONNECT_REQUEST_LENGTH}-byte connect request carrying the server part.
     */
    public static byte[] connectRequest(final byte[] serverPart)
    {
        final byte[] request = datagram(PacketType.CONNECT_REQUEST, 0, HandshakeDescriptor.CONNECT_REQUEST_LENGTH);
        System.arraycopy(serverPart, 0, request, HandshakeDescriptor.REQUEST_TOKEN_OFFSET, serverPart.length);
        return request;
    }

    /**
     * @return a {@value HandshakeDescriptor#CHALLENGE_RESPONSE_LENGTH}-byte challenge response.
     */
    public static byte[] challengeResponse(final byte[] cookie, final byte[] serverPart)
    {
        final byte[] response =
            datagram(PacketType.CHALLENGE_RESPONSE, 0, HandshakeDescriptor.CHALLENGE_RESPONSE_LENGTH);
        System.arraycopy(cookie, 0, response, HandshakeDescriptor.RESPONSE_COOKIE_OFFSET, cookie.length);
        System.arraycopy(serverPart, 0, response, HandshakeDescriptor.RESPONSE_TOKEN_OFFSET, serverPart.length);
        return response;
    }

    /**
     * @return the cookie of a CHALLENGE packet.
     */
    public static byte[] cookieOf(final byte[] challenge)
    {
        return Arrays.copyOfRange(challenge, HandshakeDescriptor.CHALLENGE_COOKIE_OFFSET,
            HandshakeDescriptor.CHALLENGE_COOKIE_OFFSET + ChallengeCookieDescriptor.COOKIE_LENGTH);
    }

    /**
     * @return the token tag echoed in a CHALLENGE or DENIED packet.
     */
    public static byte[] tagOf(final byte[] challengeOrDenied)
    {
        return Arrays.copyOfRange(challengeOrDenied, HandshakeDescriptor.CHALLENGE_TAG_OFFSET,
            HandshakeDescriptor.CHALLENGE_TAG_OFFSET + HandshakeDescriptor.TOKEN_TAG_LENGTH);
    }

    /**
     * @return type code of a datagram.
     */
    public static int typeOf(final byte[] datagram)
    {
        return datagram[PacketHeader.TYPE_OFFSET] & 0xFF;
    }

    /**
     * @return session id of a datagram.
     */
    public static int sessionIdOf(final byte[] datagram)
    {
        int id = 0;
        for (int i = Integer.BYTES - 1; i >= 0; i--)
        {
            id = id << 8 | (datagram[PacketHeader.SESSION_ID_OFFSET + i] & 0xFF);
        }
        return id;
    }

    /**
     * @return {@code a.b.c.d:port}, built from its bytes (no lookup).
     */
    public static InetSocketAddress ipv4(final int a, final int b, final int c, final int d, final int port)
    {
        try
        {
            return new InetSocketAddress(
                InetAddress.getByAddress(new byte[]{(byte)a, (byte)b, (byte)c, (byte)d}), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
