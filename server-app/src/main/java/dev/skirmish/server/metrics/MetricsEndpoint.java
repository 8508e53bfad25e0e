package dev.skirmish.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP endpoint Prometheus scrapes, on its own thread, apart from the data path:
 * <ul>
 *   <li>{@code GET /metrics}: every series of a {@link MetricsSources}, in the Prometheus text format (OpenMetrics
 *       when the scraper asks for it; gzip when accepted; {@code ?name[]=} filters).</li>
 *   <li>{@code GET /health}: {@code 200 ok} while serving, {@code 503 shutting down} once {@link #beginShutdown()}
 *       was called (the server is stopping), so a load balancer or orchestrator stops sending players here.</li>
 * </ul>
 * Started after the node is up, closed after the node on shutdown. Requests are handled one at a time on a single
 * daemon thread: scrapes are rare and cheap, and the endpoint never competes with the I/O threads and workers for
 * more than one core.
 */
public final class MetricsEndpoint implements AutoCloseable
{
    /** Path of the scrape endpoint. */
    public static final String METRICS_PATH = "/metrics";
    /** Path of the health check. */
    public static final String HEALTH_PATH = "/health";
    /** Name of the thread that serves requests. */
    public static final String THREAD_NAME = "skirmish-metrics";

    /** Longest {@link #close()} waits for the request thread to end, ms. */
    private static final long THREAD_END_TIMEOUT_MS = 1000;
    private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHUTTING_DOWN = "shutting down".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final ExecutorService executor;
    private volatile boolean shuttingDown;

    private MetricsEndpoint(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Bind and start serving.
     *
     * @param address where to listen; port 0 picks an ephemeral port (see {@link #port()}).
     * @param sources what {@code /metrics} reports.
     * @return the running endpoint.
     * @throws IOException if the address cannot be bound (e.g. {@link java.net.BindException}: port in use).
     */
    public static MetricsEndpoint start(final InetSocketAddress address, final MetricsSources sources)
        throws IOException
    {
        final HttpServer server = HttpServer.create(address, 0);
        final ExecutorService executor = Executors.newSingleThreadExecutor(task ->
        {
            final Thread thread = new Thread(task, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        final MetricsEndpoint endpoint = new MetricsEndpoint(server, executor);
        server.createContext(METRICS_PATH, new MetricsHandler(sources.registry()));
        server.createContext(HEALTH_PATH, endpoint::onHealth);
        server.setExecutor(executor);
        server.start();
        return endpoint;
    }

    /**
     * The bound address.
     *
     * @return address and port.
     */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    /**
     * The bound port.
     *
     * @return port.
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    /** From now on {@code /health} answers 503; {@code /metrics} keeps serving until {@link #close()}. */
    public void beginShutdown()
    {
        shuttingDown = true;
    }

    /**
     * Whether {@link #beginShutdown()} was called.
     *
     * @return true once shutting down.
     */
    public boolean isShuttingDown()
    {
        return shuttingDown;
    }

    /**
     * Stop listening, close the connections and end the thread (waiting for it at most
     * {@value #THREAD_END_TIMEOUT_MS} ms). A scrape in progress is cut off: the target is going away, and waiting for
     * it would cost every shutdown the whole grace delay (JDK 17's {@code HttpServer.stop(delay)} waits the full
     * delay even when idle).
     */
    @Override
    public void close()
    {
        shuttingDown = true;
        server.stop(0);
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(THREAD_END_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void onHealth(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            final String method = exchange.getRequestMethod();
            if (!HEALTH_PATH.equals(exchange.getRequestURI().getPath()))
            {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!"GET".equals(method) && !"HEAD".equals(method))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final boolean healthy = !shuttingDown;
            final byte[] body = healthy ? OK : SHUTTING_DOWN;
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if ("HEAD".equals(method))
            {
                exchange.sendResponseHeaders(healthy ? 200 : 503, -1);
                return;
            }
            exchange.sendResponseHeaders(healthy ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }
}
