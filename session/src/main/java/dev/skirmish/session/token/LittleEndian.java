package dev.skirmish.session.token;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian reads and writes on byte arrays through JDK {@link VarHandle}s: no allocation, no wrapper object,
 * and no {@code --add-exports} needed (unlike Agrona's {@code UnsafeBuffer} on Agrona 2). Callers check bounds first;
 * an out-of-range index throws, which the validating callers rule out before reading.
 */
final class LittleEndian
{
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private LittleEndian()
    {
    }

    static long getLong(final byte[] bytes, final int offset)
    {
        return (long)LONG.get(bytes, offset);
    }

    static void putLong(final byte[] bytes, final int offset, final long value)
    {
        LONG.set(bytes, offset, value);
    }

    static long getU32(final byte[] bytes, final int offset)
    {
        return (int)INT.get(bytes, offset) & 0xFFFF_FFFFL;
    }

    static void putInt(final byte[] bytes, final int offset, final int value)
    {
        INT.set(bytes, offset, value);
    }

    static int getU16(final byte[] bytes, final int offset)
    {
        return (short)SHORT.get(bytes, offset) & 0xFFFF;
    }

    static void putShort(final byte[] bytes, final int offset, final int value)
    {
        SHORT.set(bytes, offset, (short)value);
    }

    static int getU8(final byte[] bytes, final int offset)
    {
        return bytes[offset] & 0xFF;
    }

    static boolean isZero(final byte[] bytes, final int offset, final int length)
    {
        int bits = 0;
        for (int i = offset, end = offset + length; i < end; i++)
        {
            bits |= bytes[i];
        }
        return bits == 0;
    }
}
