package dev.skirmish.session.channel;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.session.channel.recovery.RecoveryConfig;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;

import java.util.Arrays;

import static dev.skirmish.session.channel.BodyDescriptor.ACK_LENGTH;
import static dev.skirmish.session.channel.BodyDescriptor.FRAGMENT_PART_LENGTH;
import static dev.skirmish.session.channel.BodyDescriptor.FRAME_HEADER_LENGTH;
import static dev.skirmish.session.channel.BodyDescriptor.MAX_CHANNELS;

/**
 * Configuration of a {@link ChannelEndpoint}: the channel table, the path payload, the send queue bounds, and the
 * receive, reassembly and recovery configs it hands to its building blocks. Every setting has a default with its
 * unit and reason, a getter and a fluent setter; {@link #conclude()} validates once and derives the reassembly
 * fragment length and maximum message length from this config (they are protocol values: both ends must run the same
 * path payload, max message size, channel modes and receive config).
 * <p>
 * Not thread safe: configure on one thread, then hand it over.
 */
public final class ChannelEndpointConfig
{
    /** Default path payload: 1200 bytes of DATA body, fits any IPv6 path (1280) with headers and AEAD tag. */
    public static final int PATH_PAYLOAD_BYTES_DEFAULT = 1200;
    /** Smallest path payload. */
    public static final int PATH_PAYLOAD_BYTES_MIN = 64;
    /** Largest path payload. */
    public static final int PATH_PAYLOAD_BYTES_MAX = 65507;
    /** Default largest message: 256 KiB (a level snapshot or a large RPC). */
    public static final int MAX_MESSAGE_BYTES_DEFAULT = 256 * 1024;
    /**
     * Default send queue byte budget: 1 MiB, four maximum messages; a full queue is reported to the game. A cap: the
     * arena is empty until the first message, starts at 4 KiB and doubles as the held bytes need ({@link SendQueue}).
     */
    public static final int SEND_QUEUE_BYTES_DEFAULT = 1024 * 1024;
    /**
     * Default send queue message records: 4096 (a power of two), several seconds of game traffic at 60 Hz. A cap:
     * the ring starts at 64 records (58 B each) and doubles when full.
     */
    public static final int SEND_QUEUE_MESSAGES_DEFAULT = 4096;
    /**
     * Default send queue chunk records: 16384 (a power of two), enough to fragment the byte budget at 64 B. A cap:
     * the ring starts at 64 records (25 B each) and doubles when full.
     */
    public static final int SEND_QUEUE_CHUNKS_DEFAULT = 16384;
    /**
     * Default chunk references of packets in flight: 16384 (a power of two), 16 per packet of a 1024 ring. A cap:
     * the ring starts at 64 references and doubles when full ({@link SendPacketRefs}).
     */
    public static final int PACKET_REFS_DEFAULT = 16384;
    /** Default bytes one packet costs beyond its body (protected header and AEAD tag), counted against the window. */
    public static final int PACKET_OVERHEAD_BYTES_DEFAULT = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH -
        ProtectedPacketDescriptor.maxPayloadLength(PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH);

    private ChannelConfig[] channels =
    {
        new ChannelConfig(ChannelMode.UNRELIABLE, 0),
        new ChannelConfig(ChannelMode.UNRELIABLE_SEQUENCED, 0),
        new ChannelConfig(ChannelMode.RELIABLE_ORDERED, 1),
        new ChannelConfig(ChannelMode.RELIABLE_UNORDERED, 1),
    };
    private int pathPayloadBytes = PATH_PAYLOAD_BYTES_DEFAULT;
    private int maxMessageBytes = MAX_MESSAGE_BYTES_DEFAULT;
    private int sendQueueBytes = SEND_QUEUE_BYTES_DEFAULT;
    private int sendQueueMessages = SEND_QUEUE_MESSAGES_DEFAULT;
    private int sendQueueChunks = SEND_QUEUE_CHUNKS_DEFAULT;
    private int packetRefs = PACKET_REFS_DEFAULT;
    private int packetOverheadBytes = PACKET_OVERHEAD_BYTES_DEFAULT;
    private ReceiveConfig receiveConfig = new ReceiveConfig();
    // the longest timeout: fragments are acked per packet, so expiring a message the sender is still sending loses
    // the acked fragments for good; at 20% loss a 256 KiB message can take longer than the 10 s default to send
    private ReassemblyConfig reassemblyConfig = new ReassemblyConfig().timeoutNs(ReassemblyConfig.TIMEOUT_NS_MAX);
    private RecoveryConfig recoveryConfig = new RecoveryConfig();

