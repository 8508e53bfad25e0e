package dev.skirmish.sim.cli;

import java.time.Duration;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses the durations the CLI takes: a whole number followed by a unit, {@code 20us}, {@code 500ms}, {@code 10s} or
 * {@code 2m}. A bare number is refused so that a run never silently means milliseconds where seconds were
 * meant.
 */
public final class DurationConverter implements ITypeConverter<Duration>
{
    /** Longest accepted value, one day: keeps nanosecond arithmetic far from overflow. */
    public static final Duration MAX_DURATION = Duration.ofDays(1);

    /**
     * Parse a duration.
     *
     * @param text as typed, e.g. {@code 500ms}.
     * @return the duration.
     * @throws TypeConversionException when the text is not a number followed by us, ms, s or m.
     */
    public Duration convert(final String text)
    {
        return parse(text);
    }

    /**
     * Parse a duration.
     *
     * @param text as typed, e.g. {@code 500ms}.
     * @return the duration.
     * @throws TypeConversionException when the text is not a number followed by us, ms, s or m.
     */
    public static Duration parse(final String text)
    {
        final String trimmed = text.trim();
        int digitsEnd = 0;
        while (digitsEnd < trimmed.length() && Character.isDigit(trimmed.charAt(digitsEnd)))
        {
            digitsEnd++;
        }

        if (digitsEnd == 0 || digitsEnd > 12)
        {
            throw invalid(text);
        }

        final long amount = Long.parseLong(trimmed.substring(0, digitsEnd));
        final Duration duration;
        switch (trimmed.substring(digitsEnd))
        {
            case "us":
                duration = Duration.ofNanos(amount * 1_000);
                break;

            case "ms":
                duration = Duration.ofMillis(amount);
                break;

            case "s":
                duration = Duration.ofSeconds(amount);
                break;

            case "m":
                duration = Duration.ofMinutes(amount);
                break;

            default:
                throw invalid(text);
        }

        if (duration.compareTo(MAX_DURATION) > 0)
        {
            throw new TypeConversionException("'" + text + "' is longer than " + MAX_DURATION.toHours() + "h");
        }

        return duration;
    }

    private static TypeConversionException invalid(final String text)
    {
        return new TypeConversionException("'" + text + "' is not a duration: use e.g. 20us, 500ms, 10s or 2m");
    }
}
