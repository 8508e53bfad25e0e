package dev.skirmish.server;

import picocli.CommandLine;

import java.time.Duration;

/**
 * Parses human durations: {@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h}; a bare number is seconds.
 */
final class Durations
{
    private Durations()
    {
    }

    static Duration parse(final String text)
    {
        final String value = text.trim().toLowerCase();
        try
        {
            if (value.endsWith("ms"))
            {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s"))
            {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            if (value.endsWith("m"))
            {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            if (value.endsWith("h"))
            {
                return Duration.ofHours(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(value));
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.TypeConversionException(
                "expected a duration like 500ms, 10s, 2m or 1h, got '" + text + "'");
        }
    }
}