    /**
     * Validate every setting and derive the reassembly fragment length ({@link #fragmentLength()}) and maximum
     * message length into the reassembly config.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first invalid setting.
     */
    public ChannelEndpointConfig conclude()
    {
        if (null == channels || channels.length < 1 || channels.length > MAX_CHANNELS)
        {
            throw new IllegalArgumentException("channels must hold 1.." + MAX_CHANNELS + " entries");
        }
        for (int i = 0; i < channels.length; i++)
        {
            if (null == channels[i])
            {
                throw new IllegalArgumentException("channels[" + i + "] must not be null");
            }
        }
        range("pathPayloadBytes", pathPayloadBytes, PATH_PAYLOAD_BYTES_MIN, PATH_PAYLOAD_BYTES_MAX);
        range("maxMessageBytes", maxMessageBytes, fragmentLength() + 1L, ReassemblyConfig.MAX_MESSAGE_LENGTH_MAX);
        range("sendQueueBytes", sendQueueBytes, maxMessageBytes, Integer.MAX_VALUE);
        powerOfTwo("sendQueueMessages", sendQueueMessages);
        powerOfTwo("sendQueueChunks", sendQueueChunks);
        powerOfTwo("packetRefs", packetRefs);
        range("sendQueueChunks", sendQueueChunks, (maxMessageBytes + fragmentLength() - 1) / fragmentLength(),
            1 << 30);
        range("packetRefs", packetRefs, pathPayloadBytes / (FRAME_HEADER_LENGTH + 1) + 1, 1 << 30);
        range("packetOverheadBytes", packetOverheadBytes, 0, 1024);
        reassemblyConfig.fragmentLength(fragmentLength()).maxMessageLength(maxMessageBytes).conclude();
        receiveConfig.conclude();
        recoveryConfig.conclude();
        return this;
    }

    /**
     * @return data bytes of every fragment but the last: the path payload less the flags byte, an ack block and a
     * fragment frame header, so any fragment fits a packet next to an ack.
     */
    public int fragmentLength()
    {
        return pathPayloadBytes - 1 - ACK_LENGTH - FRAME_HEADER_LENGTH - FRAGMENT_PART_LENGTH;
    }

    /**
     * @return largest message sent whole (one frame next to an ack); larger reliable ones are fragmented and larger
     * unreliable ones are refused.
     */
    public int maxWholeMessageBytes()
    {
        return pathPayloadBytes - 1 - ACK_LENGTH - FRAME_HEADER_LENGTH;
    }

    /**
     * @return the channel table (a copy).
     */
    public ChannelConfig[] channels()
    {
        return channels.clone();
    }

    /**
     * @param channels channel table, 1..8 entries; channel id = index; modes must match the peer's.
     * @return this.
     */
    public ChannelEndpointConfig channels(final ChannelConfig... channels)
    {
        this.channels = null == channels ? null : channels.clone();
        return this;
    }

    /**
     * @return DATA body bytes per packet.
     */
    public int pathPayloadBytes()
    {
        return pathPayloadBytes;
    }

    /**
     * @param pathPayloadBytes DATA body bytes per packet, {@value #PATH_PAYLOAD_BYTES_MIN}..
     *                         {@value #PATH_PAYLOAD_BYTES_MAX}; the same at both ends (it sets the fragment length).
     * @return this.
     */
    public ChannelEndpointConfig pathPayloadBytes(final int pathPayloadBytes)
    {
        this.pathPayloadBytes = pathPayloadBytes;
        return this;
    }

    /**
     * @return largest message, bytes.
     */
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    /**
     * @param maxMessageBytes largest message, bytes; above the fragment length, at most 16 MiB.
     * @return this.
     */
    public ChannelEndpointConfig maxMessageBytes(final int maxMessageBytes)
    {
        this.maxMessageBytes = maxMessageBytes;
        return this;
    }

    /**
     * @return send queue byte budget.
     */
    public int sendQueueBytes()
    {
        return sendQueueBytes;
    }

