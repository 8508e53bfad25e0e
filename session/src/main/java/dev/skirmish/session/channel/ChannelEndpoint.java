package dev.skirmish.session.channel;

import dev.skirmish.session.channel.ReceiveChannel.MessageHandler;
import dev.skirmish.session.channel.recovery.AckTracker;
import dev.skirmish.session.channel.recovery.CongestionController;
import dev.skirmish.session.channel.recovery.RecoveryConfig;
import dev.skirmish.session.channel.recovery.RecoveryCounter;
import dev.skirmish.session.channel.recovery.RecoveryHandler;
import dev.skirmish.session.channel.recovery.RttEstimator;
import dev.skirmish.session.channel.recovery.SentPacketTracker;
import io.netty.buffer.ByteBuf;
import org.agrona.DirectBuffer;

import java.util.Arrays;

import static dev.skirmish.session.channel.BodyDescriptor.ACK_LENGTH;

/**
 * One side of one session's channel layer (docs/channels.md): the send queue, packet building, acks, loss recovery,
 * reassembly and per-mode delivery, tied together. Transport-agnostic: packets leave through a {@link PacketWriter}
 * (the session seals them; the packet number is the AEAD sequence) and arrive through {@link #onPacket} after the
 * session authenticated them. Time is an input.
 * <p>
 * <b>Duty cycle</b>: {@link #onPacket} for each packet received, {@link #onTimer} when {@link #nextTimerNs()} is
 * reached, then {@link #flush}: ack (when due, and on every packet once anything was received), lost reliable chunks,
 * then new chunks in channel priority order, while the congestion window and the sent-packet ring allow (ack-only
 * packets are exempt; a probe ignores the window). Messages of the unreliable modes are realtime: when the window is
 * used up they still go, in packets of their own (counted in flight like any other), so bulk reliable data never
 * delays them; the game paces them (see {@link #sendBudgetBytes()}).
 * <p>
 * <b>Sender flow control</b> (the contract of {@link ReceiveChannel} and {@link ReassemblyBuffer}): a reliable
 * message is started only while its sequence is less than the receive window ahead of its channel's oldest
 * unacknowledged message, and, on an ordered channel, while the bytes after that message up to it fit the reorder
 * budget; a fragmented message is started only while the fragmented messages in flight fit the peer's reassembly
 * slots and budget. Both ends must use the same {@link ChannelEndpointConfig} protocol values.
 * <p>
 * <b>Duplicates</b>: a packet number the {@link AckTracker} has already recorded is ignored as a whole
 * ({@link #PACKET_DUPLICATE}); in a session the AEAD replay window drops those earlier. A packet too far below the
 * largest for the ack tracker to tell ({@code RECEIVED_TOO_OLD}) is processed, except its
 * {@link ChannelMode#UNRELIABLE} frames, which have no message-level duplicate check.
 * <p>
 * <b>Limits</b>: unreliable messages are not held by the congestion window (above) and do not expire: a game that
 * queues them faster than the path carries them fills its send queue; an ack describes only 64 packets below the
 * largest, so the owner should flush at least once per 64 packets received, or the older ones are never
 * acknowledged and are resent as lost.
 * <p>
 * <b>Handler errors</b>: a {@link MessageHandler} that throws does not stop the packet: the remaining frames are
 * processed (the packet is already recorded for the ack), then the first exception is rethrown.
 * <p>
 * Not thread safe: single writer, the thread that owns the session (worker or client loop). Allocates when
 * constructed (~43 KB, most of it the sent-packet tracker) and when its send queue, packet refs or reorder buffers
 * grow towards their configured caps (doubling, a few times per session at most); nothing in steady state.
 */
public final class ChannelEndpoint implements ChannelStats
{
    /**
     * Where built packet bodies go; implemented by the session.
     */
    public interface PacketWriter
    {
        /**
         * @return a buffer to write a body into at its writer index (room for the path payload), or null for none.
         */
        ByteBuf claim();

