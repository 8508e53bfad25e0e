package dev.skirmish.core;

import java.time.Duration;

/**
 * The one way every Skirmish command line and config reads a duration: a whole number followed by a unit,
 * {@code us}, {@code ms}, {@code s}, {@code m} or {@code h} ({@code 20us}, {@code 500ms}, {@code 10s}, {@code 2m},
 * {@code 1h}). A bare number is refused so that a value never silently means milliseconds where seconds were meant.
 */
public final class DurationParser
{
    /** Longest accepted value, one day: keeps nanosecond arithmetic far from overflow. */
    public static final Duration MAX_DURATION = Duration.ofDays(1);

    private DurationParser()
    {
    }

    /**
     * Parse a duration.
     *
     * @param text as typed, e.g. {@code 500ms}.
     * @return the duration, 0 to {@link #MAX_DURATION}.
     * @throws IllegalArgumentException with a message saying what is accepted, when the text is not a whole number
     *                                  followed by us, ms, s, m or h, or is longer than a day.
     */
    public static Duration parse(final String text)
    {
        final String trimmed = null == text ? "" : text.trim();
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

            case "h":
                duration = Duration.ofHours(amount);
                break;

            default:
                throw invalid(text);
        }

        if (duration.compareTo(MAX_DURATION) > 0)
        {
            throw new IllegalArgumentException("'" + text + "' is longer than " + MAX_DURATION.toHours() + "h");
        }
        return duration;
    }

    private static IllegalArgumentException invalid(final String text)
    {
        return new IllegalArgumentException(
            "'" + text + "' is not a duration: use e.g. 20us, 500ms, 10s, 2m or 1h");
    }
}
