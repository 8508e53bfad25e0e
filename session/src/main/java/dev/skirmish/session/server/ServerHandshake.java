package dev.skirmish.session.server;

import dev.skirmish.core.admission.HandshakeLoadDetector;
import dev.skirmish.core.admission.SourceRateLimiter;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.ChallengeCheck;
import dev.skirmish.session.handshake.ChallengeCookie;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.ChallengeSecrets;
import dev.skirmish.session.handshake.DenyReason;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.token.ConnectTokenDecoder;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.TokenCheck;
import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static dev.skirmish.session.handshake.HandshakeDescriptor.CHALLENGE_RESPONSE_LENGTH;
import static dev.skirmish.session.handshake.HandshakeDescriptor.CONNECT_REQUEST_LENGTH;
import static dev.skirmish.session.handshake.HandshakeDescriptor.REQUEST_TOKEN_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.RESPONSE_COOKIE_OFFSET;
import static dev.skirmish.session.handshake.HandshakeDescriptor.RESPONSE_TOKEN_OFFSET;

/**
 * The stateless handshake steps of one I/O thread (PROTOCOL.md, "Validation order"). A connect request is checked
 * in full (size, token version and protocol id, expiry, decryption, this server's address, client id not connected,
 * token not used elsewhere, room for a session) and answered with a challenge cookie, storing nothing. A challenge
 * response is checked again (size, token, address, cookie) and routed to the worker that owns the token's room,
 * which allocates the session. Under handshake load a per-source-IP token bucket runs first, before any crypto.
 *
 * <p>Every reply is no longer than the datagram it answers (checked again by the I/O thread). Nothing here throws on
 * input from the network.
 *
 * <p>Not thread safe: one instance per I/O thread, called from that thread only.
 */
public final class ServerHandshake implements HandshakeGate
{
    /**
     * Client id bound into cookies. The token's tag (a MAC over the whole token, client id included) is bound too,
     * and is readable without decrypting, which lets a server under load challenge before any decryption.
     */
    static final long COOKIE_CLIENT_ID = 0;

    private final SessionServer server;
    private final CounterSet counters;
    private final int workers;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final ConnectTokenDecoder decoder;
    private final ChallengeSecrets secrets;
    private final ChallengeCookie cookie;
    private final HandshakeLoadDetector loadDetector;
    private final SourceRateLimiter rateLimiter;
    private final byte[] serverPart = new byte[ConnectTokenDescriptor.SERVER_PART_LENGTH];
    private final byte[] cookieBytes = new byte[ChallengeCookieDescriptor.COOKIE_LENGTH];
    private final byte[] tag = new byte[ConnectTokenDescriptor.TAG_LENGTH];
    private long secretGeneration;
    private long nextRotationMs;

    ServerHandshake(
        final SessionServer server,
        final CounterSet counters,
        final int workers,
        final NanoClock nanoClock,
        final EpochClock epochClock)
    {
        final SessionServerConfig config = server.config();
        this.server = server;
        this.counters = counters;
        this.workers = workers;
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        this.decoder = new ConnectTokenDecoder(config.tokenKey(), config.protocolId());
        this.secrets = server.secretSchedule().newSecrets();
        this.secretGeneration = server.secretSchedule().generation();
        this.cookie = new ChallengeCookie(secrets);
        this.loadDetector = new HandshakeLoadDetector(
            TimeUnit.SECONDS.toNanos(1), config.handshakeLoadThresholdPerSecond(), TimeUnit.SECONDS.toNanos(5));
        this.rateLimiter = new SourceRateLimiter(
            config.rateLimiterCapacity(), config.perSourceHandshakesPerSecond(), config.perSourceHandshakeBurst());
    }