        /**
         * Seal and send the body written since {@link #claim()}. Packet numbers increase; gaps (packets that bypass
         * the endpoint) must keep the number less than the sent-packet capacity past the oldest packet in flight, or
         * the tracker refuses to record the packet: its chunks are queued for resend and the flush stops.
         *
         * @param body the claimed buffer.
         * @return the packet number used (AEAD sequence), or -1 if it was not sent.
         */
        long commit(ByteBuf body);
    }

    /** {@link #send}: queued. */
    public static final int SEND_OK = 0;
    /** {@link #send}: the send queue is full (bytes, messages or chunks): not queued, counted. */
    public static final int SEND_QUEUE_FULL = 1;

    /** {@link #onPacket}: processed. */
    public static final int PACKET_OK = 0;
    /** {@link #onPacket}: packet number already received: ignored as a whole. */
    public static final int PACKET_DUPLICATE = 1;
    /** {@link #onPacket}: malformed body, rejected as a unit ({@link #lastMalformedReason()}). */
    public static final int PACKET_MALFORMED = 2;
    /** {@link #onPacket}: processed, but a frame broke the sender contract: the session should be closed. */
    public static final int PACKET_PROTOCOL_VIOLATION = 3;

    private static final int PROBE_SCAN_LIMIT = 256;

    private final int channelCount;
    private final ChannelMode[] modes;
    private final int[] channelOrder;
    private final int[] groupStart;
    private final int[] groupSize;
    private final int groupCount;
    private int rotation;
    private final int pathPayloadBytes;
    private final int maxMessageBytes;
    private final int maxWholeBytes;
    private final int fragmentLength;
    private final int maxFragments;
    private final int packetOverheadBytes;
    private final int receiveWindow;
    private final int reorderBudgetBytes;
    private final int peerReassemblyMessages;
    private final int peerReassemblyBytes;

    private final SendQueue queue;
    private final ReceiveChannel[] receiveChannels;
    private final ReassemblyBuffer reassembly;
    private final BodyEncoder encoder = new BodyEncoder();
    private final BodyDecoder decoder = new BodyDecoder();
    private final RttEstimator rtt;
    private final CongestionController congestion;
    private final SentPacketTracker tracker;
    private final AckTracker ackTracker;
    private final RecoveryHandler recoveryHandler = new Recovery();

    private final SendPacketRefs refs;

    private int probesPending;
    private int fragmentedInFlight;
    private long fragmentedBytesInFlight;
    private int lastMalformedReason;

    private long packetsOut;
    private long bytesOut;
    private long packetsIn;
    private long bytesIn;
    private long elicitingPacketsOut;
    private long resends;
    private long newChunks;
    private long duplicatePackets;
    private long malformedPackets;
    private long protocolViolations;
    private long sendQueueFull;
    private long unsentBytes;
    private long messagesQueued;

