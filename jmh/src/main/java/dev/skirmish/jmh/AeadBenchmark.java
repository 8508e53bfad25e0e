package dev.skirmish.jmh;

import dev.skirmish.session.protect.ChaCha20Poly1305;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
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
import org.openjdk.jmh.annotations.Warmup;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.skirmish.session.protect.ProtectedPacketDescriptor.AAD_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.NONCE_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.NONCE_SEQUENCE_OFFSET;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.TAG_LENGTH;

/**
 * The AEAD engines alone, per packet, on a byte array as {@code PacketProtector} drives them (nonce = 4 zero bytes and
 * the sequence number, 16 bytes of associated data, in place, tag after the ciphertext):
 * <ul>
 *   <li>{@code AES_256_GCM_JDK}: JDK {@link Cipher} {@code AES/GCM/NoPadding} ({@code init} with a new
 *   {@link GCMParameterSpec}, {@code updateAAD}, {@code doFinal});</li>
 *   <li>{@code CHACHA20_POLY1305_JDK}: JDK {@link Cipher} {@code ChaCha20-Poly1305}, the same way;</li>
 *   <li>{@code CHACHA20_POLY1305_SKIRMISH}: {@link ChaCha20Poly1305}.</li>
 * </ul>
 * {@link #sealOpen}: one sender seals, one receiver (its own cipher, as on the other end of a session) opens.
 * {@link #seal}: sealing alone. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the garbage per packet.
 * Results: {@code perf-results/jmh/aead.txt} and {@code session/docs/packet-protection.md}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class AeadBenchmark
{
    /**
     * Which AEAD implementation.
     */
    public enum Engine
    {
        /** JDK AES-256-GCM (intrinsics on x86-64 and AArch64). */
        AES_256_GCM_JDK,
        /** JDK ChaCha20-Poly1305 (plain Java on Java 17). */
        CHACHA20_POLY1305_JDK,
        /** Skirmish's allocation-free ChaCha20-Poly1305. */
        CHACHA20_POLY1305_SKIRMISH
    }

    /** Engine under test. */
    @Param({"AES_256_GCM_JDK", "CHACHA20_POLY1305_JDK", "CHACHA20_POLY1305_SKIRMISH"})
    Engine engine;

    /** Plaintext length in bytes: small input, typical snapshot, near-MTU. */
    @Param({"64", "200", "1200"})
    int payloadLength;

    private final byte[] aad = new byte[AAD_LENGTH];
    private final byte[] nonce = new byte[NONCE_LENGTH];
    private byte[] buffer;
    private long sequence;

    private Cipher sender;
    private Cipher receiver;
    private SecretKeySpec key;
    private ChaCha20Poly1305 ourSender;
    private ChaCha20Poly1305 ourReceiver;

    /**
     * Create the engines and the packet.
     *
     * @throws GeneralSecurityException never with the JDK's providers.
     */
    @Setup
    public void setup() throws GeneralSecurityException
    {
        final Random random = new Random(1);
        final byte[] keyBytes = new byte[32];
        random.nextBytes(keyBytes);
        random.nextBytes(aad);
        buffer = new byte[payloadLength + TAG_LENGTH];
        random.nextBytes(buffer);

        switch (engine)
        {
            case AES_256_GCM_JDK:
                key = new SecretKeySpec(keyBytes, "AES");
                sender = Cipher.getInstance("AES/GCM/NoPadding");
                receiver = Cipher.getInstance("AES/GCM/NoPadding");
                break;

            case CHACHA20_POLY1305_JDK:
                key = new SecretKeySpec(keyBytes, "ChaCha20");
                sender = Cipher.getInstance("ChaCha20-Poly1305");
                receiver = Cipher.getInstance("ChaCha20-Poly1305");
                break;

            default:
                ourSender = new ChaCha20Poly1305(keyBytes);
                ourReceiver = new ChaCha20Poly1305(keyBytes);
                break;
        }
        if (sealOpen() != payloadLength)
        {
            throw new IllegalStateException("round trip failed");
        }
    }

    /**
     * Seal a packet with the next sequence number, then open it on the receiving side.
     *
     * @return plaintext length after opening.
     * @throws GeneralSecurityException on a bad tag (never here).
     */
    @Benchmark
    public int sealOpen() throws GeneralSecurityException
    {
        nextNonce();
        if (null != ourSender)
        {
            ourSender.seal(nonce, aad, 0, AAD_LENGTH, buffer, 0, payloadLength);
            return ourReceiver.open(nonce, aad, 0, AAD_LENGTH, buffer, 0, payloadLength) ? payloadLength : -1;
        }
        sender.init(Cipher.ENCRYPT_MODE, key, nonceSpec());
        sender.updateAAD(aad, 0, AAD_LENGTH);
        sender.doFinal(buffer, 0, payloadLength, buffer, 0);
        receiver.init(Cipher.DECRYPT_MODE, key, nonceSpec());
        receiver.updateAAD(aad, 0, AAD_LENGTH);
        return receiver.doFinal(buffer, 0, payloadLength + TAG_LENGTH, buffer, 0);
    }

    /**
     * Seal a packet with the next sequence number.
     *
     * @return the first byte of the tag.
     * @throws GeneralSecurityException never.
     */
    @Benchmark
    public byte seal() throws GeneralSecurityException
    {
        nextNonce();
        if (null != ourSender)
        {
            ourSender.seal(nonce, aad, 0, AAD_LENGTH, buffer, 0, payloadLength);
        }
        else
        {
            sender.init(Cipher.ENCRYPT_MODE, key, nonceSpec());
            sender.updateAAD(aad, 0, AAD_LENGTH);
            sender.doFinal(buffer, 0, payloadLength, buffer, 0);
        }
        return buffer[payloadLength];
    }

    private void nextNonce()
    {
        ProtectBenchmark.putLongLE(nonce, NONCE_SEQUENCE_OFFSET, sequence++);
    }

    private java.security.spec.AlgorithmParameterSpec nonceSpec()
    {
        return Engine.AES_256_GCM_JDK == engine ?
            new GCMParameterSpec(ProtectedPacketDescriptor.TAG_LENGTH * Byte.SIZE, nonce) : new IvParameterSpec(nonce);
    }
}
