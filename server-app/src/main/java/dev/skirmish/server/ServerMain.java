package dev.skirmish.server;

import dev.skirmish.core.ConfigurationException;
import dev.skirmish.core.DurationParser;
import dev.skirmish.core.IoMode;
import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.WorkerIdle;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.transport.TransportKind;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./skirmish server}: the reference server. In this release it runs the data-path benchmark modes:
 * {@code echo} (full path: I/O thread → SPSC → worker → SPSC → I/O thread) and {@code raw-echo} (answered on the
 * I/O thread, the baseline). Exit codes: 0 normal stop, 1 runtime failure, 2 bad command line or configuration.
 */
@Command(
    name = "skirmish server",
    mixinStandardHelpOptions = true,
    version = "skirmish 0.1.0",
    sortOptions = false,
    description = "Run the Skirmish UDP server. Stops on SIGTERM/SIGINT or after --duration.")
public final class ServerMain implements Callable<Integer>
{
    /** Benchmark modes of this release. */
    enum Mode
    {
        ECHO, RAW_ECHO
    }

    @Option(names = "--port", description = "UDP port (0 = ephemeral). Default: ${DEFAULT-VALUE}.")
    int port = SkirmishContext.PORT_DEFAULT;

    @Option(names = "--bind", description = "Address to bind; '::' or '::1' for IPv6. Default: ${DEFAULT-VALUE}.")
    String bind = SkirmishContext.BIND_ADDRESS_DEFAULT;

    @Option(names = "--mode", converter = ModeConverter.class,
        description = "echo (full path through workers) or raw-echo (baseline on the I/O thread). " +
            "Default: echo.")
    Mode mode = Mode.ECHO;

    @Option(names = "--io-threads", description = "I/O threads, one SO_REUSEPORT socket each. Default: ${DEFAULT-VALUE}.")
    int ioThreads = SkirmishContext.IO_THREADS_DEFAULT;

    @Option(names = "--workers", description = "Worker threads (session shards). Default: ${DEFAULT-VALUE}.")
    int workers = SkirmishContext.WORKERS_DEFAULT;

    @Option(names = "--batch", description = "Datagrams per recvmmsg; 1 turns batching off. Default: ${DEFAULT-VALUE}.")
    int batch = SkirmishContext.BATCH_DEFAULT;

    @Option(names = "--max-datagram", description = "Largest datagram accepted, bytes. Default: ${DEFAULT-VALUE}.")
    int maxDatagram = SkirmishContext.MAX_DATAGRAM_LENGTH_DEFAULT;

    @Option(names = "--inbound-queue", description = "Capacity of each I/O->worker queue. Default: ${DEFAULT-VALUE}.")
    int inboundQueue = SkirmishContext.INBOUND_QUEUE_CAPACITY_DEFAULT;

    @Option(names = "--outbound-queue", description = "Capacity of each worker->I/O queue. Default: ${DEFAULT-VALUE}.")
    int outboundQueue = SkirmishContext.OUTBOUND_QUEUE_CAPACITY_DEFAULT;

    @Option(names = "--transport", description = "auto, epoll or nio. Default: ${DEFAULT-VALUE}.",
        converter = TransportConverter.class)
    TransportKind transport = TransportKind.AUTO;

    @Option(names = "--idle", description = "Worker idle strategy: backoff, spin or yield. Default: backoff.",
        converter = IdleConverter.class)
    WorkerIdle idle = WorkerIdle.BACKOFF;

    @Option(names = "--io-spin-us",
        description = "How long an I/O thread polls for worker replies after a hand-off before blocking in " +
            "epoll_wait, µs (0 = block at once). Default: ${DEFAULT-VALUE}.")
    long ioSpinUs = SkirmishContext.IO_SPIN_US_DEFAULT;

    @Option(names = "--worker-spin-us",
        description = "How long an idle worker busy-spins before yielding and parking (backoff idle), µs. " +
            "Default: ${DEFAULT-VALUE}.")
    long workerSpinUs = SkirmishContext.BACKOFF_SPIN_US_DEFAULT;

    @Option(names = "--pin-cpus", description = "CPU list to pin threads to (workers first, then I/O threads), " +
        "e.g. 0,1 or 0-3. Default: no pinning.")
    String pinCpus = "";

    @Option(names = "--socket-buffer", description = "SO_RCVBUF/SO_SNDBUF bytes. Default: ${DEFAULT-VALUE}.")
    int socketBuffer = SkirmishContext.SOCKET_BUFFER_BYTES_DEFAULT;

    @Option(names = "--duration", converter = DurationConverter.class,
        description = "Stop after this long (e.g. 30s, 5m). Default: run until SIGTERM/SIGINT.")
    Duration duration;