    @Override
    public int onHandshake(final ByteBuf datagram, final InetSocketAddress sender, final Replies replies)
    {
        counters.increment(Counter.HANDSHAKE_PACKETS_IN);
        final int start = datagram.readerIndex();
        final int length = datagram.readableBytes();
        final int type = datagram.getUnsignedByte(start + PacketHeader.TYPE_OFFSET);
        if (type != PacketType.CONNECT_REQUEST.code() && type != PacketType.CHALLENGE_RESPONSE.code() ||
            PacketHeader.sessionId(datagram) != 0)
        {
            counters.increment(Counter.HANDSHAKE_WRONG_DIRECTION);
            return CONSUMED;
        }

        final long nowNs = nanoClock.nanoTime();
        final boolean underLoad = loadDetector.onHandshake(nowNs);
        if (underLoad && !rateLimiter.tryAcquire(sender, nowNs))
        {
            counters.increment(Counter.HANDSHAKE_RATE_LIMITED);
            return CONSUMED;
        }
        if (length != CONNECT_REQUEST_LENGTH)
        {
            // Both handshake packets from clients have this one size (CHALLENGE_RESPONSE_LENGTH is the same).
            counters.increment(Counter.HANDSHAKE_BAD_SIZE);
            return CONSUMED;
        }

        final long nowMs = epochClock.time();
        rotateSecretsIfDue(nowMs);
        return type == PacketType.CONNECT_REQUEST.code() ?
            onConnectRequest(datagram, start, sender, replies, nowMs, underLoad) :
            onChallengeResponse(datagram, start, sender, replies, nowMs);
    }

    @Override
    public void onQueuePressure()
    {
        loadDetector.signalLoad(nanoClock.nanoTime());
    }

    private int onConnectRequest(
        final ByteBuf datagram,
        final int start,
        final InetSocketAddress sender,
        final Replies replies,
        final long nowMs,
        final boolean underLoad)
    {
        if (underLoad)
        {
            // WireGuard's answer to a flood: prove the source address before spending a decryption on it. The
            // challenge binds the token's tag as sent; the response is checked in full, cookie first.
            datagram.getBytes(start + REQUEST_TOKEN_OFFSET + HandshakeDescriptor.TAG_IN_SERVER_PART_OFFSET, tag);
            sendChallenge(sender, replies, nowMs);
            return CONSUMED;
        }
        if (!openToken(datagram, start + REQUEST_TOKEN_OFFSET, nowMs))
        {
            return CONSUMED;
        }
        if (!server.isOwnAddress(decoder))
        {
            counters.increment(Counter.TOKEN_WRONG_SERVER);
            deny(replies, DenyReason.WRONG_SERVER);
            return CONSUMED;
        }
        if (server.isShuttingDown())
        {
            counters.increment(Counter.DENIED_SHUTTING_DOWN);
            deny(replies, DenyReason.SHUTTING_DOWN);
            return CONSUMED;
        }

        final SessionRegistry registry = server.registry();
        final long tagHigh = TokenTags.high(tag);
        final long tagLow = TokenTags.low(tag);
        final SessionRegistry.ClientEntry connected = registry.client(decoder.clientId());
        if (null != connected &&
            (connected.tagHigh() != tagHigh || connected.tagLow() != tagLow || !connected.address().equals(sender)))
        {
            counters.increment(Counter.TOKEN_CLIENT_CONNECTED);
            deny(replies, DenyReason.CLIENT_ALREADY_CONNECTED);
            return CONSUMED;
        }
        if (registry.usedElsewhere(tagHigh, tagLow, sender))
        {
            // The token was used from another address and its client is gone: tell this one nothing.
            counters.increment(Counter.TOKEN_REUSED);
            return CONSUMED;
        }
        if (null == connected && registry.isFull())
        {
            counters.increment(Counter.DENIED_SERVER_FULL);
            server.limitHit("max sessions reached ({})", server.config().maxSessions());
            deny(replies, DenyReason.SERVER_FULL);
            return CONSUMED;
        }

        sendChallenge(sender, replies, nowMs);
        return CONSUMED;
    }

