package dev.skirmish.sim;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.skirmish.sim.results.JsonReader;
import dev.skirmish.sim.results.ReportPage;
import dev.skirmish.sim.results.SyntheticRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code skirmish report} on synthetic run directories: the page's embedded data, self-containment and usage
 * errors. That the page's script draws it is {@code ReportPageBrowserTest}'s part.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReportMainTest
{
    private static final String DATA_START = "<script type=\"application/json\" id=\"report-data\">";

    @TempDir
    Path tempDir;

    @Test
    void shouldWriteSelfContainedPageWithEveryHistogramOfTheRun() throws Exception
    {
        final Path run = SyntheticRun.in(tempDir.resolve("run")).label("my run").summary()
            .histogram("rtt", 1.0, 1.0).hgrm("connect", 2.0, 2.0).hlog("input-frame", 3.0, 3.0).dir();

        final Outcome outcome = report(run.toString());

        assertEquals(ReportMain.EXIT_OK, outcome.exitCode, outcome.err);
        final Path page = run.resolve(ReportPage.FILE);
        assertEquals(page.toString(), outcome.out.trim());
        final String html = Files.readString(page);
        assertSelfContained(html);
        assertTrue(html.contains("<title>Skirmish run report: my run (session)</title>"), html);

        final Map<String, Object> data = data(html);
        final List<Map<String, Object>> runs = list(data, "runs");
        assertEquals(1, runs.size());
        assertEquals("run", runs.get(0).get("role"));
        assertEquals("my run", object(runs.get(0), "summary").get("label"));
        assertEquals(100L, object(object(runs.get(0), "summary"), "config").get("clients"));

        final List<Map<String, Object>> metrics = list(data, "metrics");
        assertEquals(List.of("connect", "input-frame", "rtt"), metrics.stream().map(m -> m.get("name")).toList());
        final Map<String, Object> rtt = source(metrics.get(2), 0);
        assertEquals((long)SyntheticRun.SAMPLES * SyntheticRun.MEASURED_INTERVALS, rtt.get("count"));
        assertEquals(SyntheticRun.expectedUs(1.0, 1.0, 99.0) / 1000, (Double)object(rtt, "statsMs").get("p99"), 1e-4);
        assertEquals(list(rtt, "percentile").size(), list(rtt, "valueMs").size());
        assertTrue(list(rtt, "percentile").size() > 20, "the .hgrm rows");
        final Map<String, Object> intervals = object(rtt, "intervals");
        assertEquals(7, ((List<?>)intervals.get("startS")).size());
        assertEquals("warmup", ((List<?>)intervals.get("tag")).get(0));
        assertNull(((List<?>)intervals.get("tag")).get(2));
        assertEquals((long)SyntheticRun.SAMPLES, ((List<?>)intervals.get("count")).get(2));

        assertNull(source(metrics.get(0), 0).get("intervals"), "connect has no .hlog");
        assertTrue(list(source(metrics.get(1), 0), "percentile").size() > 20, "input-frame curve from its .hlog");
    }

    @Test
    void shouldOverlayEveryRunOfTheBaseline() throws Exception
    {
        final Path run = SyntheticRun.in(tempDir.resolve("run")).summary().histogram("rtt", 1.2, 1.2).dir();
        SyntheticRun.in(tempDir.resolve("baseline/run-1")).summary().histogram("rtt", 1.0, 1.0).hgrm("connect", 1, 1);
        SyntheticRun.in(tempDir.resolve("baseline/run-2")).summary().histogram("rtt", 1.1, 1.1);
        final Path output = tempDir.resolve("elsewhere.html");

        final Outcome outcome = report(run.toString(), "--baseline", tempDir.resolve("baseline").toString(),
            "--output", output.toString());

        assertEquals(ReportMain.EXIT_OK, outcome.exitCode, outcome.err);
        assertFalse(Files.exists(run.resolve(ReportPage.FILE)), "--output names the file");
        final Map<String, Object> data = data(Files.readString(output));
        final List<Map<String, Object>> runs = list(data, "runs");
        assertEquals(List.of("run", "baseline", "baseline"), runs.stream().map(r -> r.get("role")).toList());
        assertEquals(List.of("run", "run-1", "run-2"), runs.stream().map(r -> r.get("name")).toList());
        final List<Map<String, Object>> metrics = list(data, "metrics");
        assertEquals(List.of("connect", "rtt"), metrics.stream().map(m -> m.get("name")).toList());
        assertNull(source(metrics.get(0), 0), "the run has no connect");
        assertEquals(SyntheticRun.expectedUs(1.1, 1.1, 50.0) / 1000,
            (Double)object(source(metrics.get(1), 2), "statsMs").get("p50"), 1e-4);
    }

    @Test
    void shouldKeepHostileTextInsideTheDataBlock() throws Exception
    {
        final String label = "</script><script>alert('x')</script><!-- & \"";
        final Path run = SyntheticRun.in(tempDir.resolve("run")).label(label).summary().histogram("rtt", 1, 1).dir();

        assertEquals(ReportMain.EXIT_OK, report(run.toString()).exitCode);

        final String html = Files.readString(run.resolve(ReportPage.FILE));
        assertFalse(html.contains("<script>alert"), html);
        assertTrue(html.contains("<title>Skirmish run report: &lt;/script&gt;&lt;script&gt;alert('x')"), html);
        final List<Map<String, Object>> runs = list(data(html), "runs");
        assertEquals(label, object(runs.get(0), "summary").get("label"));
    }

    @Test
    void shouldExitTwoOnUsageErrors() throws Exception
    {
        final Path run = SyntheticRun.in(tempDir.resolve("run")).summary().histogram("rtt", 1, 1).dir();
        final Path notRun = Files.createDirectories(tempDir.resolve("not-a-run"));

        assertEquals(ReportMain.EXIT_USAGE, report().exitCode);
        assertUsage(report(tempDir.resolve("missing").toString()), "not a run directory");
        assertUsage(report(notRun.toString()), "not a run directory");
        assertUsage(report(run.toString(), "--baseline", tempDir.resolve("missing").toString()), "no such directory");
        assertUsage(report(run.toString(), "--baseline", notRun.toString()), "not a run directory");
        assertFalse(Files.exists(run.resolve(ReportPage.FILE)));
    }

    static void assertSelfContained(final String html)
    {
        for (final String external : new String[]{ "<link", " src=", "href=", "@import", "url(", "fetch(", "https:" })
        {
            assertFalse(html.contains(external), "the page must not load anything: found " + external);
        }
        assertEquals(html.indexOf("http:"), html.indexOf("http://www.w3.org/2000/svg"),
            "the SVG namespace is the only URL");
    }

    static Map<String, Object> data(final String html)
    {
        final int start = html.indexOf(DATA_START) + DATA_START.length();
        final String json = html.substring(start, html.indexOf("</script>", start));
        assertFalse(json.contains("<"), "no '<' in the data block");

        return JsonReader.parseObject(json);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(final Map<String, Object> parent, final String name)
    {
        return (Map<String, Object>)parent.get(name);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(final Map<String, Object> parent, final String name)
    {
        return (List<T>)parent.get(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> source(final Map<String, Object> metric, final int run)
    {
        return (Map<String, Object>)((List<?>)metric.get("sources")).get(run);
    }

    private static void assertUsage(final Outcome outcome, final String expected)
    {
        assertEquals(ReportMain.EXIT_USAGE, outcome.exitCode, outcome.err);
        assertTrue(outcome.err.contains(expected), "expected '" + expected + "' in: " + outcome.err);
    }

    private static Outcome report(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode = ReportMain.run(
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);

        return new Outcome(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Outcome(int exitCode, String out, String err)
    {
    }
}
