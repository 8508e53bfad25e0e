package dev.skirmish.session.channel.recovery;

import dev.skirmish.core.wire.PacketHeader;

import java.util.concurrent.TimeUnit;

/**
 * Configuration of the loss recovery of one session: {@link SentPacketTracker}, {@link RttEstimator},
 * {@link CongestionController} and {@link AckTracker}. Every setting has a system property, a default with its unit
 * and the reason for it, a getter and a fluent setter. {@link #conclude()} validates and throws
 * {@link IllegalArgumentException} naming the first invalid setting; {@link #toString()} prints the effective
 * configuration. The recovery classes copy the values they need when constructed.
 * <p>
 * Both ends of a session are expected to run the same values: {@link #peerMaxAckDelayNs()} (what this end assumes
 * about the peer's acks) should equal the peer's {@link #maxAckDelayNs()} (how long the peer may hold an ack).
 * <p>
 * Not thread safe: configure on one thread, then hand it over.
 */
public final class RecoveryConfig
{
    /** In-flight packet records per session direction; a power of two. */
    public static final String SENT_PACKET_CAPACITY_PROP = "skirmish.recovery.sent.packet.capacity";
    /**
     * Default of {@link #SENT_PACKET_CAPACITY_PROP}: 1024 packets, the size of the replay window, so the peer can
     * still authenticate the oldest packet the sender may have outstanding. About 30 KB per session direction.
     */
    public static final int SENT_PACKET_CAPACITY_DEFAULT = 1024;
    /** Smallest allowed: room for the packet threshold, a probe and some pipelining. */
    public static final int SENT_PACKET_CAPACITY_MIN = 16;
    /** Largest allowed: 64 Ki records (about 2 MB per session direction). */
    public static final int SENT_PACKET_CAPACITY_MAX = 1 << 16;

    /** RTT assumed before the first sample, ns (RFC 9002 kInitialRtt). */
    public static final String INITIAL_RTT_NS_PROP = "skirmish.recovery.initial.rtt.ns";
    /**
     * Default of {@link #INITIAL_RTT_NS_PROP}: 100 ms. RFC 9002 uses 333 ms for the open Internet; game servers are
     * placed near their players (typical RTT 20-80 ms) and a faster first PTO matters more than a spurious probe.
     */
    public static final long INITIAL_RTT_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(100);

    /** Longest the local {@link AckTracker} holds an ack for an ack-eliciting packet, ns. */
    public static final String MAX_ACK_DELAY_NS_PROP = "skirmish.recovery.max.ack.delay.ns";
    /**
     * Default of {@link #MAX_ACK_DELAY_NS_PROP}: 25 ms, as RFC 9000. A game session sends a packet each way per tick
     * (33 ms at 30 Hz, 16.7 ms at 60 Hz), so with 25 ms an ack nearly always rides on the next tick's packet; with
     * the earlier 5 ms almost every data packet drew an ack-only packet back, which doubled the packet rate (300 bots
     * at 30 Hz: 247 k datagrams in and 240 k out at 5 ms, 159 k and 146 k at 25 ms). The cost: a probe timeout 20 ms
     * longer (the PTO adds the peer's delay), so a reliable message lost at the tail is resent later; RTT samples
     * subtract the reported delay.
     */
    public static final long MAX_ACK_DELAY_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(25);

    /** The peer's maximum ack delay, ns: caps reported ack delays and is added to the PTO. */
    public static final String PEER_MAX_ACK_DELAY_NS_PROP = "skirmish.recovery.peer.max.ack.delay.ns";
    /** Default of {@link #PEER_MAX_ACK_DELAY_NS_PROP}: 25 ms, the default of {@link #MAX_ACK_DELAY_NS_PROP}. */
    public static final long PEER_MAX_ACK_DELAY_NS_DEFAULT = MAX_ACK_DELAY_NS_DEFAULT;
    /** Largest allowed ack delay (both settings): 1 s. */
    public static final long MAX_ACK_DELAY_NS_MAX = TimeUnit.SECONDS.toNanos(1);

