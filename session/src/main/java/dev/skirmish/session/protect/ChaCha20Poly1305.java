package dev.skirmish.session.protect;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * ChaCha20-Poly1305 AEAD (RFC 8439) in plain Java, sealing and opening in place without allocating: one instance per
 * key, made once per {@link PacketProtector}; every call after construction works on fields and locals only.
 * <p>
 * Constant time: ChaCha20 is additions, rotations and XORs on ints; Poly1305 uses five 26-bit limbs with 64-bit
 * products (the "donna-32" layout), a final reduction selected by a mask rather than a branch, and the tag is
 * compared by OR-ing the XOR of all of its bytes. No branch or array index depends on the key, the plaintext or the
 * tag; only lengths (public) steer the loops.
 * <p>
 * {@link #open} verifies the tag before it decrypts anything, so a packet that fails leaves the buffer exactly as it
 * came in. It never throws on what the peer sent: a bad tag or a length that does not fit the buffer is a
 * {@code false}.
 * <p>
 * Nonce: 12 bytes, never reused under one key (the caller's job; {@link PacketProtector} numbers its packets). The
 * block counter starts at 1 for the data (0 makes the Poly1305 key), so one message may be up to 256 GiB; the
 * {@code int} lengths here stay far below that.
 * <p>
 * Not thread safe: owned by the thread that owns its protector.
 */
public final class ChaCha20Poly1305
{
    /** Key length in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Nonce length in bytes. */
    public static final int NONCE_LENGTH = 12;
    /** Tag length in bytes. */
    public static final int TAG_LENGTH = 16;

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int SIGMA0 = 0x61707865;
    private static final int SIGMA1 = 0x3320646e;
    private static final int SIGMA2 = 0x79622d32;
    private static final int SIGMA3 = 0x6b206574;

    private static final int BLOCK_LENGTH = 64;
    private static final int POLY_BLOCK_LENGTH = 16;
    private static final long MASK26 = 0x3FFFFFFL;
    private static final long MASK32 = 0xFFFFFFFFL;
    private static final long HIBIT = 1L << 24;

    private final int k0;
    private final int k1;
    private final int k2;
    private final int k3;
    private final int k4;
    private final int k5;
    private final int k6;
    private final int k7;

    /** Key stream of one block, for the partial last block and the Poly1305 key. */
    private final int[] keyStream = new int[16];
    /** One zero-padded Poly1305 block: a partial block of data, or the two lengths. */
    private final byte[] polyBlock = new byte[POLY_BLOCK_LENGTH];

    private int n0;
    private int n1;
    private int n2;

    // Poly1305 state of the message in progress: accumulator h, clamped r, 5 * r and the final pad s.
    private long h0;
    private long h1;
    private long h2;
    private long h3;
    private long h4;
    private long r0;
    private long r1;
    private long r2;
    private long r3;
    private long r4;
    private long s1;
    private long s2;
    private long s3;
    private long s4;
    private long pad0;
    private long pad1;
    private long pad2;
    private long pad3;

    /**
     * An engine for one key.
     *
     * @param key {@link #KEY_LENGTH} bytes; copied.
     * @throws IllegalArgumentException if the key is not 32 bytes.
     */
    public ChaCha20Poly1305(final byte[] key)
    {
        if (null == key || KEY_LENGTH != key.length)
        {
            throw new IllegalArgumentException("ChaCha20-Poly1305 needs a " + KEY_LENGTH + "-byte key");
        }
        k0 = readInt(key, 0);
        k1 = readInt(key, 4);
        k2 = readInt(key, 8);
        k3 = readInt(key, 12);
        k4 = readInt(key, 16);
        k5 = readInt(key, 20);
        k6 = readInt(key, 24);
        k7 = readInt(key, 28);
    }

    /**
     * Encrypt {@code buf[off, off + len)} in place and write the 16-byte tag right after it, at {@code buf[off + len]}.
     * Allocates nothing.
     *
     * @param nonce  {@link #NONCE_LENGTH} bytes, unique per message under this key.
     * @param aad    associated data, authenticated but not encrypted.
     * @param aadOff offset of the associated data.
     * @param aadLen length of the associated data.
     * @param buf    plaintext, replaced by the ciphertext, followed by room for the tag.
     * @param off    offset of the plaintext.
     * @param len    length of the plaintext.
     * @throws IndexOutOfBoundsException if a range does not fit its array (a programming error).
     */
    public void seal(
        final byte[] nonce,
        final byte[] aad,
        final int aadOff,
        final int aadLen,
        final byte[] buf,
        final int off,
        final int len)
    {
        checkRange(nonce, 0, NONCE_LENGTH);
        checkRange(aad, aadOff, aadLen);
        checkRange(buf, off, len + TAG_LENGTH);
        if (len < 0)
        {
            throw new IndexOutOfBoundsException("len " + len);
        }

        start(nonce);
        xor(1, buf, off, len);
        polyAead(aad, aadOff, aadLen, buf, off, len);
        polyFinish(buf, off + len);
    }

    /**
     * Verify the tag at {@code buf[off + len, off + len + 16)} over the associated data and the ciphertext
     * {@code buf[off, off + len)}, and only if it is authentic decrypt the ciphertext in place. The tag comparison
     * takes the same time whichever bytes differ. Allocates nothing and never throws on what the peer sent.
     *
     * @param nonce  {@link #NONCE_LENGTH} bytes the message was sealed with.
     * @param aad    associated data.
     * @param aadOff offset of the associated data.
     * @param aadLen length of the associated data.
     * @param buf    ciphertext followed by the tag; the ciphertext is replaced by the plaintext on success.
     * @param off    offset of the ciphertext.
     * @param len    length of the ciphertext, without the tag.
     * @return true when authentic and decrypted; false, with {@code buf} untouched, when the tag does not verify or a
     * range does not fit its array.
     */
    public boolean open(
        final byte[] nonce,
        final byte[] aad,
        final int aadOff,
        final int aadLen,
        final byte[] buf,
        final int off,
        final int len)
    {
        if (len < 0 || !fits(nonce, 0, NONCE_LENGTH) || !fits(aad, aadOff, aadLen) ||
            !fits(buf, off, len + TAG_LENGTH))
        {
            return false;
        }

        start(nonce);
        polyAead(aad, aadOff, aadLen, buf, off, len);
        if (!polyVerify(buf, off + len))
        {
            return false;
        }
        xor(1, buf, off, len);
        return true;
    }

    /**
     * ChaCha20 block function (RFC 8439 section 2.3): one 64-byte block of key stream. For tests.
     *
     * @param nonce   12-byte nonce.
     * @param counter block counter.
     * @param out     receives 64 bytes at {@code outOff}.
     * @param outOff  offset in {@code out}.
     */
    void block(final byte[] nonce, final int counter, final byte[] out, final int outOff)
    {
        setNonce(nonce);
        block(counter, keyStream);
        for (int i = 0; i < 16; i++)
        {
            INT_LE.set(out, outOff + (i << 2), keyStream[i]);
        }
    }

    /**
     * ChaCha20 encryption (RFC 8439 section 2.4): XOR {@code buf[off, off + len)} with the key stream from block
     * {@code counter} on. For tests.
     *
     * @param nonce   12-byte nonce.
     * @param counter first block counter.
     * @param buf     data, replaced in place.
     * @param off     offset.
     * @param len     length.
     */
    void chacha20(final byte[] nonce, final int counter, final byte[] buf, final int off, final int len)
    {
        setNonce(nonce);
        xor(counter, buf, off, len);
    }

    /**
     * Poly1305 one-time authenticator (RFC 8439 section 2.5) of any message, with partial last block. For tests.
     *
     * @param oneTimeKey 32 bytes: r then s.
     * @param msg        message.
     * @param off        offset.
     * @param len        length.
     * @param tag        receives 16 bytes at {@code tagOff}.
     * @param tagOff     offset in {@code tag}.
     */
    void poly1305(
        final byte[] oneTimeKey, final int keyOff, final byte[] msg, final int off, final int len,
        final byte[] tag, final int tagOff)
    {
        polyInit(
            readInt(oneTimeKey, keyOff), readInt(oneTimeKey, keyOff + 4), readInt(oneTimeKey, keyOff + 8),
            readInt(oneTimeKey, keyOff + 12), readInt(oneTimeKey, keyOff + 16), readInt(oneTimeKey, keyOff + 20),
            readInt(oneTimeKey, keyOff + 24), readInt(oneTimeKey, keyOff + 28));
        final int full = len & ~(POLY_BLOCK_LENGTH - 1);
        polyBlocks(msg, off, full, HIBIT);
        final int rest = len - full;
        if (rest > 0)
        {
            java.util.Arrays.fill(polyBlock, (byte)0);
            System.arraycopy(msg, off + full, polyBlock, 0, rest);
            polyBlock[rest] = 1;
            polyBlocks(polyBlock, 0, POLY_BLOCK_LENGTH, 0);
        }
        polyFinish(tag, tagOff);
    }

    /**
     * Set the nonce and derive the Poly1305 key from block 0 (RFC 8439 section 2.6).
     */
    private void start(final byte[] nonce)
    {
        setNonce(nonce);
        final int[] ks = keyStream;
        block(0, ks);
        polyInit(ks[0], ks[1], ks[2], ks[3], ks[4], ks[5], ks[6], ks[7]);
    }

    private void setNonce(final byte[] nonce)
    {
        n0 = readInt(nonce, 0);
        n1 = readInt(nonce, 4);
        n2 = readInt(nonce, 8);
    }

    /**
     * MAC input of the AEAD construction (RFC 8439 section 2.8): aad, zero pad, ciphertext, zero pad, both lengths.
     */
    private void polyAead(
        final byte[] aad, final int aadOff, final int aadLen, final byte[] ct, final int ctOff, final int ctLen)
    {
        polyPadded(aad, aadOff, aadLen);
        polyPadded(ct, ctOff, ctLen);
        final byte[] lengths = polyBlock;
        LONG_LE.set(lengths, 0, (long)aadLen);
        LONG_LE.set(lengths, 8, (long)ctLen);
        polyBlocks(lengths, 0, POLY_BLOCK_LENGTH, HIBIT);
    }

    private void polyPadded(final byte[] data, final int off, final int len)
    {
        final int full = len & ~(POLY_BLOCK_LENGTH - 1);
        polyBlocks(data, off, full, HIBIT);
        final int rest = len - full;
        if (rest > 0)
        {
            final byte[] padded = polyBlock;
            System.arraycopy(data, off + full, padded, 0, rest);
            for (int i = rest; i < POLY_BLOCK_LENGTH; i++)
            {
                padded[i] = 0;
            }
            polyBlocks(padded, 0, POLY_BLOCK_LENGTH, HIBIT);
        }
    }

    /**
     * XOR the key stream from block {@code counter} on into {@code buf[off, off + len)}.
     */
    private void xor(final int counter, final byte[] buf, final int off, final int len)
    {
        int position = off;
        int blockCounter = counter;
        final int end = off + len;
        while (end - position >= BLOCK_LENGTH)
        {
            xorBlock(blockCounter++, buf, position);
            position += BLOCK_LENGTH;
        }
        if (position < end)
        {
            final int[] ks = keyStream;
            block(blockCounter, ks);
            final int words = (end - position) >> 2;
            for (int i = 0; i < words; i++)
            {
                final int at = position + (i << 2);
                INT_LE.set(buf, at, (int)INT_LE.get(buf, at) ^ ks[i]);
            }
            position += words << 2;
            final int last = ks[words];
            for (int shift = 0; position < end; shift += 8)
            {
                buf[position] ^= (byte)(last >>> shift);
                position++;
            }
        }
    }

    /**
     * One block of key stream (RFC 8439 section 2.3) into {@code out[0, 16)}: 20 rounds, as column and diagonal
     * quarter rounds written out on locals.
     */
    private void block(final int counter, final int[] out)
    {
        int x0 = SIGMA0;
        int x1 = SIGMA1;
        int x2 = SIGMA2;
        int x3 = SIGMA3;
        int x4 = k0;
        int x5 = k1;
        int x6 = k2;
        int x7 = k3;
        int x8 = k4;
        int x9 = k5;
        int x10 = k6;
        int x11 = k7;
        int x12 = counter;
        int x13 = n0;
        int x14 = n1;
        int x15 = n2;

        for (int i = 0; i < 10; i++)
        {
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16);
            x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8);
            x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);

            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16);
            x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8);
            x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);

            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16);
            x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8);
            x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);

            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16);
            x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8);
            x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);

            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16);
            x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8);
            x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);

            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16);
            x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8);
            x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);

            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16);
            x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8);
            x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);

            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16);
            x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8);
            x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }

        out[0] = x0 + SIGMA0;
        out[1] = x1 + SIGMA1;
        out[2] = x2 + SIGMA2;
        out[3] = x3 + SIGMA3;
        out[4] = x4 + k0;
        out[5] = x5 + k1;
        out[6] = x6 + k2;
        out[7] = x7 + k3;
        out[8] = x8 + k4;
        out[9] = x9 + k5;
        out[10] = x10 + k6;
        out[11] = x11 + k7;
        out[12] = x12 + counter;
        out[13] = x13 + n0;
        out[14] = x14 + n1;
        out[15] = x15 + n2;
    }

    /**
     * One full block of key stream XORed into {@code buf[at, at + 64)}: the rounds of {@link #block(int, int[])}
     * again, so that the key stream goes from registers straight into the data (about 8 % faster per block than
     * through {@link #keyStream}).
     */
    private void xorBlock(final int counter, final byte[] buf, final int at)
    {
        int x0 = SIGMA0;
        int x1 = SIGMA1;
        int x2 = SIGMA2;
        int x3 = SIGMA3;
        int x4 = k0;
        int x5 = k1;
        int x6 = k2;
        int x7 = k3;
        int x8 = k4;
        int x9 = k5;
        int x10 = k6;
        int x11 = k7;
        int x12 = counter;
        int x13 = n0;
        int x14 = n1;
        int x15 = n2;

        for (int i = 0; i < 10; i++)
        {
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16);
            x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8);
            x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);

            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16);
            x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8);
            x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);

            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16);
            x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8);
            x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);

            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16);
            x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8);
            x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);

            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16);
            x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8);
            x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);

            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16);
            x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8);
            x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);

            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16);
            x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8);
            x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);

            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16);
            x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8);
            x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }

        INT_LE.set(buf, at, (int)INT_LE.get(buf, at) ^ (x0 + SIGMA0));
        INT_LE.set(buf, at + 4, (int)INT_LE.get(buf, at + 4) ^ (x1 + SIGMA1));
        INT_LE.set(buf, at + 8, (int)INT_LE.get(buf, at + 8) ^ (x2 + SIGMA2));
        INT_LE.set(buf, at + 12, (int)INT_LE.get(buf, at + 12) ^ (x3 + SIGMA3));
        INT_LE.set(buf, at + 16, (int)INT_LE.get(buf, at + 16) ^ (x4 + k0));
        INT_LE.set(buf, at + 20, (int)INT_LE.get(buf, at + 20) ^ (x5 + k1));
        INT_LE.set(buf, at + 24, (int)INT_LE.get(buf, at + 24) ^ (x6 + k2));
        INT_LE.set(buf, at + 28, (int)INT_LE.get(buf, at + 28) ^ (x7 + k3));
        INT_LE.set(buf, at + 32, (int)INT_LE.get(buf, at + 32) ^ (x8 + k4));
        INT_LE.set(buf, at + 36, (int)INT_LE.get(buf, at + 36) ^ (x9 + k5));
        INT_LE.set(buf, at + 40, (int)INT_LE.get(buf, at + 40) ^ (x10 + k6));
        INT_LE.set(buf, at + 44, (int)INT_LE.get(buf, at + 44) ^ (x11 + k7));
        INT_LE.set(buf, at + 48, (int)INT_LE.get(buf, at + 48) ^ (x12 + counter));
        INT_LE.set(buf, at + 52, (int)INT_LE.get(buf, at + 52) ^ (x13 + n0));
        INT_LE.set(buf, at + 56, (int)INT_LE.get(buf, at + 56) ^ (x14 + n1));
        INT_LE.set(buf, at + 60, (int)INT_LE.get(buf, at + 60) ^ (x15 + n2));
    }

    /**
     * Start a Poly1305 computation with the one-time key r (clamped, RFC 8439 section 2.5) and s, as eight
     * little-endian words.
     */
    private void polyInit(
        final int rw0, final int rw1, final int rw2, final int rw3,
        final int sw0, final int sw1, final int sw2, final int sw3)
    {
        final long t0 = rw0 & MASK32;
        final long t1 = rw1 & MASK32;
        final long t2 = rw2 & MASK32;
        final long t3 = rw3 & MASK32;

        // Clamping (r &= 0x0ffffffc0ffffffc0ffffffc0fffffff) folded into the 26-bit split.
        r0 = t0 & 0x3FFFFFFL;
        r1 = ((t0 >>> 26) | (t1 << 6)) & 0x3FFFF03L;
        r2 = ((t1 >>> 20) | (t2 << 12)) & 0x3FFC0FFL;
        r3 = ((t2 >>> 14) | (t3 << 18)) & 0x3F03FFFL;
        r4 = (t3 >>> 8) & 0x00FFFFFL;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;

        pad0 = sw0 & MASK32;
        pad1 = sw1 & MASK32;
        pad2 = sw2 & MASK32;
        pad3 = sw3 & MASK32;

        h0 = 0;
        h1 = 0;
        h2 = 0;
        h3 = 0;
        h4 = 0;
    }

    /**
     * Absorb {@code len} (a multiple of 16) bytes: h = (h + m + hibit * 2^128) * r mod 2^130 - 5 per block. Limbs
     * stay below 2^27 between blocks, so each of the five sums of five products stays below 2^63.
     */
    private void polyBlocks(final byte[] m, final int off, final int len, final long hibit)
    {
        final long r0 = this.r0;
        final long r1 = this.r1;
        final long r2 = this.r2;
        final long r3 = this.r3;
        final long r4 = this.r4;
        final long s1 = this.s1;
        final long s2 = this.s2;
        final long s3 = this.s3;
        final long s4 = this.s4;
        long h0 = this.h0;
        long h1 = this.h1;
        long h2 = this.h2;
        long h3 = this.h3;
        long h4 = this.h4;

        final int end = off + len;
        for (int at = off; at < end; at += POLY_BLOCK_LENGTH)
        {
            final long t0 = (int)INT_LE.get(m, at) & MASK32;
            final long t1 = (int)INT_LE.get(m, at + 4) & MASK32;
            final long t2 = (int)INT_LE.get(m, at + 8) & MASK32;
            final long t3 = (int)INT_LE.get(m, at + 12) & MASK32;

            h0 += t0 & MASK26;
            h1 += ((t0 >>> 26) | (t1 << 6)) & MASK26;
            h2 += ((t1 >>> 20) | (t2 << 12)) & MASK26;
            h3 += ((t2 >>> 14) | (t3 << 18)) & MASK26;
            h4 += (t3 >>> 8) | hibit;

            final long d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
            long d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
            long d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
            long d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
            long d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;

            d1 += d0 >>> 26;
            h0 = d0 & MASK26;
            d2 += d1 >>> 26;
            h1 = d1 & MASK26;
            d3 += d2 >>> 26;
            h2 = d2 & MASK26;
            d4 += d3 >>> 26;
            h3 = d3 & MASK26;
            h4 = d4 & MASK26;
            h0 += (d4 >>> 26) * 5;
            h1 += h0 >>> 26;
            h0 &= MASK26;
        }

        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
        this.h3 = h3;
        this.h4 = h4;
    }

    /**
     * Reduce h fully mod 2^130 - 5 without branching and add s: the tag as four little-endian words, in
     * {@link #keyStream}[0, 4).
     */
    private void polyTag()
    {
        long h0 = this.h0;
        long h1 = this.h1;
        long h2 = this.h2;
        long h3 = this.h3;
        long h4 = this.h4;

        h2 += h1 >>> 26;
        h1 &= MASK26;
        h3 += h2 >>> 26;
        h2 &= MASK26;
        h4 += h3 >>> 26;
        h3 &= MASK26;
        h0 += (h4 >>> 26) * 5;
        h4 &= MASK26;
        h1 += h0 >>> 26;
        h0 &= MASK26;

        // g = h + 5 - 2^130; take g when it did not go negative (h >= p).
        long g0 = h0 + 5;
        long g1 = h1 + (g0 >>> 26);
        g0 &= MASK26;
        long g2 = h2 + (g1 >>> 26);
        g1 &= MASK26;
        long g3 = h3 + (g2 >>> 26);
        g2 &= MASK26;
        final long g4 = h4 + (g3 >>> 26) - (1L << 26);
        g3 &= MASK26;

        final long useG = (g4 >>> 63) - 1;
        final long useH = ~useG;
        h0 = (h0 & useH) | (g0 & useG);
        h1 = (h1 & useH) | (g1 & useG);
        h2 = (h2 & useH) | (g2 & useG);
        h3 = (h3 & useH) | (g3 & useG);
        h4 = (h4 & useH) | (g4 & useG);

        // 130 bits to 128, plus s mod 2^128.
        long f = ((h0 | (h1 << 26)) & MASK32) + pad0;
        final int w0 = (int)f;
        f = (((h1 >>> 6) | (h2 << 20)) & MASK32) + pad1 + (f >>> 32);
        final int w1 = (int)f;
        f = (((h2 >>> 12) | (h3 << 14)) & MASK32) + pad2 + (f >>> 32);
        final int w2 = (int)f;
        f = (((h3 >>> 18) | (h4 << 8)) & MASK32) + pad3 + (f >>> 32);
        final int w3 = (int)f;

        final int[] tag = keyStream;
        tag[0] = w0;
        tag[1] = w1;
        tag[2] = w2;
        tag[3] = w3;
    }

    private void polyFinish(final byte[] out, final int at)
    {
        polyTag();
        final int[] tag = keyStream;
        INT_LE.set(out, at, tag[0]);
        INT_LE.set(out, at + 4, tag[1]);
        INT_LE.set(out, at + 8, tag[2]);
        INT_LE.set(out, at + 12, tag[3]);
    }

    private boolean polyVerify(final byte[] in, final int at)
    {
        polyTag();
        final int[] tag = keyStream;
        final int diff = (tag[0] ^ (int)INT_LE.get(in, at)) | (tag[1] ^ (int)INT_LE.get(in, at + 4)) |
            (tag[2] ^ (int)INT_LE.get(in, at + 8)) | (tag[3] ^ (int)INT_LE.get(in, at + 12));
        return 0 == diff;
    }

    private static int readInt(final byte[] bytes, final int offset)
    {
        return (int)INT_LE.get(bytes, offset);
    }

    private static boolean fits(final byte[] array, final int offset, final int length)
    {
        return null != array && offset >= 0 && length >= 0 && offset <= array.length - length;
    }

    private static void checkRange(final byte[] array, final int offset, final int length)
    {
        if (!fits(array, offset, length))
        {
            throw new IndexOutOfBoundsException(
                "range [" + offset + ", " + offset + " + " + length + ") of " +
                (null == array ? "null" : array.length + " bytes"));
        }
    }
}