    /**
     * @param config concluded here.
     */
    public ChannelEndpoint(final ChannelEndpointConfig config)
    {
        config.conclude();
        final ChannelConfig[] channels = config.channels();
        channelCount = channels.length;
        modes = new ChannelMode[channelCount];
        final boolean[] reliable = new boolean[channelCount];
        receiveChannels = new ReceiveChannel[channelCount];
        final Integer[] order = new Integer[channelCount];
        for (int i = 0; i < channelCount; i++)
        {
            modes[i] = channels[i].mode();
            reliable[i] = modes[i].isReliable();
            receiveChannels[i] = new ReceiveChannel(i, modes[i], config.receiveConfig());
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> channels[a].priority() != channels[b].priority() ?
            Integer.compare(channels[a].priority(), channels[b].priority()) : Integer.compare(a, b));
        channelOrder = new int[channelCount];
        groupStart = new int[channelCount];
        groupSize = new int[channelCount];
        int groups = 0;
        for (int i = 0; i < channelCount; i++)
        {
            channelOrder[i] = order[i];
            if (0 == i || channels[order[i]].priority() != channels[order[i - 1]].priority())
            {
                groupStart[groups++] = i;
            }
            groupSize[groups - 1]++;
        }
        groupCount = groups;

        pathPayloadBytes = config.pathPayloadBytes();
        maxMessageBytes = config.maxMessageBytes();
        maxWholeBytes = config.maxWholeMessageBytes();
        fragmentLength = config.fragmentLength();
        maxFragments = config.reassemblyConfig().maxFragments();
        packetOverheadBytes = config.packetOverheadBytes();
        receiveWindow = config.receiveConfig().window();
        reorderBudgetBytes = config.receiveConfig().reorderBudgetBytes();
        peerReassemblyMessages = config.reassemblyConfig().maxMessages();
        peerReassemblyBytes = config.reassemblyConfig().budgetBytes();

        queue = new SendQueue(config, reliable);
        queue.doneListener(this::onMessageDone);
        reassembly = new ReassemblyBuffer(config.reassemblyConfig());
        final RecoveryConfig recoveryConfig = config.recoveryConfig();
        rtt = new RttEstimator(recoveryConfig);
        congestion = new CongestionController(recoveryConfig);
        tracker = new SentPacketTracker(recoveryConfig, rtt, congestion);
        ackTracker = new AckTracker(recoveryConfig);

        refs = new SendPacketRefs(config.packetRefs(), recoveryConfig.sentPacketCapacity());
    }

    /**
     * Queue a message: copied into the send queue, sent by a later {@link #flush}.
     *
     * @param channel channel id.
     * @param src     message bytes.
     * @param offset  in src.
     * @param length  1..max message bytes; at most {@link #maxWholeMessageBytes()} on an unreliable channel.
     * @return {@link #SEND_OK} or {@link #SEND_QUEUE_FULL}.
     * @throws IllegalArgumentException for a bad channel or length (a caller bug, not a network condition).
     */
    public int send(final int channel, final ByteBuf src, final int offset, final int length)
    {
        return queued(length, queue.offer(channel, src, offset, length, chunksOf(channel, length)));
    }

    /**
     * Queue a message from an array. See {@link #send(int, ByteBuf, int, int)}.
     *
     * @param channel channel id.
     * @param src     message bytes.
     * @param offset  in src.
     * @param length  message length.
     * @return {@link #SEND_OK} or {@link #SEND_QUEUE_FULL}.
     */
    public int send(final int channel, final byte[] src, final int offset, final int length)
    {
        final int chunks = chunksOf(channel, length);
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        return queued(length, queue.offer(channel, src, offset, length, chunks));
    }

    /**
     * Queue a message from an Agrona buffer (on or off heap). See {@link #send(int, ByteBuf, int, int)}.
     *
     * @param channel channel id.
     * @param src     message bytes.
     * @param offset  in src.
     * @param length  message length.
     * @return {@link #SEND_OK} or {@link #SEND_QUEUE_FULL}.
     */
    public int send(final int channel, final DirectBuffer src, final int offset, final int length)
    {
        final int chunks = chunksOf(channel, length);
        src.boundsCheck(offset, length);
        return queued(length, queue.offer(channel, src, offset, length, chunks));
    }

    /**
     * Queue a message whose bytes the caller writes in place (zero copy): the returned offset is where, in
     * {@link #claimBuffer()} (read it after this call: the queue may have grown), the message's {@code length}
     * bytes go. They must be written before the next {@link #flush}, on the same thread.
     *
     * @param channel channel id.
     * @param length  message length, as for {@link #send(int, ByteBuf, int, int)}.
     * @return the offset, or -1 when the send queue is full (counted).
     */
    public int claim(final int channel, final int length)
    {
        final int at = queue.claim(channel, length, chunksOf(channel, length));
        queued(length, at >= 0);
        return at;
    }

    /**
     * @return the send queue's buffer, where {@link #claim} offsets point; valid until the next {@link #claim} or
     * send on this endpoint.
     */
    public ByteBuf claimBuffer()
    {
        return queue.buffer();
    }

