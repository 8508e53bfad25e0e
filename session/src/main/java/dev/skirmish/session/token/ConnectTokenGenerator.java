package dev.skirmish.session.token;

import org.agrona.concurrent.EpochClock;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESSES_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_COUNT_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ASSOCIATED_DATA_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.CLIENT_ID_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.CLIENT_TO_SERVER_KEY_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.EXPIRE_TIME_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.KEY_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.MAX_TIMEOUT_SECONDS;
import static dev.skirmish.session.token.ConnectTokenDescriptor.MAX_USER_DATA_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.MIN_TIMEOUT_SECONDS;
import static dev.skirmish.session.token.ConnectTokenDescriptor.NONCE_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PRIVATE_PLAINTEXT_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PROTOCOL_ID_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ROOM_ID_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SEALED_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_TO_CLIENT_KEY_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.TIMEOUT_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.USER_DATA_LENGTH_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.USER_DATA_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.VERSION_INFO_BYTES;
import static dev.skirmish.session.token.ConnectTokenDescriptor.VERSION_INFO_OFFSET;

/**
 * Issues connect tokens: the small API a Java backend (matchmaker, login service) calls once per admitted player.
 * The private part is sealed with ChaCha20-Poly1305 under the {@link TokenKey} the backend shares with its game
 * servers; nonce and session keys come from the given {@link SecureRandom}, times from the given clock.
 * <p>
 * Thread-safe: each call uses its own cipher, so one generator can serve all request threads. Allocates per call;
 * this is a backend API, not a hot path.
 * <p>
 * Nonces are random, 96 bits: rotate the key before it has sealed 2<sup>32</sup> tokens, which keeps the chance of
 * ever repeating a nonce under one key below 2<sup>-32</sup> (NIST SP 800-38D, section 8.3).
 */
public final class ConnectTokenGenerator
{
    private final TokenKey key;
    private final long protocolId;
    private final EpochClock clock;
    private final SecureRandom random;