    private void sendChallenge(final InetSocketAddress sender, final Replies replies, final long nowMs)
    {
        cookie.write(cookieBytes, 0, sender, tag, COOKIE_CLIENT_ID, nowMs);
        final ByteBuf reply = replies.claim();
        PacketHeader.write(reply, PacketType.CHALLENGE, 0);
        reply.writeBytes(tag);
        reply.writeBytes(cookieBytes);
        if (replies.send())
        {
            counters.increment(Counter.CHALLENGES_SENT);
        }
    }

    private int onChallengeResponse(
        final ByteBuf datagram,
        final int start,
        final InetSocketAddress sender,
        final Replies replies,
        final long nowMs)
    {
        // Cookie first: a MAC is cheaper than a decryption, and spoofed sources never saw a cookie.
        datagram.getBytes(start + RESPONSE_TOKEN_OFFSET + HandshakeDescriptor.TAG_IN_SERVER_PART_OFFSET, tag);
        datagram.getBytes(start + RESPONSE_COOKIE_OFFSET, cookieBytes);
        final ChallengeCheck check = cookie.verify(
            cookieBytes, 0, cookieBytes.length, sender, tag, COOKIE_CLIENT_ID, nowMs);
        if (ChallengeCheck.VALID != check)
        {
            counters.increment(ChallengeCheck.EXPIRED == check || ChallengeCheck.FROM_FUTURE == check ?
                Counter.COOKIE_EXPIRED : Counter.COOKIE_INVALID);
            return CONSUMED;
        }
        if (!openToken(datagram, start + RESPONSE_TOKEN_OFFSET, nowMs))
        {
            return CONSUMED;
        }
        if (!server.isOwnAddress(decoder))
        {
            counters.increment(Counter.TOKEN_WRONG_SERVER);
            return CONSUMED;
        }
        if (server.isShuttingDown())
        {
            // Refused here rather than routed: a worker may already be closing, and none may allocate a session.
            counters.increment(Counter.DENIED_SHUTTING_DOWN);
            deny(replies, DenyReason.SHUTTING_DOWN);
            return CONSUMED;
        }
        // Checks 6-8 are repeated authoritatively by the worker that owns the room, which allocates the session.
        return server.workerForRoom(decoder.roomId(), workers);
    }

    private boolean openToken(final ByteBuf datagram, final int tokenOffset, final long nowMs)
    {
        datagram.getBytes(tokenOffset, serverPart);
        final TokenCheck check = decoder.decodeServerPart(serverPart, 0, serverPart.length, nowMs);
        if (TokenCheck.VALID != check)
        {
            counters.increment(counterFor(check));
            return false;
        }
        decoder.getTag(tag, 0);
        return true;
    }

    private void deny(final Replies replies, final DenyReason reason)
    {
        final ByteBuf reply = replies.claim();
        ServerSessions.writeDenied(reply, tag, reason);
        if (replies.send())
        {
            counters.increment(Counter.DENIED_SENT);
        }
    }

    private void rotateSecretsIfDue(final long nowMs)
    {
        final ChallengeSecretSchedule schedule = server.secretSchedule();
        if (schedule.generation() != secretGeneration || nowMs >= nextRotationMs)
        {
            secretGeneration = schedule.update(secrets, secretGeneration, nowMs);
            nextRotationMs = schedule.nextRotationMs();
        }
    }

    static Counter counterFor(final TokenCheck check)
    {
        switch (check)
        {
            case WRONG_LENGTH:
            case BAD_VERSION:
                return Counter.TOKEN_BAD_VERSION;
            case WRONG_PROTOCOL_ID:
                return Counter.TOKEN_WRONG_PROTOCOL;
            case EXPIRED:
                return Counter.TOKEN_EXPIRED;
            case DECRYPT_FAILED:
                return Counter.TOKEN_DECRYPT_FAILED;
            default:
                return Counter.TOKEN_MALFORMED;
        }
    }

    /**
     * @return the per-source limiter of this I/O thread (for tests and stats).
     */
    SourceRateLimiter rateLimiter()
    {
        return rateLimiter;
    }

    /**
     * @return the load detector of this I/O thread.
     */
    HandshakeLoadDetector loadDetector()
    {
        return loadDetector;
    }
}
