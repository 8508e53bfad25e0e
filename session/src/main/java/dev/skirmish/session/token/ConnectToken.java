package dev.skirmish.session.token;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_SLOT_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.CREATE_TIME_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.EXPIRE_TIME_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.KEY_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.MAX_SERVER_ADDRESSES;
import static dev.skirmish.session.token.ConnectTokenDescriptor.NONCE_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.NONCE_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PROTOCOL_ID_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PUBLIC_ADDRESSES_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PUBLIC_ADDRESS_COUNT_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PUBLIC_CLIENT_TO_SERVER_KEY_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PUBLIC_RESERVED_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PUBLIC_RESERVED_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PUBLIC_SERVER_TO_CLIENT_KEY_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PUBLIC_TIMEOUT_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PUBLIC_TOKEN_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SEALED_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SEALED_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_PART_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.VERSION_INFO_BYTES;
import static dev.skirmish.session.token.ConnectTokenDescriptor.VERSION_INFO_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.VERSION_INFO_OFFSET;

/**
 * The public connect token a client receives from its backend (layout in {@link ConnectTokenDescriptor}): what the
 * client needs to connect (server addresses, session keys, timeout) and the sealed private part it cannot read and
 * forwards to the server inside its connect request. Immutable; the session keys in it are secrets of this one
 * session, so deliver the token to its client only, over an authenticated and encrypted channel (HTTPS).
 */
public final class ConnectToken
{
    private final long protocolId;
    private final long createTimeMs;
    private final long expireTimeMs;
    private final byte[] nonce;
    private final byte[] sealedPrivatePart;
    private final int timeoutSeconds;
    private final List<InetSocketAddress> serverAddresses;
    private final byte[] clientToServerKey;
    private final byte[] serverToClientKey;

    ConnectToken(
        final long protocolId,
        final long createTimeMs,
        final long expireTimeMs,
        final byte[] nonce,
        final byte[] sealedPrivatePart,
        final int timeoutSeconds,
        final List<InetSocketAddress> serverAddresses,
        final byte[] clientToServerKey,
        final byte[] serverToClientKey)
    {
        this.protocolId = protocolId;
        this.createTimeMs = createTimeMs;
        this.expireTimeMs = expireTimeMs;
        this.nonce = nonce;
        this.sealedPrivatePart = sealedPrivatePart;
        this.timeoutSeconds = timeoutSeconds;
        this.serverAddresses = Collections.unmodifiableList(new ArrayList<>(serverAddresses));
        this.clientToServerKey = clientToServerKey;
        this.serverToClientKey = serverToClientKey;
    }

