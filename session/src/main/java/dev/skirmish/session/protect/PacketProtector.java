package dev.skirmish.session.protect;

import io.netty.buffer.ByteBuf;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.util.Arrays;

import static dev.skirmish.session.protect.ProtectedPacketDescriptor.AAD_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.MIN_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.NONCE_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.NONCE_SEQUENCE_OFFSET;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.PAYLOAD_OFFSET;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.SEQUENCE_LENGTH;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.SEQUENCE_OFFSET;
import static dev.skirmish.session.protect.ProtectedPacketDescriptor.TAG_LENGTH;

/**
 * AEAD protection of the packets of one session direction, in place: a session holds
 * one protector {@link #forSending sending} with its send key and one {@link #forReceiving receiving} with its
 * receive key. Layout, nonce and associated data: {@link ProtectedPacketDescriptor}.
 * {@link AeadSuite#CHACHA20_POLY1305} runs on Skirmish's own {@link ChaCha20Poly1305}, which allocates nothing; the
 * AES-GCM suites run on one JDK {@link Cipher} each. Both produce the same bytes on the wire as any RFC 8439 or
 * NIST GCM implementation.
 * <p>
 * Sending: write the header, reserve the sequence number, write the payload, seal. {@code seal} fills in the next
 * sequence number, encrypts the payload in place and appends the tag (the buffer needs
 * {@link ProtectedPacketDescriptor#TAG_LENGTH} writable bytes; it is never grown):
 * <pre>{@code
 * PacketHeader.write(buffer, PacketType.DATA, sessionId);
 * buffer.writeZero(ProtectedPacketDescriptor.SEQUENCE_LENGTH);
 * buffer.writeBytes(payload);
 * final int result = sender.seal(buffer);   // ProtectResult.OK: buffer = header | sequence | ciphertext | tag
 * }</pre>
 * Receiving: {@code open} checks the length, then the sequence number against the {@link ReplayWindow} (a replay or
 * a too old packet is rejected before any decryption), then decrypts and verifies; only an authentic packet is
 * marked in the window. On {@link ProtectResult#OK} the payload is plaintext at
 * {@link ProtectedPacketDescriptor#PAYLOAD_OFFSET} from the reader index, the tag is cut off (writer index or limit
 * moved back) and {@link #lastOpenedSequence()} tells its sequence number. On any other result the buffer is left
 * exactly as received and the reason is counted.
 * <p>
 * Never throws on input from the network: every outcome is a {@link ProtectResult} code. Our ChaCha20-Poly1305
 * answers a bad tag with {@code false}; the JDK reports one with an {@link AEADBadTagException}, which is caught
 * here (the JDK API offers no other way). Throws only on programming errors: a wrong key length, or {@code seal} on
 * a receiving protector and vice versa.
 * <p>
 * The payload is copied into a scratch array, encrypted or decrypted there, and copied back: the engines work on
 * arrays, and the packets usually sit in pooled direct buffers. For the JDK this is also the lowest-garbage way
 * through the JDK 17 API measured (see {@code session/docs/packet-protection.md}); what remains there is the
 * provider's own per-packet garbage (about 1 KB, from {@code Cipher.init} and the engine it builds), which no use of
 * the JDK API avoids. With ChaCha20-Poly1305 a protector allocates nothing per packet.
 * <p>
 * Not thread safe: owned by the worker thread that owns the session. Called from that thread only.
 */
public final class PacketProtector
{
    private static final byte POISON_NONCE_PREFIX = (byte)0xFF;

    private final AeadSuite suite;
    private final boolean sending;
    private final int maxDatagramLength;
    private final Cipher cipher;
    private final SecretKeySpec key;
    private final ChaCha20Poly1305 chaCha20Poly1305;
    private final ReplayWindow replayWindow;
    private final byte[] nonce = new byte[NONCE_LENGTH];
    private final byte[] aad = new byte[AAD_LENGTH];
    private final byte[] scratch;

    private long nextSequence;
    private long lastOpenedSequence = -1L;

    private long authFailures;
    private long replays;
    private long tooOld;
    private long malformed;
    private long cryptoErrors;
    private Exception lastCryptoError;

