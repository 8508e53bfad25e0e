package dev.skirmish.sim.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converter for unsigned 64-bit numbers such as a protocol id: decimal or {@code 0x}-prefixed hex,
 * underscores between digits allowed, as {@code ./skirmish server} and {@code ./skirmish token} take them.
 */
public final class U64Converter implements ITypeConverter<Long>
{
    /**
     * Parse a u64.
     *
     * @param value as typed, e.g. {@code 0x534b0001}.
     * @return the number; values above {@link Long#MAX_VALUE} come back negative, as unsigned longs do.
     * @throws TypeConversionException when the text is not a decimal or hex u64.
     */
    public Long convert(final String value)
    {
        return parse(value);
    }

    /**
     * Parse a u64.
     *
     * @param value as typed.
     * @return the number, as an unsigned long.
     * @throws TypeConversionException when the text is not a decimal or hex u64.
     */
    public static long parse(final String value)
    {
        final String text = value.trim().replace("_", "");
        try
        {
            if (text.startsWith("0x") || text.startsWith("0X"))
            {
                return Long.parseUnsignedLong(requireDigits(text.substring(2)), 16);
            }

            return Long.parseUnsignedLong(requireDigits(text), 10);
        }
        catch (final NumberFormatException ex)
        {
            throw new TypeConversionException(
                "expected an unsigned 64-bit number, decimal or 0x-hex, got '" + value + "'");
        }
    }

    /**
     * The form the help and the reports print: {@code 0x} and lower-case hex.
     *
     * @param value unsigned long.
     * @return e.g. {@code 0x534b0001}.
     */
    public static String toHex(final long value)
    {
        return "0x" + Long.toHexString(value);
    }

    private static String requireDigits(final String text)
    {
        // parseUnsignedLong takes a leading '+'; a u64 on the command line is digits only
        if (text.isEmpty() || text.charAt(0) == '+')
        {
            throw new NumberFormatException(text);
        }

        return text;
    }
}
