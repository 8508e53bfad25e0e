package dev.skirmish.session.protect;

import com.sun.management.HotSpotDiagnosticMXBean;

import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import java.lang.management.ManagementFactory;
import java.security.NoSuchAlgorithmException;
import java.security.spec.AlgorithmParameterSpec;

/**
 * The AEAD algorithms a {@link PacketProtector} can use, all with a 96-bit nonce and a 128-bit tag: AES-GCM from the
 * JDK's own provider (SunJCE), ChaCha20-Poly1305 from Skirmish's own allocation-free {@link ChaCha20Poly1305}.
 * {@link #DEFAULT} is the one Skirmish speaks unless configured otherwise; why is written in
 * {@code session/docs/packet-protection.md} with the measurements behind it. The suite is not negotiated: server and
 * clients are configured out of band and must agree. Sessions take the connect token's 32-byte keys, so only
 * {@link #CHACHA20_POLY1305} and {@link #AES_256_GCM} can protect a session; {@link #AES_128_GCM} is here for the
 * benchmarks and tests.
 */
public enum AeadSuite
{
    /** AES-256 in Galois/Counter Mode: AES-NI/VAES and CLMUL intrinsics on x86-64, AES and PMULL on AArch64. */
    AES_256_GCM("AES/GCM/NoPadding", "AES", 32, true, "UseAES", "UseAESIntrinsics", "UseGHASHIntrinsics"),

    /** AES-128 in Galois/Counter Mode: as {@link #AES_256_GCM}, 10 rounds instead of 14, 16-byte keys. */
    AES_128_GCM("AES/GCM/NoPadding", "AES", 16, true, "UseAES", "UseAESIntrinsics", "UseGHASHIntrinsics"),

    /**
     * ChaCha20-Poly1305 (RFC 8439), sealed and opened by {@link ChaCha20Poly1305}: plain Java, constant time on any
     * CPU, no allocation per packet. {@link #transformation()} still names the JDK's implementation, which the tests
     * and benchmarks compare against (on Java 17 it is plain Java too; its intrinsics arrived in JDK 20).
     */
    CHACHA20_POLY1305("ChaCha20-Poly1305", "ChaCha20", 32, false, "UseChaCha20Intrinsics", "UsePoly1305Intrinsics");

    /**
     * The suite Skirmish uses on the wire unless configured otherwise: ChaCha20-Poly1305 on {@link ChaCha20Poly1305},
     * which allocates nothing per packet where the JDK's AES-GCM allocates ~1 KB per packet per direction on Java 17.
     * End to end (500 game bots, 125 rooms, 30 Hz) that halved input-to-frame p99 and server GCs, for ~0.5 us more
     * CPU per 200 B packet than AES-NI; see {@code session/docs/packet-protection.md}.
     */
    public static final AeadSuite DEFAULT = CHACHA20_POLY1305;

    private final String transformation;
    private final String keyAlgorithm;
    private final int keyLength;
    private final boolean usesJdkCipher;
    private final String[] intrinsicOptions;

    AeadSuite(
        final String transformation,
        final String keyAlgorithm,
        final int keyLength,
        final boolean usesJdkCipher,
        final String... intrinsicOptions)
    {
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
        this.keyLength = keyLength;
        this.usesJdkCipher = usesJdkCipher;
        this.intrinsicOptions = intrinsicOptions;
    }

    /**
     * Whether the running HotSpot JVM compiles the JDK's implementation of this suite to CPU instructions: fast, and
     * for AES free of the table lookups whose cache timing can leak the key (see {@link #isConstantTime()}, which is
     * what a server should check at start). Says nothing about {@link ChaCha20Poly1305}, which needs no intrinsic.
     * Reads the VM options that say so ({@code UseAES}; the diagnostic {@code UseAESIntrinsics},
     * {@code UseGHASHIntrinsics}, {@code UseChaCha20Intrinsics}, {@code UsePoly1305Intrinsics} are visible only with
     * {@code -XX:+UnlockDiagnosticVMOptions}): every one that the JVM reports must be on, and at least one must be
     * reported. Off the hot path: goes through JMX.
     *
     * @return true when accelerated; false when not, or when the JVM does not tell (ChaCha20-Poly1305 on every JDK
     * before 20, which has no intrinsics for it).
     */
    public boolean isHardwareAccelerated()
    {
        try
        {
            final HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (null == bean)
            {
                return false;
            }

            int reported = 0;
            for (final String option : intrinsicOptions)
            {
                final String value;
                try
                {
                    value = bean.getVMOption(option).getValue();
                }
                catch (final IllegalArgumentException notReported)
                {
                    continue;
                }
                if (!"true".equals(value))
                {
                    return false;
                }
                reported++;
            }
            return reported > 0;
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * Whether packets are sealed and opened in time independent of key and data, so that timing leaks nothing: always
     * for ChaCha20-Poly1305 (our engine is additions, rotations and XORs, with no secret-dependent branch or index),
     * and for AES-GCM only when {@link #isHardwareAccelerated() accelerated} (the JDK's software AES uses lookup
     * tables). A server should say loudly at start when the suite in use is not. Off the hot path.
     *
     * @return true when constant time on this JVM and CPU.
     */
    public boolean isConstantTime()
    {
        return !usesJdkCipher || isHardwareAccelerated();
    }

    /**
     * JCA transformation name.
     *
     * @return the name passed to {@link Cipher#getInstance(String)}.
     */
    public String transformation()
    {
        return transformation;
    }

    /**
     * JCA algorithm name of the key.
     *
     * @return the algorithm for {@link javax.crypto.spec.SecretKeySpec}.
     */
    public String keyAlgorithm()
    {
        return keyAlgorithm;
    }

    /**
     * Length of a key of this suite.
     *
     * @return key length in bytes.
     */
    public int keyLength()
    {
        return keyLength;
    }

    /**
     * Whether a {@link PacketProtector} runs this suite on a JDK {@link Cipher} rather than on
     * {@link ChaCha20Poly1305}.
     *
     * @return true for the AES-GCM suites.
     */
    boolean usesJdkCipher()
    {
        return usesJdkCipher;
    }

    /**
     * A new JDK cipher object for this suite, from the first provider that offers it (SunJCE on a stock JDK).
     * Called once per AES-GCM protector, never per packet; for ChaCha20-Poly1305 only by tests and benchmarks.
     *
     * @return an uninitialised cipher.
     * @throws IllegalStateException if the running JDK lacks the algorithm (never on Java 11+ with SunJCE).
     */
    Cipher newCipher()
    {
        try
        {
            return Cipher.getInstance(transformation);
        }
        catch (final NoSuchAlgorithmException | NoSuchPaddingException ex)
        {
            throw new IllegalStateException("JDK lacks " + transformation, ex);
        }
    }

    /**
     * Parameters carrying a nonce. The JDK specs are immutable and copy the array, so this allocates one spec per
     * packet (GCMParameterSpec: 24 B + a 32 B copy of the nonce; IvParameterSpec: 16 B + 32 B); the provider copies
     * the nonce once more in {@code init}.
     *
     * @param nonce {@link ProtectedPacketDescriptor#NONCE_LENGTH} bytes.
     * @return the spec for {@link Cipher#init(int, java.security.Key, AlgorithmParameterSpec)}.
     */
    AlgorithmParameterSpec nonceSpec(final byte[] nonce)
    {
        return this == CHACHA20_POLY1305 ?
            new IvParameterSpec(nonce) :
            new GCMParameterSpec(ProtectedPacketDescriptor.TAG_LENGTH * Byte.SIZE, nonce);
    }
}