    private PacketProtector(
        final AeadSuite suite,
        final byte[] keyBytes,
        final boolean sending,
        final int maxDatagramLength,
        final ReplayWindow replayWindow)
    {
        if (keyBytes.length != suite.keyLength())
        {
            throw new IllegalArgumentException(
                suite + " needs a " + suite.keyLength() + "-byte key, got " + keyBytes.length);
        }
        if (maxDatagramLength < MIN_LENGTH)
        {
            throw new IllegalArgumentException("maxDatagramLength " + maxDatagramLength + " < " + MIN_LENGTH);
        }

        this.suite = suite;
        this.sending = sending;
        this.maxDatagramLength = maxDatagramLength;
        this.replayWindow = replayWindow;
        this.scratch = new byte[maxDatagramLength - PAYLOAD_OFFSET];
        if (!suite.usesJdkCipher())
        {
            this.key = null;
            this.cipher = null;
            this.chaCha20Poly1305 = new ChaCha20Poly1305(keyBytes);
            return;
        }

        this.chaCha20Poly1305 = null;
        this.key = new SecretKeySpec(keyBytes, suite.keyAlgorithm());
        this.cipher = suite.newCipher();
        // Choose the provider and check the key now rather than on the first packet, with a nonce no sender uses.
        for (int i = 0; i < NONCE_SEQUENCE_OFFSET; i++)
        {
            nonce[i] = POISON_NONCE_PREFIX;
        }
        try
        {
            cipher.init(Cipher.DECRYPT_MODE, key, suite.nonceSpec(nonce));
        }
        catch (final InvalidKeyException | InvalidAlgorithmParameterException ex)
        {
            throw new IllegalArgumentException("key rejected by " + suite, ex);
        }
        finally
        {
            Arrays.fill(nonce, 0, NONCE_SEQUENCE_OFFSET, (byte)0);
        }
    }

    /**
     * A protector that seals packets with a session's send key, numbering them from 0.
     *
     * @param suite             AEAD to use.
     * @param key               send key, {@link AeadSuite#keyLength()} bytes; copied.
     * @param maxDatagramLength largest protected datagram, in bytes (header, sequence and tag included).
     * @return a sending protector.
     */
    public static PacketProtector forSending(final AeadSuite suite, final byte[] key, final int maxDatagramLength)
    {
        return new PacketProtector(suite, key, true, maxDatagramLength, null);
    }

    /**
     * A protector that opens packets sealed with a session's receive key.
     *
     * @param suite             AEAD to use.
     * @param key               receive key, {@link AeadSuite#keyLength()} bytes; copied.
     * @param maxDatagramLength largest protected datagram accepted, in bytes.
     * @param replayWindow      window of accepted sequence numbers, owned by this protector from now on.
     * @return a receiving protector.
     */
    public static PacketProtector forReceiving(
        final AeadSuite suite, final byte[] key, final int maxDatagramLength, final ReplayWindow replayWindow)
    {
        if (null == replayWindow)
        {
            throw new NullPointerException("replayWindow");
        }
        return new PacketProtector(suite, key, false, maxDatagramLength, replayWindow);
    }

    /**
     * Seal a packet in place: write the next sequence number at {@link ProtectedPacketDescriptor#SEQUENCE_OFFSET},
     * encrypt the bytes after it, append the tag and advance the writer index by
     * {@link ProtectedPacketDescriptor#TAG_LENGTH}. Allocates nothing with ChaCha20-Poly1305 (see the class comment
     * for the JDK's share with AES-GCM).
     *
     * @param packet header and a reserved sequence number followed by the plaintext, from reader to writer index.
     * @return {@link ProtectResult#OK}, {@link ProtectResult#TOO_SHORT}, {@link ProtectResult#TOO_LONG},
     * {@link ProtectResult#NO_ROOM}, {@link ProtectResult#SEQUENCE_EXHAUSTED} or {@link ProtectResult#CRYPTO_ERROR}.
     */
    public int seal(final ByteBuf packet)
    {
        checkSending();
        final int offset = packet.readerIndex();
        final int length = packet.readableBytes();
        final int check = checkSealable(length, packet.capacity() - packet.writerIndex());
        if (ProtectResult.OK != check)
        {
            return check;
        }

        final long sequence = nextSequence++;
        packet.setLongLE(offset + SEQUENCE_OFFSET, sequence);
        packet.getBytes(offset, aad, 0, AAD_LENGTH);
        final int plaintextLength = length - PAYLOAD_OFFSET;
        packet.getBytes(offset + PAYLOAD_OFFSET, scratch, 0, plaintextLength);

        final int result = crypt(Cipher.ENCRYPT_MODE, sequence, plaintextLength);
        if (ProtectResult.OK == result)
        {
            packet.setBytes(offset + PAYLOAD_OFFSET, scratch, 0, plaintextLength + TAG_LENGTH);
            packet.writerIndex(packet.writerIndex() + TAG_LENGTH);
        }
        return result;
    }

