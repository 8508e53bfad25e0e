package dev.skirmish.session.server;

import org.agrona.BitUtil;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A token's 16-byte tag as two longs, the key of the client and used-token tables.
 */
final class TokenTags
{
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private TokenTags()
    {
    }

    static long high(final byte[] tag)
    {
        return (long)LONG.get(tag, 0);
    }

    static long low(final byte[] tag)
    {
        return (long)LONG.get(tag, BitUtil.SIZE_OF_LONG);
    }
}
