package dev.skirmish.session.channel;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.session.channel.recovery.RecoveryConfig;
import dev.skirmish.session.channel.recovery.RecoveryCounter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unit tests of {@link ChannelEndpoint}: send-side refusals, body validation, duplicates, acks, probes, flow control,
 * and maximum-size messages over a perfect virtual network.
 */
class ChannelEndpointTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldRefuseUnreliableMessageLargerThanOnePacket()
    {
        final ChannelEndpoint endpoint = new ChannelEndpoint(new ChannelEndpointConfig());
        final ByteBuf src = Unpooled.buffer(4096).writeZero(4096);
        final int max = endpoint.maxWholeMessageBytes();
        assertEquals(ChannelEndpoint.SEND_OK, endpoint.send(0, src, 0, max));
        final IllegalArgumentException error =
            assertThrows(IllegalArgumentException.class, () -> endpoint.send(1, src, 0, max + 1));
        assertTrue(error.getMessage().contains("must fit one packet"), error.getMessage());
        assertEquals(ChannelEndpoint.SEND_OK, endpoint.send(2, src, 0, max + 1));
        assertThrows(IllegalArgumentException.class, () -> endpoint.send(4, src, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> endpoint.send(2, src, 0, 0));
    }

    @Test
    void shouldReportFullSendQueue()
    {
        final ChannelEndpoint endpoint = new ChannelEndpoint(
            new ChannelEndpointConfig().maxMessageBytes(4096).sendQueueBytes(4096));
        final ByteBuf src = Unpooled.buffer(1500).writeZero(1500);
        assertEquals(ChannelEndpoint.SEND_OK, endpoint.send(2, src, 0, 1500));
        assertEquals(ChannelEndpoint.SEND_OK, endpoint.send(2, src, 0, 1500));
        assertEquals(ChannelEndpoint.SEND_QUEUE_FULL, endpoint.send(2, src, 0, 1500));
        assertEquals(1, endpoint.sendQueueFull());
        assertEquals(3000, endpoint.queuedBytes());
    }

    @Test
    void shouldRejectMalformedBodyAsUnitAndIgnoreDuplicatePackets()
    {
        final ChannelEndpoint endpoint = new ChannelEndpoint(new ChannelEndpointConfig());
        final List<String> delivered = new ArrayList<>();
        final ReceiveChannel.MessageHandler handler = (ch, buffer, offset, length) -> delivered.add(ch + ":" + length);

        final ByteBuf body = Unpooled.buffer(64);
        final BodyEncoder encoder = new BodyEncoder();
        encoder.begin(body, 64);
        encoder.frame(0, 0, Unpooled.wrappedBuffer(new byte[3]), 0, 3);
        body.writeByte(0).writeShortLE(1); // a second frame cut short
        assertEquals(ChannelEndpoint.PACKET_MALFORMED, endpoint.onPacket(0, body, 0, body.readableBytes(), 0, handler));
        assertEquals(BodyDecoder.BAD_FRAME_HEADER, endpoint.lastMalformedReason());
        assertEquals(List.of(), delivered);

        body.writerIndex(body.writerIndex() - 3);
        assertEquals(ChannelEndpoint.PACKET_OK, endpoint.onPacket(0, body, 0, body.readableBytes(), 0, handler));
        assertEquals(ChannelEndpoint.PACKET_DUPLICATE,
            endpoint.onPacket(0, body, 0, body.readableBytes(), 0, handler));
        assertEquals(List.of("0:3"), delivered);
        assertEquals(1, endpoint.duplicatePackets());
    }

    @Test
    void shouldTreatFragmentBeyondReceiveWindowAsViolationButIgnoreLateCopies()
    {
        final ChannelEndpoint endpoint = new ChannelEndpoint(new ChannelEndpointConfig());
        final List<String> delivered = new ArrayList<>();
        final ReceiveChannel.MessageHandler handler = (ch, buffer, offset, length) -> delivered.add(ch + ":" + length);
        final int window = new ReceiveConfig().window();
        final ByteBuf data = Unpooled.wrappedBuffer(new byte[100]);
        final BodyEncoder encoder = new BodyEncoder();
        final ByteBuf body = Unpooled.buffer(256);

        // reliable ordered channel 2: a whole message 0 delivered, then a late fragment of message 0 is ignored
        encoder.begin(body.clear(), 256);
        encoder.frame(2, 0, data, 0, 10);
        assertEquals(ChannelEndpoint.PACKET_OK, endpoint.onPacket(0, body, 0, body.readableBytes(), 0, handler));
        encoder.begin(body.clear(), 256);
        encoder.fragment(2, 0, 1, 2, data, 0, 100);
        assertEquals(ChannelEndpoint.PACKET_OK, endpoint.onPacket(1, body, 0, body.readableBytes(), 0, handler));
        assertEquals(List.of("2:10"), delivered);

        // a fragment of a message a whole window ahead of the next expected one breaks the sender contract
        encoder.begin(body.clear(), 256);
        encoder.fragment(2, 1 + window, 1, 2, data, 0, 100); // a last fragment reassembly alone would hold
        assertEquals(ChannelEndpoint.PACKET_PROTOCOL_VIOLATION,
            endpoint.onPacket(2, body, 0, body.readableBytes(), 0, handler));
        assertEquals(List.of("2:10"), delivered);
    }

    @Test
    void shouldSendRealtimeMessagesWhenBulkReliableDataFillsTheWindow()
    {
        final ChannelEndpoint endpoint = new ChannelEndpoint(new ChannelEndpointConfig());
        final ByteBuf bulk = Unpooled.buffer(64 * 1024).writeZero(64 * 1024);
        final List<ByteBuf> sent = new ArrayList<>();
        final ChannelEndpoint.PacketWriter writer = new ChannelEndpoint.PacketWriter()
        {
            public ByteBuf claim()
            {
                return Unpooled.buffer(1200);
            }

            public long commit(final ByteBuf body)
            {
                sent.add(body);
                return sent.size() - 1;
            }
        };
        assertEquals(ChannelEndpoint.SEND_OK, endpoint.send(2, bulk, 0, bulk.capacity()));
        endpoint.flush(0, writer);
        final int windowPackets = sent.size();
        assertTrue(endpoint.bytesInFlight() >= endpoint.windowBytes() - 1300, "window used up: " + windowPackets);
        assertEquals(0, endpoint.flush(MS, writer), "no acks came back: bulk data waits");

        final ByteBuf input = Unpooled.wrappedBuffer(new byte[]{1, 2, 3});
        assertEquals(ChannelEndpoint.SEND_OK, endpoint.send(0, input, 0, 3));
        assertEquals(ChannelEndpoint.SEND_OK, endpoint.send(1, input, 0, 3));
        assertEquals(1, endpoint.flush(2 * MS, writer), "the realtime messages go at once, in one packet");
        final ByteBuf last = sent.get(sent.size() - 1);
        final BodyDecoder decoder = new BodyDecoder();
        assertEquals(BodyDecoder.OK, decoder.wrap(last, 0, last.readableBytes(), 4, 1024));
        final List<Integer> channels = new ArrayList<>();
        while (decoder.nextFrame())
        {
            channels.add(decoder.channel());
        }
        assertEquals(2, channels.size());
        assertTrue(channels.containsAll(List.of(0, 1)), "only the realtime channels: " + channels);
        assertEquals(0, endpoint.flush(3 * MS, writer), "and the bulk data still waits");
    }

    @Test
    void shouldSendRealtimeMessagesWhenReliableChunksHoldEveryPacketRef()
    {
        final ChannelEndpoint endpoint = new ChannelEndpoint(new ChannelEndpointConfig().packetRefs(256));
        final List<ByteBuf> sent = new ArrayList<>();
        final ChannelEndpoint.PacketWriter writer = new ChannelEndpoint.PacketWriter()
        {
            public ByteBuf claim()
            {
                return Unpooled.buffer(1200);
            }

            public long commit(final ByteBuf body)
            {
                sent.add(body);
                return sent.size() - 1;
            }
        };
        final ByteBuf one = Unpooled.wrappedBuffer(new byte[]{7});
        for (int i = 0; i < 400; i++)
        {
            assertEquals(ChannelEndpoint.SEND_OK, endpoint.send(2, one, 0, 1));
        }
        endpoint.flush(0, writer);
        assertTrue(endpoint.unsentBytes() > 0, "the refs ran out before the reliable messages did");
        final int packets = sent.size();

        assertEquals(ChannelEndpoint.SEND_OK, endpoint.send(0, one, 0, 1));
        assertEquals(1, endpoint.flush(MS, writer), "the realtime message still goes, in one packet");
        assertEquals(packets + 1, sent.size());
        final ByteBuf last = sent.get(sent.size() - 1);
        final BodyDecoder decoder = new BodyDecoder();
        assertEquals(BodyDecoder.OK, decoder.wrap(last, 0, last.readableBytes(), 4, 1024));
        assertTrue(decoder.nextFrame());
        assertEquals(0, decoder.channel());
        assertTrue(!decoder.nextFrame(), "only the realtime message");
    }

    @Test
    void shouldNeverThrowOnHostileBodies()
    {
        final ChannelEndpoint endpoint = new ChannelEndpoint(new ChannelEndpointConfig());
        final SplittableRandom random = new SplittableRandom(0x4057_11EL);
        final ByteBuf body = Unpooled.buffer(1200);
        final ByteBuf src = Unpooled.buffer(3000).writeZero(3000);
        final Capture out = new Capture();
        int accepted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            if (0 == i % 100)
            {
                endpoint.send(i % 4, src, 0, 1 + random.nextInt(i % 4 < 2 ? 1000 : 3000));
                endpoint.flush(i * MS, out);
                out.packets.clear();
            }
            body.clear();
            final int length = random.nextInt(40);
            // mostly plausible headers: flags 0/1, channel 0..3 with or without the fragment flag
            body.writeByte(random.nextInt(8) == 0 ? random.nextInt(256) : random.nextInt(2));
            for (int k = 1; k < length; k++)
            {
                body.writeByte(random.nextInt(4) == 0 ? random.nextInt(12) : random.nextInt(256));
            }
            final int result = endpoint.onPacket(random.nextLong(1 << 20), body, 0, length, i * MS,
                (ch, buffer, offset, len) -> {});
            assertTrue(result >= ChannelEndpoint.PACKET_OK && result <= ChannelEndpoint.PACKET_PROTOCOL_VIOLATION);
            accepted += ChannelEndpoint.PACKET_MALFORMED == result ? 0 : 1;
            endpoint.onTimer(i * MS);
        }
        assertTrue(accepted > 1000, "accepted " + accepted);
    }

    @Test
    void shouldSendAckOnlyWhenDueAndProbeAfterLoss()
    {
        final ChannelEndpoint a = new ChannelEndpoint(new ChannelEndpointConfig());
        final ChannelEndpoint b = new ChannelEndpoint(new ChannelEndpointConfig());
        final Capture fromA = new Capture();
        final Capture fromB = new Capture();
        final ByteBuf src = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});

        assertEquals(ChannelEndpoint.SEND_OK, a.send(2, src, 0, 3));
        assertEquals(1, a.flush(0, fromA));
        assertEquals(0, a.flush(0, fromA));
        fromA.packets.clear(); // lost

        final long probeNs = a.nextTimerNs();
        assertTrue(probeNs > 0 && probeNs < 1000 * MS, "PTO armed: " + probeNs);
        assertEquals(0, a.onTimer(probeNs - 1));
        assertEquals(1, a.onTimer(probeNs));
        assertEquals(1, a.flush(probeNs, fromA));
        assertEquals(1, a.resends());

        final List<Integer> delivered = new ArrayList<>();
        final byte[] packet = fromA.packets.remove(0);
        assertEquals(ChannelEndpoint.PACKET_OK, b.onPacket(
            1, Unpooled.wrappedBuffer(packet), 0, packet.length, probeNs + 10 * MS,
            (ch, buffer, offset, length) -> delivered.add(length)));
        assertEquals(List.of(3), delivered);

        // one ack-eliciting packet: the ack waits for the max ack delay, then goes alone
        assertEquals(0, b.flush(probeNs + 10 * MS, fromB));
        final long ackNs = b.nextTimerNs();
        assertEquals(probeNs + 10 * MS + RecoveryConfig.MAX_ACK_DELAY_NS_DEFAULT, ackNs);
        assertEquals(1, b.flush(ackNs, fromB));
        final byte[] ack = fromB.packets.remove(0);
        assertEquals(1 + BodyDescriptor.ACK_LENGTH, ack.length);

        assertEquals(ChannelEndpoint.PACKET_OK,
            a.onPacket(0, Unpooled.wrappedBuffer(ack), 0, ack.length, ackNs + 10 * MS, (ch, buffer, o, l) -> {}));
        assertEquals(0, a.queuedBytes());
        assertEquals(0, a.bytesInFlight());
    }

    @Test
    void shouldStopFlushingWhenTheTrackerRefusesAPacketAfterAPacketNumberGap()
    {
        // ChannelEndpointFuzzTest finding: a writer that skips packet numbers (packets that bypass the endpoint)
        // past the sent-packet ring made the tracker refuse every packet, and flush resent the abandoned chunks in
        // a new packet for ever (unbounded datagrams, then out of memory)
        final ChannelEndpointConfig config = new ChannelEndpointConfig();
        config.recoveryConfig().sentPacketCapacity(16);
        final ChannelEndpoint a = new ChannelEndpoint(config);
        final Capture fromA = new Capture();
        final ByteBuf src = Unpooled.buffer(8).writeZero(8);

        assertEquals(ChannelEndpoint.SEND_OK, a.send(2, src, 0, 8));
        assertEquals(1, a.flush(0, fromA));
        fromA.next = 100;
        assertEquals(ChannelEndpoint.SEND_OK, a.send(2, src, 0, 8));
        final int packets = a.flush(MS, new ChannelEndpoint.PacketWriter()
        {
            public ByteBuf claim()
            {
                return fromA.claim();
            }

            public long commit(final ByteBuf body)
            {
                return fromA.packets.size() < 1000 ? fromA.commit(body) : -1;
            }
        });
        assertEquals(2, fromA.packets.size(), "one packet in the second flush, refused by the tracker");
        assertEquals(1, packets);
        assertEquals(1, a.recoveryCounter(RecoveryCounter.SENDS_REFUSED));
        assertEquals(ChannelEndpoint.SEND_OK, a.send(2, src, 0, 8), "the refused chunks are still queued");
    }

    @Test
    void shouldKeepReliableSpanBelowReceiveWindow()
    {
        final ChannelEndpointConfig config = new ChannelEndpointConfig();
        config.receiveConfig().window(64);
        final ChannelEndpoint a = new ChannelEndpoint(config);
        final Capture fromA = new Capture();
        final ByteBuf src = Unpooled.buffer(8).writeZero(8);
        for (int i = 0; i < 200; i++)
        {
            assertEquals(ChannelEndpoint.SEND_OK, a.send(3, src, 0, 8));
        }
        a.flush(0, fromA);
        final BodyDecoder decoder = new BodyDecoder();
        int frames = 0;
        for (final byte[] packet : fromA.packets)
        {
            assertEquals(BodyDecoder.OK, decoder.wrap(Unpooled.wrappedBuffer(packet), 0, packet.length, 4, 256));
            while (decoder.nextFrame())
            {
                assertTrue(decoder.sequence() < 64, "sequence " + decoder.sequence());
                frames++;
            }
        }
        assertEquals(64, frames);
    }

    @Test
    void shouldDeliverMaximumSizeMessagesOnBothReliableChannels()
    {
        deliverMaximumSizeMessages(ImpairmentProfile.NONE.withDelayNs(5 * MS), 120);
    }

    @Test
    void shouldDeliverMaximumSizeMessagesOnBothReliableChannelsUnderImpairment()
    {
        deliverMaximumSizeMessages(ChannelEndpointImpairedTest.HARSH, 600);
    }

    private static void deliverMaximumSizeMessages(final ImpairmentProfile profile, final int limitSeconds)
    {
        final ChannelEndpointImpairedTest.Pair pair = new ChannelEndpointImpairedTest.Pair(7, profile);
        final int max = ChannelEndpointConfig.MAX_MESSAGE_BYTES_DEFAULT;
        final List<byte[]> sent = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(7);
        final List<byte[]> received2 = new ArrayList<>();
        final List<byte[]> received3 = new ArrayList<>();
        pair.b.handler = (ch, buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            (2 == ch ? received2 : received3).add(bytes);
        };
        final int[] queued = {0};
        pair.a.producer = () ->
        {
            while (queued[0] < 8)
            {
                final int length = 0 == queued[0] % 2 ? max : 1 + random.nextInt(max);
                final byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                if (ChannelEndpoint.SEND_OK != pair.a.endpoint.send(2 + queued[0] / 4, Unpooled.wrappedBuffer(bytes),
                    0, length))
                {
                    break;
                }
                sent.add(bytes);
                queued[0]++;
            }
        };
        assertTrue(pair.network.runUntil(() -> received2.size() + received3.size() == 8,
            TimeUnit.SECONDS.toNanos(limitSeconds)), pair.describe() + violations(pair.b.endpoint));
        for (int i = 0; i < 4; i++)
        {
            assertArrayEquals(sent.get(i), received2.get(i), "ordered " + i);
        }
        assertEquals(4, received3.size());
        for (int i = 4; i < 8; i++)
        {
            final byte[] expected = sent.get(i);
            assertTrue(received3.stream().anyMatch(r -> java.util.Arrays.equals(expected, r)), "unordered " + i);
        }
        assertEquals(0, pair.b.endpoint.protocolViolations());
        System.out.println("maximum size messages: " + TimeUnit.NANOSECONDS.toMillis(pair.network.nowNs()) +
            " ms virtual; " + pair.describe());
    }

    static String violations(final ChannelEndpoint endpoint)
    {
        final StringBuilder text = new StringBuilder(" violations:");
        for (int ch = 0; ch < 4; ch++)
        {
            text.append(" ch").append(ch).append(" oow=")
                .append(endpoint.receiveChannel(ch).counter(ReceiveCounter.OUT_OF_WINDOW))
                .append(" noRoom=").append(endpoint.receiveChannel(ch).counter(ReceiveCounter.NO_ROOM));
        }
        for (final ReassemblyCounter counter : ReassemblyCounter.values())
        {
            text.append(' ').append(counter).append('=').append(endpoint.reassemblyCounter(counter));
        }
        return text.toString();
    }

    static final class Capture implements ChannelEndpoint.PacketWriter
    {
        final List<byte[]> packets = new ArrayList<>();
        final ByteBuf buffer = Unpooled.buffer(2048);
        long next;

        public ByteBuf claim()
        {
            buffer.clear();
            return buffer;
        }

        public long commit(final ByteBuf body)
        {
            final byte[] bytes = new byte[body.readableBytes()];
            body.getBytes(body.readerIndex(), bytes);
            packets.add(bytes);
            return next++;
        }
    }
}
