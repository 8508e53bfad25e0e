package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.session.channel.BodyDecoder;
import dev.skirmish.session.channel.BodyDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target for {@link BodyDecoder} (the DATA body: ack block and message frames). Any bytes, any channel count
 * and fragment limit: never throws, never reads outside the body, and a body it accepts walks into frames that
 * exactly tile it, each within the declared limits.
 * <p>
 * Input layout: byte 0 picks the channel count (1..8) and byte 1 the fragment limit (2..257); the rest is the body.
 */
class BodyDecoderFuzzTest
{
    private static final BodyDecoder DECODER = new BodyDecoder();

    @FuzzTest
    void shouldAcceptOnlyBodiesThatTileIntoValidFrames(final byte[] input)
    {
        if (input.length < 2)
        {
            return;
        }
        final int channels = 1 + (input[0] & 0x07);
        final int maxFragments = 2 + (input[1] & 0xFF);
        final int length = input.length - 2;
        // Guard bytes around the body: the decoder must never look at them.
        final ByteBuf buffer = Unpooled.buffer(length + 16);
        try
        {
            buffer.writeZero(8).writeBytes(input, 2, length).writeZero(8);
            final int result = DECODER.wrap(buffer, 8, length, channels, maxFragments);
            if (BodyDecoder.OK != result)
            {
                assertTrue(result > 0 && result <= BodyDecoder.BAD_FRAGMENT);
                return;
            }
            int position = 8 + 1 + (DECODER.hasAck() ? BodyDescriptor.ACK_LENGTH : 0);
            while (DECODER.nextFrame())
            {
                assertTrue(DECODER.channel() < channels);
                assertTrue(DECODER.dataLength() >= 1);
                if (DECODER.isFragment())
                {
                    assertTrue(DECODER.fragmentCount() >= 2 && DECODER.fragmentCount() <= maxFragments);
                    assertTrue(DECODER.fragmentIndex() < DECODER.fragmentCount());
                }
                assertTrue(DECODER.dataOffset() > position);
                position = DECODER.dataOffset() + DECODER.dataLength();
            }
            assertEquals(8 + length, position, "frames tile the body exactly");
        }
        finally
        {
            buffer.release();
        }
    }
}