    /**
     * Seal a packet held in a {@link ByteBuffer} between position and limit, as {@link #seal(ByteBuf)}; the limit
     * moves forward by {@link ProtectedPacketDescriptor#TAG_LENGTH}. The buffer's byte order does not matter.
     *
     * @param packet header and a reserved sequence number followed by the plaintext, from position to limit.
     * @return as {@link #seal(ByteBuf)}.
     */
    public int seal(final ByteBuffer packet)
    {
        checkSending();
        final int offset = packet.position();
        final int length = packet.remaining();
        final int check = checkSealable(length, packet.capacity() - packet.limit());
        if (ProtectResult.OK != check)
        {
            return check;
        }

        final long sequence = nextSequence++;
        packet.get(offset, aad, 0, SEQUENCE_OFFSET);
        putLongLE(aad, SEQUENCE_OFFSET, sequence);
        packet.put(offset + SEQUENCE_OFFSET, aad, SEQUENCE_OFFSET, SEQUENCE_LENGTH);
        final int plaintextLength = length - PAYLOAD_OFFSET;
        packet.get(offset + PAYLOAD_OFFSET, scratch, 0, plaintextLength);

        final int result = crypt(Cipher.ENCRYPT_MODE, sequence, plaintextLength);
        if (ProtectResult.OK == result)
        {
            packet.limit(packet.limit() + TAG_LENGTH);
            packet.put(offset + PAYLOAD_OFFSET, scratch, 0, plaintextLength + TAG_LENGTH);
        }
        return result;
    }

    /**
     * Open a packet in place: check length and replay window, decrypt and verify, then mark the sequence number as
     * received, write the plaintext over the ciphertext and move the writer index back by
     * {@link ProtectedPacketDescriptor#TAG_LENGTH}. On failure the buffer is unchanged. Allocates nothing itself.
     *
     * @param packet a received datagram whose fixed header was validated, from reader to writer index.
     * @return {@link ProtectResult#OK}, {@link ProtectResult#TOO_SHORT}, {@link ProtectResult#TOO_LONG},
     * {@link ProtectResult#REPLAY}, {@link ProtectResult#TOO_OLD}, {@link ProtectResult#AUTH_FAILED} or
     * {@link ProtectResult#CRYPTO_ERROR}.
     */
    public int open(final ByteBuf packet)
    {
        checkReceiving();
        final int offset = packet.readerIndex();
        final int length = packet.readableBytes();
        if (length < MIN_LENGTH || length > maxDatagramLength)
        {
            malformed++;
            return length < MIN_LENGTH ? ProtectResult.TOO_SHORT : ProtectResult.TOO_LONG;
        }

        final long sequence = packet.getLongLE(offset + SEQUENCE_OFFSET);
        final int check = checkReplay(sequence);
        if (ProtectResult.OK != check)
        {
            return check;
        }

        packet.getBytes(offset, aad, 0, AAD_LENGTH);
        final int ciphertextLength = length - PAYLOAD_OFFSET;
        packet.getBytes(offset + PAYLOAD_OFFSET, scratch, 0, ciphertextLength);

        final int result = crypt(Cipher.DECRYPT_MODE, sequence, ciphertextLength);
        if (ProtectResult.OK == result)
        {
            accept(sequence);
            final int plaintextLength = ciphertextLength - TAG_LENGTH;
            packet.setBytes(offset + PAYLOAD_OFFSET, scratch, 0, plaintextLength);
            packet.writerIndex(offset + PAYLOAD_OFFSET + plaintextLength);
        }
        return result;
    }