    /**
     * Check a message the way {@link #send(int, ByteBuf, int, int)} does, without queuing it.
     *
     * @param channel channel id.
     * @param length  message length.
     * @throws IllegalArgumentException for a bad channel or length, or an unreliable message larger than a packet.
     */
    public void checkMessage(final int channel, final int length)
    {
        chunksOf(channel, length);
    }

    private int chunksOf(final int channel, final int length)
    {
        if (channel < 0 || channel >= channelCount)
        {
            throw new IllegalArgumentException("channel must be in [0, " + channelCount + "), got " + channel);
        }
        if (length < 1 || length > maxMessageBytes)
        {
            throw new IllegalArgumentException(
                "message length must be in [1, " + maxMessageBytes + "], got " + length);
        }
        if (length <= maxWholeBytes)
        {
            return 1;
        }
        if (!modes[channel].isReliable())
        {
            throw new IllegalArgumentException("an " + modes[channel] + " message must fit one packet: " +
                length + " bytes > " + maxWholeBytes + " on channel " + channel + " (use a reliable channel)");
        }
        return (length + fragmentLength - 1) / fragmentLength;
    }

    private int queued(final int length, final boolean queued)
    {
        if (!queued)
        {
            sendQueueFull++;
            return SEND_QUEUE_FULL;
        }
        unsentBytes += length;
        messagesQueued++;
        return SEND_OK;
    }

    /**
     * Build and send packets: ack, lost reliable chunks, new chunks by channel priority, as the window allows.
     *
     * @param nowNs  current time.
     * @param writer where the bodies go.
     * @return packets sent (a work count).
     */
    public int flush(final long nowNs, final PacketWriter writer)
    {
        final long packetsBefore = packetsOut;
        while (true)
        {
            if (!tracker.canSend())
            {
                probesPending = 0; // not even a probe may go until an ack or a loss frees the sent-packet ring
            }
            final boolean probe = probesPending > 0;
            final boolean mayElicit = probe || (tracker.canSend() && congestion.availableBytes() > 0);
            final boolean data = mayElicit && refs.free() > 0 && hasData();
            // realtime (unreliable) messages do not wait for the window: bulk reliable data must not delay them
            final boolean realtime = !data && !probe && tracker.canSend() && hasRealtimeData();
            final boolean ackDue = ackTracker.ackDueNs() <= nowNs;
            if (!data && !probe && !ackDue && !realtime)
            {
                break;
            }
            final ByteBuf buffer = writer.claim();
            if (null == buffer)
            {
                break;
            }
            if (probe)
            {
                probesPending--;
            }
            if (!buildAndSend(nowNs, writer, buffer, probe, data || probe, realtime))
            {
                break;
            }
        }
        return (int)(packetsOut - packetsBefore);
    }

