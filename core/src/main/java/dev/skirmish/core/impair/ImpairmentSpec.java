package dev.skirmish.core.impair;

import dev.skirmish.core.DurationParser;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;

/**
 * Reads and writes the compact spec strings of {@link ImpairmentProfile} (grammar in its javadoc). Configuration
 * time only: allocates freely.
 * <p>
 * Probabilities go through {@link BigDecimal} both ways: {@link BigDecimal#valueOf(double)} is the decimal that
 * {@link Double#toString(double)} prints, which parses back to the same double, and moving the decimal point for
 * {@code %} is exact, so a written profile always reads back equal.
 */
final class ImpairmentSpec
{
    static final List<String> KEYS = List.of(
        "loss", "burst", "delay", "jitter", "jittermode", "dup", "reorder", "corrupt", "bw", "bwqueue", "blackout",
        "rebind");

    private static final BigDecimal BITS_PER_BYTE = BigDecimal.valueOf(8);
    private static final long NS_PER_HOUR = TimeUnit.HOURS.toNanos(1);
    private static final long NS_PER_MINUTE = TimeUnit.MINUTES.toNanos(1);
    private static final long NS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long NS_PER_MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long NS_PER_US = TimeUnit.MICROSECONDS.toNanos(1);
    private static final int MAX_NS_DIGITS = 15;

    private ImpairmentSpec()
    {
    }

