package dev.skirmish.sim.cli;

import java.time.Duration;

import dev.skirmish.core.DurationParser;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converter for durations, in the syntax every Skirmish command shares ({@link DurationParser}).
 */
public final class DurationConverter implements ITypeConverter<Duration>
{
    /** Longest accepted value, one day: keeps nanosecond arithmetic far from overflow. */
    public static final Duration MAX_DURATION = DurationParser.MAX_DURATION;

    /**
     * Parse a duration.
     *
     * @param text as typed, e.g. {@code 500ms}.
     * @return the duration.
     * @throws TypeConversionException when the text is not a number followed by us, ms, s, m or h.
     */
    public Duration convert(final String text)
    {
        return parse(text);
    }

    /**
     * Parse a duration with {@link DurationParser}.
     *
     * @param text as typed, e.g. {@code 500ms}.
     * @return the duration.
     * @throws TypeConversionException when the text is not a number followed by us, ms, s, m or h.
     */
    public static Duration parse(final String text)
    {
        try
        {
            return DurationParser.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TypeConversionException(ex.getMessage());
        }
    }
}
