package dev.skirmish.sim.cli;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationConverterTest
{
    @Test
    void shouldParseMillisSecondsAndMinutes()
    {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(10), DurationConverter.parse("10s"));
        assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
        assertEquals(Duration.ZERO, DurationConverter.parse("0s"));
        assertEquals(Duration.ofNanos(20_000), DurationConverter.parse("20us"));
        assertEquals(Duration.ofHours(24), DurationConverter.parse("24h"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "10", "s", "-1s", "1.5s", "10 s", "25h", "10sec", "1e3ms", "9999999999999ms", "2000m" })
    void shouldRejectMalformedDurations(final String text)
    {
        assertThrows(TypeConversionException.class, () -> DurationConverter.parse(text));
    }
}
