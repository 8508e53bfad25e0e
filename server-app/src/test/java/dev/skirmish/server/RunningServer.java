package dev.skirmish.server;

import dev.skirmish.core.test.Await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./skirmish server} running in this JVM on loopback, on an ephemeral UDP port and a free metrics port, until
 * {@link #close()} stops it the way SIGTERM does. Bounded: {@code --duration} ends it even if a test forgets.
 */
final class RunningServer implements AutoCloseable
{
    private static final Pattern UDP_PORT = Pattern.compile("listening on udp 127\\.0\\.0\\.1:(\\d+) ");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    final int metricsPort;
    final int udpPort;
    private final ByteArrayOutputStream captured;
    private final ByteArrayOutputStream capturedErr;
    private final ServerMain main;
    private final CompletableFuture<Integer> exit;

    private RunningServer(
        final int metricsPort,
        final ByteArrayOutputStream captured,
        final ByteArrayOutputStream capturedErr,
        final ServerMain main,
        final CompletableFuture<Integer> exit)
    {
        this.metricsPort = metricsPort;
        this.captured = captured;
        this.capturedErr = capturedErr;
        this.main = main;
        this.exit = exit;
        Await.until(START_TIMEOUT, () -> "the metrics banner: " + stdout() + stderr(),
            () -> stdout().contains("skirmish server: metrics on http://") || exit.isDone());
        final Matcher matcher = UDP_PORT.matcher(stdout());
        if (!matcher.find() || !stdout().contains("metrics on http://127.0.0.1:" + metricsPort + "/metrics"))
        {
            close();
            throw new AssertionError("server did not start: " + stdout() + stderr());
        }
        this.udpPort = Integer.parseInt(matcher.group(1));
    }

    /**
     * Start a server on 127.0.0.1 with metrics on a free loopback port.
     *
     * @param extraArgs more flags.
     * @return the started server.
     * @throws IOException if no free port could be found.
     */
    static RunningServer start(final String... extraArgs) throws IOException
    {
        final int metricsPort = freeTcpPort();
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        final ServerMain main = new ServerMain(
            new PrintStream(captured, true, StandardCharsets.UTF_8),
            new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
        final List<String> args = new ArrayList<>(List.of("--bind=127.0.0.1", "--port=0", "--duration=120s",
            "--stats-interval=0s", "--metrics-port=" + metricsPort));
        args.addAll(List.of(extraArgs));
        final CompletableFuture<Integer> exit =
            CompletableFuture.supplyAsync(() -> ServerMain.execute(main, args.toArray(new String[0])));
        return new RunningServer(metricsPort, captured, capturedErr, main, exit);
    }

    /**
     * A TCP port free on loopback right now (the server binds it moments later).
     *
     * @return port.
     * @throws IOException if none could be bound.
     */
    static int freeTcpPort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return probe.getLocalPort();
        }
    }

    String stdout()
    {
        return captured.toString(StandardCharsets.UTF_8);
    }

    String stderr()
    {
        return capturedErr.toString(StandardCharsets.UTF_8);
    }

    /**
     * Stop as SIGTERM does and wait for the exit code.
     *
     * @return the exit code.
     */
    int stop()
    {
        main.stop();
        try
        {
            return exit.get(15, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("server did not stop within 15 s: " + stdout() + stderr(), ex);
        }
    }

    @Override
    public void close()
    {
        if (!exit.isDone())
        {
            stop();
        }
    }
}