    /**
     * Parse a public token a client received from its backend. Checks the fixed length, version info, timeout and
     * address list; it cannot check the sealed part, which only servers can open.
     *
     * @param src    holding the token.
     * @param offset of the token in src.
     * @param length of the token, must be {@value ConnectTokenDescriptor#PUBLIC_TOKEN_LENGTH}.
     * @return the token.
     * @throws IllegalArgumentException saying what is wrong. Client side only, once per connect: servers never parse
     *                                  a public token, they open the server part with {@link ConnectTokenDecoder}.
     */
    public static ConnectToken parse(final byte[] src, final int offset, final int length)
    {
        if (length != PUBLIC_TOKEN_LENGTH || offset < 0 || null == src || src.length - offset < length)
        {
            throw new IllegalArgumentException(
                "connect token must be " + PUBLIC_TOKEN_LENGTH + " bytes, got " + length);
        }
        if (!Arrays.equals(
            src, offset + VERSION_INFO_OFFSET, offset + VERSION_INFO_OFFSET + VERSION_INFO_LENGTH,
            VERSION_INFO_BYTES, 0, VERSION_INFO_LENGTH))
        {
            throw new IllegalArgumentException("connect token: unknown version info, expected " +
                ConnectTokenDescriptor.VERSION_INFO);
        }
        final long timeoutSeconds = LittleEndian.getU32(src, offset + PUBLIC_TIMEOUT_OFFSET);
        if (!ConnectTokenDescriptor.isValidTimeout(timeoutSeconds))
        {
            throw new IllegalArgumentException("connect token: timeout out of range: " + timeoutSeconds + " s");
        }
        final int count = LittleEndian.getU8(src, offset + PUBLIC_ADDRESS_COUNT_OFFSET);
        if (count < 1 || count > MAX_SERVER_ADDRESSES)
        {
            throw new IllegalArgumentException("connect token: server address count out of range: " + count);
        }
        final int slots = offset + PUBLIC_ADDRESSES_OFFSET;
        if (AddressSlots.checkUsed(src, slots, count) != TokenCheck.VALID)
        {
            throw new IllegalArgumentException("connect token: malformed server address");
        }
        if (!AddressSlots.unusedAreZero(src, slots, count) ||
            !LittleEndian.isZero(src, offset + PUBLIC_RESERVED_OFFSET, PUBLIC_RESERVED_LENGTH))
        {
            throw new IllegalArgumentException("connect token: non-zero reserved bytes");
        }

        final List<InetSocketAddress> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            addresses.add(AddressSlots.decode(src, slots + i * ADDRESS_SLOT_LENGTH));
        }
        return new ConnectToken(
            LittleEndian.getLong(src, offset + PROTOCOL_ID_OFFSET),
            LittleEndian.getLong(src, offset + CREATE_TIME_OFFSET),
            LittleEndian.getLong(src, offset + EXPIRE_TIME_OFFSET),
            Arrays.copyOfRange(src, offset + NONCE_OFFSET, offset + NONCE_OFFSET + NONCE_LENGTH),
            Arrays.copyOfRange(src, offset + SEALED_OFFSET, offset + SEALED_OFFSET + SEALED_LENGTH),
            (int)timeoutSeconds,
            addresses,
            copyKey(src, offset + PUBLIC_CLIENT_TO_SERVER_KEY_OFFSET),
            copyKey(src, offset + PUBLIC_SERVER_TO_CLIENT_KEY_OFFSET));
    }

    private static byte[] copyKey(final byte[] src, final int offset)
    {
        return Arrays.copyOfRange(src, offset, offset + KEY_LENGTH);
    }

    /**
     * Parse a whole array as a public token.
     *
     * @param token exactly {@value ConnectTokenDescriptor#PUBLIC_TOKEN_LENGTH} bytes.
     * @return the token.
     * @throws IllegalArgumentException saying what is wrong.
     * @see #parse(byte[], int, int)
     */
    public static ConnectToken parse(final byte[] token)
    {
        return parse(token, 0, null == token ? 0 : token.length);
    }

    /**
     * Write the whole public token.
     *
     * @param dst    to write into.
     * @param offset in dst; {@value ConnectTokenDescriptor#PUBLIC_TOKEN_LENGTH} bytes from here are written.
     * @return bytes written.
     */
    public int encode(final byte[] dst, final int offset)
    {
        Objects.checkFromIndexSize(offset, PUBLIC_TOKEN_LENGTH, dst.length);
        getServerPart(dst, offset);
        LittleEndian.putLong(dst, offset + CREATE_TIME_OFFSET, createTimeMs);
        LittleEndian.putInt(dst, offset + PUBLIC_TIMEOUT_OFFSET, timeoutSeconds);
        dst[offset + PUBLIC_ADDRESS_COUNT_OFFSET] = (byte)serverAddresses.size();
        final int reserved = offset + PUBLIC_RESERVED_OFFSET;
        Arrays.fill(dst, reserved, reserved + PUBLIC_RESERVED_LENGTH, (byte)0);
        AddressSlots.encode(dst, offset + PUBLIC_ADDRESSES_OFFSET, serverAddresses);
        System.arraycopy(clientToServerKey, 0, dst, offset + PUBLIC_CLIENT_TO_SERVER_KEY_OFFSET, KEY_LENGTH);
        System.arraycopy(serverToClientKey, 0, dst, offset + PUBLIC_SERVER_TO_CLIENT_KEY_OFFSET, KEY_LENGTH);
        return PUBLIC_TOKEN_LENGTH;
    }

    /**
     * The whole public token as a new array, e.g. for the backend to return to its client.
     *
     * @return {@value ConnectTokenDescriptor#PUBLIC_TOKEN_LENGTH} bytes.
     */
    public byte[] toBytes()
    {
        final byte[] bytes = new byte[PUBLIC_TOKEN_LENGTH];
        encode(bytes, 0);
        return bytes;
    }

    /**
     * Write the server part, the first {@value ConnectTokenDescriptor#SERVER_PART_LENGTH} bytes of the public token
     * (version info, protocol id, expire time, nonce, sealed private part), which the client sends in its connect
     * request and a server opens with {@link ConnectTokenDecoder#decodeServerPart}.
     *
     * @param dst    to write into.
     * @param offset in dst.
     * @return bytes written.
     */
    public int getServerPart(final byte[] dst, final int offset)
    {
        Objects.checkFromIndexSize(offset, SERVER_PART_LENGTH, dst.length);
        System.arraycopy(VERSION_INFO_BYTES, 0, dst, offset + VERSION_INFO_OFFSET, VERSION_INFO_LENGTH);
        LittleEndian.putLong(dst, offset + PROTOCOL_ID_OFFSET, protocolId);
        LittleEndian.putLong(dst, offset + EXPIRE_TIME_OFFSET, expireTimeMs);
        System.arraycopy(nonce, 0, dst, offset + NONCE_OFFSET, NONCE_LENGTH);
        System.arraycopy(sealedPrivatePart, 0, dst, offset + SEALED_OFFSET, SEALED_LENGTH);
        return SERVER_PART_LENGTH;
    }

    /**
     * @return protocol id (u64) of the game build the token is for.
     */
    public long protocolId()
    {
        return protocolId;
    }

    /**
     * @return when the backend issued the token, epoch ms.
     */
    public long createTimeMs()
    {
        return createTimeMs;
    }

    /**
     * @return after this time, epoch ms, servers reject the token.
     */
    public long expireTimeMs()
    {
        return expireTimeMs;
    }

    /**
     * @return a copy of the {@value ConnectTokenDescriptor#NONCE_LENGTH}-byte nonce of the sealed part.
     */
    public byte[] nonce()
    {
        return nonce.clone();
    }

    /**
     * @return a copy of the {@value ConnectTokenDescriptor#SEALED_LENGTH}-byte sealed private part.
     */
    public byte[] sealedPrivatePart()
    {
        return sealedPrivatePart.clone();
    }

    /**
     * @return session idle timeout, seconds.
     */
    public int timeoutSeconds()
    {
        return timeoutSeconds;
    }

    /**
     * @return the servers the token is valid for, in the order the client should try them; unmodifiable.
     */
    public List<InetSocketAddress> serverAddresses()
    {
        return serverAddresses;
    }

    /**
     * @return a copy of the {@value ConnectTokenDescriptor#KEY_LENGTH}-byte key protecting client-to-server packets.
     */
    public byte[] clientToServerKey()
    {
        return clientToServerKey.clone();
    }

    /**
     * @return a copy of the {@value ConnectTokenDescriptor#KEY_LENGTH}-byte key protecting server-to-client packets.
     */
    public byte[] serverToClientKey()
    {
        return serverToClientKey.clone();
    }

    /**
     * Describes the token without its keys.
     *
     * @return protocol id, times, timeout and servers.
     */
    @Override
    public String toString()
    {
        return "ConnectToken{protocolId=0x" + Long.toHexString(protocolId) +
            ", createTimeMs=" + createTimeMs +
            ", expireTimeMs=" + expireTimeMs +
            ", timeoutSeconds=" + timeoutSeconds +
            ", serverAddresses=" + serverAddresses + '}';
    }
}