    /**
     * Open a packet held in a {@link ByteBuffer} between position and limit, as {@link #open(ByteBuf)}; on success
     * the limit moves back by {@link ProtectedPacketDescriptor#TAG_LENGTH}. The buffer's byte order does not matter.
     *
     * @param packet a received datagram whose fixed header was validated, from position to limit.
     * @return as {@link #open(ByteBuf)}.
     */
    public int open(final ByteBuffer packet)
    {
        checkReceiving();
        final int offset = packet.position();
        final int length = packet.remaining();
        if (length < MIN_LENGTH || length > maxDatagramLength)
        {
            malformed++;
            return length < MIN_LENGTH ? ProtectResult.TOO_SHORT : ProtectResult.TOO_LONG;
        }

        packet.get(offset, aad, 0, AAD_LENGTH);
        final long sequence = getLongLE(aad, SEQUENCE_OFFSET);
        final int check = checkReplay(sequence);
        if (ProtectResult.OK != check)
        {
            return check;
        }

        final int ciphertextLength = length - PAYLOAD_OFFSET;
        packet.get(offset + PAYLOAD_OFFSET, scratch, 0, ciphertextLength);

        final int result = crypt(Cipher.DECRYPT_MODE, sequence, ciphertextLength);
        if (ProtectResult.OK == result)
        {
            accept(sequence);
            final int plaintextLength = ciphertextLength - TAG_LENGTH;
            packet.put(offset + PAYLOAD_OFFSET, scratch, 0, plaintextLength);
            packet.limit(offset + PAYLOAD_OFFSET + plaintextLength);
        }
        return result;
    }

    /**
     * Move the send sequence forward, for example to continue a numbering; never backwards, which would reuse
     * nonces under the same key.
     *
     * @param sequence next sequence number to seal with (unsigned), not below {@link #nextSequence()}.
     * @throws IllegalStateException    on a receiving protector.
     * @throws IllegalArgumentException if {@code sequence} is below the next sequence number.
     */
    public void skipTo(final long sequence)
    {
        checkSending();
        if (Long.compareUnsigned(sequence, nextSequence) < 0)
        {
            throw new IllegalArgumentException(
                "sequence " + Long.toUnsignedString(sequence) + " < next " + Long.toUnsignedString(nextSequence));
        }
        nextSequence = sequence;
    }

    /**
     * The AEAD in use.
     *
     * @return the suite.
     */
    public AeadSuite suite()
    {
        return suite;
    }

    /**
     * Whether this protector seals (send direction) rather than opens.
     *
     * @return true for a protector made by {@link #forSending}.
     */
    public boolean isSending()
    {
        return sending;
    }

    /**
     * Sequence number the next {@link #seal} will use.
     *
     * @return next send sequence number (unsigned).
     */
    public long nextSequence()
    {
        return nextSequence;
    }

    /**
     * Sequence number of the packet the last successful {@link #open} returned.
     *
     * @return its sequence number (unsigned), or -1 (all ones) before the first.
     */
    public long lastOpenedSequence()
    {
        return lastOpenedSequence;
    }

    /**
     * The replay window of a receiving protector.
     *
     * @return the window, or null when sending.
     */
    public ReplayWindow replayWindow()
    {
        return replayWindow;
    }

    /**
     * Packets whose tag did not verify: forged, corrupted, or sealed under another key. The session closes itself
     * when this passes its configured limit.
     *
     * @return count since construction.
     */
    public long authFailures()
    {
        return authFailures;
    }

    /**
     * Packets rejected before decryption because their sequence number was already accepted.
     *
     * @return count since construction.
     */
    public long replays()
    {
        return replays;
    }

    /**
     * Packets rejected before decryption because their sequence number was older than the replay window.
     *
     * @return count since construction.
     */
    public long tooOld()
    {
        return tooOld;
    }