    /** Ack-eliciting packets received before an ack is due at once (RFC 9000 §13.2.2). */
    public static final String ACK_ELICITING_THRESHOLD_PROP = "skirmish.recovery.ack.eliciting.threshold";
    /** Default of {@link #ACK_ELICITING_THRESHOLD_PROP}: 2, as RFC 9000 recommends. */
    public static final int ACK_ELICITING_THRESHOLD_DEFAULT = 2;
    /** Largest allowed: 64, the packets one ack bitfield describes. */
    public static final int ACK_ELICITING_THRESHOLD_MAX = AckTracker.BITFIELD_BITS;

    /** Cap on the probe timeout after exponential backoff, ns. */
    public static final String MAX_PTO_NS_PROP = "skirmish.recovery.max.pto.ns";
    /**
     * Default of {@link #MAX_PTO_NS_PROP}: 1 s. The backoff protects the network from a sender that keeps probing a
     * dead path; a probe is one packet, so once a second costs nothing, while a longer cap would keep a session that
     * comes back from a 2-3 s outage stalled for seconds more. Sessions time out on silence anyway (5 s default).
     */
    public static final long MAX_PTO_NS_DEFAULT = TimeUnit.SECONDS.toNanos(1);
    /** Largest allowed cap: 60 s. */
    public static final long MAX_PTO_NS_MAX = TimeUnit.SECONDS.toNanos(60);

    /** Largest datagram the congestion controller counts in, bytes (RFC 9002 max_datagram_size). */
    public static final String MAX_DATAGRAM_BYTES_PROP = "skirmish.recovery.max.datagram.bytes";
    /** Default of {@link #MAX_DATAGRAM_BYTES_PROP}: the transport's default maximum datagram length. */
    public static final int MAX_DATAGRAM_BYTES_DEFAULT = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
    /** Smallest allowed: 64 bytes. */
    public static final int MAX_DATAGRAM_BYTES_MIN = 64;
    /** Largest allowed: the largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM_BYTES_MAX = 65507;

    /** Initial congestion window, in max datagrams (RFC 9002 §7.2). */
    public static final String INITIAL_WINDOW_PACKETS_PROP = "skirmish.recovery.initial.window.packets";
    /** Default of {@link #INITIAL_WINDOW_PACKETS_PROP}: 10, as RFC 9002 recommends. */
    public static final int INITIAL_WINDOW_PACKETS_DEFAULT = 10;

    /** Floor of the congestion window, in max datagrams (RFC 9002 kMinimumWindow). */
    public static final String MIN_WINDOW_PACKETS_PROP = "skirmish.recovery.min.window.packets";
    /**
     * Default of {@link #MIN_WINDOW_PACKETS_PROP}: 2, RFC 9002's floor. A game's reliable traffic (events, chat,
     * RPCs) is small, so two full datagrams per RTT still drain it, and a lower floor would stall the session.
     */
    public static final int MIN_WINDOW_PACKETS_DEFAULT = 2;

    /** Ceiling of the congestion window, bytes: bounds what one session may have in flight. */
    public static final String MAX_WINDOW_BYTES_PROP = "skirmish.recovery.max.window.bytes";
    /**
     * Default of {@link #MAX_WINDOW_BYTES_PROP}: 1 MiB, about what the default 1024 records of 1472 B hold (so the
     * window and the ring run out together); 84 Mbit/s at 100 ms RTT, far more than any game session needs.
     */
    public static final long MAX_WINDOW_BYTES_DEFAULT = 1L << 20;
    /** Largest allowed ceiling: 1 GiB. */
    public static final long MAX_WINDOW_BYTES_MAX = 1L << 30;

