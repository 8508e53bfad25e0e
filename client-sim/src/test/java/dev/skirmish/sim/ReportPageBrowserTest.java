package dev.skirmish.sim;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.skirmish.sim.results.ReportPage;
import dev.skirmish.sim.results.SyntheticRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens a generated {@code report.html} in headless Chromium ({@code --dump-dom}) and checks the DOM the page's
 * script built: every plot present, with one SVG path per curve and the render marker set. Skipped when no
 * {@code chromium} is on the PATH (Debian: {@code apt-get install chromium}; CI installs it).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReportPageBrowserTest
{
    private static final String[] BROWSERS = { "chromium", "chromium-browser" };
    private static final long BROWSER_TIMEOUT_S = 60;
    /** A curve with at least this many line segments: drawn from data, not an empty path. */
    private static final Pattern SERIES_PATH =
        Pattern.compile("<path class=\"series( baseline)?\" d=\"M[-0-9.]+ [-0-9.]+(?:L[-0-9.]+ [-0-9.]+){4,}\"");

    @TempDir
    Path tempDir;

    @Test
    void shouldDrawEveryPlotInHeadlessChromium() throws Exception
    {
        final Path browser = findBrowser();
        assumeTrue(null != browser, "no chromium on the PATH (apt-get install chromium): report.html is not " +
            "checked in a browser");

        final Path run = SyntheticRun.in(tempDir.resolve("run")).summary()
            .histogram("rtt", 1.2, 1.5).hgrm("connect", 1.0, 1.0).hlog("input-frame", 1.0, 1.0).dir();
        SyntheticRun.in(tempDir.resolve("baseline/run-1")).summary().histogram("rtt", 1.0, 1.0).hgrm("connect", 1, 1);
        SyntheticRun.in(tempDir.resolve("baseline/run-2")).summary().histogram("rtt", 1.1, 1.1).hgrm("connect", 1, 1);
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ReportMain.EXIT_OK, ReportMain.run(new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8), run.toString(), "--baseline",
            tempDir.resolve("baseline").toString()), err::toString);

        final long startNs = System.nanoTime();
        final String dom = dumpDom(browser, run.resolve(ReportPage.FILE));
        System.out.printf("ReportPageBrowserTest: %s --dump-dom took %d ms%n", browser,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));

        // the attributes as the script set them on the html element (the script's own text names them too)
        assertFalse(dom.contains("data-render-error=\""),
            () -> "the page's script failed: " + excerpt(dom, "id=\"render-error\""));
        // rtt: percentiles, intervals, rate; connect: percentiles only (no .hlog); input-frame (.hlog only): all three
        assertTrue(dom.contains("data-rendered=\"7\""), () -> "render marker: " + dom.substring(0, 300));
        assertSeries(dom, "plot-percentiles-rtt", 3);
        assertSeries(dom, "plot-intervals-rtt", 9);
        assertSeries(dom, "plot-rate-rtt", 3);
        assertSeries(dom, "plot-percentiles-connect", 3);
        assertSeries(dom, "plot-percentiles-input-frame", 1);
        assertSeries(dom, "plot-intervals-input-frame", 3);
        assertSeries(dom, "plot-rate-input-frame", 1);
        assertTrue(dom.contains("id=\"table-counts\"") && dom.contains("id=\"table-config\""), "summary tables");
        assertTrue(dom.contains(">warmup</text>"), "warm-up intervals shaded and labelled");

        final Matcher paths = SERIES_PATH.matcher(dom);
        int drawn = 0;
        int baselines = 0;
        while (paths.find())
        {
            drawn++;
            baselines += null != paths.group(1) ? 1 : 0;
        }
        assertEquals(3 + 9 + 3 + 3 + 1 + 3 + 1, drawn, "curves drawn with data");
        assertEquals(2 + 6 + 2 + 2, baselines, "baseline curves, dashed");
    }

    private static void assertSeries(final String dom, final String plotId, final int series)
    {
        final Matcher svg = Pattern.compile("<svg id=\"" + plotId + "\"[^>]*data-series=\"(\\d+)\"").matcher(dom);
        assertTrue(svg.find(), () -> "no plot " + plotId);
        assertEquals(series, Integer.parseInt(svg.group(1)), plotId + " curves");
    }

    private String dumpDom(final Path browser, final Path page) throws IOException, InterruptedException
    {
        final Path out = tempDir.resolve("dom.html");
        final Path err = tempDir.resolve("chromium.err");
        final Process process = new ProcessBuilder(
            browser.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--user-data-dir=" + tempDir.resolve("chromium-profile"), "--dump-dom", page.toUri().toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
        try
        {
            if (!process.waitFor(BROWSER_TIMEOUT_S, TimeUnit.SECONDS))
            {
                fail("chromium did not finish within " + BROWSER_TIMEOUT_S + " s; stderr:\n" + tail(err));
            }
            assertEquals(0, process.exitValue(), () -> "chromium failed; stderr:\n" + tail(err));
        }
        finally
        {
            // the launcher script's browser and its helper processes too, never anything this test did not start
            final List<ProcessHandle> started = new ArrayList<>();
            process.descendants().forEach(started::add);
            started.add(process.toHandle());
            started.forEach(ProcessHandle::destroyForcibly);
        }

        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static Path findBrowser()
    {
        final String path = System.getenv("PATH");
        if (null == path)
        {
            return null;
        }
        for (final String name : BROWSERS)
        {
            for (final String dir : path.split(File.pathSeparator))
            {
                final Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static String tail(final Path file)
    {
        try
        {
            final String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";

            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        }
        catch (final IOException ex)
        {
            return "(cannot read " + file + ": " + ex + ")";
        }
    }

    private static String excerpt(final String text, final String around)
    {
        final int at = Math.max(0, text.indexOf(around) - 100);

        return text.substring(at, Math.min(text.length(), at + 600));
    }
}
