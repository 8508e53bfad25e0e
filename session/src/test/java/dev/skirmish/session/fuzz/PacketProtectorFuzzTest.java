package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.protect.ReplayWindow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzz target for {@link PacketProtector#open}, both the {@link ByteBuf} and the {@link ByteBuffer} form: any bytes
 * give a defined {@link ProtectResult} code without throwing; both forms agree; authentication succeeds only for a
 * packet that was really sealed under the key, which then opens to its plaintext once and is a replay after.
 * <p>
 * Input layout: byte 0 picks the {@link AeadSuite} (modulo the number of suites), the rest is the packet. Seeds:
 * {@code PacketProtectorFuzzTestInputs/shouldOnlyOpenGenuinePacketsOnce/}.
 */
class PacketProtectorFuzzTest
{
    private static final AeadSuite[] SUITES = AeadSuite.values();
    private static final byte[][][] GENUINE = new byte[SUITES.length][][];

    static
    {
        for (final AeadSuite suite : SUITES)
        {
            GENUINE[suite.ordinal()] = FuzzFixtures.genuinePackets(suite);
        }
    }

    @FuzzTest
    void shouldOnlyOpenGenuinePacketsOnce(final byte[] input)
    {
        if (input.length < 1)
        {
            return;
        }
        final AeadSuite suite = SUITES[(input[0] & 0xFF) % SUITES.length];
        final byte[] packet = Arrays.copyOfRange(input, 1, input.length);

        final PacketProtector viaByteBuf = receiver(suite);
        final ByteBuf buf = Unpooled.wrappedBuffer(packet.clone());
        final int result = viaByteBuf.open(buf);

        final PacketProtector viaByteBuffer = receiver(suite);
        final ByteBuffer nio = ByteBuffer.wrap(packet.clone());
        final int nioResult = viaByteBuffer.open(nio);

        assertTrue(result >= ProtectResult.OK && result <= ProtectResult.CRYPTO_ERROR, "undefined code " + result);
        assertEquals(ProtectResult.name(result), ProtectResult.name(nioResult), "ByteBuf and ByteBuffer disagree");
        assertTrue(result != ProtectResult.CRYPTO_ERROR, () -> "crypto error: " + viaByteBuf.lastCryptoError());
        assertTrue(result != ProtectResult.REPLAY && result != ProtectResult.TOO_OLD, "fresh window rejected");

        if (ProtectResult.OK != result)
        {
            assertArrayEquals(packet, bytes(buf), "buffer changed by a failed open");
            buf.release();
            return;
        }

        final int index = genuineIndex(suite, packet);
        final int plaintextLength = packet.length - ProtectedPacketDescriptor.MIN_LENGTH;
        assertEquals(FuzzFixtures.PAYLOAD_LENGTHS[index], plaintextLength);
        final byte[] plaintext = FuzzFixtures.sequence(0x70 + index, plaintextLength);
        final byte[] opened = bytes(buf);
        assertArrayEquals(plaintext, Arrays.copyOfRange(opened, ProtectedPacketDescriptor.PAYLOAD_OFFSET, opened.length));
        assertEquals(index, viaByteBuf.lastOpenedSequence());
        buf.release();

        final ByteBuf again = Unpooled.wrappedBuffer(packet.clone());
        assertEquals(ProtectResult.name(ProtectResult.REPLAY), ProtectResult.name(viaByteBuf.open(again)));
        again.release();
    }

    private static PacketProtector receiver(final AeadSuite suite)
    {
        return PacketProtector.forReceiving(
            suite, FuzzFixtures.protectKey(suite), FuzzFixtures.MAX_DATAGRAM_LENGTH, new ReplayWindow());
    }

    private static int genuineIndex(final AeadSuite suite, final byte[] packet)
    {
        final byte[][] genuine = GENUINE[suite.ordinal()];
        for (int i = 0; i < genuine.length; i++)
        {
            if (Arrays.equals(genuine[i], packet))
            {
                return i;
            }
        }
        fail("authenticated a packet that was never sealed: " + suite + " " + Arrays.toString(packet));
        return -1;
    }

    private static byte[] bytes(final ByteBuf buf)
    {
        final byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        return bytes;
    }
}
