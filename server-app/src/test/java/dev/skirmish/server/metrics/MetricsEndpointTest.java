package dev.skirmish.server.metrics;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.core.metrics.Counters;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.MetricType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsEndpointTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final InetSocketAddress EPHEMERAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Counters counters = new Counters();
    private MetricsEndpoint endpoint;

    @AfterEach
    void close()
    {
        if (null != endpoint)
        {
            endpoint.close();
        }
    }

    @Test
    void shouldReadCountersAtScrapeTimeSummingSumAndTakingMaxOfMaxOverOwners() throws Exception
    {
        final CounterSet io = counters.newSet("skirmish-io-0");
        final CounterSet worker = counters.newSet("skirmish-worker-0");
        endpoint = MetricsEndpoint.start(EPHEMERAL, new MetricsSources().register(new CounterCollector(counters)));

        assertTrue(get("/metrics").body().contains("\nskirmish_datagrams_in_total 0.0\n"));
        io.add(Counter.DATAGRAMS_IN, 3);
        worker.add(Counter.DATAGRAMS_IN, 4);
        io.max(Counter.WORKER_DUTY_CYCLE_MAX_NS, 500);
        worker.max(Counter.WORKER_DUTY_CYCLE_MAX_NS, 900);

        final String body = get("/metrics").body();
        assertTrue(body.contains("# TYPE skirmish_datagrams_in_total counter\nskirmish_datagrams_in_total 7.0\n"),
            body);
        assertTrue(body.contains("# HELP skirmish_worker_duty_cycle_max_ns " +
            Counter.WORKER_DUTY_CYCLE_MAX_NS.description() + "\n# TYPE skirmish_worker_duty_cycle_max_ns gauge\n" +
            "skirmish_worker_duty_cycle_max_ns 900.0\n"), body);
        assertEquals(Counter.values().length, body.lines().filter(line -> line.startsWith("skirmish_")).count(),
            "one sample per counter: " + body);
    }

    @Test
    void shouldDeclareEveryCounterWithItsTypeSoClashesFailAtRegistration()
    {
        final CounterCollector collector = new CounterCollector(counters);
        final Map<String, MetricType> types = new HashMap<>();
        collector.getMetricFamilyDescriptors().forEach(d -> types.put(d.getPrometheusName(), d.getType()));
        assertEquals(Counter.values().length, types.size());
        assertEquals(MetricType.COUNTER, types.get("skirmish_datagrams_in"));
        assertEquals(MetricType.GAUGE, types.get("skirmish_worker_duty_cycle_max_ns"));

        final MetricsSources sources = new MetricsSources().register(collector);
        assertThrows(IllegalArgumentException.class, () -> sources.register(new CounterCollector(counters)));
    }

    @Test
    void shouldServeCollectorsRegisteredByOtherLayersAfterStart() throws Exception
    {
        final MetricsSources sources = MetricsSources.withDefaults(counters);
        endpoint = MetricsEndpoint.start(EPHEMERAL, sources);
        final AtomicLong rooms = new AtomicLong(12);
        final GaugeWithCallback gauge = GaugeWithCallback.builder().name("skirmish_rooms_open")
            .help("Rooms open").labelNames("worker").callback(cb -> cb.call(rooms.get(), "0")).build();
        sources.register(gauge);

        String body = get("/metrics").body();
        assertTrue(body.contains("\nskirmish_rooms_open{worker=\"0\"} 12.0\n"), body);
        assertTrue(body.contains("\njvm_threads_current "), body);
        sources.unregister(gauge);
        body = get("/metrics").body();
        assertTrue(!body.contains("skirmish_rooms_open{"), body);
    }

    @Test
    void shouldAnswerHealthOkWhileServingAnd503OnceShuttingDown() throws Exception
    {
        endpoint = MetricsEndpoint.start(EPHEMERAL, new MetricsSources());
        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("ok", health.body());

        endpoint.beginShutdown();
        health = get("/health");
        assertEquals(503, health.statusCode());
        assertEquals("shutting down", health.body());
        assertEquals(200, get("/metrics").statusCode(), "metrics still served until close");

        assertEquals(405, http.send(request("/health").POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(404, get("/healthz").statusCode());
    }

    @Test
    void shouldFailToStartWhenTheAddressIsInUse() throws Exception
    {
        endpoint = MetricsEndpoint.start(EPHEMERAL, new MetricsSources());
        final InetSocketAddress taken = endpoint.address();
        assertThrows(BindException.class, () -> MetricsEndpoint.start(taken, new MetricsSources()));
    }

    private HttpRequest.Builder request(final String path)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).timeout(TIMEOUT);
    }

    private HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
