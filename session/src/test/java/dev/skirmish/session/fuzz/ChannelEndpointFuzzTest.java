package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.session.channel.BodyDecoder;
import dev.skirmish.session.channel.BodyDescriptor;
import dev.skirmish.session.channel.ChannelConfig;
import dev.skirmish.session.channel.ChannelEndpoint;
import dev.skirmish.session.channel.ChannelEndpointConfig;
import dev.skirmish.session.channel.ChannelMode;
import dev.skirmish.session.channel.ReassemblyBuffer;
import dev.skirmish.session.channel.ReassemblyConfig;
import dev.skirmish.session.channel.ReceiveChannel;
import dev.skirmish.session.channel.ReceiveConfig;
import dev.skirmish.session.channel.recovery.RecoveryConfig;
import dev.skirmish.session.channel.recovery.RecoveryCounter;
import dev.skirmish.session.channel.recovery.SentPacketTracker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target for {@link ChannelEndpoint#onPacket} end to end: the ack block into a real {@link SentPacketTracker}
 * with packets in flight, and fragment frames into its {@link ReassemblyBuffer}. A small endpoint (4 channels, 128 B
 * path payload, 16-packet ring, 2 reassembly slots) runs its duty cycle ({@code send}, {@code flush},
 * {@code onTimer}) against a genuine peer endpoint over a lossy, reordering, duplicating link, while the input
 * injects forged bodies (raw bytes, or well-framed with acks naming sent and never-sent packet numbers, any
 * bitfield, any ack delay, and fragments of any index and count) under any packet number, advances time by up to
 * 18 minutes a step, makes the packet writer refuse, and makes the message handler throw.
 * <p>
 * After every step: nothing throws except the handler's own exception, rethrown once; the body of every packet the
 * endpoint sends is at most the path payload and decodes; the congestion window stays within its floor and ceiling;
 * bytes in flight are at most the packets sent and not named by an accepted ack, and at most the ceiling plus one
 * packet per probe; the send queue within its budget; reassembly memory and slots within theirs; reorder buffers
 * within theirs; every delivered message well formed (channel, 1..max length, readable); {@code nextTimerNs} set
 * while anything is in flight and never absurdly far. A few duty cycles at the same time leave
 * {@code nextTimerNs} in the future (no spinning). What the peer delivers is byte-exact (in order on the ordered
 * channel, at most once everywhere), it never sees a malformed body, and it sees no protocol violation and, after
 * a clean drain (perfect link both ways, the owner waiting for the next timer), has every reliable message, unless
 * a forged ack named a packet the peer never got (the endpoint cannot tell), a packet number gap made the tracker
 * refuse a packet (then the peer's acks name a packet the tracker never recorded and are rejected: a known stall,
 * see {@link ChannelEndpoint.PacketWriter#commit}) or the run outlived the reassembly timeout.
 * <p>
 * Input: consumed by a {@link FuzzedDataProvider}. Seeds:
 * {@code ChannelEndpointFuzzTestInputs/shouldKeepEveryBoundUnderForgedPackets/}.
 */
class ChannelEndpointFuzzTest
{
    private static final int MAX_STEPS = 512;
    private static final int DRAIN_ROUNDS = 2000;
    private static final long DRAIN_STEP_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int PATH_PAYLOAD_BYTES = 128;
    private static final int PACKET_OVERHEAD_BYTES = 32;
    private static final int MAX_PACKET_BYTES = PATH_PAYLOAD_BYTES + PACKET_OVERHEAD_BYTES;
    private static final int MAX_FORGED_BYTES = 2 * PATH_PAYLOAD_BYTES;
    private static final int GUARD = 8;
    private static final int CHANNELS = 4;
    private static final int SEQUENCED = 1;
    private static final int ORDERED = 2;
    private static final int MAX_HELD = 64;
    private static final Field REASSEMBLY = reassemblyField();

    @FuzzTest
    void shouldKeepEveryBoundUnderForgedPackets(final FuzzedDataProvider data)
    {
        final Run run = new Run(data.consumeLong(-(1L << 61), 1L << 61));
        try
        {
            for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++)
            {
                final int op = data.consumeInt(0, 15);
                run.at = "step " + step + " op " + op;
                run.apply(op, data);
                run.check();
            }
            run.drain();
        }
        finally
        {
            run.release();
        }
    }

    private static ChannelEndpointConfig config()
    {
        return new ChannelEndpointConfig()
            .channels(
                new ChannelConfig(ChannelMode.UNRELIABLE, 0),
                new ChannelConfig(ChannelMode.UNRELIABLE_SEQUENCED, 0),
                new ChannelConfig(ChannelMode.RELIABLE_ORDERED, 1),
                new ChannelConfig(ChannelMode.RELIABLE_UNORDERED, 1))
            .pathPayloadBytes(PATH_PAYLOAD_BYTES)
            .maxMessageBytes(1000)
            .sendQueueBytes(4096)
            .sendQueueMessages(16)
            .sendQueueChunks(64)
            .packetRefs(32)
            .packetOverheadBytes(PACKET_OVERHEAD_BYTES)
            .receiveConfig(new ReceiveConfig().window(ReceiveConfig.WINDOW_MIN).reorderBudgetBytes(2048))
            .reassemblyConfig(new ReassemblyConfig()
                .maxMessages(2).budgetBytes(2000).timeoutNs(ReassemblyConfig.TIMEOUT_NS_MAX))
            .recoveryConfig(new RecoveryConfig()
                .sentPacketCapacity(RecoveryConfig.SENT_PACKET_CAPACITY_MIN)
                .maxDatagramBytes(MAX_PACKET_BYTES)
                .initialWindowPackets(4)
                .minWindowPackets(2)
                .maxWindowBytes(4096));
    }

    private static Field reassemblyField()
    {
        try
        {
            // the endpoint does not expose its reassembly buffer; its memory bound is what this target checks
            final Field field = ChannelEndpoint.class.getDeclaredField("reassembly");
            field.setAccessible(true);
            return field;
        }
        catch (final NoSuchFieldException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static byte[] message(final int channel, final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(index * 131 + channel * 17 + i * 7 + length);
        }
        return bytes;
    }

    /**
     * The handler's own exception: the only one {@link ChannelEndpoint#onPacket} may throw.
     */
    private static final class HandlerException extends RuntimeException
    {
        HandlerException()
        {
            super("thrown by the fuzz handler", null, false, false);
        }
    }

    /**
     * Packets built by one side's {@link ChannelEndpoint#flush}; the mode makes the writer misbehave for one flush.
     */
    private static final class Outbox implements ChannelEndpoint.PacketWriter
    {
        static final int NORMAL = 0;
        static final int NO_BUFFER = 1;
        static final int REFUSE = 2;
        static final int GAP = 3;

        final ByteBuf buffer = Unpooled.buffer(4 * PATH_PAYLOAD_BYTES);
        final BodyDecoder decoder = new BodyDecoder();
        final List<long[]> numbers = new ArrayList<>();
        final List<byte[]> bodies = new ArrayList<>();
        final Map<Long, Integer> elicitingUnacked = new HashMap<>();
        final List<Long> committed = new ArrayList<>();
        long next;
        final int maxFragments = config().conclude().reassemblyConfig().maxFragments();
        int commitsThisFlush;
        int mode = NORMAL;
        int gap;
        String at = "";

        public ByteBuf claim()
        {
            if (NO_BUFFER == mode)
            {
                return null;
            }
            buffer.clear();
            return buffer;
        }

        public long commit(final ByteBuf body)
        {
            // bounded by the ring, plus an ack-only packet and a probe, whatever the writer does
            assertTrue(++commitsThisFlush <= RecoveryConfig.SENT_PACKET_CAPACITY_MIN + 2,
                at + ": " + commitsThisFlush + " packets in one flush");
            final byte[] bytes = new byte[body.readableBytes()];
            body.getBytes(body.readerIndex(), bytes);
            assertTrue(bytes.length >= 1 && bytes.length <= PATH_PAYLOAD_BYTES, at + ": body of " + bytes.length);
            assertEquals(BodyDecoder.OK, decoder.wrap(body, body.readerIndex(), bytes.length, CHANNELS, maxFragments),
                at + ": the endpoint built a malformed body");
            if (REFUSE == mode)
            {
                return -1;
            }
            if (GAP == mode)
            {
                next += gap;
            }
            final long packetNumber = next++;
            numbers.add(new long[] {packetNumber});
            bodies.add(bytes);
            if (committed.size() < 1024)
            {
                committed.add(packetNumber);
            }
            if (!(bytes[0] == BodyDescriptor.FLAG_ACK && bytes.length == 1 + BodyDescriptor.ACK_LENGTH))
            {
                elicitingUnacked.put(packetNumber, Math.min(SentPacketTracker.MAX_PACKET_BYTES,
                    bytes.length + PACKET_OVERHEAD_BYTES));
            }
            return packetNumber;
        }

        long elicitingBytes()
        {
            long bytes = 0;
            for (final int size : elicitingUnacked.values())
            {
                bytes += size;
            }
            return bytes;
        }

        /**
         * An ack the receiving side's tracker accepted: what it names is no longer in flight.
         *
         * @return the ack-eliciting packets it named that no accepted ack had named before.
         */
        List<Long> onAckAccepted(final byte[] body)
        {
            final List<Long> named = new ArrayList<>();
            final long largest = getLongLE(body, 1);
            final long bits = getLongLE(body, 9);
            if (null != elicitingUnacked.remove(largest))
            {
                named.add(largest);
            }
            for (int i = 0; i < Long.SIZE; i++)
            {
                if (0 != (bits & 1L << i) && null != elicitingUnacked.remove(largest - 1 - i))
                {
                    named.add(largest - 1 - i);
                }
            }
            return named;
        }
    }

    /**
     * Checks the endpoint's deliveries for well-formedness; may throw on purpose.
     */
    private static final class EndpointHandler implements ReceiveChannel.MessageHandler
    {
        final int maxMessageBytes;
        boolean throwing;
        HandlerException firstThrown;
        String at = "";

        EndpointHandler(final int maxMessageBytes)
        {
            this.maxMessageBytes = maxMessageBytes;
        }

        public void onMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            assertTrue(channel >= 0 && channel < CHANNELS, at + ": channel " + channel);
            assertTrue(length >= 1 && length <= maxMessageBytes, at + ": length " + length);
            assertTrue(offset >= 0 && offset <= buffer.capacity() - length, at + ": " + offset + "+" + length);
            buffer.getBytes(offset, new byte[length]);
            if (throwing)
            {
                final HandlerException ex = new HandlerException();
                firstThrown = null == firstThrown ? ex : firstThrown;
                throw ex;
            }
        }
    }

    /**
     * The peer's deliveries, checked against what the endpoint sent: only genuine packets reach the peer.
     */
    private static final class PeerHandler implements ReceiveChannel.MessageHandler
    {
        final List<List<byte[]>> sent = new ArrayList<>();
        final List<boolean[]> delivered = new ArrayList<>();
        final int[] lastDelivered = new int[CHANNELS];
        String at = "";

        PeerHandler()
        {
            for (int channel = 0; channel < CHANNELS; channel++)
            {
                sent.add(new ArrayList<>());
                delivered.add(new boolean[64]);
                lastDelivered[channel] = -1;
            }
        }

        void onSent(final int channel, final byte[] bytes)
        {
            final List<byte[]> messages = sent.get(channel);
            messages.add(bytes);
            if (messages.size() > delivered.get(channel).length)
            {
                delivered.set(channel, Arrays.copyOf(delivered.get(channel), 2 * messages.size()));
            }
        }

        public void onMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            assertTrue(channel >= 0 && channel < CHANNELS, at + ": peer channel " + channel);
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            final List<byte[]> messages = sent.get(channel);
            final boolean[] done = delivered.get(channel);
            final int from = SEQUENCED == channel || ORDERED == channel ?
                lastDelivered[channel] + 1 : 0;
            final int to = ORDERED == channel ? Math.min(from + 1, messages.size()) : messages.size();
            for (int i = from; i < to; i++)
            {
                if (!done[i] && Arrays.equals(messages.get(i), bytes))
                {
                    done[i] = true;
                    lastDelivered[channel] = Math.max(lastDelivered[channel], i);
                    return;
                }
            }
            fail(at + ": peer delivered on channel " + channel + " " + length + " B that are not the next message " +
                "the endpoint sent (sent " + messages.size() + ", last delivered " + lastDelivered[channel] + ")");
        }

        boolean allReliableDelivered()
        {
            for (int channel = ORDERED; channel < CHANNELS; channel++)
            {
                for (int i = 0; i < sent.get(channel).size(); i++)
                {
                    if (!delivered.get(channel)[i])
                    {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /**
     * One input: the endpoint under test, its genuine peer, the link between them, and the clock.
     */
    private static final class Run
    {
        final ChannelEndpointConfig config = config();
        final ChannelEndpoint endpoint = new ChannelEndpoint(config);
        final ChannelEndpoint peer = new ChannelEndpoint(config());
        final ReassemblyBuffer reassembly;
        final Outbox out = new Outbox();
        final Outbox peerOut = new Outbox();
        final EndpointHandler handler = new EndpointHandler(config.maxMessageBytes());
        final PeerHandler peerHandler = new PeerHandler();
        final List<byte[]> heldForPeer = new ArrayList<>();
        final List<long[]> heldForPeerNumbers = new ArrayList<>();
        final List<byte[]> heldForEndpoint = new ArrayList<>();
        final List<long[]> heldForEndpointNumbers = new ArrayList<>();
        final ByteBuf src = Unpooled.buffer(1024);
        final ByteBuf body = Unpooled.buffer(MAX_FORGED_BYTES + 2 * GUARD);
        final int[] peerSentOn = new int[CHANNELS];
        final long startNs;
        long nowNs;
        long acceptedBytes;
        final Set<Long> peerReceived = new HashSet<>();
        boolean forgedAckLied;
        long largestForgedNearPeer = -1;
        String at = "start";

        Run(final long startNs)
        {
            this.startNs = startNs;
            this.nowNs = startNs;
            try
            {
                reassembly = (ReassemblyBuffer)REASSEMBLY.get(endpoint);
            }
            catch (final IllegalAccessException ex)
            {
                throw new AssertionError(ex);
            }
        }

        void apply(final int op, final FuzzedDataProvider data)
        {
            out.at = at;
            peerOut.at = at;
            handler.at = at;
            peerHandler.at = at;
            switch (op)
            {
                case 0:
                    send(data.consumeInt(0, CHANNELS - 1), data);
                    break;
                case 1:
                    // gaps are packets that bypass the endpoint; one past the ring makes the tracker refuse a packet
                    flush(data.consumeInt(0, 7), data.consumeInt(0, 7) == 0 ? data.consumeInt(1, 40) : 1);
                    break;
                case 2:
                    endpoint.onTimer(nowNs);
                    break;
                case 3:
                    advance(data);
                    break;
                case 4:
                    final byte[] raw = data.consumeBytes(data.consumeInt(0, MAX_FORGED_BYTES));
                    forge(packetNumber(data), raw);
                    break;
                case 5:
                case 6:
                    forge(packetNumber(data), framedBody(data));
                    break;
                case 7:
                    peerSend(data.consumeInt(0, CHANNELS - 1), data);
                    break;
                case 8:
                    peerFlush();
                    route(peerOut, false, data);
                    break;
                case 9:
                    route(out, true, data);
                    break;
                case 10:
                    deliverHeld(data.consumeBoolean(), data.consumeInt(0, MAX_HELD));
                    break;
                case 11:
                    handler.throwing = !handler.throwing;
                    break;
                case 12:
                    dutyCycles();
                    break;
                default:
                    forge(packetNumber(data), ackOnly(data));
                    break;
            }
        }

        private void send(final int channel, final FuzzedDataProvider data)
        {
            final int max = channel < ORDERED ? endpoint.maxWholeMessageBytes() : config.maxMessageBytes();
            final int length = data.consumeBoolean() ? data.consumeInt(1, 16) : data.consumeInt(1, max);
            final byte[] bytes = message(channel, peerHandler.sent.get(channel).size(), length);
            src.clear().writeBytes(bytes);
            final int result = endpoint.send(channel, src, 0, length);
            assertTrue(ChannelEndpoint.SEND_OK == result || ChannelEndpoint.SEND_QUEUE_FULL == result, at);
            if (ChannelEndpoint.SEND_OK == result)
            {
                peerHandler.onSent(channel, bytes);
                acceptedBytes += length;
            }
        }

        private void peerSend(final int channel, final FuzzedDataProvider data)
        {
            final int max = channel < ORDERED ? peer.maxWholeMessageBytes() : config.maxMessageBytes();
            final int length = data.consumeInt(1, max);
            src.clear().writeBytes(message(channel, peerSentOn[channel]++, length));
            peer.send(channel, src, 0, length);
        }

        private void flush(final int mode, final int gap)
        {
            out.mode = mode < 5 ? Outbox.NORMAL : mode - 4;
            out.gap = gap;
            try
            {
                flush();
            }
            finally
            {
                out.mode = Outbox.NORMAL;
            }
        }

        private void flush()
        {
            out.commitsThisFlush = 0;
            final int packets = endpoint.flush(nowNs, out);
            assertTrue(packets >= 0 && packets <= out.commitsThisFlush,
                at + ": flush counted " + packets + " of " + out.commitsThisFlush);
        }

        private void peerFlush()
        {
            peerOut.commitsThisFlush = 0;
            peer.flush(nowNs, peerOut);
        }

        private void advance(final FuzzedDataProvider data)
        {
            switch (data.consumeInt(0, 3))
            {
                case 0:
                    nowNs += data.consumeLong(0, TimeUnit.MILLISECONDS.toNanos(1));
                    break;
                case 1:
                    nowNs += data.consumeLong(0, TimeUnit.MILLISECONDS.toNanos(100));
                    break;
                case 2:
                    nowNs += data.consumeLong(0, TimeUnit.SECONDS.toNanos(5));
                    break;
                default:
                    nowNs += data.consumeLong(0, 1L << 40);
                    break;
            }
        }

        /** Run the owner's duty cycle at one time a few times: it must leave the next timer in the future. */
        private void dutyCycles()
        {
            for (int cycle = 0; cycle < 3 && endpoint.nextTimerNs() <= nowNs; cycle++)
            {
                endpoint.onTimer(nowNs);
                flush();
            }
            final long nextNs = endpoint.nextTimerNs();
            assertTrue(nextNs > nowNs, at + ": next timer " + (nextNs - nowNs) + " ns after three duty cycles");
        }

        private long packetNumber(final FuzzedDataProvider data)
        {
            switch (data.consumeInt(0, 4))
            {
                case 0:
                    return peerOut.next + data.consumeInt(-3, 70);
                case 1:
                    return data.consumeLong(0, 200);
                case 2:
                    return data.consumeLong();
                case 3:
                    return peerOut.next - 1 - data.consumeInt(0, 130);
                default:
                    return peerOut.next;
            }
        }

        private byte[] ackOnly(final FuzzedDataProvider data)
        {
            final byte[] bytes = new byte[1 + BodyDescriptor.ACK_LENGTH];
            bytes[0] = BodyDescriptor.FLAG_ACK;
            writeAck(bytes, data);
            return bytes;
        }

        /** A body that is well framed unless the input says otherwise: flags, an optional ack, a few frames. */
        private byte[] framedBody(final FuzzedDataProvider data)
        {
            final ByteBuf frames = Unpooled.buffer(MAX_FORGED_BYTES);
            try
            {
                final int flags = data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 255) : data.consumeInt(0, 1);
                frames.writeByte(flags);
                if (0 != (flags & BodyDescriptor.FLAG_ACK))
                {
                    final byte[] ack = new byte[1 + BodyDescriptor.ACK_LENGTH];
                    writeAck(ack, data);
                    frames.writeBytes(ack, 1, BodyDescriptor.ACK_LENGTH);
                }
                final int fragmentLength = config.fragmentLength();
                for (int f = data.consumeInt(0, 4); f > 0; f--)
                {
                    final int channel = data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 15) : data.consumeInt(0, 3);
                    final boolean fragment = data.consumeBoolean();
                    final int sequence = data.consumeBoolean() ? data.consumeInt(0, 70) : data.consumeInt(0, 0xFFFF);
                    final int count = fragment ? data.consumeInt(0, 12) : 0;
                    final int index = fragment ? data.consumeInt(0, count) : 0;
                    int length = fragment && data.consumeBoolean() ? fragmentLength : data.consumeInt(0, 120);
                    final int header = BodyDescriptor.FRAME_HEADER_LENGTH +
                        (fragment ? BodyDescriptor.FRAGMENT_PART_LENGTH : 0);
                    if (frames.writableBytes() < header + 1)
                    {
                        break;
                    }
                    length = Math.min(length, frames.writableBytes() - header);
                    frames.writeByte(channel | (fragment ? BodyDescriptor.FRAME_FRAGMENT : 0));
                    frames.writeShortLE(sequence);
                    frames.writeShortLE(data.consumeInt(0, 31) == 0 ? data.consumeInt(0, 0xFFFF) : length);
                    if (fragment)
                    {
                        frames.writeShortLE(index);
                        frames.writeShortLE(count);
                    }
                    for (int i = 0; i < length; i++)
                    {
                        frames.writeByte(sequence + index * 3 + i);
                    }
                }
                final byte[] bytes = new byte[frames.readableBytes()];
                frames.readBytes(bytes);
                return bytes;
            }
            finally
            {
                frames.release();
            }
        }

        /** Largest: a packet the endpoint sent, one near it, or anything; any bitfield; any ack delay. */
        private void writeAck(final byte[] bytes, final FuzzedDataProvider data)
        {
            final long largest;
            switch (data.consumeInt(0, 4))
            {
                case 0:
                case 1:
                    largest = out.committed.isEmpty() ? 0 :
                        out.committed.get(data.consumeInt(0, out.committed.size() - 1));
                    break;
                case 2:
                    largest = out.next + data.consumeInt(-20, 3);
                    break;
                case 3:
                    largest = data.consumeLong(-2, 2);
                    break;
                default:
                    largest = data.consumeLong();
                    break;
            }
            final long bits;
            switch (data.consumeInt(0, 3))
            {
                case 0:
                    bits = -1L;
                    break;
                case 1:
                    bits = (1L << data.consumeInt(0, 63)) - 1;
                    break;
                case 2:
                    bits = 0;
                    break;
                default:
                    bits = data.consumeLong();
                    break;
            }
            FuzzFixtures.putLongLE(bytes, 1, largest);
            FuzzFixtures.putLongLE(bytes, 9, bits);
            final int delay = data.consumeBoolean() ? 0xFFFF : data.consumeInt(0, 0xFFFF);
            bytes[17] = (byte)delay;
            bytes[18] = (byte)(delay >>> 8);
        }

        /** A forged packet: any body under any packet number, straight into the endpoint. */
        private void forge(final long packetNumber, final byte[] bytes)
        {
            if (packetNumber >= 0 && packetNumber - peerOut.next < 1024)
            {
                largestForgedNearPeer = Math.max(largestForgedNearPeer, packetNumber);
            }
            final int result = onPacket(packetNumber, bytes, true);
            assertTrue(result >= ChannelEndpoint.PACKET_OK && result <= ChannelEndpoint.PACKET_PROTOCOL_VIOLATION, at);
        }

        /** The endpoint takes one body; the only exception allowed is the handler's first, rethrown. */
        private int onPacket(final long packetNumber, final byte[] bytes, final boolean forged)
        {
            body.clear().writeZero(GUARD).writeBytes(bytes).writeZero(GUARD);
            handler.firstThrown = null;
            final long acksBefore = endpoint.recoveryCounter(RecoveryCounter.ACKS_ACCEPTED);
            int result = -1;
            try
            {
                result = endpoint.onPacket(packetNumber, body, GUARD, bytes.length, nowNs, handler);
                assertNull(handler.firstThrown, at + ": the handler threw but onPacket returned");
            }
            catch (final HandlerException ex)
            {
                assertSame(handler.firstThrown, ex, at + ": not the first handler exception");
                result = ChannelEndpoint.PACKET_OK;
            }
            if (endpoint.recoveryCounter(RecoveryCounter.ACKS_ACCEPTED) != acksBefore)
            {
                for (final long named : out.onAckAccepted(bytes))
                {
                    forgedAckLied |= forged && !peerReceived.contains(named);
                }
            }
            return result;
        }

        /** Hand one side's packets to the other: each delivered, dropped, held back (reordered) or duplicated. */
        private void route(final Outbox from, final boolean toPeer, final FuzzedDataProvider data)
        {
            for (int i = 0; i < from.bodies.size(); i++)
            {
                final long packetNumber = from.numbers.get(i)[0];
                final byte[] bytes = from.bodies.get(i);
                final int fate = null == data ? 0 : data.consumeInt(0, 7);
                if (fate == 6 && (toPeer ? heldForPeer : heldForEndpoint).size() < MAX_HELD)
                {
                    (toPeer ? heldForPeer : heldForEndpoint).add(bytes);
                    (toPeer ? heldForPeerNumbers : heldForEndpointNumbers).add(new long[] {packetNumber});
                    continue;
                }
                final int copies = fate == 5 ? 0 : fate == 7 ? 2 : 1;
                for (int c = 0; c < copies; c++)
                {
                    deliver(toPeer, packetNumber, bytes);
                }
            }
            from.bodies.clear();
            from.numbers.clear();
        }

        private void deliverHeld(final boolean toPeer, final int choice)
        {
            final List<byte[]> held = toPeer ? heldForPeer : heldForEndpoint;
            final List<long[]> numbers = toPeer ? heldForPeerNumbers : heldForEndpointNumbers;
            if (!held.isEmpty())
            {
                final int index = choice % held.size();
                deliver(toPeer, numbers.remove(index)[0], held.remove(index));
            }
        }

        private void deliver(final boolean toPeer, final long packetNumber, final byte[] bytes)
        {
            if (!toPeer)
            {
                final int result = onPacket(packetNumber, bytes, false);
                assertNotEquals(ChannelEndpoint.PACKET_MALFORMED, result, at + ": the peer built a malformed body");
                return;
            }
            final int result = peer.onPacket(packetNumber, Unpooled.wrappedBuffer(bytes), 0, bytes.length, nowNs,
                peerHandler);
            assertNotEquals(ChannelEndpoint.PACKET_MALFORMED, result, at + ": the endpoint sent a malformed body");
            peerReceived.add(packetNumber);
            if (!forgedAckLied && !outlivedReassembly())
            {
                assertNotEquals(ChannelEndpoint.PACKET_PROTOCOL_VIOLATION, result,
                    at + ": the endpoint broke the sender contract");
            }
        }

        private boolean outlivedReassembly()
        {
            return nowNs - startNs >= config.reassemblyConfig().timeoutNs();
        }

        /** A clean link both ways until every reliable message reached the peer. */
        void drain()
        {
            // a packet the tracker refused (a packet number gap past the ring) stalls the sender: its acks are rejected
            final boolean refused = endpoint.recoveryCounter(RecoveryCounter.SENDS_REFUSED) > 0;
            final boolean mustDeliver = !forgedAckLied && !refused;
            handler.throwing = false;
            // the genuine peer's packet numbers start above the forged ones just ahead of it (a run of them would make
            // its packets duplicates, their acks lost); one far ahead costs at most one packet
            peerOut.next = Math.max(peerOut.next, largestForgedNearPeer + 1);
            final int rounds = mustDeliver ? DRAIN_ROUNDS : DRAIN_ROUNDS / 40;
            for (int round = 0; round < rounds && !peerHandler.allReliableDelivered(); round++)
            {
                at = "drain round " + round;
                out.at = at;
                peerOut.at = at;
                handler.at = at;
                peerHandler.at = at;
                // an owner that waits for the next timer when it is further away than its tick
                final long timerNs = Math.min(endpoint.nextTimerNs(), peer.nextTimerNs());
                nowNs = Long.MAX_VALUE != timerNs && timerNs - nowNs > DRAIN_STEP_NS ? timerNs : nowNs + DRAIN_STEP_NS;
                while (!heldForPeer.isEmpty())
                {
                    deliverHeld(true, 0);
                }
                while (!heldForEndpoint.isEmpty())
                {
                    deliverHeld(false, 0);
                }
                endpoint.onTimer(nowNs);
                flush();
                route(out, true, null);
                peer.onTimer(nowNs);
                peerFlush();
                route(peerOut, false, null);
                check();
            }
            if (mustDeliver && !outlivedReassembly())
            {
                assertTrue(peerHandler.allReliableDelivered(), "every reliable message reaches the peer after " +
                    DRAIN_ROUNDS + " clean rounds; queued " + endpoint.queuedMessages() + " messages, in flight " +
                    endpoint.bytesInFlight() + " B, window " + endpoint.windowBytes() + " B");
            }
        }

        void check()
        {
            final RecoveryConfig recovery = config.recoveryConfig();
            final long window = endpoint.windowBytes();
            final long minWindow = (long)recovery.minWindowPackets() * recovery.maxDatagramBytes();
            assertTrue(window >= minWindow && window <= recovery.maxWindowBytes(), at + ": window " + window);

            final long inFlight = endpoint.bytesInFlight();
            final long probes = endpoint.recoveryCounter(RecoveryCounter.PTO_EXPIRIES);
            assertTrue(inFlight >= 0, at);
            assertTrue(inFlight <= out.elicitingBytes(), at + ": " + inFlight + " B in flight, but only " +
                out.elicitingBytes() + " B of ack-eliciting packets sent and not acknowledged");
            assertTrue(inFlight <= recovery.maxWindowBytes() + (1 + probes) * MAX_PACKET_BYTES,
                at + ": " + inFlight + " B in flight after " + probes + " probes");

            assertTrue(endpoint.queuedBytes() >= 0 && endpoint.queuedBytes() <= config.sendQueueBytes(), at);
            assertTrue(endpoint.queuedBytes() <= acceptedBytes, at);
            assertTrue(endpoint.queuedMessages() >= 0 && endpoint.queuedMessages() <= config.sendQueueMessages(), at);

            final ReassemblyConfig reassemblyConfig = config.reassemblyConfig();
            assertTrue(reassembly.bytesInUse() >= 0 && reassembly.bytesInUse() <= reassemblyConfig.budgetBytes(),
                at + ": reassembly " + reassembly.bytesInUse() + " B");
            assertTrue(reassembly.arenaCapacity() <= reassemblyConfig.budgetBytes(), at);
            assertTrue(reassembly.peakBytes() <= reassemblyConfig.budgetBytes(), at);
            assertTrue(reassembly.messagesInProgress() >= 0 &&
                reassembly.messagesInProgress() <= reassemblyConfig.maxMessages(), at);

            for (int channel = 0; channel < CHANNELS; channel++)
            {
                final ReceiveChannel receive = endpoint.receiveChannel(channel);
                assertTrue(receive.bufferedBytes() >= 0 && receive.bufferedBytes() <= receive.reorderBudgetBytes(), at);
                assertTrue(receive.bufferedMessages() >= 0 &&
                    receive.bufferedMessages() <= config.receiveConfig().window(), at);
            }

            final long nextNs = endpoint.nextTimerNs();
            if (inFlight > 0)
            {
                assertNotEquals(Long.MAX_VALUE, nextNs, at + ": " + inFlight + " B in flight and no timer");
            }
            if (Long.MAX_VALUE != nextNs)
            {
                assertTrue(nextNs - nowNs <= 1L << 43, at + ": next timer " + (nextNs - nowNs) + " ns away");
            }
            final double loss = endpoint.lossPercent();
            assertTrue(loss >= 0 && loss <= 100, at + ": loss " + loss + " %");
            assertTrue(endpoint.srttNs() >= 0 && endpoint.rttVarNs() >= 0, at);
        }

        void release()
        {
            src.release();
            body.release();
            out.buffer.release();
            peerOut.buffer.release();
        }
    }

    private static long getLongLE(final byte[] bytes, final int offset)
    {
        return FuzzFixtures.getLongLE(bytes, offset);
    }
}
