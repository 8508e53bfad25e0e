package dev.skirmish.session.token;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.IvParameterSpec;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESSES_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_COUNT_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_SLOT_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ASSOCIATED_DATA_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.CLIENT_ID_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.CLIENT_TO_SERVER_KEY_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.EXPIRE_TIME_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.KEY_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.MAX_SERVER_ADDRESSES;
import static dev.skirmish.session.token.ConnectTokenDescriptor.MAX_USER_DATA_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.NONCE_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.NONCE_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PRIVATE_PLAINTEXT_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PROTOCOL_ID_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.RESERVED_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ROOM_ID_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SEALED_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SEALED_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_PART_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_TO_CLIENT_KEY_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.TAG_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.TIMEOUT_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.USER_DATA_LENGTH_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.USER_DATA_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.VERSION_INFO_BYTES;
import static dev.skirmish.session.token.ConnectTokenDescriptor.VERSION_INFO_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.VERSION_INFO_OFFSET;

/**
 * Opens connect tokens on a game server: validates, decrypts and checks the sealed private part, then exposes its
 * fields through getters over this decoder's own reusable state (a flyweight over the decrypted plaintext).
 * <p>
 * Every input byte is hostile: {@code decode*} methods return the first failed {@link TokenCheck} in the documented
 * order and never throw on any bytes. Cheap checks (length, version, protocol id, expiry) run before the
 * decryption; nothing is stored for a rejected token, and after a rejection the getters return zeros.
 * <p>
 * Single-threaded: one decoder per thread that opens tokens. The only allocations per call are the JDK cipher's
 * (parameter spec, internal buffers and, for a token that does not authenticate, its exception).
 */
public final class ConnectTokenDecoder
{
    private final long protocolId;
    private final TokenKey key;
    private final Cipher cipher;
    private final byte[] associatedData = new byte[ASSOCIATED_DATA_LENGTH];
    private final byte[] plaintext = new byte[PRIVATE_PLAINTEXT_LENGTH];
    private final byte[] tag = new byte[TAG_LENGTH];
    private final byte[] lastNonce = new byte[NONCE_LENGTH];
    private boolean cipherUsed;
    private long expireTimeMs;
    private boolean valid;

    /**
     * @param key        shared with the backend that issues the tokens.
     * @param protocolId u64 of this server's game and build; tokens for any other are rejected.
     */
    public ConnectTokenDecoder(final TokenKey key, final long protocolId)
    {
        this.key = Objects.requireNonNull(key, "key");
        this.protocolId = protocolId;
        try
        {
            this.cipher = Cipher.getInstance(ConnectTokenDescriptor.CIPHER_ALGORITHM);
        }
        catch (final NoSuchAlgorithmException | NoSuchPaddingException ex)
        {
            throw new IllegalStateException(ConnectTokenDescriptor.CIPHER_ALGORITHM + " is required (JDK 11+)", ex);
        }
    }

    /**
     * Open the server part of a token, the {@value ConnectTokenDescriptor#SERVER_PART_LENGTH} bytes a client copies
     * from its public token into its connect request. Checks, in order: length, version info, protocol id, expiry,
     * decryption, contents.
     *
     * @param src    holding the server part; bytes outside [offset, offset + length) are never read.
     * @param offset of the server part in src.
     * @param length of the server part as received.
     * @param nowMs  the server's clock, epoch ms.
     * @return {@link TokenCheck#VALID} or the first failed check.
     */
    public TokenCheck decodeServerPart(final byte[] src, final int offset, final int length, final long nowMs)
    {
        reset();
        if (length != SERVER_PART_LENGTH || !fits(src, offset, length))
        {
            return TokenCheck.WRONG_LENGTH;
        }
        if (!Arrays.equals(
            src, offset + VERSION_INFO_OFFSET, offset + VERSION_INFO_OFFSET + VERSION_INFO_LENGTH,
            VERSION_INFO_BYTES, 0, VERSION_INFO_LENGTH))
        {
            return TokenCheck.BAD_VERSION;
        }

        final long tokenProtocolId = LittleEndian.getLong(src, offset + PROTOCOL_ID_OFFSET);
        final long tokenExpireTimeMs = LittleEndian.getLong(src, offset + EXPIRE_TIME_OFFSET);

        // The associated data is the server part's first 24 bytes, so it is authenticated in place.
        return open(
            tokenProtocolId,
            tokenExpireTimeMs,
            nowMs,
            src,
            offset,
            src,
            offset + NONCE_OFFSET,
            src,
            offset + SEALED_OFFSET);
    }