    /**
     * Packets rejected by {@link #open} for their length ({@link ProtectResult#TOO_SHORT},
     * {@link ProtectResult#TOO_LONG}).
     *
     * @return count since construction.
     */
    public long malformed()
    {
        return malformed;
    }

    /**
     * JDK provider failures other than a bad tag ({@link ProtectResult#CRYPTO_ERROR}); never expected, and never with
     * ChaCha20-Poly1305.
     *
     * @return count since construction.
     */
    public long cryptoErrors()
    {
        return cryptoErrors;
    }

    /**
     * The exception behind the last {@link ProtectResult#CRYPTO_ERROR}, for diagnostics off the hot path.
     *
     * @return the last such exception, or null.
     */
    public Exception lastCryptoError()
    {
        return lastCryptoError;
    }

    private int checkSealable(final int length, final int writableBytes)
    {
        if (length < PAYLOAD_OFFSET)
        {
            return ProtectResult.TOO_SHORT;
        }
        if (length > maxDatagramLength - TAG_LENGTH)
        {
            return ProtectResult.TOO_LONG;
        }
        if (writableBytes < TAG_LENGTH)
        {
            return ProtectResult.NO_ROOM;
        }
        if (-1L == nextSequence)
        {
            return ProtectResult.SEQUENCE_EXHAUSTED;
        }
        return ProtectResult.OK;
    }

    private int checkReplay(final long sequence)
    {
        final int check = replayWindow.check(sequence);
        if (ProtectResult.REPLAY == check)
        {
            replays++;
        }
        else if (ProtectResult.TOO_OLD == check)
        {
            tooOld++;
        }
        return check;
    }

    private void accept(final long sequence)
    {
        replayWindow.mark(sequence);
        lastOpenedSequence = sequence;
    }

    /**
     * Encrypt or decrypt {@code scratch[0, inputLength)} in place with {@code aad} as associated data.
     */
    private int crypt(final int mode, final long sequence, final int inputLength)
    {
        putLongLE(nonce, NONCE_SEQUENCE_OFFSET, sequence);
        if (null != chaCha20Poly1305)
        {
            return cryptChaCha20Poly1305(mode, inputLength);
        }
        try
        {
            cipher.init(mode, key, suite.nonceSpec(nonce));
            cipher.updateAAD(aad, 0, AAD_LENGTH);
            cipher.doFinal(scratch, 0, inputLength, scratch, 0);
            return ProtectResult.OK;
        }
        catch (final AEADBadTagException ex)
        {
            authFailures++;
            return ProtectResult.AUTH_FAILED;
        }
        catch (final GeneralSecurityException | RuntimeException ex)
        {
            cryptoErrors++;
            lastCryptoError = ex;
            return ProtectResult.CRYPTO_ERROR;
        }
    }

    /**
     * As {@link #crypt} with {@link ChaCha20Poly1305}: no exceptions, nothing allocated. On a bad tag the scratch is
     * left undecrypted, and the caller copies nothing back.
     */
    private int cryptChaCha20Poly1305(final int mode, final int inputLength)
    {
        if (Cipher.ENCRYPT_MODE == mode)
        {
            chaCha20Poly1305.seal(nonce, aad, 0, AAD_LENGTH, scratch, 0, inputLength);
            return ProtectResult.OK;
        }
        if (chaCha20Poly1305.open(nonce, aad, 0, AAD_LENGTH, scratch, 0, inputLength - TAG_LENGTH))
        {
            return ProtectResult.OK;
        }
        authFailures++;
        return ProtectResult.AUTH_FAILED;
    }

    private void checkSending()
    {
        if (!sending)
        {
            throw new IllegalStateException("seal on a receiving protector");
        }
    }

    private void checkReceiving()
    {
        if (sending)
        {
            throw new IllegalStateException("open on a sending protector");
        }
    }

    static void putLongLE(final byte[] array, final int offset, final long value)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            array[offset + i] = (byte)(value >>> (i * Byte.SIZE));
        }
    }

    static long getLongLE(final byte[] array, final int offset)
    {
        long value = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--)
        {
            value = (value << Byte.SIZE) | (array[offset + i] & 0xFFL);
        }
        return value;
    }
}
