package dev.skirmish.jmh;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.protect.ReplayWindow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.skirmish.session.protect.ProtectedPacketDescriptor.AAD_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.PAYLOAD_OFFSET;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.TAG_LENGTH;

/**
 * Packet protection per packet, to choose between AES-GCM and ChaCha20-Poly1305 on Java 17. Through
 * {@link PacketProtector}, {@code CHACHA20_POLY1305} is Skirmish's own {@link dev.skirmish.session.protect.ChaCha20Poly1305}
 * (it was the JDK's when {@code perf-results/jmh/protect.txt} was recorded); {@link #jdkDirectByteBufferSeal} and
 * {@link #jdkInit} still use the JDK's. {@link AeadBenchmark} compares the engines alone:
 * <ul>
 *   <li>{@link #seal}: {@link PacketProtector#seal} of a packet with a {@code payloadLength}-byte payload in a pooled
 *   direct buffer (what a worker does for every packet it sends);</li>
 *   <li>{@link #open}: {@link PacketProtector#open} of a sealed packet, including copying the sealed bytes into the
 *   receive buffer first (open decrypts in place, so each operation needs a fresh copy): subtract
 *   {@link #copySealedPacket} for the open alone;</li>
 *   <li>{@link #openForged}: open of a packet with a fresh sequence number and a wrong tag (what an attacker who knows
 *   a session id costs us per datagram), {@link #openReplay}: open of an already accepted sequence number (rejected
 *   before decryption);</li>
 *   <li>{@link #jdkDirectByteBufferSeal}: the alternative to {@link PacketProtector}'s scratch-array copy: the JDK
 *   {@code Cipher.doFinal(ByteBuffer, ByteBuffer)} in place on a direct buffer, through two view objects;</li>
 *   <li>{@link #jdkInit}: {@code Cipher.init} with a new nonce spec alone, the fixed cost every packet pays.</li>
 * </ul>
 * {@code gc.alloc.rate.norm} (run with {@code -prof gc}) is the garbage per packet. {@link AllocationBreakdown} says
 * which classes make it up. Results and the decision: {@code session/docs/packet-protection.md}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class ProtectBenchmark
{
    /** Packets pre-sealed for {@link #open}; the receiver's replay window is reset after each pass over them. */
    static final int SEALED_RING = 256;
    static final int MAX_DATAGRAM = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;

    /**
     * A sender and one packet that is sealed over and over.
     */
    @State(Scope.Thread)
    public static class SealState
    {
        /** AEAD. */
        @Param({"AES_256_GCM", "AES_128_GCM", "CHACHA20_POLY1305"})
        AeadSuite suite;

        /** Plaintext payload length in bytes: small input, typical snapshot, near-MTU. */
        @Param({"64", "256", "1200"})
        int payloadLength;

        PacketProtector sender;
        ByteBuf packet;
        int plaintextEnd;

        /**
         * Create the sender and the packet, and check that sealing works.
         */
        @Setup
        public void setup()
        {
            sender = PacketProtector.forSending(suite, key(suite, 1), MAX_DATAGRAM);
            packet = plaintextPacket(payloadLength);
            plaintextEnd = packet.writerIndex();
            expectOk(sender.seal(packet), "seal");
        }

        /**
         * Return the buffer to the pool and check nothing failed.
         */
        @TearDown
        public void tearDown()
        {
            packet.release();
            expectZero(sender.cryptoErrors(), "crypto errors");
        }
    }

    /**
     * A receiver and {@link #SEALED_RING} packets sealed for it, opened in turn.
     */
    @State(Scope.Thread)
    public static class OpenState
    {
        /** AEAD. */
        @Param({"AES_256_GCM", "AES_128_GCM", "CHACHA20_POLY1305"})
        AeadSuite suite;

        /** Plaintext payload length in bytes. */
        @Param({"64", "256", "1200"})
        int payloadLength;

        PacketProtector receiver;
        ReplayWindow window;
        byte[][] sealed;
        ByteBuf packet;
        int next;

        /**
         * Seal the ring of packets and allocate the receive buffer.
         */
        @Setup
        public void setup()
        {
            window = new ReplayWindow();
            receiver = PacketProtector.forReceiving(suite, key(suite, 2), MAX_DATAGRAM, window);
            sealed = sealRing(suite, key(suite, 2), payloadLength);
            packet = PooledByteBufAllocator.DEFAULT.directBuffer(MAX_DATAGRAM, MAX_DATAGRAM);
        }

        /**
         * Return the buffer and check that every packet opened.
         */
        @TearDown
        public void tearDown()
        {
            packet.release();
            expectZero(receiver.authFailures() + receiver.replays() + receiver.tooOld(), "rejected packets");
        }
    }

    /**
     * A sealed packet whose tag is wrong; its sequence number stays fresh because it never authenticates.
     */
    @State(Scope.Thread)
    public static class ForgedState
    {
        /** AEAD. */
        @Param({"AES_256_GCM", "CHACHA20_POLY1305"})
        AeadSuite suite;

        /** Plaintext payload length in bytes. */
        @Param({"64", "1200"})
        int payloadLength;

        PacketProtector receiver;
        ByteBuf packet;

        /**
         * Seal one packet for the receiver and break its tag.
         */
        @Setup
        public void setup()
        {
            receiver = PacketProtector.forReceiving(suite, key(suite, 3), MAX_DATAGRAM, new ReplayWindow());
            final byte[] bytes = sealRing(suite, key(suite, 3), payloadLength)[0];
            bytes[bytes.length - 1] ^= 0x01;
            packet = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length, bytes.length).writeBytes(bytes);
            expectResult(ProtectResult.AUTH_FAILED, receiver.open(packet), "forged open");
        }

        /**
         * Return the buffer.
         */
        @TearDown
        public void tearDown()
        {
            packet.release();
            expectZero(receiver.cryptoErrors(), "crypto errors");
        }
    }

    /**
     * A packet the receiver has already accepted.
     */
    @State(Scope.Thread)
    public static class ReplayState
    {
        PacketProtector receiver;
        ByteBuf packet;

        /**
         * Seal and open one packet, so that its sequence number is in the window.
         */
        @Setup
        public void setup()
        {
            final AeadSuite suite = AeadSuite.DEFAULT;
            receiver = PacketProtector.forReceiving(suite, key(suite, 4), MAX_DATAGRAM, new ReplayWindow());
            final byte[] bytes = sealRing(suite, key(suite, 4), 64)[0];
            final ByteBuf first = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
            expectOk(receiver.open(first), "first open");
            first.release();
            packet = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length, bytes.length).writeBytes(bytes);
            expectResult(ProtectResult.REPLAY, receiver.open(packet), "replayed open");
        }

        /**
         * Return the buffer.
         */
        @TearDown
        public void tearDown()
        {
            packet.release();
        }
    }

    /**
     * The JDK Cipher used directly on a direct {@link ByteBuffer}, in place, as the alternative to the scratch copy.
     */
    @State(Scope.Thread)
    public static class DirectByteBufferState
    {
        /** AEAD. */
        @Param({"AES_256_GCM", "CHACHA20_POLY1305"})
        AeadSuite suite;

        /** Plaintext payload length in bytes. */
        @Param({"64", "256", "1200"})
        int payloadLength;

        Cipher cipher;
        SecretKeySpec key;
        ByteBuffer buffer;
        final byte[] aad = new byte[AAD_LENGTH];
        final byte[] nonce = new byte[ProtectedPacketDescriptor.NONCE_LENGTH];
        long sequence;

        /**
         * Create the cipher and the buffer.
         *
         * @throws GeneralSecurityException never with the JDK's providers.
         */
        @Setup
        public void setup() throws GeneralSecurityException
        {
            cipher = Cipher.getInstance(suite.transformation());
            key = new SecretKeySpec(key(suite, 5), suite.keyAlgorithm());
            buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        }
    }

    /**
     * A cipher that is only initialised.
     */
    @State(Scope.Thread)
    public static class InitState
    {
        /** AEAD. */
        @Param({"AES_256_GCM", "AES_128_GCM", "CHACHA20_POLY1305"})
        AeadSuite suite;

        Cipher cipher;
        SecretKeySpec key;
        final byte[] nonce = new byte[ProtectedPacketDescriptor.NONCE_LENGTH];
        long sequence;

        /**
         * Create the cipher.
         *
         * @throws GeneralSecurityException never with the JDK's providers.
         */
        @Setup
        public void setup() throws GeneralSecurityException
        {
            cipher = Cipher.getInstance(suite.transformation());
            key = new SecretKeySpec(key(suite, 6), suite.keyAlgorithm());
        }
    }

    /**
     * Seal one packet (the plaintext is whatever the previous operation left: the cost does not depend on it).
     *
     * @param state sender and packet.
     * @return the result code, {@link ProtectResult#OK}.
     */
    @Benchmark
    public int seal(final SealState state)
    {
        state.packet.writerIndex(state.plaintextEnd);
        return state.sender.seal(state.packet);
    }

    /**
     * Copy the next sealed packet into the receive buffer and open it.
     *
     * @param state receiver and sealed packets.
     * @return the result code, {@link ProtectResult#OK}.
     */
    @Benchmark
    public int open(final OpenState state)
    {
        final int index = state.next;
        final byte[] bytes = state.sealed[index];
        state.packet.setBytes(0, bytes).setIndex(0, bytes.length);
        final int result = state.receiver.open(state.packet);
        if (index == SEALED_RING - 1)
        {
            state.next = 0;
            state.window.reset();
        }
        else
        {
            state.next = index + 1;
        }
        return result;
    }

    /**
     * The copy that {@link #open} does before opening, alone.
     *
     * @param state sealed packets and the receive buffer.
     * @return the buffer.
     */
    @Benchmark
    public ByteBuf copySealedPacket(final OpenState state)
    {
        final int index = state.next;
        final byte[] bytes = state.sealed[index];
        state.next = index == SEALED_RING - 1 ? 0 : index + 1;
        return state.packet.setBytes(0, bytes).setIndex(0, bytes.length);
    }

    /**
     * Open a forged packet: full decryption attempt, tag mismatch.
     *
     * @param state receiver and forged packet.
     * @return the result code, {@link ProtectResult#AUTH_FAILED}.
     */
    @Benchmark
    public int openForged(final ForgedState state)
    {
        return state.receiver.open(state.packet);
    }

    /**
     * Open a replayed packet: rejected by the window before decryption.
     *
     * @param state receiver and replayed packet.
     * @return the result code, {@link ProtectResult#REPLAY}.
     */
    @Benchmark
    public int openReplay(final ReplayState state)
    {
        return state.receiver.open(state.packet);
    }

    /**
     * Seal in place on a direct buffer with the JDK's {@code ByteBuffer} API: {@code init}, {@code updateAAD(byte[])},
     * {@code doFinal(src, dst)} where src and dst are two views of the same bytes (the JDK refuses one object as both).
     *
     * @param state cipher and buffer.
     * @return bytes written.
     * @throws GeneralSecurityException never.
     */
    @Benchmark
    public int jdkDirectByteBufferSeal(final DirectByteBufferState state) throws GeneralSecurityException
    {
        final long sequence = state.sequence++;
        putLongLE(state.nonce, ProtectedPacketDescriptor.NONCE_SEQUENCE_OFFSET, sequence);
        state.cipher.init(Cipher.ENCRYPT_MODE, state.key, nonceSpec(state.suite, state.nonce));
        state.cipher.updateAAD(state.aad, 0, AAD_LENGTH);
        final ByteBuffer src = state.buffer.duplicate();
        src.limit(PAYLOAD_OFFSET + state.payloadLength).position(PAYLOAD_OFFSET);
        final ByteBuffer dst = state.buffer.duplicate();
        dst.limit(PAYLOAD_OFFSET + state.payloadLength + TAG_LENGTH).position(PAYLOAD_OFFSET);
        return state.cipher.doFinal(src, dst);
    }

    /**
     * {@code Cipher.init} with a new nonce spec, nothing else.
     *
     * @param state cipher.
     * @return the cipher.
     * @throws GeneralSecurityException never.
     */
    @Benchmark
    public Cipher jdkInit(final InitState state) throws GeneralSecurityException
    {
        final long sequence = state.sequence++;
        putLongLE(state.nonce, ProtectedPacketDescriptor.NONCE_SEQUENCE_OFFSET, sequence);
        state.cipher.init(Cipher.ENCRYPT_MODE, state.key, nonceSpec(state.suite, state.nonce));
        return state.cipher;
    }

    /**
     * Which classes the JDK allocates per sealed and opened packet, counted exactly: runs {@link PacketProtector}
     * under Epsilon GC (nothing is collected) and diffs {@code GC.class_histogram -all} around a number of packets.
     * Objects that C2's escape analysis removes do not show, as in {@code gc.alloc.rate.norm}. Run with
     * {@code java -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -Xms4g -Xmx4g
     * -cp jmh/target/benchmarks.jar 'dev.skirmish.jmh.ProtectBenchmark$AllocationBreakdown'}.
     */
    public static final class AllocationBreakdown
    {
        private static final int WARMUP_PACKETS = 30_000;
        private static final int MEASURED_PACKETS = 50_000;

        private AllocationBreakdown()
        {
        }

        /**
         * Print the per-packet allocation by class for seal and open of each suite at 64 and 1200 bytes.
         *
         * @param args unused.
         * @throws Exception if the diagnostic command is unavailable.
         */
        public static void main(final String[] args) throws Exception
        {
            System.out.println("# " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            System.out.println("# objects and bytes per packet that survive escape analysis; rows below 0.5 objects/packet left out");
            for (final AeadSuite suite : new AeadSuite[]{AeadSuite.AES_256_GCM, AeadSuite.CHACHA20_POLY1305})
            {
                for (final int payloadLength : new int[]{64, 1200})
                {
                    final SealState seal = new SealState();
                    seal.suite = suite;
                    seal.payloadLength = payloadLength;
                    seal.setup();
                    print("seal " + suite + " " + payloadLength + " B", () -> expectOk(sealOnce(seal), "seal"));
                    seal.tearDown();

                    final OpenState open = new OpenState();
                    open.suite = suite;
                    open.payloadLength = payloadLength;
                    open.setup();
                    final ProtectBenchmark benchmark = new ProtectBenchmark();
                    print("open " + suite + " " + payloadLength + " B", () -> expectOk(benchmark.open(open), "open"));
                    open.tearDown();
                }
            }
        }

        private static int sealOnce(final SealState state)
        {
            state.packet.writerIndex(state.plaintextEnd);
            return state.sender.seal(state.packet);
        }

        private static void print(final String name, final Runnable packet) throws Exception
        {
            for (int i = 0; i < WARMUP_PACKETS; i++)
            {
                packet.run();
            }
            final Map<String, long[]> before = histogram();
            for (int i = 0; i < MEASURED_PACKETS; i++)
            {
                packet.run();
            }
            final Map<String, long[]> after = histogram();

            final List<String> rows = new ArrayList<>();
            long totalBytes = 0;
            for (final Map.Entry<String, long[]> entry : after.entrySet())
            {
                final long[] was = before.getOrDefault(entry.getKey(), new long[2]);
                final double objects = (entry.getValue()[0] - was[0]) / (double)MEASURED_PACKETS;
                final double bytes = (entry.getValue()[1] - was[1]) / (double)MEASURED_PACKETS;
                if (objects >= 0.5)
                {
                    rows.add(String.format("%9.1f B %6.2f objects  %s", bytes, objects, entry.getKey()));
                    totalBytes += entry.getValue()[1] - was[1];
                }
            }
            rows.sort((a, b) -> Double.compare(
                Double.parseDouble(b.trim().split(" ")[0]), Double.parseDouble(a.trim().split(" ")[0])));
            System.out.printf("%n== %s: %.1f B per packet%n", name, totalBytes / (double)MEASURED_PACKETS);
            rows.forEach(System.out::println);
        }

        private static Map<String, long[]> histogram() throws Exception
        {
            final String text = (String)ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[]{new String[]{"-all"}},
                new String[]{String[].class.getName()});
            final Map<String, long[]> counts = new HashMap<>();
            for (final String line : text.split("\n"))
            {
                final String[] fields = line.trim().split("\\s+");
                if (fields.length >= 4 && fields[0].endsWith(":"))
                {
                    counts.put(fields[3], new long[]{Long.parseLong(fields[1]), Long.parseLong(fields[2])});
                }
            }
            return counts;
        }
    }

    static byte[] key(final AeadSuite suite, final int seed)
    {
        final byte[] key = new byte[suite.keyLength()];
        new Random(seed).nextBytes(key);
        return key;
    }

    static ByteBuf plaintextPacket(final int payloadLength)
    {
        final int capacity = PAYLOAD_OFFSET + payloadLength + TAG_LENGTH;
        final ByteBuf packet = PooledByteBufAllocator.DEFAULT.directBuffer(capacity, capacity);
        PacketHeader.write(packet, PacketType.DATA, 0x1234_5678);
        packet.writeZero(ProtectedPacketDescriptor.SEQUENCE_LENGTH);
        while (packet.writerIndex() < PAYLOAD_OFFSET + payloadLength)
        {
            packet.writeByte(packet.writerIndex());
        }
        return packet;
    }

    static byte[][] sealRing(final AeadSuite suite, final byte[] key, final int payloadLength)
    {
        final PacketProtector sender = PacketProtector.forSending(suite, key, MAX_DATAGRAM);
        final byte[][] sealed = new byte[SEALED_RING][];
        for (int i = 0; i < SEALED_RING; i++)
        {
            final ByteBuf packet = plaintextPacket(payloadLength);
            expectOk(sender.seal(packet), "seal");
            sealed[i] = ByteBufUtil.getBytes(packet);
            packet.release();
        }
        return sealed;
    }

    static AlgorithmParameterSpec nonceSpec(final AeadSuite suite, final byte[] nonce)
    {
        return suite == AeadSuite.CHACHA20_POLY1305 ?
            new IvParameterSpec(nonce) : new GCMParameterSpec(TAG_LENGTH * Byte.SIZE, nonce);
    }

    static void putLongLE(final byte[] array, final int offset, final long value)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            array[offset + i] = (byte)(value >>> (i * Byte.SIZE));
        }
    }

    static void expectOk(final int result, final String what)
    {
        expectResult(ProtectResult.OK, result, what);
    }

    static void expectResult(final int expected, final int result, final String what)
    {
        if (expected != result)
        {
            throw new IllegalStateException(
                what + ": expected " + ProtectResult.name(expected) + " but got " + ProtectResult.name(result));
        }
    }

    static void expectZero(final long count, final String what)
    {
        if (0 != count)
        {
            throw new IllegalStateException(what + ": " + count);
        }
    }
}
