package dev.skirmish.sim.results;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.skirmish.sim.report.JsonWriter;

/**
 * {@value #FILE}: one self-contained page for a run, optionally against baseline runs. No network access: the
 * page is a template ({@value #TEMPLATE}, beside this class) with inline CSS and JavaScript, and the run's data as
 * inline JSON that the script draws as SVG when the page loads:
 * <ul>
 *     <li>the run's config and counts from {@code summary.json}, one column per run;</li>
 *     <li>per histogram, a percentile plot on HdrHistogram's log percentile axis (x = 1/(1 - percentile));</li>
 *     <li>per histogram with an interval log, p50/p99/max of each interval and samples per second over time.</li>
 * </ul>
 * Baseline runs are drawn dashed over the run's curves. When the script has drawn everything it sets
 * {@code data-rendered} (the number of plots) on the {@code html} element; when it fails, {@code data-render-error}.
 */
public final class ReportPage
{
    /** The page's file name in a run directory. */
    public static final String FILE = "report.html";
    /** The page template, a resource beside this class. */
    public static final String TEMPLATE = "report-template.html";

    private static final String DATA_PLACEHOLDER = "/*REPORT-DATA*/";
    private static final String TITLE_PLACEHOLDER = "REPORT-TITLE";
    private static final int MS_DECIMALS = 4;
    private static final int MAX_DECIMALS = 12;
    private static final double US_PER_MS = 1000.0;

    private ReportPage()
    {
    }

    /**
     * Write the page.
     *
     * @param run       the run to show.
     * @param baselines runs to draw over it, none for none.
     * @param file      where to write it, normally {@value #FILE} in the run's directory.
     * @throws IOException if the page cannot be written.
     */
    public static void write(final RunDirectory run, final List<RunDirectory> baselines, final Path file)
        throws IOException
    {
        Files.writeString(file, render(run, baselines), StandardCharsets.UTF_8);
    }

    /**
     * The page as text.
     *
     * @param run       the run to show.
     * @param baselines runs to draw over it, none for none.
     * @return the HTML document.
     */
    public static String render(final RunDirectory run, final List<RunDirectory> baselines)
    {
        final String template = template();
        final String title = "Skirmish run report: " + title(run);
        // "<" only appears inside JSON strings, where \u003c means the same; so no "</script>" can end the block
        final String data = dataJson(run, baselines, title).replace("<", "\\u003c");

        final int at = template.indexOf(DATA_PLACEHOLDER);
        final String htmlTitle = escapeHtml(title);

        return template.substring(0, at).replace(TITLE_PLACEHOLDER, htmlTitle) + data +
            template.substring(at + DATA_PLACEHOLDER.length()).replace(TITLE_PLACEHOLDER, htmlTitle);
    }

