package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DATA body test vectors of PROTOCOL.md, section "Packet body (DATA payload): channels, acks, fragments",
 * subsection "Body test vectors". Each vector is built with {@link BodyEncoder}, compared byte for byte with the hex
 * string below, which must appear verbatim on a line of its own in PROTOCOL.md, and decoded back field by field with
 * {@link BodyDecoder}.
 * The expected bytes were worked out by hand from the layout tables in that section.
 */
class BodyVectorTest
{
    private static final Path PROTOCOL = Path.of("..", "PROTOCOL.md");

    // PROTOCOL.md § Body test vectors: the same literal strings, fields separated by single spaces
    private static final String PING = "00";
    private static final String ACK_ONLY = "01 e803000000000000 0500000000000080 3e00";
    private static final String ACK_AND_TWO_FRAMES =
        "01 0700000000000000 0300000000000000 0000 01 2a00 0200 6869 02 0001 0300 010203";
    private static final String FRAGMENT = "00 0b 0500 0400 0200 0300 deadbeef";
    private static final String MAX_CHANNEL = "00 07 0100 0100 ff";
    private static final String WRAPAROUND =
        "01 0000000001000000 ffffffffffffffff ffff 02 ffff 0100 aa 02 0000 0100 bb";

    /** The default channel table has 4 channels; the vector with channel 7 needs a table of 8. */
    private static final int DEFAULT_CHANNELS = 4;

    private final ChannelEndpointConfig config = new ChannelEndpointConfig().conclude();
    private final int maxFragments = config.reassemblyConfig().maxFragments();
    private final ByteBuf body = Unpooled.buffer(2048);
    private final ByteBuf data = Unpooled.buffer(64);
    private final BodyEncoder encoder = new BodyEncoder();
    private final BodyDecoder decoder = new BodyDecoder();

    @AfterEach
    void release()
    {
        body.release();
        data.release();
    }

    @Test
    void shouldDocumentTheDefaultsTheVectorsAssume()
    {
        assertEquals(DEFAULT_CHANNELS, config.channels().length);
        assertEquals(1200, config.pathPayloadBytes());
        assertEquals(1172, config.fragmentLength());
        assertEquals(1176, config.maxWholeMessageBytes());
        assertEquals(256 * 1024, config.maxMessageBytes());
        assertEquals(224, maxFragments);
    }

    @Test
    void shouldEncodeAndDecodeAPing() throws Exception
    {
        encoder.begin(body, config.pathPayloadBytes());
        assertBytes(PING);

        assertEquals(BodyDecoder.OK, wrap(DEFAULT_CHANNELS));
        assertFalse(decoder.hasAck());
        assertFalse(decoder.nextFrame());
    }

    @Test
    void shouldEncodeAndDecodeAnAckOnlyBody() throws Exception
    {
        encoder.begin(body, config.pathPayloadBytes());
        encoder.ack(1000, 0x8000_0000_0000_0005L, 1_000_000);
        assertBytes(ACK_ONLY);
        assertEquals(BodyEncoder.ackOverhead(), body.readableBytes());

        assertEquals(BodyDecoder.OK, wrap(DEFAULT_CHANNELS));
        assertTrue(decoder.hasAck());
        assertEquals(1000, decoder.largestAcked());
        assertEquals(0x8000_0000_0000_0005L, decoder.ackBits());
        assertEquals(62 * 16_000, decoder.ackDelayNs(), "1 ms truncates to 62 units of 16 us");
        assertFalse(decoder.nextFrame());
    }

    @Test
    void shouldEncodeAndDecodeAnAckAndTwoWholeFramesOnTwoChannels() throws Exception
    {
        data.writeBytes(new byte[]{'h', 'i', 1, 2, 3});
        encoder.begin(body, config.pathPayloadBytes());
        encoder.ack(7, 0x3, 0);
        encoder.frame(1, 42, data, 0, 2);
        encoder.frame(2, 256, data, 2, 3);
        assertBytes(ACK_AND_TWO_FRAMES);

        assertEquals(BodyDecoder.OK, wrap(DEFAULT_CHANNELS));
        assertTrue(decoder.hasAck());
        assertEquals(7, decoder.largestAcked());
        assertEquals(0x3, decoder.ackBits());
        assertEquals(0, decoder.ackDelayNs());

        assertTrue(decoder.nextFrame());
        assertWhole(1, 42, "6869");
        assertTrue(decoder.nextFrame());
        assertWhole(2, 256, "010203");
        assertFalse(decoder.nextFrame());
    }