    private int sentPacketCapacity = Integer.getInteger(SENT_PACKET_CAPACITY_PROP, SENT_PACKET_CAPACITY_DEFAULT);
    private long initialRttNs = Long.getLong(INITIAL_RTT_NS_PROP, INITIAL_RTT_NS_DEFAULT);
    private long maxAckDelayNs = Long.getLong(MAX_ACK_DELAY_NS_PROP, MAX_ACK_DELAY_NS_DEFAULT);
    private long peerMaxAckDelayNs = Long.getLong(PEER_MAX_ACK_DELAY_NS_PROP, PEER_MAX_ACK_DELAY_NS_DEFAULT);
    private int ackElicitingThreshold = Integer.getInteger(ACK_ELICITING_THRESHOLD_PROP,
        ACK_ELICITING_THRESHOLD_DEFAULT);
    private long maxPtoNs = Long.getLong(MAX_PTO_NS_PROP, MAX_PTO_NS_DEFAULT);
    private int maxDatagramBytes = Integer.getInteger(MAX_DATAGRAM_BYTES_PROP, MAX_DATAGRAM_BYTES_DEFAULT);
    private int initialWindowPackets = Integer.getInteger(INITIAL_WINDOW_PACKETS_PROP, INITIAL_WINDOW_PACKETS_DEFAULT);
    private int minWindowPackets = Integer.getInteger(MIN_WINDOW_PACKETS_PROP, MIN_WINDOW_PACKETS_DEFAULT);
    private long maxWindowBytes = Long.getLong(MAX_WINDOW_BYTES_PROP, MAX_WINDOW_BYTES_DEFAULT);

    /**
     * A config with every setting at its system property or default.
     */
    public RecoveryConfig()
    {
    }

    /**
     * Validate every setting. Cheap, and may be called any number of times; the recovery classes call it when
     * constructed.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first invalid setting, what is allowed and the value given.
     */
    public RecoveryConfig conclude()
    {
        range("sentPacketCapacity", sentPacketCapacity, SENT_PACKET_CAPACITY_MIN, SENT_PACKET_CAPACITY_MAX);
        if (Integer.bitCount(sentPacketCapacity) != 1)
        {
            throw new IllegalArgumentException("sentPacketCapacity must be a power of two, got " + sentPacketCapacity);
        }
        range("initialRttNs", initialRttNs, 1, RttEstimator.MAX_RTT_SAMPLE_NS);
        range("maxAckDelayNs", maxAckDelayNs, 0, MAX_ACK_DELAY_NS_MAX);
        range("peerMaxAckDelayNs", peerMaxAckDelayNs, 0, MAX_ACK_DELAY_NS_MAX);
        range("ackElicitingThreshold", ackElicitingThreshold, 1, ACK_ELICITING_THRESHOLD_MAX);
        range("maxPtoNs", maxPtoNs, RttEstimator.GRANULARITY_NS, MAX_PTO_NS_MAX);
        range("maxDatagramBytes", maxDatagramBytes, MAX_DATAGRAM_BYTES_MIN, MAX_DATAGRAM_BYTES_MAX);
        range("minWindowPackets", minWindowPackets, 2, 1024);
        range("initialWindowPackets", initialWindowPackets, minWindowPackets, 1024);
        range("maxWindowBytes", maxWindowBytes, (long)initialWindowPackets * maxDatagramBytes, MAX_WINDOW_BYTES_MAX);
        return this;
    }

    /**
     * @return in-flight packet records per session direction, a power of two.
     */
    public int sentPacketCapacity()
    {
        return sentPacketCapacity;
    }

    /**
     * @param sentPacketCapacity in-flight packet records per session direction, a power of two from
     *                           {@value #SENT_PACKET_CAPACITY_MIN} to {@value #SENT_PACKET_CAPACITY_MAX}.
     * @return this.
     */
    public RecoveryConfig sentPacketCapacity(final int sentPacketCapacity)
    {
        this.sentPacketCapacity = sentPacketCapacity;
        return this;
    }

    /**
     * @return RTT assumed before the first sample, ns.
     */
    public long initialRttNs()
    {
        return initialRttNs;
    }

    /**
     * @param initialRttNs RTT assumed before the first sample, ns, positive.
     * @return this.
     */
    public RecoveryConfig initialRttNs(final long initialRttNs)
    {
        this.initialRttNs = initialRttNs;
        return this;
    }

    /**
     * @return longest the local ack tracker holds an ack for an ack-eliciting packet, ns.
     */
    public long maxAckDelayNs()
    {
        return maxAckDelayNs;
    }

    /**
     * @param maxAckDelayNs longest the local ack tracker holds an ack, 0 (ack every packet at once) to 1 s.
     * @return this.
     */
    public RecoveryConfig maxAckDelayNs(final long maxAckDelayNs)
    {
        this.maxAckDelayNs = maxAckDelayNs;
        return this;
    }