    /**
     * Open a sealed private part given the public fields it is bound to. Checks, in order: length, protocol id,
     * expiry, decryption, contents.
     *
     * @param sealed       holding the sealed private part.
     * @param sealedOffset of the sealed part in {@code sealed}.
     * @param sealedLength of the sealed part as received.
     * @param protocolId   from the public token.
     * @param expireTimeMs from the public token, epoch ms.
     * @param nonce        holding the {@value ConnectTokenDescriptor#NONCE_LENGTH}-byte nonce of the public token.
     * @param nonceOffset  of the nonce in {@code nonce}.
     * @param nowMs        the server's clock, epoch ms.
     * @return {@link TokenCheck#VALID} or the first failed check.
     */
    public TokenCheck decode(
        final byte[] sealed,
        final int sealedOffset,
        final int sealedLength,
        final long protocolId,
        final long expireTimeMs,
        final byte[] nonce,
        final int nonceOffset,
        final long nowMs)
    {
        reset();
        if (sealedLength != SEALED_LENGTH || !fits(sealed, sealedOffset, sealedLength) ||
            !fits(nonce, nonceOffset, NONCE_LENGTH))
        {
            return TokenCheck.WRONG_LENGTH;
        }

        ConnectTokenGenerator.writeAssociatedData(associatedData, protocolId, expireTimeMs);

        return open(protocolId, expireTimeMs, nowMs, associatedData, 0, nonce, nonceOffset, sealed, sealedOffset);
    }

    private TokenCheck open(
        final long tokenProtocolId,
        final long tokenExpireTimeMs,
        final long nowMs,
        final byte[] ad,
        final int adOffset,
        final byte[] nonce,
        final int nonceOffset,
        final byte[] sealed,
        final int sealedOffset)
    {
        if (tokenProtocolId != protocolId)
        {
            return TokenCheck.WRONG_PROTOCOL_ID;
        }
        if (nowMs > tokenExpireTimeMs)
        {
            return TokenCheck.EXPIRED;
        }

        try
        {
            initCipher(nonce, nonceOffset);
            cipher.updateAAD(ad, adOffset, ASSOCIATED_DATA_LENGTH);
            if (cipher.doFinal(sealed, sealedOffset, SEALED_LENGTH, plaintext, 0) != PRIVATE_PLAINTEXT_LENGTH)
            {
                return reject(TokenCheck.DECRYPT_FAILED);
            }
        }
        catch (final AEADBadTagException ex)
        {
            // A forged, corrupted or foreign token: the JDK offers no check that does not throw.
            return reject(TokenCheck.DECRYPT_FAILED);
        }
        catch (final GeneralSecurityException ex)
        {
            // Key, nonce and buffer sizes are fixed here, so no input bytes cause this: a bug, loud in tests (-ea),
            // contained in production.
            assert false : ex;
            return reject(TokenCheck.DECRYPT_FAILED);
        }

        final TokenCheck contents = checkContents();
        if (contents != TokenCheck.VALID)
        {
            return reject(contents);
        }

        System.arraycopy(sealed, sealedOffset + PRIVATE_PLAINTEXT_LENGTH, tag, 0, TAG_LENGTH);
        expireTimeMs = tokenExpireTimeMs;
        valid = true;
        return TokenCheck.VALID;
    }

    /**
     * The JDK refuses to initialise ChaCha20-Poly1305 with the key and nonce of its previous initialisation, even to
     * decrypt ("Matching key and nonce from previous initialization"). A client resends its connect request, so the
     * same token arrives again: step through another nonce first.
     */
    private void initCipher(final byte[] nonce, final int nonceOffset) throws GeneralSecurityException
    {
        if (cipherUsed && Arrays.equals(nonce, nonceOffset, nonceOffset + NONCE_LENGTH, lastNonce, 0, NONCE_LENGTH))
        {
            lastNonce[0] ^= 1;
            cipher.init(Cipher.DECRYPT_MODE, key.secretKey(), new IvParameterSpec(lastNonce));
        }
        System.arraycopy(nonce, nonceOffset, lastNonce, 0, NONCE_LENGTH);
        cipherUsed = true;
        cipher.init(Cipher.DECRYPT_MODE, key.secretKey(), new IvParameterSpec(lastNonce));
    }

    private TokenCheck checkContents()
    {
        final byte[] buffer = plaintext;
        final long timeoutSeconds = LittleEndian.getU32(buffer, TIMEOUT_OFFSET);
        if (!ConnectTokenDescriptor.isValidTimeout(timeoutSeconds))
        {
            return TokenCheck.BAD_TIMEOUT;
        }
        final int count = LittleEndian.getU8(buffer, ADDRESS_COUNT_OFFSET);
        if (count < 1 || count > MAX_SERVER_ADDRESSES)
        {
            return TokenCheck.BAD_ADDRESS_COUNT;
        }
        final int userDataLength = LittleEndian.getU16(buffer, USER_DATA_LENGTH_OFFSET);
        if (userDataLength > MAX_USER_DATA_LENGTH)
        {
            return TokenCheck.BAD_USER_DATA_LENGTH;
        }
        final TokenCheck addresses = AddressSlots.checkUsed(buffer, ADDRESSES_OFFSET, count);
        if (addresses != TokenCheck.VALID)
        {
            return addresses;
        }
        final int userDataEnd = USER_DATA_OFFSET + userDataLength;
        if (buffer[RESERVED_OFFSET] != 0 ||
            !AddressSlots.unusedAreZero(buffer, ADDRESSES_OFFSET, count) ||
            !LittleEndian.isZero(buffer, userDataEnd, PRIVATE_PLAINTEXT_LENGTH - userDataEnd))
        {
            return TokenCheck.BAD_PADDING;
        }
        return TokenCheck.VALID;
    }