    /**
     * Handle an authenticated packet body.
     *
     * @param packetNumber its packet number (AEAD sequence).
     * @param body         holding the body.
     * @param offset       of the body.
     * @param length       of the body.
     * @param nowNs        receive time.
     * @param handler      receives delivered messages.
     * @return {@link #PACKET_OK}, {@link #PACKET_DUPLICATE}, {@link #PACKET_MALFORMED} or
     * {@link #PACKET_PROTOCOL_VIOLATION}.
     */
    public int onPacket(
        final long packetNumber,
        final ByteBuf body,
        final int offset,
        final int length,
        final long nowNs,
        final MessageHandler handler)
    {
        final int validation = decoder.wrap(body, offset, length, channelCount, maxFragments);
        if (BodyDecoder.OK != validation)
        {
            lastMalformedReason = validation;
            malformedPackets++;
            return PACKET_MALFORMED;
        }
        final boolean ackEliciting = !(decoder.hasAck() && length == 1 + ACK_LENGTH);
        final int received = ackTracker.onPacketReceived(packetNumber, ackEliciting, nowNs);
        if (AckTracker.RECEIVED_DUPLICATE == received)
        {
            duplicatePackets++;
            return PACKET_DUPLICATE;
        }
        // too old for the ack tracker to tell whether it is a copy: only message ids can drop duplicates then
        final boolean mayBeCopy = AckTracker.RECEIVED_TOO_OLD == received;
        packetsIn++;
        bytesIn += length;
        if (decoder.hasAck())
        {
            tracker.onAckReceived(
                decoder.largestAcked(), decoder.ackBits(), decoder.ackDelayNs(), nowNs, recoveryHandler);
        }

        boolean violation = false;
        RuntimeException handlerError = null;
        while (decoder.nextFrame())
        {
            if (mayBeCopy && ChannelMode.UNRELIABLE == modes[decoder.channel()])
            {
                continue;
            }
            try
            {
                violation |= onFrame(nowNs, body, handler);
            }
            catch (final RuntimeException ex)
            {
                // the packet is recorded for the ack already: every frame must still be processed
                handlerError = null == handlerError ? ex : handlerError;
            }
        }
        if (null != handlerError)
        {
            throw handlerError;
        }
        if (violation)
        {
            protocolViolations++;
            return PACKET_PROTOCOL_VIOLATION;
        }
        return PACKET_OK;
    }

    /**
     * Run the recovery timers (loss timer, probe timeout); a probe is sent by the next {@link #flush}.
     * <p>
     * Incomplete reassembly is deliberately not expired here: its fragments were acknowledged at the packet level, so
     * the sender will not resend them, and dropping them would lose the message for good (and stall an ordered
     * channel). A conforming sender never needs more than the reassembly slots and budget (see the class javadoc).
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int onTimer(final long nowNs)
    {
        return tracker.onTimeout(nowNs, recoveryHandler);
    }

    /**
     * @return when {@link #onTimer} (recovery) or {@link #flush} (an ack) next has work, or {@link Long#MAX_VALUE}.
     */
    public long nextTimerNs()
    {
        return Math.min(tracker.nextTimeoutNs(), ackTracker.ackDueNs());
    }

    /**
     * @return smoothed RTT, ns.
     */
    public long srttNs()
    {
        return rtt.smoothedRttNs();
    }

    /**
     * @return RTT variation, ns.
     */
    public long rttVarNs()
    {
        return rtt.rttVarNs();
    }

    /**
     * @return minimum RTT seen, ns.
     */
    public long minRttNs()
    {
        return rtt.minRttNs();
    }

    /**
     * @return RTT jitter estimate, ns.
     */
    public long jitterNs()
    {
        return rtt.jitterNs();
    }

    /**
     * @return percentage of ack-eliciting packets sent that were declared lost.
     */
    public double lossPercent()
    {
        return 0 == elicitingPacketsOut ? 0.0 :
            100.0 * tracker.counter(RecoveryCounter.PACKETS_LOST) / elicitingPacketsOut;
    }

    /**
     * @return packets sent.
     */
    public long packetsOut()
    {
        return packetsOut;
    }

    /**
     * @return body bytes sent.
     */
    public long bytesOut()
    {
        return bytesOut;
    }

    /**
     * @return packets received and processed (duplicates and malformed ones excluded).
     */
    public long packetsIn()
    {
        return packetsIn;
    }

    /**
     * @return body bytes received and processed.
     */
    public long bytesIn()
    {
        return bytesIn;
    }

    /**
     * @return reliable chunks sent again (after a loss, or as a probe).
     */
    public long resends()
    {
        return resends;
    }

    /**
     * @return chunks (whole messages or fragments) sent for the first time; {@link #resends()} counts the others.
     */
    public long newChunks()
    {
        return newChunks;
    }

    /**
     * @return bytes the game may queue now without waiting: the congestion window less the bytes in flight and the
     * message bytes queued but never sent (0 when used up).
     */
    public long sendBudgetBytes()
    {
        return Math.max(0, congestion.window() - congestion.bytesInFlight() - unsentBytes);
    }

