package dev.skirmish.session.client;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.session.channel.ChannelEndpointConfig;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.token.ConnectTokenDescriptor;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of a {@link SkirmishClient} and of a {@link ClientGroup}. Every setting has a system property, a
 * default with its unit and the reason for it, a getter and a fluent setter. {@link #conclude()} validates and throws
 * {@link IllegalArgumentException} with a message naming the first invalid setting; {@link #toString()} prints the
 * effective configuration. Clients copy the values they need when constructed, so changing a config later affects
 * only clients made after the change.
 * <p>
 * Not thread safe: configure on one thread, then hand it over.
 */
public final class ClientConfig
{
    /** Largest datagram sent or accepted, bytes. Default fits a 1500 B Ethernet MTU over IPv4, as the server's. */
    public static final String MAX_DATAGRAM_LENGTH_PROP = "skirmish.client.max.datagram.length";
    /** Default of {@link #MAX_DATAGRAM_LENGTH_PROP}, bytes. */
    public static final int MAX_DATAGRAM_LENGTH_DEFAULT = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
    /** Smallest allowed: the client must be able to send its 1200 B connect request. */
    public static final int MAX_DATAGRAM_LENGTH_MIN = HandshakeDescriptor.CONNECT_REQUEST_LENGTH;
    /** Largest allowed: the largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM_LENGTH_MAX = 65507;

    /** Interval between resends of CONNECT_REQUEST and CHALLENGE_RESPONSE, ns. 100 ms, as the protocol says. */
    public static final String RESEND_INTERVAL_NS_PROP = "skirmish.client.resend.interval.ns";
    /** Default of {@link #RESEND_INTERVAL_NS_PROP}: 100 ms. */
    public static final long RESEND_INTERVAL_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(100);

    /** A KEEPALIVE goes out when nothing was sent for this long, ns. 100 ms = 10 Hz, as the protocol says. */
    public static final String KEEPALIVE_INTERVAL_NS_PROP = "skirmish.client.keepalive.interval.ns";
    /** Default of {@link #KEEPALIVE_INTERVAL_NS_PROP}: 100 ms. */
    public static final long KEEPALIVE_INTERVAL_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(100);

    /** Handshake deadline, ns; 0 uses the token's timeout, as the protocol says. */
    public static final String CONNECT_TIMEOUT_NS_PROP = "skirmish.client.connect.timeout.ns";
    /** Default of {@link #CONNECT_TIMEOUT_NS_PROP}: 0, the token's timeout. */
    public static final long CONNECT_TIMEOUT_NS_DEFAULT = 0;

    /** DISCONNECT packets sent back to back on a disconnect, so that one arrives under heavy loss. */
    public static final String DISCONNECT_REDUNDANCY_PROP = "skirmish.client.disconnect.redundancy";
    /** Default of {@link #DISCONNECT_REDUNDANCY_PROP}: 10, as the protocol says. */
    public static final int DISCONNECT_REDUNDANCY_DEFAULT = 10;
    /** Most DISCONNECT packets a disconnect may send. */
    public static final int DISCONNECT_REDUNDANCY_MAX = 1000;

    /** More authentication failures than this close the session (reason AUTH_FAILURES). */
    public static final String MAX_AUTH_FAILURES_PROP = "skirmish.client.max.auth.failures";
    /** Default of {@link #MAX_AUTH_FAILURES_PROP}: 64, as the protocol says. */
    public static final int MAX_AUTH_FAILURES_DEFAULT = 64;

    /**
     * AEAD of the protected packets, an {@link AeadSuite} name ({@code CHACHA20_POLY1305} or {@code AES_256_GCM});
     * not negotiated, so it must match the server's; must take the token's 32-byte keys. Default:
     * {@link AeadSuite#DEFAULT}, ChaCha20-Poly1305.
     */
    public static final String AEAD_SUITE_PROP = "skirmish.client.aead.suite";

    /** {@link ClientGroup} only: period of the timer task that runs every client's {@code doWork}, ns. */
    public static final String TICK_INTERVAL_NS_PROP = "skirmish.client.tick.interval.ns";
    /** Default of {@link #TICK_INTERVAL_NS_PROP}: 1 ms, a tenth of the resend and keepalive intervals. */
    public static final long TICK_INTERVAL_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(1);
    /** Longest tick allowed: 1 s. */
    public static final long TICK_INTERVAL_NS_MAX = TimeUnit.SECONDS.toNanos(1);
    /** System property: SO_RCVBUF of each {@link ClientGroup} socket, bytes. */
    public static final String SOCKET_RECEIVE_BUFFER_PROP = "skirmish.client.socket.rcvbuf";
    /**
     * Default of {@link #SOCKET_RECEIVE_BUFFER_PROP}: 1 MiB. The kernel charges each queued datagram about 2 KB of
     * buffer whatever its size, so the usual 208 KiB default overflows (silent drops, RcvbufErrors) after ~100
     * datagrams queued while a busy loop serves its other clients (measured in SessionSystemTest).
     */
    public static final int SOCKET_RECEIVE_BUFFER_DEFAULT = 1 << 20;

    private int maxDatagramLength = Integer.getInteger(MAX_DATAGRAM_LENGTH_PROP, MAX_DATAGRAM_LENGTH_DEFAULT);
    private long resendIntervalNs = Long.getLong(RESEND_INTERVAL_NS_PROP, RESEND_INTERVAL_NS_DEFAULT);
    private long keepaliveIntervalNs = Long.getLong(KEEPALIVE_INTERVAL_NS_PROP, KEEPALIVE_INTERVAL_NS_DEFAULT);
    private long connectTimeoutNs = Long.getLong(CONNECT_TIMEOUT_NS_PROP, CONNECT_TIMEOUT_NS_DEFAULT);
    private int disconnectRedundancy = Integer.getInteger(DISCONNECT_REDUNDANCY_PROP, DISCONNECT_REDUNDANCY_DEFAULT);
    private int maxAuthFailures = Integer.getInteger(MAX_AUTH_FAILURES_PROP, MAX_AUTH_FAILURES_DEFAULT);
    private AeadSuite aeadSuite = suiteProperty();
    private ChannelEndpointConfig channels = new ChannelEndpointConfig();
    private long tickIntervalNs = Long.getLong(TICK_INTERVAL_NS_PROP, TICK_INTERVAL_NS_DEFAULT);
    private int socketReceiveBufferBytes =
        Integer.getInteger(SOCKET_RECEIVE_BUFFER_PROP, SOCKET_RECEIVE_BUFFER_DEFAULT);

    /**
     * A config with every setting at its system property or default.
     */
    public ClientConfig()
    {
    }

    /**
     * Validate every setting. Cheap, and may be called any number of times; clients and groups call it when
     * constructed.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first invalid setting, what is allowed and the value given.
     */
    public ClientConfig conclude()
    {
        range("maxDatagramLength", maxDatagramLength, MAX_DATAGRAM_LENGTH_MIN, MAX_DATAGRAM_LENGTH_MAX);
        positive("resendIntervalNs", resendIntervalNs);
        positive("keepaliveIntervalNs", keepaliveIntervalNs);
        range("connectTimeoutNs", connectTimeoutNs, 0, Long.MAX_VALUE);
        range("disconnectRedundancy", disconnectRedundancy, 0, DISCONNECT_REDUNDANCY_MAX);
        range("maxAuthFailures", maxAuthFailures, 0, Integer.MAX_VALUE);
        if (null == aeadSuite)
        {
            throw new IllegalArgumentException("aeadSuite must be set");
        }
        if (aeadSuite.keyLength() != ConnectTokenDescriptor.KEY_LENGTH)
        {
            throw new IllegalArgumentException("aeadSuite must take the token's " + ConnectTokenDescriptor.KEY_LENGTH +
                "-byte keys, " + aeadSuite + " takes " + aeadSuite.keyLength());
        }
        range("tickIntervalNs", tickIntervalNs, 1, TICK_INTERVAL_NS_MAX);
        range("socketReceiveBufferBytes", socketReceiveBufferBytes, 4096, 1 << 30);
        if (null == channels)
        {
            throw new IllegalArgumentException("channels must be set");
        }
        channels.conclude();
        if (channels.pathPayloadBytes() > maxPayloadLength())
        {
            throw new IllegalArgumentException("channels.pathPayloadBytes " + channels.pathPayloadBytes() +
                " exceeds the protected payload of a " + maxDatagramLength + " B datagram (" + maxPayloadLength() +
                " B)");
        }
        return this;
    }

    /**
     * @return the channel layer: channel table, path payload, send queue, recovery. Its protocol values (channel
     * table, path payload, max message, receive settings) must match the server's.
     */
    public ChannelEndpointConfig channels()
    {
        return channels;
    }

    /**
     * @param channels channel layer settings.
     * @return this.
     */
    public ClientConfig channels(final ChannelEndpointConfig channels)
    {
        this.channels = channels;
        return this;
    }

    /**
     * @return largest datagram sent or accepted, bytes.
     */
    public int maxDatagramLength()
    {
        return maxDatagramLength;
    }

    /**
     * @param maxDatagramLength largest datagram sent or accepted, {@value #MAX_DATAGRAM_LENGTH_MIN} to
     *                          {@value #MAX_DATAGRAM_LENGTH_MAX} bytes.
     * @return this.
     */
    public ClientConfig maxDatagramLength(final int maxDatagramLength)
    {
        this.maxDatagramLength = maxDatagramLength;
        return this;
    }

    /**
     * Largest DATA payload a client with this config can send.
     *
     * @return {@link #maxDatagramLength()} minus the {@value ProtectedPacketDescriptor#MIN_LENGTH} bytes of header,
     * sequence number and tag.
     */
    public int maxPayloadLength()
    {
        return ProtectedPacketDescriptor.maxPayloadLength(maxDatagramLength);
    }

    /**
     * @return interval between handshake resends, ns.
     */
    public long resendIntervalNs()
    {
        return resendIntervalNs;
    }

    /**
     * @param resendIntervalNs interval between handshake resends, ns, &gt; 0.
     * @return this.
     */
    public ClientConfig resendIntervalNs(final long resendIntervalNs)
    {
        this.resendIntervalNs = resendIntervalNs;
        return this;
    }

    /**
     * @return a KEEPALIVE goes out when nothing was sent for this long, ns.
     */
    public long keepaliveIntervalNs()
    {
        return keepaliveIntervalNs;
    }

    /**
     * @param keepaliveIntervalNs a KEEPALIVE goes out when nothing was sent for this long, ns, &gt; 0.
     * @return this.
     */
    public ClientConfig keepaliveIntervalNs(final long keepaliveIntervalNs)
    {
        this.keepaliveIntervalNs = keepaliveIntervalNs;
        return this;
    }

    /**
     * @return handshake deadline, ns; 0 for the token's timeout.
     */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * @param connectTimeoutNs handshake deadline, ns, &ge; 0; 0 uses the token's timeout.
     * @return this.
     */
    public ClientConfig connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    /**
     * @return DISCONNECT packets sent on a disconnect.
     */
    public int disconnectRedundancy()
    {
        return disconnectRedundancy;
    }

    /**
     * @param disconnectRedundancy DISCONNECT packets sent on a disconnect, 0 to {@value #DISCONNECT_REDUNDANCY_MAX}.
     * @return this.
     */
    public ClientConfig disconnectRedundancy(final int disconnectRedundancy)
    {
        this.disconnectRedundancy = disconnectRedundancy;
        return this;
    }

    /**
     * @return authentication failures tolerated before the session closes.
     */
    public int maxAuthFailures()
    {
        return maxAuthFailures;
    }

    /**
     * @param maxAuthFailures authentication failures tolerated; one more closes the session. &ge; 0.
     * @return this.
     */
    public ClientConfig maxAuthFailures(final int maxAuthFailures)
    {
        this.maxAuthFailures = maxAuthFailures;
        return this;
    }

    /**
     * @return AEAD of the protected packets; {@link #AEAD_SUITE_PROP}, else {@link AeadSuite#DEFAULT}
     * (ChaCha20-Poly1305).
     */
    public AeadSuite aeadSuite()
    {
        return aeadSuite;
    }

    /**
     * @param aeadSuite AEAD of the protected packets; must match the server's and take 32-byte keys.
     * @return this.
     */
    public ClientConfig aeadSuite(final AeadSuite aeadSuite)
    {
        this.aeadSuite = aeadSuite;
        return this;
    }

    /**
     * @return {@link ClientGroup} timer period, ns.
     */
    public long tickIntervalNs()
    {
        return tickIntervalNs;
    }

    /**
     * @return SO_RCVBUF requested for each {@link ClientGroup} socket, bytes (the kernel may cap it at
     * net.core.rmem_max).
     */
    public int socketReceiveBufferBytes()
    {
        return socketReceiveBufferBytes;
    }

    /**
     * @param socketReceiveBufferBytes SO_RCVBUF per socket, 4 KiB to 1 GiB.
     * @return this.
     */
    public ClientConfig socketReceiveBufferBytes(final int socketReceiveBufferBytes)
    {
        this.socketReceiveBufferBytes = socketReceiveBufferBytes;
        return this;
    }

    /**
     * @param tickIntervalNs {@link ClientGroup} timer period, 1 ns to 1 s.
     * @return this.
     */
    public ClientConfig tickIntervalNs(final long tickIntervalNs)
    {
        this.tickIntervalNs = tickIntervalNs;
        return this;
    }

    /**
     * The effective configuration, for logs and reports.
     *
     * @return every setting with its value.
     */
    @Override
    public String toString()
    {
        return "ClientConfig{maxDatagramLength=" + maxDatagramLength +
            ", resendIntervalNs=" + resendIntervalNs +
            ", keepaliveIntervalNs=" + keepaliveIntervalNs +
            ", connectTimeoutNs=" + connectTimeoutNs +
            ", disconnectRedundancy=" + disconnectRedundancy +
            ", maxAuthFailures=" + maxAuthFailures +
            ", aeadSuite=" + aeadSuite +
            ", tickIntervalNs=" + tickIntervalNs + ", socketReceiveBufferBytes=" + socketReceiveBufferBytes + '}';
    }

    private static AeadSuite suiteProperty()
    {
        final String value = System.getProperty(AEAD_SUITE_PROP);
        if (null == value || value.isBlank())
        {
            return AeadSuite.DEFAULT;
        }
        try
        {
            return AeadSuite.valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(AEAD_SUITE_PROP + ": unknown suite " + value, ex);
        }
    }

    private static void positive(final String name, final long value)
    {
        range(name, value, 1, Long.MAX_VALUE);
    }

    private static void range(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
