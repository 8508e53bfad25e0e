package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BodyCodecTest
{
    private final ByteBuf buffer = Unpooled.buffer(2048);
    private final ByteBuf data = Unpooled.buffer(2048);
    private final BodyEncoder encoder = new BodyEncoder();
    private final BodyDecoder decoder = new BodyDecoder();

    @AfterEach
    void release()
    {
        buffer.release();
        data.release();
    }

    @Test
    void shouldRoundTripAckFramesAndFragments()
    {
        data.writeBytes("hello, skirmish".getBytes());
        encoder.begin(buffer, 1200);
        encoder.ack(0x0102030405060708L, 0xF0F0L, 160_000);
        encoder.frame(3, 0xFFFF, data, 0, 5);
        encoder.fragment(7, 2, 1, 3, data, 0, data.readableBytes());
        assertEquals(1 + 18 + 5 + 5 + 9 + 15, encoder.length());

        assertEquals(BodyDecoder.OK, decoder.wrap(buffer, 0, buffer.readableBytes(), 8, 4));
        assertTrue(decoder.hasAck());
        assertEquals(0x0102030405060708L, decoder.largestAcked());
        assertEquals(0xF0F0L, decoder.ackBits());
        assertEquals(160_000, decoder.ackDelayNs());

        assertTrue(decoder.nextFrame());
        assertEquals(3, decoder.channel());
        assertEquals(0xFFFF, decoder.sequence());
        assertFalse(decoder.isFragment());
        assertEquals("hello", buffer.toString(decoder.dataOffset(), decoder.dataLength(),
            java.nio.charset.StandardCharsets.US_ASCII));

        assertTrue(decoder.nextFrame());
        assertEquals(7, decoder.channel());
        assertTrue(decoder.isFragment());
        assertEquals(1, decoder.fragmentIndex());
        assertEquals(3, decoder.fragmentCount());
        assertEquals(15, decoder.dataLength());
        assertFalse(decoder.nextFrame());
    }

    @Test
    void shouldMatchTheDocumentedBytes()
    {
        data.writeBytes(new byte[]{(byte)0xAA, (byte)0xBB});
        encoder.begin(buffer, 1200);
        encoder.ack(5, 3, 32_000);
        encoder.frame(2, 258, data, 0, 2);
        assertEquals("01" + "0500000000000000" + "0300000000000000" + "0200" + "02" + "0201" + "0200" + "aabb",
            ByteBufUtil.hexDump(buffer));
    }

    @Test
    void shouldRejectEveryMalformedBodyAsAWhole()
    {
        assertEquals(BodyDecoder.EMPTY, decode(""));
        assertEquals(BodyDecoder.BAD_FLAGS, decode("02"));
        assertEquals(BodyDecoder.SHORT_ACK, decode("01" + "00".repeat(17)));
        assertEquals(BodyDecoder.OK, decode("00"), "flags only: nothing to do, well formed");
        assertEquals(BodyDecoder.BAD_FRAME_HEADER, decode("00" + "00000001"), "frame header cut short");
        assertEquals(BodyDecoder.BAD_FRAME_HEADER, decode("00" + "10" + "0000" + "0100" + "aa"), "reserved bit");
        assertEquals(BodyDecoder.BAD_CHANNEL, decode("00" + "04" + "0000" + "0100" + "aa"), "4 channels only");
        assertEquals(BodyDecoder.BAD_LENGTH, decode("00" + "00" + "0000" + "0000"), "empty message");
        assertEquals(BodyDecoder.BAD_LENGTH, decode("00" + "00" + "0000" + "0200" + "aa"), "longer than body");
        assertEquals(BodyDecoder.BAD_FRAGMENT, decode("00" + "08" + "0000" + "0100" + "0000" + "0100" + "aa"),
            "count 1");
        assertEquals(BodyDecoder.BAD_FRAGMENT, decode("00" + "08" + "0000" + "0100" + "0000" + "0000" + "aa"),
            "count 0");
        assertEquals(BodyDecoder.BAD_FRAGMENT, decode("00" + "08" + "0000" + "0100" + "0200" + "0200" + "aa"),
            "index = count");
        assertEquals(BodyDecoder.BAD_FRAGMENT, decode("00" + "08" + "0000" + "0100" + "0000" + "0500" + "aa"),
            "count above max");
        assertEquals(BodyDecoder.BAD_LENGTH,
            decode("00" + "00" + "0000" + "0100" + "aa" + "00" + "0100" + "0300" + "aabb"),
            "a bad second frame rejects the first too");
    }

    private int decode(final String hex)
    {
        buffer.clear();
        buffer.writeBytes(ByteBufUtil.decodeHexDump(hex));
        return decoder.wrap(buffer, 0, buffer.readableBytes(), 4, 4);
    }

    @Test
    void shouldNeverThrowOnRandomBodies()
    {
        final long seed = new SplittableRandom().nextLong();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++)
        {
            buffer.clear();
            final int length = random.nextInt(64);
            for (int b = 0; b < length; b++)
            {
                buffer.writeByte(random.nextInt(256) & (random.nextInt(4) == 0 ? 0x0F : 0xFF));
            }
            final int result = decoder.wrap(buffer, 0, length, 1 + random.nextInt(8), 2 + random.nextInt(300));
            if (BodyDecoder.OK == result)
            {
                int frames = 0;
                while (decoder.nextFrame())
                {
                    assertTrue(decoder.dataOffset() + decoder.dataLength() <= length, "seed " + seed);
                    assertTrue(decoder.dataLength() >= 1, "seed " + seed);
                    frames++;
                }
                assertTrue(frames <= length / 5, "seed " + seed);
            }
        }
    }
}