    /**
     * @return message bytes queued and not yet sent once.
     */
    public long unsentBytes()
    {
        return unsentBytes;
    }

    /**
     * @return messages accepted by send or claim.
     */
    public long messagesQueued()
    {
        return messagesQueued;
    }

    /**
     * @return channels in the table.
     */
    public int channelCount()
    {
        return channelCount;
    }

    /**
     * @param channel channel id.
     * @return its delivery mode.
     */
    public ChannelMode mode(final int channel)
    {
        return modes[channel];
    }

    /**
     * @return largest message, bytes.
     */
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    /**
     * @return congestion window, bytes.
     */
    public long windowBytes()
    {
        return congestion.window();
    }

    /**
     * @return bytes in flight, bytes.
     */
    public long bytesInFlight()
    {
        return congestion.bytesInFlight();
    }

    /**
     * @return bytes of messages held by the send queue (not yet sent, in flight, or awaiting reclaim).
     */
    public long queuedBytes()
    {
        return queue.queuedBytes();
    }

    /**
     * @return messages held by the send queue.
     */
    public long queuedMessages()
    {
        return queue.queuedMessages();
    }

    /**
     * @return packets ignored as duplicates.
     */
    public long duplicatePackets()
    {
        return duplicatePackets;
    }

    /**
     * @return packets rejected as malformed.
     */
    public long malformedPackets()
    {
        return malformedPackets;
    }

    /**
     * @return the {@link BodyDecoder} result of the last malformed packet.
     */
    public int lastMalformedReason()
    {
        return lastMalformedReason;
    }

    /**
     * @return packets with a frame that broke the sender contract.
     */
    public long protocolViolations()
    {
        return protocolViolations;
    }

    /**
     * @return {@link #send} calls refused because the queue was full.
     */
    public long sendQueueFull()
    {
        return sendQueueFull;
    }

    /**
     * @param counter a recovery counter.
     * @return its value (sender counters from the tracker, receiver counters from the ack tracker).
     */
    public long recoveryCounter(final RecoveryCounter counter)
    {
        return tracker.counter(counter) + ackTracker.counter(counter);
    }

    /**
     * @param channel channel id.
     * @return its receive side, for its counters.
     */
    public ReceiveChannel receiveChannel(final int channel)
    {
        return receiveChannels[channel];
    }

    /**
     * @param counter a reassembly counter.
     * @return its value.
     */
    public long reassemblyCounter(final ReassemblyCounter counter)
    {
        return reassembly.counter(counter);
    }

    /**
     * @return largest message sent whole; larger reliable messages are fragmented.
     */
    public int maxWholeMessageBytes()
    {
        return maxWholeBytes;
    }

    private boolean onFrame(final long nowNs, final ByteBuf body, final MessageHandler handler)
    {
        final int channel = decoder.channel();
        final ReceiveChannel receiveChannel = receiveChannels[channel];
        final int sequence = decoder.sequence();
        if (!decoder.isFragment())
        {
            return ReceiveChannel.isProtocolViolation(
                receiveChannel.receive(sequence, body, decoder.dataOffset(), decoder.dataLength(), handler));
        }
        if (!modes[channel].isReliable())
        {
            return true;
        }
        if (!receiveChannel.wouldAccept(sequence))
        {
            // a late copy of a message already delivered is fine; one beyond the window breaks the contract
            return receiveChannel.isBeyondWindow(sequence);
        }
        final int result = reassembly.onFragment(channel, sequence, decoder.fragmentIndex(),
            decoder.fragmentCount(), body, decoder.dataOffset(), decoder.dataLength(), nowNs);
        if (ReassemblyResult.COMPLETE == result)
        {
            try
            {
                return ReceiveChannel.isProtocolViolation(receiveChannel.receive(sequence,
                    reassembly.completedBuffer(), reassembly.completedOffset(), reassembly.completedLength(), handler));
            }
            finally
            {
                reassembly.release();
            }
        }
        return ReassemblyResult.isRejection(result);
    }

