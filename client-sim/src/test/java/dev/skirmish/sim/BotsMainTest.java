package dev.skirmish.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.skirmish.sim.results.JsonReader;
import io.netty.util.ResourceLeakDetector;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End-to-end runs of the tool against an in-test UDP echo server on loopback.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BotsMainTest
{
    private static final String[] FAST = { "--warmup", "200ms", "--duration", "1s" };

    @TempDir
    Path tempDir;

    @Test
    void shouldMeasurePingPongAndWriteReport() throws Exception
    {
        final Path report = tempDir.resolve("pingpong");
        final Outcome outcome;
        try (UdpEchoServer server = UdpEchoServer.start())
        {
            outcome = bots(concat(FAST, "--mode", "pingpong", "--server", server.address(), "--report",
                report.toString(), "--label", "test \"quoted\"\n\\ label", "--spin", "30us"));
        }

        assertEquals(BotsMain.EXIT_OK, outcome.exitCode, outcome.err);
        final Map<String, Object> summary = readSummary(report);
        assertEquals("pingpong", summary.get("mode"));
        assertEquals("test \"quoted\"\n\\ label", summary.get("label"));
        assertTrue(count(summary, "received") > 100, "received " + summary.get("received"));
        assertEquals(0L, count(summary, "lost"));
        assertEquals(count(summary, "sent"), count(summary, "received"));
        assertBetween(0.99, 1.5, decimal(summary, "durationS"));
        assertEquals(0.2, decimal(summary, "warmupS"), 1e-9);
        assertTrue(decimal(summary, "throughputPerSec") > 100);
        assertTrue(((String)summary.get("startedAt")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"));

        final Map<String, Object> config = object(summary, "config");
        for (final String key : new String[]{ "server", "durationMs", "warmupMs", "timeoutMs", "payloadBytes",
            "clients", "window", "ioThreads", "javaVersion", "javaVm", "availableProcessors", "osName", "osArch" })
        {
            assertNotNull(config.get(key), key);
        }
        assertEquals("jdk-nio-selector", config.get("transport"));
        assertEquals(30L, config.get("spinUs"));
        assertEquals(1000L, config.get("durationMs"));
        assertEquals(64L, config.get("payloadBytes"));
        assertInstanceOf(List.class, config.get("jvmFlags"));

        final Map<String, Object> rtt = object(summary, "rttUs");
        assertEquals(count(summary, "received"), count(rtt, "count"));
        final double[] ordered = { decimal(rtt, "p50"), decimal(rtt, "p90"), decimal(rtt, "p99"), decimal(rtt, "p999"),
            decimal(rtt, "max") };
        assertTrue(ordered[0] > 0.0);
        for (int i = 1; i < ordered.length; i++)
        {
            assertTrue(ordered[i - 1] <= ordered[i], "percentiles out of order: " + rtt);
        }

        final String hgrm = Files.readString(report.resolve(RunReport.HGRM_FILE));
        assertTrue(hgrm.contains("#[Mean"), hgrm);
        assertTrue(hgrm.matches("(?s).*Total count\\s*=\\s*" + count(summary, "received") + "\\b.*"), hgrm);

        final List<EncodableHistogram> measured = readLog(report, false);
        assertFalse(measured.isEmpty());
        assertEquals(count(summary, "received"), measured.stream().mapToLong(h -> totalCount(h)).sum());
        assertFalse(readLog(report, true).isEmpty(), "warm-up intervals are logged with their tag");

        // the page is drawn from the files just written: the run's rtt with its measured total
        final Map<String, Object> page = ReportMainTest.data(Files.readString(report.resolve("report.html")));
        final List<?> metrics = (List<?>)page.get("metrics");
        assertEquals(1, metrics.size(), "pingpong writes rtt only: " + metrics);
        final Map<?, ?> rttSource = (Map<?, ?>)((List<?>)((Map<?, ?>)metrics.get(0)).get("sources")).get(0);
        assertEquals(count(summary, "received"), rttSource.get("count"));

        assertTrue(outcome.out.contains("p99.9"), outcome.out);
        assertTrue(outcome.err.contains("received"), "progress lines on stderr: " + outcome.err);
    }

    @Test
    void shouldPingPongAndFloodWithoutLoss() throws Exception
    {
        // The build runs tests with paranoid leak detection, which records a stack trace on every buffer access
        // and slows the flood about tenfold; compare throughput at Netty's production default instead. The other
        // flood tests keep paranoid detection to catch leaks.
        final ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        final Map<String, Object> pingPong;
        final Map<String, Object> flood;
        try (UdpEchoServer server = UdpEchoServer.start())
        {
            final Path pingPongReport = tempDir.resolve("pingpong");
            assertEquals(0, bots(concat(FAST, "--mode", "pingpong", "--server", server.address(), "--report",
                pingPongReport.toString())).exitCode);
            pingPong = readSummary(pingPongReport);

            final Path floodReport = tempDir.resolve("flood");
            final Outcome outcome = bots(concat(FAST, "--mode", "flood", "--clients", "4", "--window", "8",
                "--server", server.address(), "--report", floodReport.toString()));
            assertEquals(0, outcome.exitCode, outcome.err);
            flood = readSummary(floodReport);
        }
        finally
        {
            ResourceLeakDetector.setLevel(leakLevel);
        }

        // Throughput is compared by benchmarks (perf-results/datapath), not here: on a shared 2-core box a timed
        // comparison of two short runs fails whenever something else runs. Both modes must simply work.
        assertTrue(count(pingPong, "received") > 0, "pingpong " + pingPong);
        assertEquals(0L, count(flood, "lost"));
        assertEquals(count(flood, "sent"), count(flood, "received"));
        assertEquals(4L, count(object(flood, "config"), "clients"));
        assertEquals(8L, count(object(flood, "config"), "window"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "epoll", "nio" })
    void shouldFloodOverEachTransport(final String transport) throws Exception
    {
        assumeTrue(!"epoll".equals(transport) || io.netty.channel.epoll.Epoll.isAvailable(), "epoll not available");
        final Path report = tempDir.resolve(transport);
        try (UdpEchoServer server = UdpEchoServer.start())
        {
            final Outcome outcome = bots("--mode", "flood", "--transport", transport, "--clients", "3",
                "--window", "4", "--io-threads", "2", "--warmup", "100ms", "--duration", "500ms",
                "--server", server.address(), "--report", report.toString());
            assertEquals(0, outcome.exitCode, outcome.err);
        }

        final Map<String, Object> summary = readSummary(report);
        assertEquals(transport, object(summary, "config").get("transport"));
        assertTrue(count(summary, "received") > 100);
        assertEquals(0L, count(summary, "lost"));
        assertEquals(count(summary, "received"), count(object(summary, "rttUs"), "count"));
    }

    @Test
    void shouldCountLossAndKeepFloodingWhenServerDrops() throws Exception
    {
        final Path report = tempDir.resolve("lossy");
        final long dropped;
        try (UdpEchoServer server = UdpEchoServer.start(InetAddress.getLoopbackAddress(), 10))
        {
            final Outcome outcome = bots(concat(FAST, "--mode", "flood", "--clients", "4", "--window", "8",
                "--timeout", "50ms", "--server", server.address(), "--report", report.toString()));
            assertEquals(0, outcome.exitCode, outcome.err);
            dropped = server.dropped();
        }

        final Map<String, Object> summary = readSummary(report);
        final long sent = count(summary, "sent");
        final long received = count(summary, "received");
        final long lost = count(summary, "lost");
        assertTrue(lost > 0, "lost " + lost);
        final long late = count(summary, "late");
        assertTrue(lost <= dropped + late, "lost " + lost + " but only " + dropped + " dropped, " + late + " late");
        assertEquals(sent, received + lost, "every datagram is either received or lost");
        // a stalled window would stop at 32 losses; re-armed slots keep the loss rate near the drop rate
        assertTrue(lost > 32, "lost " + lost);
        assertTrue(received > 8 * lost, "received " + received + " lost " + lost);
    }

    @ParameterizedTest
    @ValueSource(strings = { "pingpong", "flood" })
    void shouldExitOneQuicklyWhenNoServerListens(final String mode) throws Exception
    {
        final Path report = tempDir.resolve("none");
        final String address = "127.0.0.1:" + unusedPort();
        final long startNs = System.nanoTime();
        final Outcome outcome = bots("--mode", mode, "--warmup", "100ms", "--duration", "400ms",
            "--timeout", "100ms", "--server", address, "--report", report.toString());
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        assertEquals(BotsMain.EXIT_FAILED, outcome.exitCode, outcome.err);
        assertTrue(outcome.err.contains("no replies from " + address), outcome.err);
        // warm-up + duration + timeout is 600 ms; the rest is socket and event-loop set-up and shutdown
        assertTrue(elapsedMs < 600 + 1_000, "took " + elapsedMs + " ms");
        final Map<String, Object> summary = readSummary(report);
        assertEquals(0L, count(summary, "received"));
        assertEquals(count(summary, "sent"), count(summary, "lost"));
        assertEquals(null, object(summary, "rttUs").get("p50"));
    }

    @Test
    void shouldRunOverIpv6Loopback() throws Exception
    {
        final InetAddress ipv6Loopback = InetAddress.getByName("::1");
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.bind(new InetSocketAddress(ipv6Loopback, 0));
        }
        catch (final IOException ex)
        {
            assumeTrue(false, "no IPv6 loopback: " + ex);
        }

        final Path report = tempDir.resolve("v6");
        try (UdpEchoServer server = UdpEchoServer.start(ipv6Loopback, 0))
        {
            assertTrue(server.address().startsWith("["), server.address());
            for (final String mode : new String[]{ "pingpong", "flood" })
            {
                final Outcome outcome = bots("--mode", mode, "--warmup", "0s", "--duration", "300ms",
                    "--server", server.address(), "--report", report.resolve(mode).toString());
                assertEquals(0, outcome.exitCode, outcome.err);
                assertTrue(count(readSummary(report.resolve(mode)), "received") > 10);
            }
        }
        assertTrue(ipv6Loopback instanceof Inet6Address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--xyzzy",
        "--server nonsense",
        "--server 127.0.0.1:7777 --window 0",
        "--server 127.0.0.1:7777 --window 1025",
        "--server 127.0.0.1:7777 --clients 0",
        "--server 127.0.0.1:7777 --clients 10001",
        "--server 127.0.0.1:7777 --payload 15",
        "--server 127.0.0.1:7777 --payload 1401",
        "--server 127.0.0.1:7777 --duration 0s",
        "--server 127.0.0.1:7777 --duration 10",
        "--server 127.0.0.1:7777 --timeout 0ms",
        "--server 127.0.0.1:7777 --io-threads 0",
        "--server 127.0.0.1:7777 --mode chess",
        "--tick-hz 0",
        "--tick-hz 129",
        "--ramp fast",
        "--metrics-url ftp://x",
        "--server 127.0.0.1:7777 --transport dpdk",
        "--server ::1:7777",
        "--server [::1]7777",
        "--server 127.0.0.1:0",
        "--server 127.0.0.1:65536",
        "--server 127.0.0.1:",
        "--threads 0",
        "--threads 65",
        "--rate 0",
        "--rate 1001",
        "--room-size 0",
        "--max-failures -1",
        "--protocol-id -1",
        "--protocol-id 0x",
        "--connect-timeout 0s",
        "--mode flood --server",
        "--aead-suite rot13",
        "--aead-suite aes-128-gcm",
        "--mode session --aead-suite chacha20"
    })
    void shouldExitTwoWithUsageOnBadArguments(final String args) throws Exception
    {
        final Path report = tempDir.resolve("never");
        final Outcome outcome = bots(concat(args.split(" "), "--report", report.toString()));

        assertEquals(BotsMain.EXIT_USAGE, outcome.exitCode, outcome.err);
        assertTrue(outcome.err.contains("Usage: skirmish bots"), outcome.err);
        assertFalse(Files.exists(report), "no report for a usage error");
    }

    @Test
    void shouldPrintHelpAndExitZero() throws Exception
    {
        final Outcome outcome = bots("--help");

        assertEquals(0, outcome.exitCode);
        for (final String option : new String[]{ "--mode", "--server", "--duration", "--warmup", "--payload",
            "--clients", "--window", "--timeout", "--report", "--label", "--io-threads", "--threads", "--token-key",
            "--protocol-id", "--room-size", "--rate", "--connect-timeout", "--max-failures", "--single-source",
            "--bots", "--tick-hz", "--ramp", "--metrics-url", "--aead-suite" })
        {
            assertTrue(outcome.out.contains(option), option + " missing from: " + outcome.out);
        }
    }

    @Test
    void shouldWarnAboutOptionsTheModeIgnores() throws Exception
    {
        try (UdpEchoServer server = UdpEchoServer.start())
        {
            final Outcome outcome = bots("--mode", "pingpong", "--rate", "60", "--threads", "2", "--warmup", "0s",
                "--duration", "100ms", "--server", server.address(), "--report", tempDir.resolve("p").toString());
            assertEquals(0, outcome.exitCode, outcome.err);
            assertTrue(outcome.err.contains("warning: --rate applies to --mode session only; ignored"), outcome.err);
            assertTrue(outcome.err.contains("warning: --threads applies to --mode game and session and flood only; ignored"),
                outcome.err);
            assertFalse(outcome.err.contains("development key"), outcome.err);
        }
    }

    private static Outcome bots(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8))
        {
            exitCode = BotsMain.run(outStream, errStream, args);
        }

        return new Outcome(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> readSummary(final Path report) throws IOException
    {
        return JsonReader.parseObject(Files.readString(report.resolve(RunReport.SUMMARY_FILE)));
    }

    private static List<EncodableHistogram> readLog(final Path report, final boolean warmup) throws IOException
    {
        final List<EncodableHistogram> intervals = new ArrayList<>();
        final HistogramLogReader reader = new HistogramLogReader(report.resolve(RunReport.HLOG_FILE).toFile());
        try
        {
            EncodableHistogram interval;
            while (null != (interval = reader.nextIntervalHistogram()))
            {
                if ("warmup".equals(interval.getTag()) == warmup)
                {
                    intervals.add(interval);
                }
            }
        }
        finally
        {
            reader.close();
        }

        return intervals;
    }

    private static long totalCount(final EncodableHistogram histogram)
    {
        return ((org.HdrHistogram.AbstractHistogram)histogram).getTotalCount();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(final Map<String, Object> json, final String key)
    {
        final Object value = json.get(key);
        assertInstanceOf(Map.class, value, key);

        return (Map<String, Object>)value;
    }

    private static long count(final Map<String, Object> json, final String key)
    {
        final Object value = json.get(key);
        assertInstanceOf(Long.class, value, key + " in " + json);

        return (Long)value;
    }

    private static double decimal(final Map<String, Object> json, final String key)
    {
        final Object value = json.get(key);
        assertInstanceOf(Number.class, value, key + " in " + json);

        return ((Number)value).doubleValue();
    }

    private static void assertBetween(final double min, final double max, final double value)
    {
        assertTrue(value >= min && value <= max, value + " not in " + min + ".." + max);
    }

    private static int unusedPort() throws IOException
    {
        try (DatagramChannel channel = DatagramChannel.open())
        {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress)channel.getLocalAddress()).getPort();
        }
    }

    private static String[] concat(final String[] first, final String... rest)
    {
        final String[] all = new String[first.length + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);

        return all;
    }

    private record Outcome(int exitCode, String out, String err)
    {
    }
}
