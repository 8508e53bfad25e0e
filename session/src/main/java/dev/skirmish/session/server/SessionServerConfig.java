package dev.skirmish.session.server;

import dev.skirmish.core.ConfigurationException;
import dev.skirmish.session.channel.ChannelEndpointConfig;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.TokenKey;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Settings of the session layer on a server: token key and protocol id, limits, timers and the handshake load
 * protection. Fluent setters; {@link #conclude()} validates once and throws a {@link ConfigurationException} naming
 * the first bad setting; {@link #toString()} prints the effective values.
 */
public final class SessionServerConfig
{
    /** Protocol id of Skirmish's own tools (token tool, bots, reference server): "SK" 0x0001. */
    public static final long PROTOCOL_ID_DEFAULT = 0x534B_0001L;

    private TokenKey tokenKey = TokenKey.DEVELOPMENT;
    private long protocolId = PROTOCOL_ID_DEFAULT;
    private List<InetSocketAddress> publicAddresses = List.of();
    private AeadSuite aeadSuite = AeadSuite.DEFAULT;
    private int maxSessions = 10_000;
    private int maxPendingSessions = 1_024;
    private int usedTokenCapacity = 65_536;
    private int maxAuthFailures = 64;
    private long keepaliveIntervalNs = TimeUnit.MILLISECONDS.toNanos(100);
    private long timerTickNs = TimeUnit.MILLISECONDS.toNanos(10);
    private long pathResendIntervalNs = TimeUnit.MILLISECONDS.toNanos(100);
    private int disconnectRedundancy = 10;
    private long challengeSecretRotationMs = 30_000;
    private long handshakeLoadThresholdPerSecond = 2_000;
    private double perSourceHandshakesPerSecond = 20.0;
    private int perSourceHandshakeBurst = 40;
    private int rateLimiterCapacity = 65_536;
    private ChannelEndpointConfig channels = new ChannelEndpointConfig();
    private boolean concluded;

    /**
     * Validate every setting once.
     *
     * @return this.
     * @throws ConfigurationException naming the first invalid setting.
     */
    public SessionServerConfig conclude()
    {
        if (null == tokenKey)
        {
            throw new ConfigurationException("tokenKey must be set");
        }
        if (null == aeadSuite)
        {
            throw new ConfigurationException("aeadSuite must be set");
        }
        if (aeadSuite.keyLength() != ConnectTokenDescriptor.KEY_LENGTH)
        {
            throw new ConfigurationException("aeadSuite must take the token's " + ConnectTokenDescriptor.KEY_LENGTH +
                "-byte keys, " + aeadSuite + " takes " + aeadSuite.keyLength());
        }
        if (null == publicAddresses)
        {
            throw new ConfigurationException("publicAddresses must not be null");
        }
        check(maxSessions >= 1 && maxSessions <= 1 << 24, "maxSessions must be in [1, 2^24]: " + maxSessions);
        check(maxPendingSessions >= 1, "maxPendingSessions must be >= 1: " + maxPendingSessions);
        check(usedTokenCapacity >= maxPendingSessions,
            "usedTokenCapacity must be >= maxPendingSessions: " + usedTokenCapacity);
        check(maxAuthFailures >= 1, "maxAuthFailures must be >= 1: " + maxAuthFailures);
        check(keepaliveIntervalNs >= TimeUnit.MILLISECONDS.toNanos(1), "keepaliveInterval must be >= 1 ms");
        check(timerTickNs >= TimeUnit.MICROSECONDS.toNanos(100) && timerTickNs <= TimeUnit.SECONDS.toNanos(1),
            "timerTick must be in [100us, 1s]");
        check(pathResendIntervalNs >= TimeUnit.MILLISECONDS.toNanos(1), "pathResendInterval must be >= 1 ms");
        check(disconnectRedundancy >= 1 && disconnectRedundancy <= 64,
            "disconnectRedundancy must be in [1, 64]: " + disconnectRedundancy);
        check(challengeSecretRotationMs >= 5_000, "challengeSecretRotation must be >= 5 s (the cookie lifetime)");
        check(handshakeLoadThresholdPerSecond >= 0, "handshakeLoadThresholdPerSecond must be >= 0");
        check(perSourceHandshakesPerSecond > 0 && perSourceHandshakesPerSecond <= 1e6,
            "perSourceHandshakesPerSecond must be in (0, 1e6]");
        check(perSourceHandshakeBurst >= 1, "perSourceHandshakeBurst must be >= 1");
        check(rateLimiterCapacity >= 8 && rateLimiterCapacity <= 1 << 26, "rateLimiterCapacity must be in [8, 2^26]");
        if (null == channels)
        {
            throw new ConfigurationException("channels must be set");
        }
        try
        {
            channels.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException("channels: " + ex.getMessage());
        }
        concluded = true;
        return this;
    }

    private static void check(final boolean ok, final String message)
    {
        if (!ok)
        {
            throw new ConfigurationException(message);
        }
    }

    boolean isConcluded()
    {
        return concluded;
    }

    /**
     * @return key that opens connect tokens; {@link TokenKey#DEVELOPMENT} unless set.
     */
    public TokenKey tokenKey()
    {
        return tokenKey;
    }

    /**
     * @param tokenKey key shared with the backend that issues tokens.
     * @return this.
     */
    public SessionServerConfig tokenKey(final TokenKey tokenKey)
    {
        this.tokenKey = tokenKey;
        return this;
    }

    /**
     * @return u64 naming the game and build; tokens for any other are rejected.
     */
    public long protocolId()
    {
        return protocolId;
    }

    /**
     * @param protocolId u64 naming the game and build.
     * @return this.
     */
    public SessionServerConfig protocolId(final long protocolId)
    {
        this.protocolId = protocolId;
        return this;
    }

    /**
     * @return the addresses clients reach this server at, as listed in tokens; empty means the bound address and
     * port (loopback when bound to the wildcard address).
     */
    public List<InetSocketAddress> publicAddresses()
    {
        return publicAddresses;
    }

    /**
     * @param publicAddresses the addresses tokens name for this server (check 5 of the validation order).
     * @return this.
     */
    public SessionServerConfig publicAddresses(final List<InetSocketAddress> publicAddresses)
    {
        this.publicAddresses = null == publicAddresses ? null : List.copyOf(publicAddresses);
        return this;
    }

    /**
     * @return AEAD protecting session packets; default {@link AeadSuite#DEFAULT}, ChaCha20-Poly1305 (no garbage per
     * packet; AES-256-GCM is cheaper in CPU for packets above ~100 B, see packet-protection.md).
     */
    public AeadSuite aeadSuite()
    {
        return aeadSuite;
    }

    /**
     * @param aeadSuite AEAD protecting session packets; clients must use the same (it is not negotiated), and it
     *                  must take the token's 32-byte keys: {@link AeadSuite#CHACHA20_POLY1305} or
     *                  {@link AeadSuite#AES_256_GCM}.
     * @return this.
     */
    public SessionServerConfig aeadSuite(final AeadSuite aeadSuite)
    {
        this.aeadSuite = aeadSuite;
        return this;
    }

    /**
     * @return most sessions at once (all workers); more connects are denied SERVER_FULL. Default 10 000.
     */
    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * @param maxSessions most sessions at once.
     * @return this.
     */
    public SessionServerConfig maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    /**
     * @return most sessions allocated but not yet confirmed by an authentic client packet; more are denied
     * SERVER_BUSY. Default 1 024.
     */
    public int maxPendingSessions()
    {
        return maxPendingSessions;
    }

    /**
     * @param maxPendingSessions most unconfirmed sessions at once.
     * @return this.
     */
    public SessionServerConfig maxPendingSessions(final int maxPendingSessions)
    {
        this.maxPendingSessions = maxPendingSessions;
        return this;
    }

    /**
     * @return most used tokens remembered until their expiry (token reuse check); when full of unexpired tokens new
     * sessions are refused. Default 65 536 (about 6 MB).
     */
    public int usedTokenCapacity()
    {
        return usedTokenCapacity;
    }

    /**
     * @param usedTokenCapacity most used tokens remembered.
     * @return this.
     */
    public SessionServerConfig usedTokenCapacity(final int usedTokenCapacity)
    {
        this.usedTokenCapacity = usedTokenCapacity;
        return this;
    }

    /**
     * @return authentication failures a session tolerates before it is closed (AUTH_FAILURES). Default 64.
     */
    public int maxAuthFailures()
    {
        return maxAuthFailures;
    }

    /**
     * @param maxAuthFailures authentication failures tolerated per session.
     * @return this.
     */
    public SessionServerConfig maxAuthFailures(final int maxAuthFailures)
    {
        this.maxAuthFailures = maxAuthFailures;
        return this;
    }

    /**
     * @return a keepalive is sent when nothing was sent for this long, ns. Default 100 ms (10 Hz).
     */
    public long keepaliveIntervalNs()
    {
        return keepaliveIntervalNs;
    }

    /**
     * @param keepaliveIntervalNs keepalive interval, ns.
     * @return this.
     */
    public SessionServerConfig keepaliveIntervalNs(final long keepaliveIntervalNs)
    {
        this.keepaliveIntervalNs = keepaliveIntervalNs;
        return this;
    }

    /**
     * @return how often a worker scans its sessions for timeouts and keepalives, ns. Default 10 ms: a silent peer is
     * freed at most one tick after its timeout.
     */
    public long timerTickNs()
    {
        return timerTickNs;
    }

    /**
     * @param timerTickNs timer scan interval, ns.
     * @return this.
     */
    public SessionServerConfig timerTickNs(final long timerTickNs)
    {
        this.timerTickNs = timerTickNs;
        return this;
    }

    /**
     * @return shortest interval between two path challenges to the same new address, ns. Default 100 ms.
     */
    public long pathResendIntervalNs()
    {
        return pathResendIntervalNs;
    }

    /**
     * @param pathResendIntervalNs path challenge resend interval, ns.
     * @return this.
     */
    public SessionServerConfig pathResendIntervalNs(final long pathResendIntervalNs)
    {
        this.pathResendIntervalNs = pathResendIntervalNs;
        return this;
    }

    /**
     * @return copies of a DISCONNECT packet sent when a session is closed by the server. Default 10.
     */
    public int disconnectRedundancy()
    {
        return disconnectRedundancy;
    }

    /**
     * @param disconnectRedundancy copies of each disconnect.
     * @return this.
     */
    public SessionServerConfig disconnectRedundancy(final int disconnectRedundancy)
    {
        this.disconnectRedundancy = disconnectRedundancy;
        return this;
    }

    /**
     * @return how often the challenge secret is replaced, ms. Default 30 s.
     */
    public long challengeSecretRotationMs()
    {
        return challengeSecretRotationMs;
    }

    /**
     * @param challengeSecretRotationMs secret rotation interval, ms; at least the 5 s cookie lifetime.
     * @return this.
     */
    public SessionServerConfig challengeSecretRotationMs(final long challengeSecretRotationMs)
    {
        this.challengeSecretRotationMs = challengeSecretRotationMs;
        return this;
    }

    /**
     * @return handshake packets per second per I/O thread above which the per-source limit applies. Default 2 000;
     * 0 applies it always.
     */
    public long handshakeLoadThresholdPerSecond()
    {
        return handshakeLoadThresholdPerSecond;
    }

    /**
     * @param handshakeLoadThresholdPerSecond load threshold per I/O thread.
     * @return this.
     */
    public SessionServerConfig handshakeLoadThresholdPerSecond(final long handshakeLoadThresholdPerSecond)
    {
        this.handshakeLoadThresholdPerSecond = handshakeLoadThresholdPerSecond;
        return this;
    }

    /**
     * @return handshake packets per second one source IP may send under load. Default 20 (a client resends every
     * 100 ms).
     */
    public double perSourceHandshakesPerSecond()
    {
        return perSourceHandshakesPerSecond;
    }

    /**
     * @param perSourceHandshakesPerSecond per-source refill rate under load.
     * @return this.
     */
    public SessionServerConfig perSourceHandshakesPerSecond(final double perSourceHandshakesPerSecond)
    {
        this.perSourceHandshakesPerSecond = perSourceHandshakesPerSecond;
        return this;
    }

    /**
     * @return handshake packets one source IP may send at once under load. Default 40.
     */
    public int perSourceHandshakeBurst()
    {
        return perSourceHandshakeBurst;
    }

    /**
     * @param perSourceHandshakeBurst per-source bucket depth.
     * @return this.
     */
    public SessionServerConfig perSourceHandshakeBurst(final int perSourceHandshakeBurst)
    {
        this.perSourceHandshakeBurst = perSourceHandshakeBurst;
        return this;
    }

    /**
     * @return source IPs tracked by each I/O thread's rate limiter. Default 65 536.
     */
    public int rateLimiterCapacity()
    {
        return rateLimiterCapacity;
    }

    /**
     * @param rateLimiterCapacity source IPs tracked per I/O thread.
     * @return this.
     */
    public SessionServerConfig rateLimiterCapacity(final int rateLimiterCapacity)
    {
        this.rateLimiterCapacity = rateLimiterCapacity;
        return this;
    }

    /**
     * @return the channel layer of every session: channel table, path payload, send queue, recovery (a protocol
     * setting: clients must use the same channel table, path payload, max message and receive settings).
     */
    public ChannelEndpointConfig channels()
    {
        return channels;
    }

    /**
     * @param channels channel layer settings, shared (read only) by every session once concluded.
     * @return this.
     */
    public SessionServerConfig channels(final ChannelEndpointConfig channels)
    {
        this.channels = channels;
        return this;
    }

    @Override
    public String toString()
    {
        return "tokenKey=" + (tokenKey.isDevelopmentKey() ? "DEVELOPMENT (not for production)" :
            tokenKey.fingerprint()) + '\n' +
            "protocolId=0x" + Long.toHexString(protocolId) + '\n' +
            "publicAddresses=" + publicAddresses + '\n' +
            "aeadSuite=" + aeadSuite + '\n' +
            "maxSessions=" + maxSessions + '\n' +
            "maxPendingSessions=" + maxPendingSessions + '\n' +
            "usedTokenCapacity=" + usedTokenCapacity + '\n' +
            "maxAuthFailures=" + maxAuthFailures + '\n' +
            "keepaliveIntervalMs=" + TimeUnit.NANOSECONDS.toMillis(keepaliveIntervalNs) + '\n' +
            "timerTickUs=" + TimeUnit.NANOSECONDS.toMicros(timerTickNs) + '\n' +
            "disconnectRedundancy=" + disconnectRedundancy + '\n' +
            "challengeSecretRotationMs=" + challengeSecretRotationMs + '\n' +
            "handshakeLoadThresholdPerSecond=" + handshakeLoadThresholdPerSecond + '\n' +
            "perSourceHandshakesPerSecond=" + perSourceHandshakesPerSecond + '\n' +
            "perSourceHandshakeBurst=" + perSourceHandshakeBurst + '\n' +
            "rateLimiterCapacity=" + rateLimiterCapacity + '\n' +
            "channels=" + channels + '\n';
    }
}