    /**
     * The data the page's script draws, as compact JSON: {@code title}, {@code generatedAt}, {@code runs} (the run
     * first, then the baselines: role, name, path, summary) and {@code metrics} (per histogram name, one source per
     * run, null where that run lacks it: count, stats in ms, the percentile curve, the intervals).
     *
     * @param run       the run to show.
     * @param baselines runs to draw over it.
     * @param title     of the page.
     * @return JSON text.
     */
    static String dataJson(final RunDirectory run, final List<RunDirectory> baselines, final String title)
    {
        final List<RunDirectory> all = new ArrayList<>();
        all.add(run);
        all.addAll(baselines);

        final JsonWriter json = new JsonWriter(false).beginObject();
        json.name("title").value(title);
        json.name("generatedAt").value(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        json.name("runs").beginArray();
        for (int i = 0; i < all.size(); i++)
        {
            final RunDirectory dir = all.get(i);
            json.beginObject();
            json.name("role").value(i == 0 ? "run" : "baseline");
            json.name("name").value(dir.name());
            json.name("path").value(dir.path().toAbsolutePath().normalize().toString());
            json.name("summary");
            writeValue(json, dir.summary());
            json.endObject();
        }
        json.endArray();

        final TreeSet<String> names = new TreeSet<>();
        for (final RunDirectory dir : all)
        {
            names.addAll(dir.metrics().keySet());
        }
        json.name("metrics").beginArray();
        for (final String name : names)
        {
            json.beginObject();
            json.name("name").value(name);
            json.name("sources").beginArray();
            for (final RunDirectory dir : all)
            {
                final LatencyMetric metric = dir.metrics().get(name);
                if (null == metric)
                {
                    json.nullValue();
                }
                else
                {
                    writeSource(json, metric);
                }
            }
            json.endArray();
            json.endObject();
        }
        json.endArray();

        return json.endObject().toString();
    }

    private static void writeSource(final JsonWriter json, final LatencyMetric metric)
    {
        json.beginObject();
        json.name("count").value(metric.totalCount());
        json.name("statsMs").beginObject();
        for (final double percentile : Comparison.TRACKED_PERCENTILES)
        {
            json.name(Comparison.Row.percentileName(percentile));
            json.value(metric.valueAtPercentileUs(percentile) / US_PER_MS, MS_DECIMALS);
        }
        json.name("max").value(metric.maxUs() / US_PER_MS, MS_DECIMALS);
        json.endObject();

        final PercentileDistribution distribution = metric.distribution();
        json.name("percentile").beginArray();
        for (int i = 0; i < distribution.rows(); i++)
        {
            json.value(distribution.percentile(i), MAX_DECIMALS);
        }
        json.endArray();
        json.name("valueMs").beginArray();
        for (int i = 0; i < distribution.rows(); i++)
        {
            json.value(distribution.valueUs(i) / US_PER_MS, MS_DECIMALS);
        }
        json.endArray();

        json.name("intervals");
        if (null == metric.log())
        {
            json.nullValue();
        }
        else
        {
            writeIntervals(json, metric.log().intervals());
        }
        json.endObject();
    }

    private static void writeIntervals(final JsonWriter json, final List<IntervalLog.Interval> intervals)
    {
        final double msPerUnit = 1.0 / (IntervalLog.UNITS_PER_US * US_PER_MS);
        json.beginObject();
        json.name("startS").beginArray();
        intervals.forEach(interval -> json.value(interval.startS(), 3));
        json.endArray();
        json.name("lengthS").beginArray();
        intervals.forEach(interval -> json.value(interval.lengthS(), 3));
        json.endArray();
        json.name("tag").beginArray();
        intervals.forEach(interval -> json.value(interval.tag()));
        json.endArray();
        json.name("count").beginArray();
        intervals.forEach(interval -> json.value(interval.count()));
        json.endArray();
        json.name("p50Ms").beginArray();
        intervals.forEach(interval -> json.value(interval.p50() * msPerUnit, MS_DECIMALS));
        json.endArray();
        json.name("p99Ms").beginArray();
        intervals.forEach(interval -> json.value(interval.p99() * msPerUnit, MS_DECIMALS));
        json.endArray();
        json.name("maxMs").beginArray();
        intervals.forEach(interval -> json.value(interval.max() * msPerUnit, MS_DECIMALS));
        json.endArray();
        json.endObject();
    }

    private static void writeValue(final JsonWriter json, final Object value)
    {
        if (value instanceof Map)
        {
            json.beginObject();
            for (final Map.Entry<?, ?> member : ((Map<?, ?>)value).entrySet())
            {
                json.name(String.valueOf(member.getKey()));
                writeValue(json, member.getValue());
            }
            json.endObject();
        }
        else if (value instanceof List)
        {
            json.beginArray();
            for (final Object element : (List<?>)value)
            {
                writeValue(json, element);
            }
            json.endArray();
        }
        else if (value instanceof String)
        {
            json.value((String)value);
        }
        else if (value instanceof Long)
        {
            json.value((long)(Long)value);
        }
        else if (value instanceof Double)
        {
            final double number = (Double)value;
            json.value(number, Math.max(0, Math.min(MAX_DECIMALS, BigDecimal.valueOf(number).scale())));
        }
        else if (value instanceof Boolean)
        {
            json.value((boolean)(Boolean)value);
        }
        else
        {
            json.nullValue();
        }
    }

    private static String title(final RunDirectory run)
    {
        final Object label = run.summary().get("label");
        final String mode = run.mode();
        final String name = label instanceof String && !((String)label).isBlank() ? (String)label : run.name();

        return null == mode ? name : name + " (" + mode + ")";
    }

    private static String template()
    {
        try (InputStream in = ReportPage.class.getResourceAsStream(TEMPLATE))
        {
            if (null == in)
            {
                throw new IllegalStateException("resource " + TEMPLATE + " missing from the classpath");
            }

            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read resource " + TEMPLATE, ex);
        }
    }

    private static String escapeHtml(final String text)
    {
        final StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '&':
                    sb.append("&amp;");
                    break;
                case '"':
                    sb.append("&quot;");
                    break;
                default:
                    sb.append(Character.isISOControl(c) ? ' ' : c);
            }
        }

        return sb.toString();
    }
}