    private boolean buildAndSend(
        final long nowNs,
        final PacketWriter writer,
        final ByteBuf buffer,
        final boolean probe,
        final boolean data,
        final boolean realtimeOnly)
    {
        final int start = buffer.writerIndex();
        encoder.begin(buffer, pathPayloadBytes);
        boolean withAck = ackTracker.hasReceived();
        if (withAck)
        {
            encoder.ack(ackTracker.largestReceived(), ackTracker.ackBitfield(), ackTracker.ackDelayNs(nowNs));
        }
        refs.beginPacket();
        int frames = 0;
        if (probe)
        {
            final long chunk = queue.oldestUnackedSentChunk(PROBE_SCAN_LIMIT);
            if (chunk >= 0 && refs.free() > 0)
            {
                writeChunk(chunk);
                queue.markResent(chunk);
                resends++;
                frames++;
            }
        }
        if (data)
        {
            frames += writeResends();
            frames += writeNew(false);
        }
        else if (realtimeOnly)
        {
            frames += writeNew(true);
        }
        if (0 == frames && (probe || !withAck))
        {
            // a ping: a body without ack and frames elicits an ack (one with only an ack would not)
            buffer.writerIndex(start);
            encoder.begin(buffer, pathPayloadBytes);
            withAck = false;
        }
        final boolean ackEliciting = !withAck || frames > 0;
        final int bodyLength = encoder.length();
        final long packetNumber = writer.commit(buffer);
        if (withAck)
        {
            ackTracker.onAckSent(nowNs);
        }
        if (packetNumber < 0)
        {
            refs.abandon(queue);
            return false;
        }
        packetsOut++;
        bytesOut += bodyLength;
        final int size = Math.min(SentPacketTracker.MAX_PACKET_BYTES, bodyLength + packetOverheadBytes);
        if (ackEliciting)
        {
            elicitingPacketsOut++;
            if (tracker.onPacketSent(packetNumber, nowNs, size, true, packetNumber))
            {
                refs.record(packetNumber);
            }
            else
            {
                // refused (a packet number gap past the ring): stop, or the flush resends the same chunks for ever
                refs.abandon(queue);
                return false;
            }
        }
        else
        {
            tracker.onPacketSent(packetNumber, nowNs, size, false, packetNumber);
        }
        return true;
    }

    private int writeResends()
    {
        int frames = 0;
        long chunk;
        while ((chunk = queue.peekResend()) >= 0 && fits(chunk) && refs.free() > 0)
        {
            writeChunk(chunk);
            queue.takeResend();
            resends++;
            frames++;
        }
        return frames;
    }

    private int writeNew(final boolean realtimeOnly)
    {
        // priority groups in order; within a group, the first channel rotates per packet (fair iteration)
        final int turn = rotation++ & Integer.MAX_VALUE;
        int frames = 0;
        for (int g = 0; g < groupCount; g++)
        {
            for (int k = 0, size = groupSize[g]; k < size; k++)
            {
                final int channel = channelOrder[groupStart[g] + (turn + k) % size];
                if (!realtimeOnly || !modes[channel].isReliable())
                {
                    frames += writeNew(channel);
                }
            }
        }
        return frames;
    }

