package dev.skirmish.sim.game;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scrape of a server's Prometheus endpoint (text format 0.0.4), as sample name with labels to value, and the
 * few figures a game run reports from two scrapes: GC pauses between them and tick lateness. Called from the
 * controlling thread; a scrape is bounded by {@link #TIMEOUT}.
 */
final class ServerMetrics
{
    /** Connect and read timeout of a scrape. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Map<String, Double> samples;

    private ServerMetrics(final Map<String, Double> samples)
    {
        this.samples = samples;
    }

    /**
     * Scrape the endpoint.
     *
     * @param url e.g. {@code http://127.0.0.1:9400/metrics}.
     * @return the samples.
     * @throws IOException when the endpoint cannot be reached or does not answer 200.
     */
    static ServerMetrics scrape(final String url) throws IOException
    {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        try
        {
            final HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            if (200 != response.statusCode())
            {
                throw new IOException("HTTP " + response.statusCode());
            }
            return new ServerMetrics(parse(response.body()));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(ex.getMessage(), ex);
        }
    }

    /**
     * Parse the text format: {@code name{labels} value [timestamp]} per line, comments skipped.
     */
    static Map<String, Double> parse(final String text)
    {
        final Map<String, Double> samples = new LinkedHashMap<>();
        for (final String rawLine : text.split("\n"))
        {
            final String line = rawLine.trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int labelsEnd = line.lastIndexOf('}');
            final int split = line.indexOf(' ', Math.max(labelsEnd, 0));
            if (split < 0)
            {
                continue;
            }
            final String[] rest = line.substring(split + 1).trim().split(" ");
            try
            {
                samples.put(line.substring(0, split), Double.parseDouble(rest[0]));
            }
            catch (final NumberFormatException ex)
            {
                // NaN and +Inf parse; anything else is not a sample we can use
            }
        }
        return samples;
    }

    /**
     * Sum of every sample of a name, whatever its labels.
     *
     * @param name sample name, e.g. {@code jvm_gc_collection_seconds_sum}.
     * @return the sum, or NaN when there is no such sample.
     */
    double sum(final String name)
    {
        double sum = Double.NaN;
        for (final Map.Entry<String, Double> sample : samples.entrySet())
        {
            if (nameOf(sample.getKey()).equals(name))
            {
                sum = (Double.isNaN(sum) ? 0 : sum) + sample.getValue();
            }
        }
        return sum;
    }

    /**
     * Largest sample of a name, whatever its labels.
     *
     * @param name sample name.
     * @return the largest, or NaN when there is no such sample.
     */
    double max(final String name)
    {
        double max = Double.NaN;
        for (final Map.Entry<String, Double> sample : samples.entrySet())
        {
            if (nameOf(sample.getKey()).equals(name) && (Double.isNaN(max) || sample.getValue() > max))
            {
                max = sample.getValue();
            }
        }
        return max;
    }

    /**
     * The 99th percentile of tick lateness, when the server exports one: the largest sample whose name contains
     * {@code tick_lateness} and that has the label {@code quantile="0.99"}, or whose name says p99.
     *
     * @return the sample name and value, or null when no such series exists.
     */
    Map.Entry<String, Double> tickLatenessP99()
    {
        Map.Entry<String, Double> found = null;
        for (final Map.Entry<String, Double> sample : samples.entrySet())
        {
            final String key = sample.getKey();
            if (key.contains("tick_lateness") && (key.contains("quantile=\"0.99\"") || nameOf(key).contains("p99")) &&
                (null == found || sample.getValue() > found.getValue()))
            {
                found = sample;
            }
        }
        return found;
    }

    /**
     * Names of every series with {@code tick_lateness} in it, for the note when none gives a p99.
     *
     * @return true if any exists.
     */
    boolean hasTickLateness()
    {
        for (final String key : samples.keySet())
        {
            if (key.contains("tick_lateness"))
            {
                return true;
            }
        }
        return false;
    }

    private static String nameOf(final String key)
    {
        final int brace = key.indexOf('{');
        return brace < 0 ? key : key.substring(0, brace);
    }
}
