package dev.skirmish.core.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HeaderCheckTest
{
    private static final int MAX = 1472;

    private static ByteBuf valid(final int length)
    {
        final ByteBuf buffer = Unpooled.buffer(length);
        PacketHeader.write(buffer, PacketType.ECHO, 42);
        buffer.writeZero(length - PacketHeader.LENGTH);
        return buffer;
    }

    @Test
    void shouldAcceptValidHeaderAndReadFields()
    {
        final ByteBuf buffer = valid(72);
        assertEquals(HeaderCheck.VALID, HeaderCheck.validate(buffer, MAX));
        assertEquals(42, PacketHeader.sessionId(buffer));
        assertEquals(PacketType.ECHO.code(), PacketHeader.typeCode(buffer));
        buffer.release();
    }

    @Test
    void shouldMatchDocumentedByteLayout()
    {
        final ByteBuf buffer = Unpooled.buffer(8);
        PacketHeader.write(buffer, PacketType.DATA, 0x01020304);
        final byte[] bytes = new byte[8];
        buffer.readBytes(bytes);
        // PROTOCOL.md test vector: 'S' 'K' version=1 type=6 session id LE.
        assertEquals("534b010604030201", hex(bytes));
        buffer.release();
    }

    @Test
    void shouldMatchDocumentedEchoVector()
    {
        final ByteBuf buffer = Unpooled.buffer(24);
        PacketHeader.write(buffer, PacketType.ECHO, 7);
        buffer.writeLongLE(1).writeLongLE(2);
        final byte[] bytes = new byte[24];
        buffer.readBytes(bytes);
        assertEquals("534b010107000000" + "0100000000000000" + "0200000000000000", hex(bytes));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void shouldRejectTooShort(final int length)
    {
        final ByteBuf buffer = Unpooled.buffer(8).writeZero(length);
        assertEquals(HeaderCheck.TOO_SHORT, HeaderCheck.validate(buffer, MAX));
    }

    @Test
    void shouldAcceptExactlyMaxAndRejectOneMore()
    {
        assertEquals(HeaderCheck.VALID, HeaderCheck.validate(valid(MAX), MAX));
        assertEquals(HeaderCheck.TOO_LONG, HeaderCheck.validate(valid(MAX + 1), MAX));
        assertEquals(HeaderCheck.VALID, HeaderCheck.validate(valid(PacketHeader.LENGTH), MAX));
    }

    @Test
    void shouldRejectEachBadFieldInValidationOrder()
    {
        final ByteBuf badMagic = valid(16).setShortLE(0, 0x1234);
        assertEquals(HeaderCheck.BAD_MAGIC, HeaderCheck.validate(badMagic, MAX));

        final ByteBuf badVersion = valid(16).setByte(2, 2);
        assertEquals(HeaderCheck.BAD_VERSION, HeaderCheck.validate(badVersion, MAX));

        final ByteBuf badType0 = valid(16).setByte(3, 0);
        assertEquals(HeaderCheck.BAD_TYPE, HeaderCheck.validate(badType0, MAX));
        final ByteBuf badType = valid(16).setByte(3, PacketType.MAX_CODE + 1);
        assertEquals(HeaderCheck.BAD_TYPE, HeaderCheck.validate(badType, MAX));
        final ByteBuf badType255 = valid(16).setByte(3, 255);
        assertEquals(HeaderCheck.BAD_TYPE, HeaderCheck.validate(badType255, MAX));

        // Several bad fields: the first check in the documented order wins.
        final ByteBuf all = valid(16).setShortLE(0, 0).setByte(2, 9).setByte(3, 99);
        assertEquals(HeaderCheck.BAD_MAGIC, HeaderCheck.validate(all, MAX));
    }

    @Test
    void shouldRespectReaderIndexOfSlices()
    {
        final ByteBuf batch = Unpooled.buffer(200).writeZero(50);
        PacketHeader.write(batch, PacketType.ECHO, 7);
        batch.writeZero(20);
        final ByteBuf slice = batch.slice(50, 28);
        assertEquals(HeaderCheck.VALID, HeaderCheck.validate(slice, MAX));
        assertEquals(7, PacketHeader.sessionId(slice));
        assertEquals(HeaderCheck.TOO_SHORT, HeaderCheck.validate(batch.slice(0, 7), MAX));
    }

    @Test
    void shouldNeverThrowOnRandomBytes()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final byte[] bytes = new byte[64];
        for (int i = 0; i < 200_000; i++)
        {
            final int length = random.nextInt(bytes.length + 1);
            random.nextBytes(bytes);
            if (random.nextInt(4) == 0 && length >= 3)
            {
                bytes[0] = 0x53;
                bytes[1] = 0x4B;
                bytes[2] = 1;
            }
            final HeaderCheck check = HeaderCheck.validate(Unpooled.wrappedBuffer(bytes, 0, length), 48);
            if (check == HeaderCheck.VALID)
            {
                assertEquals(true, length >= 8 && length <= 48, "seed " + seed);
            }
        }
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder sb = new StringBuilder();
        for (final byte b : bytes)
        {
            sb.append(String.format("%02x", b & 0xFF));
        }
        return sb.toString();
    }
}
