package dev.skirmish.session.test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Deterministic inputs shared by the session tests (token, handshake, fuzz fixtures).
 */
public final class TestBytes
{
    private TestBytes()
    {
    }

    /**
     * Bytes {@code first, first + 1, ...}, wrapping at 256: readable fixed keys and digests.
     *
     * @param first  value of the first byte.
     * @param length number of bytes.
     * @return the bytes.
     */
    public static byte[] sequence(final int first, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(first + i);
        }
        return bytes;
    }

    /**
     * A resolved socket address from an IP literal.
     *
     * @param literal IPv4 or IPv6 literal (no lookup happens for literals).
     * @param port    port.
     * @return the address.
     */
    public static InetSocketAddress address(final String literal, final int port)
    {
        try
        {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new AssertionError(literal, ex);
        }
    }
}
