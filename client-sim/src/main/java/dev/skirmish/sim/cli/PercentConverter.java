package dev.skirmish.sim.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converter for a percentage such as {@code 10%} or {@code 2.5%} (the sign may be left out: {@code 10}
 * is 10 %), to a fraction: {@code 10%} is 0.1. From 0 % to {@value #MAX_PERCENT} %.
 */
public final class PercentConverter implements ITypeConverter<Double>
{
    /** Largest accepted percentage. */
    public static final double MAX_PERCENT = 1000.0;

    /**
     * Parse a percentage.
     *
     * @param text as typed, e.g. {@code 10%}.
     * @return the fraction, e.g. 0.1.
     * @throws TypeConversionException when the text is not a number from 0 to {@value #MAX_PERCENT}, optionally
     *                                 followed by {@code %}.
     */
    public Double convert(final String text)
    {
        final String number = text.trim().endsWith("%") ? text.trim().substring(0, text.trim().length() - 1) : text;
        final double percent;
        try
        {
            percent = Double.parseDouble(number.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new TypeConversionException("'" + text + "' is not a percentage such as 10%");
        }
        if (!(percent >= 0.0 && percent <= MAX_PERCENT))
        {
            throw new TypeConversionException("'" + text + "' must be 0% to " + (int)MAX_PERCENT + "%");
        }

        return percent / 100.0;
    }
}
