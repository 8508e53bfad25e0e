package dev.skirmish.session.protect;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dev.skirmish.session.protect.ProtectedPacketDescriptor.MIN_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.PAYLOAD_OFFSET;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.SEQUENCE_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.SEQUENCE_OFFSET;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.TAG_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketProtectorTest
{
    private static final int MAX = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
    private static final int SESSION_ID = 0x01020304;
    private static final int[] SIZES = {0, 1, 15, 16, 17, 64, 256, 1200, ProtectedPacketDescriptor.maxPayloadLength(MAX)};

    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void releaseBuffers()
    {
        for (final ByteBuf buffer : buffers)
        {
            buffer.release();
        }
    }

    @ParameterizedTest
    @EnumSource(AeadSuite.class)
    void shouldRoundTripEverySizeThroughPooledDirectAndHeapBuffers(final AeadSuite suite)
    {
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 1), MAX);
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 1), MAX, new ReplayWindow());
        final Random random = new Random(11);

        long sequence = 0;
        for (final boolean direct : new boolean[]{true, false})
        {
            for (final int size : SIZES)
            {
                final byte[] payload = new byte[size];
                random.nextBytes(payload);
                final ByteBuf packet = plaintextPacket(direct, PacketType.DATA, payload);

                assertEquals(ProtectResult.OK, sender.seal(packet), ProtectResult.name(sender.seal(packet)));
                assertEquals(PAYLOAD_OFFSET + size + TAG_LENGTH, packet.readableBytes());
                assertEquals(sequence, packet.getLongLE(SEQUENCE_OFFSET));
                if (size >= 16)
                {
                    assertFalse(payloadEquals(packet, payload), "payload must be encrypted");
                }

                assertEquals(ProtectResult.OK, receiver.open(packet));
                assertEquals(sequence, receiver.lastOpenedSequence());
                assertEquals(PAYLOAD_OFFSET + size, packet.readableBytes());
                assertEquals(SESSION_ID, PacketHeader.sessionId(packet));
                assertEquals(PacketType.DATA.code(), PacketHeader.typeCode(packet));
                assertArrayEquals(payload, ByteBufUtil.getBytes(packet, PAYLOAD_OFFSET, size));
                sequence++;
            }
        }
        assertEquals(sequence, sender.nextSequence());
        assertEquals(0, receiver.authFailures() + receiver.replays() + receiver.tooOld() + receiver.cryptoErrors());
    }

    @ParameterizedTest
    @EnumSource(AeadSuite.class)
    void shouldRoundTripThroughByteBuffersAtAnyPositionAndOrder(final AeadSuite suite)
    {
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 2), MAX);
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 2), MAX, new ReplayWindow());
        final byte[] payload = "state relay snapshot".getBytes(StandardCharsets.US_ASCII);

        for (final ByteBuffer buffer : new ByteBuffer[]{ByteBuffer.allocateDirect(200), ByteBuffer.allocate(200)})
        {
            buffer.order(ByteOrder.BIG_ENDIAN);
            final int start = 5;
            buffer.position(start);
            buffer.putShort(Short.reverseBytes((short)PacketHeader.MAGIC)).put((byte)PacketHeader.VERSION)
                .put((byte)PacketType.DATA.code()).putInt(Integer.reverseBytes(SESSION_ID))
                .putLong(0).put(payload);
            buffer.limit(buffer.position()).position(start);

            assertEquals(ProtectResult.OK, sender.seal(buffer));
            assertEquals(start, buffer.position());
            assertEquals(PAYLOAD_OFFSET + payload.length + TAG_LENGTH, buffer.remaining());

            // identical bytes to the ByteBuf path
            final ByteBuf copy = Unpooled.wrappedBuffer(buffer.duplicate());
            assertEquals(sender.nextSequence() - 1, copy.getLongLE(SEQUENCE_OFFSET));

            assertEquals(ProtectResult.OK, receiver.open(buffer));
            assertEquals(PAYLOAD_OFFSET + payload.length, buffer.remaining());
            final byte[] opened = new byte[payload.length];
            buffer.get(start + PAYLOAD_OFFSET, opened);
            assertArrayEquals(payload, opened);
        }
    }

    @ParameterizedTest
    @EnumSource(AeadSuite.class)
    void shouldFailAuthenticationWhenAnyBitOfHeaderSequenceCiphertextOrTagChanges(final AeadSuite suite)
    {
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 3), MAX);
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 3), MAX, new ReplayWindow());
        final ByteBuf sealed = plaintextPacket(true, PacketType.DATA, new byte[64]);
        assertEquals(ProtectResult.OK, sender.seal(sealed));
        final byte[] original = ByteBufUtil.getBytes(sealed);

        int tampered = 0;
        for (int index = 0; index < original.length; index++)
        {
            for (int bit = 0; bit < Byte.SIZE; bit++)
            {
                final ByteBuf packet = track(Unpooled.directBuffer(original.length));
                packet.writeBytes(original);
                packet.setByte(index, original[index] ^ (1 << bit));
                final byte[] before = ByteBufUtil.getBytes(packet);

                final int result = receiver.open(packet);
                assertEquals(ProtectResult.AUTH_FAILED, result,
                    "byte " + index + " bit " + bit + ": " + ProtectResult.name(result));
                assertArrayEquals(before, ByteBufUtil.getBytes(packet), "buffer must be unchanged on failure");
                tampered++;
            }
        }
        assertEquals(tampered, receiver.authFailures());
        assertEquals(0, receiver.cryptoErrors());
        assertEquals(ProtectResult.OK, receiver.open(sealed), "genuine packet still opens after the forgeries");
    }

    @ParameterizedTest
    @EnumSource(AeadSuite.class)
    void shouldOpenGenuinePacketRightAfterForgeryWithSameSequence(final AeadSuite suite)
    {
        // A forged packet must not be able to make the genuine packet with its sequence number fail (the JDK's
        // ChaCha20-Poly1305, which protectors used before, refused init twice in a row with one key and nonce).
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 4), MAX);
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 4), MAX, new ReplayWindow());
        for (int i = 0; i < 3; i++)
        {
            final ByteBuf genuine = plaintextPacket(true, PacketType.DATA, new byte[]{1, 2, 3});
            assertEquals(ProtectResult.OK, sender.seal(genuine));
            for (int forgery = 0; forgery < 2; forgery++)
            {
                final ByteBuf forged = track(genuine.copy());
                forged.setByte(forged.writerIndex() - 1, forged.getByte(forged.writerIndex() - 1) ^ 0x55);
                assertEquals(ProtectResult.AUTH_FAILED, receiver.open(forged));
            }
            assertEquals(ProtectResult.OK, receiver.open(genuine));
        }
        assertEquals(6, receiver.authFailures());
        assertEquals(0, receiver.cryptoErrors());
    }

    @ParameterizedTest
    @EnumSource(AeadSuite.class)
    void shouldFailAuthenticationUnderWrongKeyOrTruncation(final AeadSuite suite)
    {
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 5), MAX);
        final PacketProtector otherKey = PacketProtector.forReceiving(suite, key(suite, 6), MAX, new ReplayWindow());
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 5), MAX, new ReplayWindow());

        final ByteBuf packet = plaintextPacket(true, PacketType.DATA, new byte[40]);
        assertEquals(ProtectResult.OK, sender.seal(packet));
        assertEquals(ProtectResult.AUTH_FAILED, otherKey.open(track(packet.copy())));

        for (int length = MIN_LENGTH; length < packet.readableBytes(); length++)
        {
            assertEquals(ProtectResult.AUTH_FAILED, receiver.open(track(packet.copy(0, length))), "length " + length);
        }
        for (int length = 0; length < MIN_LENGTH; length++)
        {
            assertEquals(ProtectResult.TOO_SHORT, receiver.open(track(packet.copy(0, length))), "length " + length);
        }
        assertEquals(MIN_LENGTH, receiver.malformed());
        assertEquals(ProtectResult.OK, receiver.open(packet));
    }

    @ParameterizedTest
    @EnumSource(AeadSuite.class)
    void shouldAcceptNoReplayedPacketOnceTenTimesLaterOrShuffledInWindow(final AeadSuite suite)
    {
        final long seed = 42L;
        final Random random = new Random(seed);
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 7), MAX);
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 7), MAX, new ReplayWindow());
        final int[] delivered = new int[4 * ReplayWindow.WINDOW];

        // A recorded session: every packet as it went on the wire.
        final List<byte[]> recorded = new ArrayList<>();
        for (int i = 0; i < delivered.length; i++)
        {
            final ByteBuf packet = plaintextPacket(false, PacketType.DATA, intPayload(i));
            assertEquals(ProtectResult.OK, sender.seal(packet));
            recorded.add(ByteBufUtil.getBytes(packet));
        }

        // First half live, shuffled inside the window: reordering is fine, each packet is accepted once.
        final int half = delivered.length / 2;
        final List<Integer> order = new ArrayList<>();
        for (int block = 0; block < half; block += ReplayWindow.WINDOW / 2)
        {
            final List<Integer> shuffled = new ArrayList<>();
            for (int i = block; i < block + ReplayWindow.WINDOW / 2; i++)
            {
                shuffled.add(i);
                shuffled.add(i);  // every packet duplicated inside the window too
            }
            Collections.shuffle(shuffled, random);
            order.addAll(shuffled);
        }
        deliver(receiver, recorded, order, delivered);
        for (int i = 0; i < half; i++)
        {
            assertEquals(1, delivered[i], "seed " + seed + " packet " + i);
        }

        // Replayed once: nothing accepted.
        deliver(receiver, recorded, range(0, half), delivered);

        // The second half live, then the whole recording replayed ten times over.
        deliver(receiver, recorded, range(half, delivered.length), delivered);
        for (int round = 0; round < 10; round++)
        {
            deliver(receiver, recorded, range(0, delivered.length), delivered);
        }

        // Replays of the newest packets shuffled inside the window.
        final List<Integer> tail = range(delivered.length - ReplayWindow.WINDOW, delivered.length);
        Collections.shuffle(tail, random);
        deliver(receiver, recorded, tail, delivered);

        for (int i = 0; i < delivered.length; i++)
        {
            assertEquals(1, delivered[i], "seed " + seed + ": packet " + i + " delivered " + delivered[i] + " times");
        }
        assertEquals(0, receiver.authFailures());
        assertEquals((long)order.size() - half + 10L * delivered.length + half + ReplayWindow.WINDOW,
            receiver.replays() + receiver.tooOld());
    }

    @Test
    void shouldRejectOutOfOrderPacketOlderThanWindow()
    {
        final AeadSuite suite = AeadSuite.DEFAULT;
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 8), MAX);
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 8), MAX, new ReplayWindow());
        final ByteBuf late = plaintextPacket(true, PacketType.DATA, new byte[8]);
        assertEquals(ProtectResult.OK, sender.seal(late));
        final ByteBuf edge = plaintextPacket(true, PacketType.DATA, new byte[8]);
        assertEquals(ProtectResult.OK, sender.seal(edge));

        sender.skipTo(ReplayWindow.WINDOW);
        final ByteBuf newest = plaintextPacket(true, PacketType.DATA, new byte[8]);
        assertEquals(ProtectResult.OK, sender.seal(newest));
        assertEquals(ProtectResult.OK, receiver.open(newest));

        assertEquals(ProtectResult.TOO_OLD, receiver.open(late), "sequence 0, 1024 behind");
        assertEquals(ProtectResult.OK, receiver.open(edge), "sequence 1, 1023 behind");
        assertEquals(1, receiver.tooOld());
    }

    @Test
    void shouldMatchTestVectorByteForByte()
    {
        // session/docs/packet-protection.md, "Test vector"; expected bytes computed independently (Python
        // 'cryptography' AESGCM / ChaCha20Poly1305 over the documented nonce and associated data).
        final String header = "534b010604030201" + "0807060504030201";
        assertVector(AeadSuite.AES_256_GCM,
            header + "749d93290d03e83dfe1a8c5ef75d52" + "78ee256e29d808f54c96c6383fdd50f8");
        assertVector(AeadSuite.AES_128_GCM,
            header + "b427e708fea2bedc90b74be5ed71db" + "3089143405326e622815aa480abffff3");
        assertVector(AeadSuite.CHACHA20_POLY1305,
            header + "982cc188c415ca6b0fc258a11a0b09" + "b2727eb878aff3f5f3e00e18f31f7ba0");
    }

    @Test
    void shouldRejectWhatCannotBeSealed()
    {
        final AeadSuite suite = AeadSuite.DEFAULT;
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 9), MAX);

        final ByteBuf tooShort = track(Unpooled.buffer(64));
        PacketHeader.write(tooShort, PacketType.DATA, SESSION_ID);
        tooShort.writeZero(SEQUENCE_LENGTH - 1);
        assertEquals(ProtectResult.TOO_SHORT, sender.seal(tooShort));

        final ByteBuf noRoom = track(Unpooled.buffer(PAYLOAD_OFFSET + 10, PAYLOAD_OFFSET + 10));
        PacketHeader.write(noRoom, PacketType.DATA, SESSION_ID);
        noRoom.writeZero(SEQUENCE_LENGTH + 10);
        assertEquals(ProtectResult.NO_ROOM, sender.seal(noRoom));

        final ByteBuf tooLong = plaintextPacket(true, PacketType.DATA, new byte[ProtectedPacketDescriptor.maxPayloadLength(MAX) + 1]);
        assertEquals(ProtectResult.TOO_LONG, sender.seal(tooLong));
        assertEquals(0, sender.nextSequence(), "rejected packets use no sequence number");

        sender.skipTo(-2L);
        assertEquals(ProtectResult.OK, sender.seal(plaintextPacket(true, PacketType.DATA, new byte[1])));
        assertEquals(-1L, sender.nextSequence());
        assertEquals(ProtectResult.SEQUENCE_EXHAUSTED, sender.seal(plaintextPacket(true, PacketType.DATA, new byte[1])));
        assertThrows(IllegalArgumentException.class, () -> sender.skipTo(5));
    }

    @Test
    void shouldRejectTooLongDatagramOnOpen()
    {
        final AeadSuite suite = AeadSuite.DEFAULT;
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 10), 100, new ReplayWindow());
        final ByteBuf packet = track(Unpooled.buffer(101));
        packet.writeZero(101);
        assertEquals(ProtectResult.TOO_LONG, receiver.open(packet));
        assertEquals(1, receiver.malformed());
    }

    @Test
    void shouldRefuseMisuse()
    {
        final AeadSuite suite = AeadSuite.DEFAULT;
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 11), MAX);
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 11), MAX, new ReplayWindow());
        final ByteBuf packet = plaintextPacket(true, PacketType.DATA, new byte[4]);

        assertThrows(IllegalStateException.class, () -> sender.open(packet));
        assertThrows(IllegalStateException.class, () -> receiver.seal(packet));
        assertThrows(IllegalStateException.class, () -> receiver.skipTo(1));
        assertThrows(IllegalArgumentException.class,
            () -> PacketProtector.forSending(AeadSuite.AES_256_GCM, new byte[16], MAX));
        assertThrows(IllegalArgumentException.class,
            () -> PacketProtector.forSending(AeadSuite.CHACHA20_POLY1305, new byte[31], MAX));
        assertThrows(NullPointerException.class, () -> PacketProtector.forReceiving(suite, key(suite, 1), MAX, null));
        assertNull(sender.replayWindow());
        assertEquals("UNKNOWN", ProtectResult.name(99));
    }

    @Test
    void shouldSealAndOpenWithoutAllocatingWithChaCha20Poly1305()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final AeadSuite suite = AeadSuite.CHACHA20_POLY1305;
        final PacketProtector sender = PacketProtector.forSending(suite, key(suite, 12), MAX);
        final PacketProtector receiver = PacketProtector.forReceiving(suite, key(suite, 12), MAX, new ReplayWindow());
        // Wrapped, not pooled: the tests' paranoid leak detector records every access to a pooled buffer.
        final ByteBuf packet =
            track(Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(PAYLOAD_OFFSET + 200 + TAG_LENGTH)));
        final ByteBuffer nio = ByteBuffer.allocateDirect(PAYLOAD_OFFSET + 64 + TAG_LENGTH);
        final int[] results = new int[1];

        final Runnable roundTrips = () ->
        {
            for (int i = 0; i < 10_000; i++)
            {
                packet.setIndex(0, PAYLOAD_OFFSET + 200);
                results[0] |= sender.seal(packet) | receiver.open(packet);
                packet.setByte(PAYLOAD_OFFSET, 1);
                nio.clear().limit(PAYLOAD_OFFSET + 64);
                results[0] |= sender.seal(nio) | receiver.open(nio);
            }
            receiver.replayWindow().reset();
        };
        roundTrips.run();
        roundTrips.run();
        final long before = threads.getCurrentThreadAllocatedBytes();
        roundTrips.run();
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(ProtectResult.OK, results[0]);
        assertEquals(60_000, receiver.lastOpenedSequence() + 1);
        assertTrue(allocated < 1024, allocated + " B allocated over 10 000 seals and opens");
    }

    private void assertVector(final AeadSuite suite, final String expectedHex)
    {
        final byte[] key = new byte[suite.keyLength()];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)i;
        }
        final PacketProtector sender = PacketProtector.forSending(suite, key, MAX);
        sender.skipTo(0x0102030405060708L);
        final ByteBuf packet = plaintextPacket(true, PacketType.DATA,
            "hello, skirmish".getBytes(StandardCharsets.US_ASCII));

        assertEquals(ProtectResult.OK, sender.seal(packet));
        assertEquals(expectedHex, ByteBufUtil.hexDump(packet), suite.name());

        final PacketProtector receiver = PacketProtector.forReceiving(suite, key, MAX, new ReplayWindow());
        final ByteBuf fromHex = track(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(expectedHex)));
        assertEquals(ProtectResult.OK, receiver.open(fromHex));
        assertEquals("hello, skirmish", fromHex.toString(PAYLOAD_OFFSET, fromHex.readableBytes() - PAYLOAD_OFFSET,
            StandardCharsets.US_ASCII));
    }

    private static void deliver(
        final PacketProtector receiver, final List<byte[]> recorded, final List<Integer> order, final int[] delivered)
    {
        for (final int index : order)
        {
            final ByteBuf packet = Unpooled.wrappedBuffer(recorded.get(index).clone());
            final int result = receiver.open(packet);
            if (ProtectResult.OK == result)
            {
                delivered[packet.getIntLE(PAYLOAD_OFFSET)]++;
            }
            else if (ProtectResult.REPLAY != result && ProtectResult.TOO_OLD != result)
            {
                throw new AssertionError("packet " + index + ": " + ProtectResult.name(result));
            }
            packet.release();
        }
    }

    private static List<Integer> range(final int from, final int to)
    {
        final List<Integer> list = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            list.add(i);
        }
        return list;
    }

    private static byte[] intPayload(final int value)
    {
        return new byte[]{(byte)value, (byte)(value >>> 8), (byte)(value >>> 16), (byte)(value >>> 24)};
    }

    private static byte[] key(final AeadSuite suite, final int seed)
    {
        final byte[] key = new byte[suite.keyLength()];
        new Random(seed).nextBytes(key);
        return key;
    }

    private static boolean payloadEquals(final ByteBuf packet, final byte[] payload)
    {
        return java.util.Arrays.equals(payload, ByteBufUtil.getBytes(packet, PAYLOAD_OFFSET, payload.length));
    }

    private ByteBuf plaintextPacket(final boolean direct, final PacketType type, final byte[] payload)
    {
        final int capacity = PAYLOAD_OFFSET + payload.length + TAG_LENGTH;
        final ByteBuf packet = track(direct ?
            PooledByteBufAllocator.DEFAULT.directBuffer(capacity, capacity) :
            PooledByteBufAllocator.DEFAULT.heapBuffer(capacity, capacity));
        PacketHeader.write(packet, type, SESSION_ID);
        packet.writeZero(SEQUENCE_LENGTH);
        packet.writeBytes(payload);
        return packet;
    }

    private ByteBuf track(final ByteBuf buffer)
    {
        buffers.add(buffer);
        return buffer;
    }
}