    static ImpairmentProfile parse(final String spec)
    {
        if (null == spec || spec.isBlank())
        {
            return ImpairmentProfile.NONE;
        }

        final String[] items = spec.split(",", -1);
        final Set<String> seen = new HashSet<>();
        ImpairmentProfile profile = ImpairmentProfile.NONE;
        for (int i = 0; i < items.length; i++)
        {
            final String item = items[i].trim();
            if (item.isEmpty())
            {
                throw new IllegalArgumentException("impairment spec '" + spec + "': empty item at position " + (i + 1));
            }

            final int eq = item.indexOf('=');
            if (eq < 0)
            {
                if (i != 0)
                {
                    throw new IllegalArgumentException("impairment spec '" + spec + "': '" + item +
                        "' is not key=value (only the first item may be a preset name), keys: " + KEYS);
                }
                profile = ImpairmentProfile.preset(item);
                continue;
            }

            final String key = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            final String value = item.substring(eq + 1).trim();
            if (!KEYS.contains(key))
            {
                throw new IllegalArgumentException("impairment spec '" + spec + "': unknown key '" + key +
                    "', use one of " + KEYS);
            }
            if (!seen.add(key))
            {
                throw new IllegalArgumentException("impairment spec '" + spec + "': " + key + " is given twice");
            }

            try
            {
                profile = apply(profile, key, value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(key + "=" + value + ": " + ex.getMessage(), ex);
            }
        }
        return profile;
    }

    static String format(final ImpairmentProfile p)
    {
        final ImpairmentProfile none = ImpairmentProfile.NONE;
        final StringBuilder sb = new StringBuilder(96);
        if (p.lossProbability() != 0.0)
        {
            item(sb, "loss").append(percent(p.lossProbability()));
        }
        if (p.burstEnterProbability() != 0.0 || p.burstExitProbability() != 0.0 || p.burstLossProbability() != 0.0)
        {
            item(sb, "burst")
                .append(percent(p.burstEnterProbability())).append('/')
                .append(percent(p.burstExitProbability())).append('/')
                .append(percent(p.burstLossProbability()));
        }
        if (p.delayNs() != 0)
        {
            item(sb, "delay").append(duration(p.delayNs()));
        }
        if (p.jitterNs() != 0)
        {
            item(sb, "jitter").append(duration(p.jitterNs()));
        }
        if (p.jitterMode() != none.jitterMode())
        {
            item(sb, "jittermode").append(p.jitterMode().name().toLowerCase(Locale.ROOT));
        }
        if (p.duplicateProbability() != 0.0)
        {
            item(sb, "dup").append(percent(p.duplicateProbability()));
        }
        if (p.reorderProbability() != 0.0 || p.reorderDelayNs() != none.reorderDelayNs())
        {
            item(sb, "reorder").append(percent(p.reorderProbability()));
            if (p.reorderDelayNs() != none.reorderDelayNs())
            {
                sb.append('/').append(duration(p.reorderDelayNs()));
            }
        }
        if (p.corruptProbability() != 0.0)
        {
            item(sb, "corrupt").append(percent(p.corruptProbability()));
        }
        if (p.bandwidthBytesPerSecond() != 0)
        {
            item(sb, "bw").append(bandwidth(p.bandwidthBytesPerSecond()));
        }
        if (p.bandwidthQueueNs() != none.bandwidthQueueNs())
        {
            item(sb, "bwqueue").append(duration(p.bandwidthQueueNs()));
        }
        if (p.blackoutPeriodNs() != 0)
        {
            item(sb, "blackout").append(duration(p.blackoutDurationNs())).append('/')
                .append(duration(p.blackoutPeriodNs()));
            if (p.blackoutOffsetNs() != 0)
            {
                sb.append('@').append(duration(p.blackoutOffsetNs()));
            }
        }
        if (p.rebindIntervalNs() != 0)
        {
            item(sb, "rebind").append(duration(p.rebindIntervalNs()));
            if (p.rebindOffsetNs() != p.rebindIntervalNs())
            {
                sb.append('@').append(duration(p.rebindOffsetNs()));
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private static ImpairmentProfile apply(final ImpairmentProfile profile, final String key, final String value)
    {
        switch (key)
        {
            case "loss":
                return profile.withLoss(probability(value));

            case "burst":
            {
                final String[] parts = split(value, '/', 2, 3, "p/r or p/r/h, e.g. 1%/30%/50%");
                final double h = parts.length == 3 ? probability(parts[2]) : 1.0;
                return profile.withBurstLoss(probability(parts[0]), probability(parts[1]), h);
            }

            case "delay":
                return profile.withDelayNs(duration(value, null));

            case "jitter":
                return profile.withJitterNs(duration(value, null));

            case "jittermode":
                return profile.withJitterMode(jitterMode(value));

            case "dup":
                return profile.withDuplicate(probability(value));

            case "reorder":
            {
                final String[] parts = split(value, '/', 1, 2, "p or p/delay, e.g. 10% or 10%/30ms");
                return parts.length == 2 ?
                    profile.withReorder(probability(parts[0]), duration(parts[1], "reorder delay")) :
                    profile.withReorder(probability(parts[0]));
            }

            case "corrupt":
                return profile.withCorrupt(probability(value));

            case "bw":
                return profile.withBandwidth(bandwidth(value));

            case "bwqueue":
                return profile.withBandwidth(profile.bandwidthBytesPerSecond(), duration(value, null));

            case "blackout":
                return blackout(profile, value);

            case "rebind":
                return rebind(profile, value);

            default:
                throw new IllegalArgumentException("unknown key, use one of " + KEYS);
        }
    }

    private static ImpairmentProfile blackout(final ImpairmentProfile profile, final String value)
    {
        final String usage = "duration/period or duration/period@offset, e.g. 2s/5s or 300ms/30s@10s";
        final String[] phase = split(value, '@', 1, 2, usage);
        final String[] parts = split(phase[0], '/', 2, 2, usage);
        final long offsetNs = phase.length == 2 ? duration(phase[1], "blackout offset") : 0;
        return profile.withBlackout(
            duration(parts[0], "blackout duration"), duration(parts[1], "blackout period"), offsetNs);
    }

    private static ImpairmentProfile rebind(final ImpairmentProfile profile, final String value)
    {
        final String[] phase = split(value, '@', 1, 2, "interval or interval@offset, e.g. 10s or 10s@3s");
        final long intervalNs = duration(phase[0], "rebind interval");
        final long offsetNs = phase.length == 2 ? duration(phase[1], "rebind offset") : intervalNs;
        return profile.withRebind(intervalNs, offsetNs);
    }

    private static String[] split(
        final String value, final char separator, final int minParts, final int maxParts, final String usage)
    {
        final String[] parts = value.split(Pattern.quote(String.valueOf(separator)), -1);
        if (parts.length < minParts || parts.length > maxParts)
        {
            throw new IllegalArgumentException("'" + value + "' is not " + usage);
        }
        return parts;
    }

    static double probability(final String text)
    {
        final String trimmed = text.trim();
        final boolean percent = trimmed.endsWith("%");
        final String number = percent ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed;
        BigDecimal value;
        try
        {
            value = new BigDecimal(number);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("'" + text +
                "' is not a probability: use a percentage such as 5% or 0.5%, or a fraction such as 0.05");
        }
        if (percent)
        {
            value = value.movePointLeft(2);
        }
        if (value.signum() < 0 || value.compareTo(BigDecimal.ONE) > 0)
        {
            throw new IllegalArgumentException("'" + text + "' is not between 0% and 100%");
        }
        return value.doubleValue();
    }

    static String percent(final double probability)
    {
        return BigDecimal.valueOf(probability).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    static long duration(final String text, final String what)
    {
        final String trimmed = text.trim();
        if (trimmed.endsWith("ns"))
        {
            final String digits = trimmed.substring(0, trimmed.length() - 2);
            if (digits.isEmpty() || digits.length() > MAX_NS_DIGITS || !digits.chars().allMatch(Character::isDigit))
            {
                throw new IllegalArgumentException(prefix(what) + "'" + text +
                    "' is not a duration: use e.g. 500ns, 20us, 10ms, 2s, 1m or 1h");
            }
            return Long.parseLong(digits);
        }
        try
        {
            return DurationParser.parse(trimmed).toNanos();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(prefix(what) + ex.getMessage(), ex);
        }
    }

    private static String prefix(final String what)
    {
        return null == what ? "" : what + ": ";
    }

    static String duration(final long ns)
    {
        if (ns == 0)
        {
            return "0s";
        }
        if (ns % NS_PER_HOUR == 0)
        {
            return ns / NS_PER_HOUR + "h";
        }
        if (ns % NS_PER_MINUTE == 0)
        {
            return ns / NS_PER_MINUTE + "m";
        }
        if (ns % NS_PER_SECOND == 0)
        {
            return ns / NS_PER_SECOND + "s";
        }
        if (ns % NS_PER_MS == 0)
        {
            return ns / NS_PER_MS + "ms";
        }
        if (ns % NS_PER_US == 0)
        {
            return ns / NS_PER_US + "us";
        }
        return ns + "ns";
    }

    static long bandwidth(final String text)
    {
        final String lower = text.trim().toLowerCase(Locale.ROOT);
        if ("0".equals(lower) || "unlimited".equals(lower))
        {
            return 0;
        }

        final long bitsPerUnit;
        final String number;
        if (lower.endsWith("gbps"))
        {
            bitsPerUnit = 1_000_000_000L;
            number = lower.substring(0, lower.length() - 4);
        }
        else if (lower.endsWith("mbps"))
        {
            bitsPerUnit = 1_000_000L;
            number = lower.substring(0, lower.length() - 4);
        }
        else if (lower.endsWith("kbps"))
        {
            bitsPerUnit = 1_000L;
            number = lower.substring(0, lower.length() - 4);
        }
        else if (lower.endsWith("bps"))
        {
            bitsPerUnit = 1L;
            number = lower.substring(0, lower.length() - 3);
        }
        else
        {
            throw bandwidthUsage(text);
        }

        final BigDecimal bits;
        try
        {
            bits = new BigDecimal(number.trim()).multiply(BigDecimal.valueOf(bitsPerUnit));
        }
        catch (final NumberFormatException ex)
        {
            throw bandwidthUsage(text);
        }
        if (bits.signum() == 0)
        {
            return 0;
        }
        final BigDecimal bytes = bits.divide(BITS_PER_BYTE, 0, RoundingMode.HALF_UP);
        final BigDecimal maxBytes = BigDecimal.valueOf(ImpairmentProfile.MAX_BANDWIDTH_BYTES_PER_SECOND);
        if (bits.signum() < 0 || bytes.compareTo(maxBytes) > 0)
        {
            throw new IllegalArgumentException("'" + text + "' is not between 8bps and 1000gbps (or 0 = unlimited)");
        }
        if (bits.compareTo(BITS_PER_BYTE) < 0)
        {
            throw new IllegalArgumentException("'" + text + "' is below one byte per second (8bps); 0 means unlimited");
        }
        return bytes.longValueExact();
    }

    static String bandwidth(final long bytesPerSecond)
    {
        final long bits = bytesPerSecond * 8;
        if (bits % 1_000_000_000L == 0)
        {
            return bits / 1_000_000_000L + "gbps";
        }
        if (bits % 1_000_000L == 0)
        {
            return bits / 1_000_000L + "mbps";
        }
        if (bits % 1_000L == 0)
        {
            return bits / 1_000L + "kbps";
        }
        return bits + "bps";
    }

    private static IllegalArgumentException bandwidthUsage(final String text)
    {
        return new IllegalArgumentException("'" + text +
            "' is not a bandwidth: use a number of bits per second with a unit, e.g. 64kbps, 1.5mbps, 1gbps " +
            "(or 0 = unlimited)");
    }

    private static ImpairmentProfile.JitterMode jitterMode(final String text)
    {
        switch (text.trim().toLowerCase(Locale.ROOT))
        {
            case "ordered":
                return ImpairmentProfile.JitterMode.ORDERED;

            case "independent":
                return ImpairmentProfile.JitterMode.INDEPENDENT;

            default:
                throw new IllegalArgumentException("'" + text + "' is not a jitter mode: use ordered or independent");
        }
    }

    private static StringBuilder item(final StringBuilder sb, final String key)
    {
        if (sb.length() > 0)
        {
            sb.append(',');
        }
        return sb.append(key).append('=');
    }
}