    /**
     * @param key        shared with the game servers that will open the tokens.
     * @param protocolId u64 naming the game and build; servers reject tokens for any other.
     * @param clock      source of the create time, epoch ms.
     * @param random     source of nonces and session keys.
     */
    public ConnectTokenGenerator(
        final TokenKey key, final long protocolId, final EpochClock clock, final SecureRandom random)
    {
        this.key = Objects.requireNonNull(key, "key");
        this.protocolId = protocolId;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Issue a token with fresh session keys and nonce, created now and valid for {@code lifetimeMs}.
     *
     * @param clientId        u64 the backend knows the player by; servers use it to refuse a second connection.
     * @param roomId          u64 naming the room (match) the player joins.
     * @param serverAddresses 1..8 servers the token is valid for, IPv4 or IPv6 with a port, resolved.
     * @param timeoutSeconds  session idle timeout, 1..3600 s.
     * @param lifetimeMs      how long after now servers accept the token, &gt; 0 ms; keep it short (tens of seconds).
     * @param userData        0..256 bytes passed to the game server as is; null means none.
     * @return the public token, to send to the client over a secure channel.
     * @throws IllegalArgumentException naming an input out of range.
     */
    public ConnectToken generate(
        final long clientId,
        final long roomId,
        final List<InetSocketAddress> serverAddresses,
        final int timeoutSeconds,
        final long lifetimeMs,
        final byte[] userData)
    {
        if (lifetimeMs <= 0)
        {
            throw new IllegalArgumentException("token lifetime must be > 0 ms, got " + lifetimeMs);
        }
        final long createTimeMs = clock.time();
        final byte[] nonce = new byte[NONCE_LENGTH];
        final byte[] clientToServerKey = new byte[KEY_LENGTH];
        final byte[] serverToClientKey = new byte[KEY_LENGTH];
        random.nextBytes(nonce);
        random.nextBytes(clientToServerKey);
        random.nextBytes(serverToClientKey);

        return seal(
            createTimeMs,
            Math.addExact(createTimeMs, lifetimeMs),
            nonce,
            clientId,
            roomId,
            serverAddresses,
            clientToServerKey,
            serverToClientKey,
            timeoutSeconds,
            userData);
    }

    /**
     * Seal a token from explicit inputs. Deterministic, for test vectors: a nonce must never repeat under one key,
     * so production code goes through {@link #generate}.
     */
    ConnectToken seal(
        final long createTimeMs,
        final long expireTimeMs,
        final byte[] nonce,
        final long clientId,
        final long roomId,
        final List<InetSocketAddress> serverAddresses,
        final byte[] clientToServerKey,
        final byte[] serverToClientKey,
        final int timeoutSeconds,
        final byte[] userData)
    {
        AddressSlots.requireValid(serverAddresses);
        final byte[] data = null == userData ? new byte[0] : userData;
        if (data.length > MAX_USER_DATA_LENGTH)
        {
            throw new IllegalArgumentException("user data must be 0.." + MAX_USER_DATA_LENGTH + " bytes, got " +
                data.length);
        }
        if (!ConnectTokenDescriptor.isValidTimeout(timeoutSeconds))
        {
            throw new IllegalArgumentException("timeout must be " + MIN_TIMEOUT_SECONDS + ".." + MAX_TIMEOUT_SECONDS +
                " s, got " + timeoutSeconds);
        }
        if (expireTimeMs <= createTimeMs)
        {
            throw new IllegalArgumentException("expire time " + expireTimeMs + " must be after create time " +
                createTimeMs);
        }
        requireLength("nonce", nonce, NONCE_LENGTH);
        requireLength("client-to-server key", clientToServerKey, KEY_LENGTH);
        requireLength("server-to-client key", serverToClientKey, KEY_LENGTH);

        final byte[] plaintext = new byte[PRIVATE_PLAINTEXT_LENGTH];
        LittleEndian.putLong(plaintext, CLIENT_ID_OFFSET, clientId);
        LittleEndian.putLong(plaintext, ROOM_ID_OFFSET, roomId);
        LittleEndian.putInt(plaintext, TIMEOUT_OFFSET, timeoutSeconds);
        plaintext[ADDRESS_COUNT_OFFSET] = (byte)serverAddresses.size();
        LittleEndian.putShort(plaintext, USER_DATA_LENGTH_OFFSET, data.length);
        AddressSlots.encode(plaintext, ADDRESSES_OFFSET, serverAddresses);
        System.arraycopy(clientToServerKey, 0, plaintext, CLIENT_TO_SERVER_KEY_OFFSET, KEY_LENGTH);
        System.arraycopy(serverToClientKey, 0, plaintext, SERVER_TO_CLIENT_KEY_OFFSET, KEY_LENGTH);
        System.arraycopy(data, 0, plaintext, USER_DATA_OFFSET, data.length);

        final byte[] associatedData = associatedData(protocolId, expireTimeMs);
        final byte[] sealed;
        try
        {
            final Cipher cipher = Cipher.getInstance(ConnectTokenDescriptor.CIPHER_ALGORITHM);
            cipher.init(Cipher.ENCRYPT_MODE, key.secretKey(), new IvParameterSpec(nonce));
            cipher.updateAAD(associatedData);
            sealed = cipher.doFinal(plaintext);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ConnectTokenDescriptor.CIPHER_ALGORITHM + " failed", ex);
        }
        finally
        {
            Arrays.fill(plaintext, (byte)0);
        }
        if (sealed.length != SEALED_LENGTH)
        {
            throw new IllegalStateException("sealed private part is " + sealed.length + " bytes");
        }

        return new ConnectToken(
            protocolId,
            createTimeMs,
            expireTimeMs,
            nonce.clone(),
            sealed,
            timeoutSeconds,
            serverAddresses,
            clientToServerKey.clone(),
            serverToClientKey.clone());
    }

    /**
     * The associated data of the AEAD: version info, protocol id and expire time, as in the token's first bytes.
     */
    static byte[] associatedData(final long protocolId, final long expireTimeMs)
    {
        final byte[] associatedData = new byte[ASSOCIATED_DATA_LENGTH];
        writeAssociatedData(associatedData, protocolId, expireTimeMs);
        return associatedData;
    }

    /**
     * Write the associated data of the AEAD into the first {@value ConnectTokenDescriptor#ASSOCIATED_DATA_LENGTH}
     * bytes of dst.
     */
    static void writeAssociatedData(final byte[] dst, final long protocolId, final long expireTimeMs)
    {
        System.arraycopy(VERSION_INFO_BYTES, 0, dst, VERSION_INFO_OFFSET, VERSION_INFO_BYTES.length);
        LittleEndian.putLong(dst, PROTOCOL_ID_OFFSET, protocolId);
        LittleEndian.putLong(dst, EXPIRE_TIME_OFFSET, expireTimeMs);
    }

    private static void requireLength(final String name, final byte[] bytes, final int length)
    {
        if (null == bytes || bytes.length != length)
        {
            throw new IllegalArgumentException(name + " must be " + length + " bytes, got " +
                (null == bytes ? "null" : bytes.length));
        }
    }
}