    private boolean hasRealtimeData()
    {
        for (int channel = 0; channel < channelCount; channel++)
        {
            if (!modes[channel].isReliable() && queue.unsentMessage(channel) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    private int writeNew(final int channel)
    {
        int frames = 0;
        // unreliable chunks hold no packet refs: a ring full of reliable refs must not stop realtime messages
        final boolean needsRefs = modes[channel].isReliable();
        while ((!needsRefs || refs.free() > 0) && canTakeNew(channel))
        {
            final long message = queue.unsentMessage(channel);
            if (queue.chunkCount(message) > 1 && 0 == queue.unsentFragment(channel))
            {
                fragmentedInFlight++;
                fragmentedBytesInFlight += reservation(queue.length(message));
            }
            final long chunk = queue.peekUnsent(channel);
            unsentBytes -= queue.chunkLength(chunk);
            writeChunk(chunk);
            queue.takeUnsent(channel);
            newChunks++;
            frames++;
        }
        return frames;
    }

    private boolean canTakeNew(final int channel)
    {
        final long message = queue.unsentMessage(channel);
        if (message < 0)
        {
            return false;
        }
        final int index = queue.unsentFragment(channel);
        final int count = queue.chunkCount(message);
        final int length = 1 == count ? queue.length(message) :
            Math.min(fragmentLength, queue.length(message) - index * fragmentLength);
        final int overhead = 1 == count ? BodyEncoder.frameOverhead() : BodyEncoder.fragmentOverhead();
        if (overhead + length > encoder.remaining())
        {
            return false;
        }
        return index > 0 || mayStart(channel, message);
    }

    private boolean hasData()
    {
        if (queue.peekResend() >= 0)
        {
            return true;
        }
        for (int channel = 0; channel < channelCount; channel++)
        {
            final long message = queue.unsentMessage(channel);
            if (message >= 0 && (queue.unsentFragment(channel) > 0 || mayStart(channel, message)))
            {
                return true;
            }
        }
        return false;
    }

    private boolean mayStart(final int channel, final long message)
    {
        final ChannelMode mode = modes[channel];
        if (!mode.isReliable())
        {
            return true;
        }
        final long oldest = queue.oldestUndone(channel);
        if (oldest >= 0 && oldest != message)
        {
            if (SequenceNumbers.distance(queue.sequence(oldest), queue.sequence(message)) >= receiveWindow)
            {
                return false;
            }
            if (ChannelMode.RELIABLE_ORDERED == mode &&
                queue.channelBytesEnd(message) - queue.channelBytesEnd(oldest) > reorderBudgetBytes)
            {
                return false;
            }
        }
        if (queue.chunkCount(message) > 1)
        {
            return fragmentedInFlight < peerReassemblyMessages &&
                fragmentedBytesInFlight + reservation(queue.length(message)) <= peerReassemblyBytes;
        }
        return true;
    }

    private int reservation(final int length)
    {
        final int count = (length + fragmentLength - 1) / fragmentLength;
        return (int)Math.min((long)count * fragmentLength, maxMessageBytes);
    }

    private void onMessageDone(final int channel, final int length, final boolean fragmented, final boolean started)
    {
        if (fragmented && started)
        {
            fragmentedInFlight--;
            fragmentedBytesInFlight -= reservation(length);
        }
    }

    private boolean fits(final long chunk)
    {
        final long message = queue.messageOf(chunk);
        final int overhead = 1 == queue.chunkCount(message) ? BodyEncoder.frameOverhead() :
            BodyEncoder.fragmentOverhead();
        return overhead + queue.chunkLength(chunk) <= encoder.remaining();
    }

    private void writeChunk(final long chunk)
    {
        final long message = queue.messageOf(chunk);
        final int channel = queue.channel(message);
        final int count = queue.chunkCount(message);
        if (1 == count)
        {
            encoder.frame(channel, queue.sequence(message), queue.buffer(), queue.chunkOffset(chunk),
                queue.chunkLength(chunk));
        }
        else
        {
            encoder.fragment(channel, queue.sequence(message), queue.fragmentIndexOf(chunk), count,
                queue.buffer(), queue.chunkOffset(chunk), queue.chunkLength(chunk));
        }
        if (modes[channel].isReliable())
        {
            refs.add(chunk);
        }
    }

    private final class Recovery implements RecoveryHandler
    {
        public void onAcked(final long handle)
        {
            refs.onAcked(handle, queue);
        }

        public void onLost(final long handle)
        {
            refs.onLost(handle, queue);
        }

        public void onSpuriousLoss(final long handle)
        {
            refs.onSpuriousLoss(handle, queue);
        }

        public void onProbe()
        {
            probesPending = 1;
        }
    }
}
