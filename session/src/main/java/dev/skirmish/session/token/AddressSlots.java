package dev.skirmish.session.token;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_BYTES_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_BYTES_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_PORT_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_RESERVED_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_SLOTS_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_SLOT_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_TYPE_IPV4;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_TYPE_IPV6;
import static dev.skirmish.session.token.ConnectTokenDescriptor.ADDRESS_TYPE_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.MAX_SERVER_ADDRESSES;

/**
 * Codec of the fixed array of {@value ConnectTokenDescriptor#MAX_SERVER_ADDRESSES} address slots shared by the
 * public token and the private part (layout in {@link ConnectTokenDescriptor}). Checks read only inside the slots.
 */
final class AddressSlots
{
    private static final int IPV4_LENGTH = 4;
    private static final int IPV4_MAPPED_PREFIX_LENGTH = 12;

    private AddressSlots()
    {
    }

    /**
     * Check a list of server addresses a backend wants to put into a token.
     *
     * @param addresses to check.
     * @throws IllegalArgumentException naming the problem.
     */
    static void requireValid(final List<InetSocketAddress> addresses)
    {
        if (null == addresses || addresses.isEmpty() || addresses.size() > MAX_SERVER_ADDRESSES)
        {
            throw new IllegalArgumentException("server addresses: need 1.." + MAX_SERVER_ADDRESSES + ", got " +
                (null == addresses ? "null" : addresses.size()));
        }
        for (final InetSocketAddress address : addresses)
        {
            if (null == address || address.isUnresolved())
            {
                throw new IllegalArgumentException("server address must be a resolved IP address: " + address);
            }
            final InetAddress ip = address.getAddress();
            if (!(ip instanceof Inet4Address) && !(ip instanceof Inet6Address))
            {
                throw new IllegalArgumentException("server address must be IPv4 or IPv6: " + address);
            }
            if (address.getPort() == 0)
            {
                throw new IllegalArgumentException("server address needs a port 1..65535: " + address);
            }
        }
    }

    /**
     * Write addresses into consecutive slots and zero the unused ones.
     *
     * @param dst       to write into.
     * @param offset    of the first slot.
     * @param addresses already checked by {@link #requireValid(List)}.
     */
    static void encode(final byte[] dst, final int offset, final List<InetSocketAddress> addresses)
    {
        Arrays.fill(dst, offset, offset + ADDRESS_SLOTS_LENGTH, (byte)0);
        for (int i = 0, size = addresses.size(); i < size; i++)
        {
            final InetSocketAddress address = addresses.get(i);
            final int slot = offset + i * ADDRESS_SLOT_LENGTH;
            final byte[] ip = address.getAddress().getAddress();
            dst[slot + ADDRESS_TYPE_OFFSET] = (byte)(ip.length == IPV4_LENGTH ? ADDRESS_TYPE_IPV4 : ADDRESS_TYPE_IPV6);
            LittleEndian.putShort(dst, slot + ADDRESS_PORT_OFFSET, address.getPort());
            System.arraycopy(ip, 0, dst, slot + ADDRESS_BYTES_OFFSET, ip.length);
        }
    }

    /**
     * Check the used slots of a token. Never throws when the slots lie inside src.
     *
     * @param src    holding the slots.
     * @param offset of the first slot.
     * @param count  of used slots, already checked to be 1..8.
     * @return {@link TokenCheck#VALID} or {@link TokenCheck#BAD_ADDRESS}.
     */
    static TokenCheck checkUsed(final byte[] src, final int offset, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final int slot = offset + i * ADDRESS_SLOT_LENGTH;
            final int type = LittleEndian.getU8(src, slot + ADDRESS_TYPE_OFFSET);
            if (type != ADDRESS_TYPE_IPV4 && type != ADDRESS_TYPE_IPV6)
            {
                return TokenCheck.BAD_ADDRESS;
            }
            if (src[slot + ADDRESS_RESERVED_OFFSET] != 0 || port(src, slot) == 0)
            {
                return TokenCheck.BAD_ADDRESS;
            }
            final int address = slot + ADDRESS_BYTES_OFFSET;
            if (type == ADDRESS_TYPE_IPV4 ?
                !LittleEndian.isZero(src, address + IPV4_LENGTH, ADDRESS_BYTES_LENGTH - IPV4_LENGTH) :
                isIpv4Mapped(src, address))
            {
                return TokenCheck.BAD_ADDRESS;
            }
        }
        return TokenCheck.VALID;
    }

    /**
     * Are the unused slots after the first {@code count} all zero?
     *
     * @param src    holding the slots.
     * @param offset of the first slot.
     * @param count  of used slots, 1..8.
     * @return true when every byte of every unused slot is zero.
     */
    static boolean unusedAreZero(final byte[] src, final int offset, final int count)
    {
        return LittleEndian.isZero(
            src, offset + count * ADDRESS_SLOT_LENGTH, (MAX_SERVER_ADDRESSES - count) * ADDRESS_SLOT_LENGTH);
    }

    /**
     * Does a valid slot hold this address and port? Allocates a copy of the address bytes.
     *
     * @param src     holding the slot.
     * @param slot    offset of the slot.
     * @param address to compare, may be unresolved (never matches).
     * @return true when type, port and address bytes are equal.
     */
    static boolean matches(final byte[] src, final int slot, final InetSocketAddress address)
    {
        final InetAddress ip = address.getAddress();
        if (null == ip || address.getPort() != port(src, slot))
        {
            return false;
        }
        final byte[] bytes = ip.getAddress();
        final int type = bytes.length == IPV4_LENGTH ? ADDRESS_TYPE_IPV4 : ADDRESS_TYPE_IPV6;
        final int from = slot + ADDRESS_BYTES_OFFSET;
        return LittleEndian.getU8(src, slot + ADDRESS_TYPE_OFFSET) == type &&
            Arrays.equals(src, from, from + bytes.length, bytes, 0, bytes.length);
    }

    /**
     * The address of a valid slot as a new object.
     *
     * @param src  holding the slot.
     * @param slot offset of the slot, already checked by {@link #checkUsed}.
     * @return the address and port.
     */
    static InetSocketAddress decode(final byte[] src, final int slot)
    {
        final int type = LittleEndian.getU8(src, slot + ADDRESS_TYPE_OFFSET);
        final int from = slot + ADDRESS_BYTES_OFFSET;
        final byte[] bytes = Arrays.copyOfRange(
            src, from, from + (type == ADDRESS_TYPE_IPV4 ? IPV4_LENGTH : ADDRESS_BYTES_LENGTH));
        try
        {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port(src, slot));
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("unreachable: address of 4 or 16 bytes", ex);
        }
    }

    private static int port(final byte[] src, final int slot)
    {
        return LittleEndian.getU16(src, slot + ADDRESS_PORT_OFFSET);
    }

    /**
     * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) must be written as IPv4, so each address has one encoding
     * (Java itself turns such addresses into {@link Inet4Address}).
     */
    private static boolean isIpv4Mapped(final byte[] src, final int address)
    {
        return LittleEndian.isZero(src, address, IPV4_MAPPED_PREFIX_LENGTH - 2) &&
            src[address + IPV4_MAPPED_PREFIX_LENGTH - 2] == (byte)0xFF &&
            src[address + IPV4_MAPPED_PREFIX_LENGTH - 1] == (byte)0xFF;
    }
}