    private void reset()
    {
        if (valid)
        {
            valid = false;
            expireTimeMs = 0;
            Arrays.fill(plaintext, (byte)0);
            Arrays.fill(tag, (byte)0);
        }
    }

    private TokenCheck reject(final TokenCheck check)
    {
        Arrays.fill(plaintext, (byte)0);
        return check;
    }

    private static boolean fits(final byte[] array, final int offset, final int length)
    {
        return null != array && offset >= 0 && offset <= array.length - length;
    }

    /**
     * Did the last decode return {@link TokenCheck#VALID}? The getters describe a token only while this is true.
     *
     * @return true after a successful decode, until the next decode.
     */
    public boolean isValid()
    {
        return valid;
    }

    /**
     * Is this server's address among the servers the token names? A server must drop tokens minted for others.
     *
     * @param serverAddress the public address and port clients use to reach this server.
     * @return true when the last decode succeeded and its address list holds this address and port exactly.
     */
    public boolean validFor(final InetSocketAddress serverAddress)
    {
        if (!valid || null == serverAddress)
        {
            return false;
        }
        for (int i = 0, count = serverAddressCount(); i < count; i++)
        {
            if (AddressSlots.matches(plaintext, ADDRESSES_OFFSET + i * ADDRESS_SLOT_LENGTH, serverAddress))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return client id (u64) of the decoded token.
     */
    public long clientId()
    {
        return LittleEndian.getLong(plaintext, CLIENT_ID_OFFSET);
    }

    /**
     * @return room (match) id (u64) of the decoded token.
     */
    public long roomId()
    {
        return LittleEndian.getLong(plaintext, ROOM_ID_OFFSET);
    }

    /**
     * @return session idle timeout of the decoded token, seconds.
     */
    public int timeoutSeconds()
    {
        return (int)LittleEndian.getU32(plaintext, TIMEOUT_OFFSET);
    }

    /**
     * @return expire time of the decoded token, epoch ms; bound to the token by the AEAD.
     */
    public long expireTimeMs()
    {
        return expireTimeMs;
    }

    /**
     * @return number of server addresses in the decoded token, 1..8 (0 when not valid).
     */
    public int serverAddressCount()
    {
        return LittleEndian.getU8(plaintext, ADDRESS_COUNT_OFFSET);
    }

    /**
     * A server address of the decoded token as a new object (for logs and tools; {@link #validFor} does not
     * allocate one).
     *
     * @param index 0 .. {@link #serverAddressCount()} - 1.
     * @return the address and port.
     * @throws IndexOutOfBoundsException when index is out of range.
     */
    public InetSocketAddress serverAddress(final int index)
    {
        Objects.checkIndex(index, serverAddressCount());
        return AddressSlots.decode(plaintext, ADDRESSES_OFFSET + index * ADDRESS_SLOT_LENGTH);
    }

    /**
     * Copy out the key protecting client-to-server packets.
     *
     * @param dst    to copy into, {@value ConnectTokenDescriptor#KEY_LENGTH} bytes.
     * @param offset in dst.
     */
    public void getClientToServerKey(final byte[] dst, final int offset)
    {
        System.arraycopy(plaintext, CLIENT_TO_SERVER_KEY_OFFSET, dst, offset, KEY_LENGTH);
    }

    /**
     * Copy out the key protecting server-to-client packets.
     *
     * @param dst    to copy into, {@value ConnectTokenDescriptor#KEY_LENGTH} bytes.
     * @param offset in dst.
     */
    public void getServerToClientKey(final byte[] dst, final int offset)
    {
        System.arraycopy(plaintext, SERVER_TO_CLIENT_KEY_OFFSET, dst, offset, KEY_LENGTH);
    }

    /**
     * @return length of the decoded token's user data, 0..256 bytes.
     */
    public int userDataLength()
    {
        return LittleEndian.getU16(plaintext, USER_DATA_LENGTH_OFFSET);
    }

    /**
     * Copy out the user data.
     *
     * @param dst    to copy into, {@link #userDataLength()} bytes.
     * @param offset in dst.
     * @return bytes copied.
     */
    public int getUserData(final byte[] dst, final int offset)
    {
        final int length = userDataLength();
        System.arraycopy(plaintext, USER_DATA_OFFSET, dst, offset, length);
        return length;
    }

    /**
     * Copy out the Poly1305 tag of the decoded token: 16 bytes unique to the token, suitable as the key of the
     * server's used-token table (one token, one client address).
     *
     * @param dst    to copy into, {@value ConnectTokenDescriptor#TAG_LENGTH} bytes.
     * @param offset in dst.
     */
    public void getTag(final byte[] dst, final int offset)
    {
        System.arraycopy(tag, 0, dst, offset, TAG_LENGTH);
    }
}