    @Test
    void shouldEncodeAndDecodeAFragmentFrame() throws Exception
    {
        data.writeBytes(new byte[]{(byte)0xDE, (byte)0xAD, (byte)0xBE, (byte)0xEF});
        encoder.begin(body, config.pathPayloadBytes());
        encoder.fragment(3, 5, 2, 3, data, 0, 4);
        assertBytes(FRAGMENT);

        assertEquals(BodyDecoder.OK, wrap(DEFAULT_CHANNELS));
        assertFalse(decoder.hasAck());
        assertTrue(decoder.nextFrame());
        assertEquals(3, decoder.channel());
        assertEquals(5, decoder.sequence());
        assertTrue(decoder.isFragment());
        assertEquals(2, decoder.fragmentIndex());
        assertEquals(3, decoder.fragmentCount());
        assertEquals(BodyEncoder.fragmentOverhead() + 1, decoder.dataOffset() - body.readerIndex());
        assertEquals("deadbeef", dataHex());
        assertFalse(decoder.nextFrame());
    }

    @Test
    void shouldEncodeAndDecodeAFrameOnTheLargestChannelId() throws Exception
    {
        data.writeByte(0xFF);
        encoder.begin(body, config.pathPayloadBytes());
        encoder.frame(BodyDescriptor.MAX_CHANNELS - 1, 1, data, 0, 1);
        assertBytes(MAX_CHANNEL);

        assertEquals(BodyDecoder.OK, wrap(BodyDescriptor.MAX_CHANNELS));
        assertTrue(decoder.nextFrame());
        assertWhole(7, 1, "ff");
        assertFalse(decoder.nextFrame());

        assertEquals(BodyDecoder.BAD_CHANNEL, wrap(DEFAULT_CHANNELS), "channel 7 of a 4-channel table");
    }

    @Test
    void shouldEncodeAndDecodeSequencesAcrossTheWrapAndASaturatedAckDelay() throws Exception
    {
        data.writeBytes(new byte[]{(byte)0xAA, (byte)0xBB});
        encoder.begin(body, config.pathPayloadBytes());
        encoder.ack(0x1_0000_0000L, -1L, 2_000_000_000L);
        encoder.frame(2, 0xFFFF, data, 0, 1);
        encoder.frame(2, SequenceNumbers.next(0xFFFF), data, 1, 1);
        assertBytes(WRAPAROUND);

        assertEquals(BodyDecoder.OK, wrap(DEFAULT_CHANNELS));
        assertTrue(decoder.hasAck());
        assertEquals(0x1_0000_0000L, decoder.largestAcked());
        assertEquals(-1L, decoder.ackBits());
        assertEquals(0xFFFF * 16_000L, decoder.ackDelayNs(), "2 s saturates at 65535 units");

        assertTrue(decoder.nextFrame());
        assertWhole(2, 0xFFFF, "aa");
        final int first = decoder.sequence();
        assertTrue(decoder.nextFrame());
        assertWhole(2, 0, "bb");
        assertTrue(SequenceNumbers.greaterThan(decoder.sequence(), first), "0 follows 65535");
        assertFalse(decoder.nextFrame());
    }

    private int wrap(final int channelCount)
    {
        return decoder.wrap(body, body.readerIndex(), body.readableBytes(), channelCount, maxFragments);
    }

    private void assertBytes(final String documented) throws Exception
    {
        assertEquals(documented.replace(" ", ""), ByteBufUtil.hexDump(body));
        assertEquals(body.readableBytes(), encoder.length());
        assertTrue(Files.readAllLines(PROTOCOL).stream().anyMatch((line) -> line.strip().equals(documented)),
            "PROTOCOL.md shows the vector on a line of its own: " + documented);
    }

    private void assertWhole(final int channel, final int sequence, final String dataHex)
    {
        assertEquals(channel, decoder.channel());
        assertEquals(sequence, decoder.sequence());
        assertFalse(decoder.isFragment());
        assertEquals(0, decoder.fragmentIndex());
        assertEquals(1, decoder.fragmentCount());
        assertEquals(dataHex, dataHex());
    }

    private String dataHex()
    {
        return ByteBufUtil.hexDump(body, decoder.dataOffset(), decoder.dataLength());
    }
}