    @Option(names = "--stats-interval", converter = DurationConverter.class,
        description = "Print a counters line to stderr this often; 0s turns it off. Default: 5s.")
    Duration statsInterval = Duration.ofSeconds(5);

    /** Longest a SIGTERM waits for the node to close and report before the JVM exits anyway. */
    static final long SHUTDOWN_DEADLINE_S = 10;

    private final PrintStream out;

    ServerMain(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * Build the core context from the flags. Invalid values surface as {@link ConfigurationException} on conclude.
     *
     * @return the concluded context.
     */
    SkirmishContext context()
    {
        return new SkirmishContext()
            .port(port)
            .bindAddress(bind)
            .ioMode(mode == Mode.RAW_ECHO ? IoMode.RAW_ECHO : IoMode.WORKERS)
            .ioThreads(ioThreads)
            .workers(workers)
            .batch(batch)
            .maxDatagramLength(maxDatagram)
            .inboundQueueCapacity(inboundQueue)
            .outboundQueueCapacity(outboundQueue)
            .transport(transport)
            .workerIdle(idle)
            .ioSpinUs(ioSpinUs)
            .backoffSpinUs(workerSpinUs)
            .pinCpus(SkirmishContext.parseCpuList(pinCpus))
            .socketBufferBytes(socketBuffer)
            .conclude();
    }

    @Override
    public Integer call() throws Exception
    {
        final SkirmishContext ctx;
        try
        {
            ctx = context();
        }
        catch (final ConfigurationException ex)
        {
            System.err.println("skirmish server: invalid configuration: " + ex.getMessage());
            return 2;
        }
        if (null != duration && (duration.isNegative() || duration.isZero()))
        {
            System.err.println("skirmish server: --duration must be > 0");
            return 2;
        }

        out.println("skirmish server: effective configuration");
        out.print(ctx.toString().replaceAll("(?m)^", "  "));

        final SkirmishNode node;
        try
        {
            node = SkirmishNode.launch(ctx);
        }
        catch (final Exception ex)
        {
            System.err.println("skirmish server: cannot start: " + ex);
            return 1;
        }

        final ThreadAllocation allocation = new ThreadAllocation();
        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);
        // On SIGTERM/SIGINT: tell the main loop to stop, then hold the JVM until it has closed and reported.
        final Thread hook = new Thread(() ->
        {
            stop.countDown();
            try
            {
                stopped.await(SHUTDOWN_DEADLINE_S, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "skirmish-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("skirmish server: listening on udp " + ctx.bindAddress() + ":" + node.port() +
            " (" + node.transportKind() + ", mode " + mode.name().toLowerCase().replace('_', '-') + ")");
        out.flush();

        final long endNs = null == duration ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        final long intervalNs = statsInterval.isZero() ? Long.MAX_VALUE : statsInterval.toNanos();
        final StatsPrinter stats = new StatsPrinter(node.counters(), allocation, System.err);
        String report = "";
        try
        {
            while (true)
            {
                final long nowNs = System.nanoTime();
                final long waitNs = Math.min(intervalNs, endNs - nowNs);
                if (waitNs <= 0 || stop.await(waitNs, TimeUnit.NANOSECONDS))
                {
                    break;
                }
                if (intervalNs != Long.MAX_VALUE)
                {
                    stats.printInterval();
                }
            }
        }
        finally
        {
            // Per-thread figures are only readable while the threads live: take the report before closing.
            report = stats.finalReport();
            node.close();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignore)
            {
                // Already shutting down: the hook waits for the report below.
            }
        }
        out.println("skirmish server: stopped");
        out.print(report);
        out.flush();
        stopped.countDown();
        return 0;
    }

    /**
     * Entry point for tests: parse and run, return the exit code instead of exiting.
     *
     * @param out  where the banner and report go.
     * @param args command line.
     * @return exit code.
     */
    static int run(final PrintStream out, final String... args)
    {
        final CommandLine cli = new CommandLine(new ServerMain(out));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new java.io.PrintWriter(out, true));
        return cli.execute(args);
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        // Netty's default leak detection samples 1 buffer in 128 and allocates a tracker for it: ~12 B per datagram
        // on average. Off unless the operator asks for it (tests run at paranoid).
        if (null == System.getProperty("io.netty.leakDetection.level"))
        {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        System.exit(run(System.out, args));
    }

    /** Case-insensitive enum flag values; '-' stands for '_'. The message lists what is accepted. */
    abstract static class EnumConverter<E extends Enum<E>> implements CommandLine.ITypeConverter<E>
    {
        private final Class<E> type;

        EnumConverter(final Class<E> type)
        {
            this.type = type;
        }

        @Override
        public E convert(final String value)
        {
            try
            {
                return Enum.valueOf(type, value.trim().toUpperCase().replace('-', '_'));
            }
            catch (final IllegalArgumentException ex)
            {
                final StringBuilder accepted = new StringBuilder();
                for (final E constant : type.getEnumConstants())
                {
                    accepted.append(accepted.length() == 0 ? "" : ", ")
                        .append(constant.name().toLowerCase().replace('_', '-'));
                }
                throw new CommandLine.TypeConversionException("expected one of " + accepted + ", got '" + value + "'");
            }
        }
    }

    static final class ModeConverter extends EnumConverter<Mode>
    {
        ModeConverter()
        {
            super(Mode.class);
        }
    }

    static final class TransportConverter extends EnumConverter<TransportKind>
    {
        TransportConverter()
        {
            super(TransportKind.class);
        }
    }

    static final class IdleConverter extends EnumConverter<WorkerIdle>
    {
        IdleConverter()
        {
            super(WorkerIdle.class);
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration>
    {
        @Override
        public Duration convert(final String value)
        {
            try
            {
                return DurationParser.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage());
            }
        }
    }

    /**
     * Prints counters, and the garbage and CPU our threads spend per datagram, at intervals and at the end. The end
     * report's per-datagram figures cover the steady state: from the end of the first whole interval with traffic
     * (start-up and JIT warm-up excluded) to the stop; without interval lines they cover the whole run.
     */
    static final class StatsPrinter
    {
        private static final String IO = "skirmish-io-";
        private static final String WORKER = "skirmish-worker-";

        private final dev.skirmish.core.metrics.Counters counters;
        private final ThreadAllocation threads;
        private final PrintStream err;
        private final long[] start;
        private long[] last;
        private long[] baseline;
        private int trafficIntervals;

        StatsPrinter(
            final dev.skirmish.core.metrics.Counters counters, final ThreadAllocation threads, final PrintStream err)
        {
            this.counters = counters;
            this.threads = threads;
            this.err = err;
            this.start = sample();
            this.last = start;
        }

        /** nowNs, datagrams in, datagrams out, io bytes, worker bytes, io cpu ns, worker cpu ns. */
        private long[] sample()
        {
            return new long[] {System.nanoTime(), counters.get(Counter.DATAGRAMS_IN),
                counters.get(Counter.DATAGRAMS_OUT), threads.allocatedBytes(IO), threads.allocatedBytes(WORKER),
                threads.cpuNs(IO), threads.cpuNs(WORKER)};
        }

        void printInterval()
        {
            final long[] now = sample();
            // Steady state starts after one whole interval with traffic (JIT and pools warmed up).
            if (null == baseline && now[1] - last[1] > 0 && ++trafficIntervals == 2)
            {
                baseline = now;
            }
            final double seconds = (now[0] - last[0]) / 1e9;
            final long dIn = now[1] - last[1];
            err.printf("stats: in %.0f/s out %.0f/s drops %d | per datagram in: alloc io %.1f B, workers %.1f B;" +
                " cpu io %.0f ns, workers %.0f ns%n",
                dIn / seconds, (now[2] - last[2]) / seconds, drops(),
                perDatagram(now[3] - last[3], dIn), perDatagram(now[4] - last[4], dIn),
                perDatagram(now[5] - last[5], dIn), perDatagram(now[6] - last[6], dIn));
            last = now;
        }

        private static double perDatagram(final long amount, final long datagrams)
        {
            return datagrams == 0 ? 0.0 : (double)amount / datagrams;
        }

        long drops()
        {
            long drops = 0;
            for (final Counter counter : Counter.values())
            {
                if (counter.label().startsWith("drop_"))
                {
                    drops += counters.get(counter);
                }
            }
            return drops;
        }

        String finalReport()
        {
            final StringBuilder sb = new StringBuilder("counters:\n");
            for (final Counter counter : Counter.values())
            {
                sb.append("  ").append(counter.label()).append(' ').append(counters.get(counter)).append('\n');
            }
            final long[] from = null == baseline ? start : baseline;
            final long[] now = sample();
            final long datagrams = now[1] - from[1];
            sb.append(String.format("per datagram in (%s, %d datagrams):%n",
                null == baseline ? "whole run" : "steady state, after the first interval with traffic", datagrams));
            sb.append(String.format("  alloc_io_bytes %.1f%n", perDatagram(now[3] - from[3], datagrams)));
            sb.append(String.format("  alloc_worker_bytes %.1f%n", perDatagram(now[4] - from[4], datagrams)));
            sb.append(String.format("  cpu_io_ns %.0f%n", perDatagram(now[5] - from[5], datagrams)));
            sb.append(String.format("  cpu_worker_ns %.0f%n", perDatagram(now[6] - from[6], datagrams)));
            return sb.toString();
        }
    }
}
