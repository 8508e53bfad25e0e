package dev.skirmish.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus server (the {@code prometheus} binary, Debian's package) scrapes {@code ./skirmish server}'s
 * endpoint every second, and its query API returns our series: the format, names and types are accepted by the
 * consumer that matters. Loopback only. Skipped when the binary is absent (CI installs it: see .ci/run).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MetricsPrometheusScrapeTest
{
    private static final String JOB = "skirmish";
    private static final Duration SERIES_DEADLINE = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
    private static final int JUNK_DATAGRAMS = 7;
    /** First value of a vector result: {@code "value":[<time>,"<value>"]}. */
    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();

    @TempDir
    Path dir;

    private RunningServer server;
    private Process prometheus;
    private Path prometheusLog;

    @AfterEach
    void stop() throws Exception
    {
        if (null != prometheus)
        {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS))
            {
                prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldBeScrapedByARealPrometheusServer() throws Exception
    {
        final Path binary = findPrometheus();
        Assumptions.assumeTrue(null != binary, "prometheus binary not found on PATH: skipping the real-Prometheus " +
            "scrape test (apt-get install prometheus to run it; CI does)");

        server = RunningServer.start();
        MetricsServerMainTest.sendJunk(server.udpPort, JUNK_DATAGRAMS);
        final String metricsUrl = "http://127.0.0.1:" + server.metricsPort + "/metrics";
        awaitUntil(() -> MetricsServerMainTest.sample(get(metricsUrl), "skirmish_datagrams_in_total") ==
            JUNK_DATAGRAMS, () -> "the server counted the datagrams: " + get(metricsUrl));

        final int webPort = RunningServer.freeTcpPort();
        final Path config = Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "  evaluation_interval: 1s",
            "scrape_configs:",
            "  - job_name: " + JOB,
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + server.metricsPort + "']",
            ""));
        prometheusLog = dir.resolve("prometheus.log");
        prometheus = new ProcessBuilder(binary.toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + dir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + webPort,
            "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(prometheusLog.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();

        final String api = "http://127.0.0.1:" + webPort + "/api/v1/query?query=";
        final long startNs = System.nanoTime();
        final String[] answer = new String[1];
        awaitUntil(() ->
        {
            answer[0] = get(api + encode("skirmish_datagrams_in_total"));
            return VALUE.matcher(answer[0]).find();
        }, () -> "skirmish_datagrams_in_total in Prometheus; last answer: " + answer[0]);
        final long arrivedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        assertTrue(answer[0].contains("\"job\":\"" + JOB + "\""), answer[0]);
        assertEquals(JUNK_DATAGRAMS, Double.parseDouble(value(answer[0])), answer[0]);
        assertEquals("1", value(get(api + encode("up{job=\"" + JOB + "\"}"))), "target up");
        final String jvmSeries = get(api + encode("count({job=\"" + JOB + "\",__name__=~\"jvm_.+\"})"));
        assertTrue(Double.parseDouble(value(jvmSeries)) > 0, "jvm_ series stored: " + jvmSeries);
        assertEquals("gauge", metadataType("skirmish_worker_duty_cycle_max_ns", webPort));
        System.out.println("MetricsPrometheusScrapeTest: series in Prometheus after " + arrivedMs + " ms");
    }

    /** The type Prometheus recorded for a metric, from its metadata API (the target's TYPE line). */
    private String metadataType(final String metric, final int webPort) throws Exception
    {
        final String url = "http://127.0.0.1:" + webPort + "/api/v1/metadata?metric=" + encode(metric);
        final String[] answer = new String[1];
        awaitUntil(() ->
        {
            answer[0] = get(url);
            return answer[0].contains("\"type\":");
        }, () -> "metadata of " + metric + ": " + answer[0]);
        final Matcher matcher = Pattern.compile("\"type\":\"([a-z]+)\"").matcher(answer[0]);
        assertTrue(matcher.find(), answer[0]);
        return matcher.group(1);
    }

    private static Path findPrometheus()
    {
        final String path = System.getenv("PATH");
        for (final String directory : (null == path ? "" : path).split(File.pathSeparator))
        {
            final Path candidate = Path.of(directory.isEmpty() ? "." : directory, "prometheus");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        for (final String fallback : List.of("/usr/bin/prometheus", "/usr/local/bin/prometheus"))
        {
            if (Files.isExecutable(Path.of(fallback)))
            {
                return Path.of(fallback);
            }
        }
        return null;
    }

    /** Poll (every {@link #POLL_INTERVAL}, at most {@link #SERIES_DEADLINE}); fail with the log if Prometheus died. */
    private void awaitUntil(final Check check, final java.util.function.Supplier<String> description)
        throws Exception
    {
        final long deadlineNs = System.nanoTime() + SERIES_DEADLINE.toNanos();
        while (!check.holds())
        {
            if (null != prometheus && !prometheus.isAlive())
            {
                throw new AssertionError("prometheus exited with " + prometheus.exitValue() + ": " + log());
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + SERIES_DEADLINE.toSeconds() + " s waiting for: " +
                    description.get() + "\nprometheus log:\n" + log());
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    /** GET a URL; a refused connection (Prometheus still starting) reads as an empty answer. */
    private String get(final String url)
    {
        try
        {
            final HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            return response.body();
        }
        catch (final IOException ex)
        {
            return "";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    private static String value(final String answer)
    {
        final Matcher matcher = VALUE.matcher(answer);
        assertTrue(matcher.find(), "a value in " + answer);
        return matcher.group(1);
    }

    private static String encode(final String query)
    {
        return URLEncoder.encode(query, StandardCharsets.UTF_8);
    }

    private String log() throws IOException
    {
        return null == prometheusLog || !Files.exists(prometheusLog) ? "" : Files.readString(prometheusLog);
    }

    /** A condition that may do I/O. */
    @FunctionalInterface
    private interface Check
    {
        boolean holds() throws Exception;
    }
}