    /**
     * @param sendQueueBytes send queue byte budget, at least {@link #maxMessageBytes()}.
     * @return this.
     */
    public ChannelEndpointConfig sendQueueBytes(final int sendQueueBytes)
    {
        this.sendQueueBytes = sendQueueBytes;
        return this;
    }

    /**
     * @return send queue message records.
     */
    public int sendQueueMessages()
    {
        return sendQueueMessages;
    }

    /**
     * @param sendQueueMessages send queue message records, a power of two.
     * @return this.
     */
    public ChannelEndpointConfig sendQueueMessages(final int sendQueueMessages)
    {
        this.sendQueueMessages = sendQueueMessages;
        return this;
    }

    /**
     * @return send queue chunk records.
     */
    public int sendQueueChunks()
    {
        return sendQueueChunks;
    }

    /**
     * @param sendQueueChunks send queue chunk records, a power of two, at least the fragments of a maximum message.
     * @return this.
     */
    public ChannelEndpointConfig sendQueueChunks(final int sendQueueChunks)
    {
        this.sendQueueChunks = sendQueueChunks;
        return this;
    }

    /**
     * @return chunk references of the packets in flight.
     */
    public int packetRefs()
    {
        return packetRefs;
    }

    /**
     * @param packetRefs chunk references of the packets in flight, a power of two.
     * @return this.
     */
    public ChannelEndpointConfig packetRefs(final int packetRefs)
    {
        this.packetRefs = packetRefs;
        return this;
    }

    /**
     * @return bytes a packet costs beyond its body.
     */
    public int packetOverheadBytes()
    {
        return packetOverheadBytes;
    }

    /**
     * @param packetOverheadBytes bytes a packet costs beyond its body, 0..1024.
     * @return this.
     */
    public ChannelEndpointConfig packetOverheadBytes(final int packetOverheadBytes)
    {
        this.packetOverheadBytes = packetOverheadBytes;
        return this;
    }

    /**
     * @return receive config (window and reorder budget; also the sender's flow-control limits).
     */
    public ReceiveConfig receiveConfig()
    {
        return receiveConfig;
    }

    /**
     * @param receiveConfig receive config; the same at both ends.
     * @return this.
     */
    public ChannelEndpointConfig receiveConfig(final ReceiveConfig receiveConfig)
    {
        this.receiveConfig = receiveConfig;
        return this;
    }

    /**
     * @return reassembly config (fragment length and max message length are set by {@link #conclude()}).
     */
    public ReassemblyConfig reassemblyConfig()
    {
        return reassemblyConfig;
    }

    /**
     * @param reassemblyConfig reassembly config; its slot count and budget also bound the sender. Its timeout should
     *                         exceed the time the slowest path takes to carry a maximum message (the default config
     *                         here uses {@link ReassemblyConfig#TIMEOUT_NS_MAX}): an expired message whose fragments
     *                         were acknowledged is never resent.
     * @return this.
     */
    public ChannelEndpointConfig reassemblyConfig(final ReassemblyConfig reassemblyConfig)
    {
        this.reassemblyConfig = reassemblyConfig;
        return this;
    }

    /**
     * @return recovery config.
     */
    public RecoveryConfig recoveryConfig()
    {
        return recoveryConfig;
    }

    /**
     * @param recoveryConfig recovery config.
     * @return this.
     */
    public ChannelEndpointConfig recoveryConfig(final RecoveryConfig recoveryConfig)
    {
        this.recoveryConfig = recoveryConfig;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ChannelEndpointConfig{channels=" + Arrays.toString(channels) +
            ", pathPayloadBytes=" + pathPayloadBytes +
            ", maxMessageBytes=" + maxMessageBytes +
            ", sendQueueBytes=" + sendQueueBytes +
            ", sendQueueMessages=" + sendQueueMessages +
            ", sendQueueChunks=" + sendQueueChunks +
            ", packetRefs=" + packetRefs +
            ", packetOverheadBytes=" + packetOverheadBytes +
            ", " + receiveConfig + ", " + reassemblyConfig + ", " + recoveryConfig + '}';
    }

    private static void range(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    private static void powerOfTwo(final String name, final int value)
    {
        if (value < 16 || Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException(name + " must be a power of two of at least 16, got " + value);
        }
    }
}
