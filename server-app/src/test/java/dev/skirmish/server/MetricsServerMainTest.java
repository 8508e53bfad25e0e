package dev.skirmish.server;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.test.Await;
import dev.skirmish.server.metrics.CounterCollector;
import dev.skirmish.server.metrics.MetricsEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./skirmish server}'s metrics endpoint end to end: flags, start after the node, scrape with an HTTP client,
 * bind failure, stop.
 */
class MetricsServerMainTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int JUNK_DATAGRAMS = 5;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(capturedErr, true, StandardCharsets.UTF_8);

    @Test
    void shouldServeCountersAndJvmMetricsInPrometheusTextFormatWhileRunning() throws Exception
    {
        try (RunningServer server = RunningServer.start())
        {
            sendJunk(server.udpPort, JUNK_DATAGRAMS);
            // Counters are read at scrape time: the datagrams show without any export step on the hot path.
            final String[] text = new String[1];
            Await.until(TIMEOUT, () -> "datagrams_in " + JUNK_DATAGRAMS + " in " + text[0], () ->
            {
                text[0] = get(server.metricsPort, "/metrics").body();
                return JUNK_DATAGRAMS == sample(text[0], "skirmish_datagrams_in_total");
            });

            final HttpResponse<String> metrics = get(server.metricsPort, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                metrics.headers().toString());
            final String body = metrics.body();
            assertTrue(body.contains("# HELP skirmish_datagrams_in_total " +
                Counter.DATAGRAMS_IN.description() + "\n"), body);
            assertTrue(body.contains("# TYPE skirmish_datagrams_in_total counter\n"), body);
            assertTrue(body.contains("# TYPE skirmish_worker_duty_cycle_max_ns gauge\n"), body);
            for (final Counter counter : Counter.values())
            {
                final String series = CounterCollector.metricName(counter) +
                    (Counter.Kind.SUM == counter.kind() ? "_total" : "");
                assertTrue(body.contains("\n" + series + " "), series + " in " + body);
            }
            assertTrue(sample(body, "skirmish_drop_too_short_total") >= JUNK_DATAGRAMS, body);
            assertTrue(body.contains("# TYPE jvm_memory_used_bytes gauge\n"), body);
            assertTrue(body.contains("\njvm_threads_current "), body);
            assertTrue(body.contains("\njvm_gc_collection_seconds_count{"), body);
            assertTrue(body.contains("\nprocess_cpu_seconds_total "), body);

            final HttpResponse<String> health = get(server.metricsPort, "/health");
            assertEquals(200, health.statusCode());
            assertEquals("ok", health.body());
            assertEquals(404, get(server.metricsPort, "/nothing-here").statusCode());

            assertEquals(0, server.stop());
            assertTrue(server.stdout().contains("skirmish server: stopped"), server.stdout());
        }
    }

    @Test
    void shouldStopServingMetricsWhenTheServerStops() throws Exception
    {
        final RunningServer server = RunningServer.start("--mode=echo");
        assertEquals(200, get(server.metricsPort, "/health").statusCode());
        assertEquals(0, server.stop());
        // The executor reports termination from the thread itself, just before the thread exits.
        Await.until(TIMEOUT, () -> "metrics thread ended", () -> Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().equals(MetricsEndpoint.THREAD_NAME)));
        // The port is free again: another server can take it.
        try (ServerSocket again = new ServerSocket(server.metricsPort, 1, InetAddress.getLoopbackAddress()))
        {
            assertEquals(server.metricsPort, again.getLocalPort());
        }
    }

    @Test
    void shouldExitTwoWithAClearMessageWhenTheMetricsPortIsTaken() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final int port = taken.getLocalPort();
            assertEquals(2, ServerMain.run(out, err, "--bind=127.0.0.1", "--port=0", "--duration=30s",
                "--metrics-port=" + port));
            assertTrue(stderr().contains("skirmish server: invalid configuration: --metrics-port " + port +
                ": cannot listen on 127.0.0.1:" + port + ": "), stderr());
            assertTrue(stderr().contains("or 0 to turn the endpoint off"), stderr());
            assertFalse(stdout().contains("metrics on"), stdout());
        }
    }

    @Test
    void shouldNotServeMetricsWhenPortIsZero()
    {
        assertEquals(0, ServerMain.run(out, err, "--bind=127.0.0.1", "--port=0", "--duration=200ms",
            "--stats-interval=0s", "--metrics-port=0"), stderr());
        assertTrue(stdout().contains("listening on udp"), stdout());
        assertFalse(stdout().contains("metrics on"), stdout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--metrics-port=-1", "--metrics-port=65536", "--metrics-port=x",
        "--metrics-bind=no.such.host.invalid"})
    void shouldExitTwoOnBadMetricsFlags(final String arg)
    {
        assertEquals(2, ServerMain.run(out, err, arg, "--port=0"), stderr());
        assertTrue(stderr().contains("--metrics-"), stderr());
        assertFalse(stdout().contains("effective configuration"), "stops before starting: " + stdout());
    }

    @Test
    void shouldDescribeTheMetricsFlagsAndTheLoopbackDefaultInHelp()
    {
        assertEquals(0, ServerMain.run(out, err, "--help"));
        final String help = stdout().replaceAll("\\s+", " ");
        assertTrue(help.contains("--metrics-port=PORT") && help.contains("0 turns it off. Default: 9400."), help);
        assertTrue(help.contains("--metrics-bind=ADDR") && help.contains("Default: 127.0.0.1.") &&
            help.contains("private to this host"), help);
    }

    private HttpResponse<String> get(final int port, final String path)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final Exception ex)
        {
            throw new AssertionError("GET " + path + " on " + port, ex);
        }
    }

    /** The value of an unlabelled sample in the text format, or -1 if absent. */
    static double sample(final String text, final String series)
    {
        final Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    }

    /** Datagrams too short for the fixed header: counted in and dropped, nothing else happens. */
    static void sendJunk(final int udpPort, final int count) throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            final byte[] junk = {1, 2, 3};
            for (int i = 0; i < count; i++)
            {
                socket.send(new DatagramPacket(junk, junk.length, new InetSocketAddress("127.0.0.1", udpPort)));
            }
        }
    }

    private String stdout()
    {
        return captured.toString(StandardCharsets.UTF_8);
    }

    private String stderr()
    {
        return capturedErr.toString(StandardCharsets.UTF_8);
    }
}
