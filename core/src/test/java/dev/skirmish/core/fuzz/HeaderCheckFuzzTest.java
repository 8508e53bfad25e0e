package dev.skirmish.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.core.wire.HeaderCheck;
import dev.skirmish.core.wire.PacketHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Fuzz target for {@link HeaderCheck#validate}: any bytes, any maximum datagram length from 8 to 65507, must give
 * exactly the answer an independent re-reading of the header gives, without throwing or moving the buffer's indices.
 * <p>
 * Input layout: bytes 0..1 pick the maximum datagram length (u16 LE, folded into 8..65507); the datagram is the
 * rest, read from reader index 2 of the whole array so that offsets relative to the reader index are exercised.
 * Seeds: {@code HeaderCheckFuzzTestInputs/shouldClassifyEveryDatagramAsAnIndependentReadingDoes/}; see FUZZING.md.
 */
class HeaderCheckFuzzTest
{
    static final int MIN_MAX_DATAGRAM_LENGTH = 8;
    static final int MAX_MAX_DATAGRAM_LENGTH = 65_507;
    static final int PREFIX_LENGTH = 2;

    @FuzzTest
    void shouldClassifyEveryDatagramAsAnIndependentReadingDoes(final byte[] input)
    {
        if (input.length < PREFIX_LENGTH)
        {
            return;
        }
        final int rawMax = (input[0] & 0xFF) | (input[1] & 0xFF) << 8;
        final int maxDatagramLength =
            MIN_MAX_DATAGRAM_LENGTH + rawMax % (MAX_MAX_DATAGRAM_LENGTH - MIN_MAX_DATAGRAM_LENGTH + 1);

        final ByteBuf datagram = Unpooled.wrappedBuffer(input);
        datagram.readerIndex(PREFIX_LENGTH);
        final HeaderCheck check = HeaderCheck.validate(datagram, maxDatagramLength);

        assertNotNull(check);
        assertEquals(PREFIX_LENGTH, datagram.readerIndex(), "reader index moved");
        assertEquals(input.length, datagram.writerIndex(), "writer index moved");
        assertEquals(expected(input, PREFIX_LENGTH, maxDatagramLength), check);
        if (HeaderCheck.VALID == check)
        {
            assertNull(check.dropCounter());
        }
        else
        {
            assertNotNull(check.dropCounter(), check.name());
        }
        datagram.release();
    }

    /** The documented validation order (PROTOCOL.md), re-read from the raw array without Netty or the wire classes. */
    private static HeaderCheck expected(final byte[] input, final int offset, final int maxDatagramLength)
    {
        final int length = input.length - offset;
        if (length < 8)
        {
            return HeaderCheck.TOO_SHORT;
        }
        if (length > maxDatagramLength)
        {
            return HeaderCheck.TOO_LONG;
        }
        if (input[offset] != 'S' || input[offset + 1] != 'K')
        {
            return HeaderCheck.BAD_MAGIC;
        }
        if (input[offset + 2] != 1)
        {
            return HeaderCheck.BAD_VERSION;
        }
        final int type = input[offset + 3] & 0xFF;
        if (type < 0x01 || type > 0x0A) // PROTOCOL.md, "Packet types": 0x01-0x0A
        {
            return HeaderCheck.BAD_TYPE;
        }
        assertEquals(PacketHeader.VERSION, input[offset + 2]);
        return HeaderCheck.VALID;
    }
}