    /**
     * @return the peer's maximum ack delay, ns.
     */
    public long peerMaxAckDelayNs()
    {
        return peerMaxAckDelayNs;
    }

    /**
     * @param peerMaxAckDelayNs the peer's maximum ack delay, 0 to 1 s; caps reported ack delays, added to the PTO.
     * @return this.
     */
    public RecoveryConfig peerMaxAckDelayNs(final long peerMaxAckDelayNs)
    {
        this.peerMaxAckDelayNs = peerMaxAckDelayNs;
        return this;
    }

    /**
     * @return ack-eliciting packets received before an ack is due at once.
     */
    public int ackElicitingThreshold()
    {
        return ackElicitingThreshold;
    }

    /**
     * @param ackElicitingThreshold ack-eliciting packets received before an ack is due at once, 1 to
     *                              {@value #ACK_ELICITING_THRESHOLD_MAX}.
     * @return this.
     */
    public RecoveryConfig ackElicitingThreshold(final int ackElicitingThreshold)
    {
        this.ackElicitingThreshold = ackElicitingThreshold;
        return this;
    }

    /**
     * @return cap on the probe timeout after backoff, ns.
     */
    public long maxPtoNs()
    {
        return maxPtoNs;
    }

    /**
     * @param maxPtoNs cap on the probe timeout after backoff, 1 ms to 60 s.
     * @return this.
     */
    public RecoveryConfig maxPtoNs(final long maxPtoNs)
    {
        this.maxPtoNs = maxPtoNs;
        return this;
    }

    /**
     * @return largest datagram the congestion controller counts in, bytes.
     */
    public int maxDatagramBytes()
    {
        return maxDatagramBytes;
    }

    /**
     * @param maxDatagramBytes largest datagram, {@value #MAX_DATAGRAM_BYTES_MIN} to {@value #MAX_DATAGRAM_BYTES_MAX}
     *                         bytes.
     * @return this.
     */
    public RecoveryConfig maxDatagramBytes(final int maxDatagramBytes)
    {
        this.maxDatagramBytes = maxDatagramBytes;
        return this;
    }

    /**
     * @return initial congestion window, in max datagrams.
     */
    public int initialWindowPackets()
    {
        return initialWindowPackets;
    }

    /**
     * @param initialWindowPackets initial congestion window, from {@link #minWindowPackets()} to 1024 max datagrams.
     * @return this.
     */
    public RecoveryConfig initialWindowPackets(final int initialWindowPackets)
    {
        this.initialWindowPackets = initialWindowPackets;
        return this;
    }

    /**
     * @return floor of the congestion window, in max datagrams.
     */
    public int minWindowPackets()
    {
        return minWindowPackets;
    }

    /**
     * @param minWindowPackets floor of the congestion window, 2 to 1024 max datagrams.
     * @return this.
     */
    public RecoveryConfig minWindowPackets(final int minWindowPackets)
    {
        this.minWindowPackets = minWindowPackets;
        return this;
    }

    /**
     * @return ceiling of the congestion window, bytes.
     */
    public long maxWindowBytes()
    {
        return maxWindowBytes;
    }

    /**
     * @param maxWindowBytes ceiling of the congestion window, from the initial window to 1 GiB.
     * @return this.
     */
    public RecoveryConfig maxWindowBytes(final long maxWindowBytes)
    {
        this.maxWindowBytes = maxWindowBytes;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "RecoveryConfig{sentPacketCapacity=" + sentPacketCapacity +
            ", initialRttNs=" + initialRttNs +
            ", maxAckDelayNs=" + maxAckDelayNs +
            ", peerMaxAckDelayNs=" + peerMaxAckDelayNs +
            ", ackElicitingThreshold=" + ackElicitingThreshold +
            ", maxPtoNs=" + maxPtoNs +
            ", maxDatagramBytes=" + maxDatagramBytes +
            ", initialWindowPackets=" + initialWindowPackets +
            ", minWindowPackets=" + minWindowPackets +
            ", maxWindowBytes=" + maxWindowBytes + '}';
    }

    private static void range(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
