package dev.skirmish.core;

import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.worker.DatagramHandler;
import dev.skirmish.core.worker.EchoHandler;
import dev.skirmish.core.worker.Outbound;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of a {@link SkirmishNode}. Every setting has a system property, a default with its unit and the
 * reason for it, a getter and a fluent setter. {@link #conclude()} validates everything once and throws
 * {@link ConfigurationException} with a message naming the setting; {@link #toString()} prints the effective
 * configuration so every run and report carries it.
 */
public final class SkirmishContext
{
    /** Address to bind. Default {@value #BIND_ADDRESS_DEFAULT}; use "::" or "::1" for IPv6. */
    public static final String BIND_ADDRESS_PROP = "skirmish.bind.address";
    public static final String BIND_ADDRESS_DEFAULT = "0.0.0.0";

    /** UDP port; 0 picks an ephemeral port (tests). */
    public static final String PORT_PROP = "skirmish.port";
    public static final int PORT_DEFAULT = 7777;

    /** I/O threads, one socket each bound with SO_REUSEPORT. 1 is enough for most rooms-per-box counts. */
    public static final String IO_THREADS_PROP = "skirmish.io.threads";
    public static final int IO_THREADS_DEFAULT = 1;
    public static final int IO_THREADS_MAX = 64;

    /** Worker threads (session shards). */
    public static final String WORKERS_PROP = "skirmish.workers";
    public static final int WORKERS_DEFAULT = 1;
    public static final int WORKERS_MAX = 256;

    /** Datagrams per recvmmsg call; 1 turns batching off. 16 amortises the syscall without hoarding memory. */
    public static final String BATCH_PROP = "skirmish.batch";
    public static final int BATCH_DEFAULT = 16;
    /** The kernel's UIO_MAXIOV: recvmmsg takes at most this many messages. */
    public static final int BATCH_MAX = 1024;

    /** Largest datagram accepted, bytes. Default fits a 1500 B Ethernet MTU over IPv4. */
    public static final String MAX_DATAGRAM_LENGTH_PROP = "skirmish.max.datagram.length";
    public static final int MAX_DATAGRAM_LENGTH_DEFAULT = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
    public static final int MAX_DATAGRAM_LENGTH_MAX = 65507;

    /** Capacity of each I/O thread to worker queue, datagrams. ~4 ms of a 1M datagram/s burst. */
    public static final String INBOUND_QUEUE_CAPACITY_PROP = "skirmish.inbound.queue.capacity";
    public static final int INBOUND_QUEUE_CAPACITY_DEFAULT = 4096;

    /**
     * Capacity of each worker to I/O thread queue, datagrams; also the number of preallocated outbound slots of
     * maxDatagramLength bytes per (worker, I/O thread) pair: 2048 × 1472 B = 2.9 MiB of direct memory per pair.
     */
    public static final String OUTBOUND_QUEUE_CAPACITY_PROP = "skirmish.outbound.queue.capacity";
    public static final int OUTBOUND_QUEUE_CAPACITY_DEFAULT = 2048;

    /** Datagrams a worker takes from one inbound queue per duty cycle, so timers run even under flood. */
    public static final String WORKER_DRAIN_LIMIT_PROP = "skirmish.worker.drain.limit";
    public static final int WORKER_DRAIN_LIMIT_DEFAULT = 256;

    /** Socket implementation: auto, epoll or nio. */
    public static final String TRANSPORT_PROP = "skirmish.transport";

    /** What I/O threads do with valid datagrams: workers (full path) or raw_echo (baseline). */
    public static final String IO_MODE_PROP = "skirmish.io.mode";

    /**
     * How long an I/O thread polls for workers' replies after handing them datagrams before blocking in epoll_wait, µs.
     * A reply handed over within the window costs no thread wake-up (~25 µs on the reference VM); the window closes as
     * soon as replies are written, so the thread never spins while clients think. 0 always blocks at once: the
     * default, because on the 2-core reference VM polling took the core the other threads needed (ping-pong p90
     * 74-92 µs with a 50 µs window against 42-44 µs without; perf-results/datapath/README.md). Worth trying on
     * machines with a core per thread.
     */
    public static final String IO_SPIN_US_PROP = "skirmish.io.spin.us";
    public static final long IO_SPIN_US_DEFAULT = 0;

    /** Worker idle strategy: backoff, spin or yield. */
    public static final String WORKER_IDLE_PROP = "skirmish.worker.idle";

    /**
     * Backoff: how long a worker busy-spins after its last work before yielding, µs. Long enough to cover a client's
     * turnaround on a LAN so a busy worker never parks between datagrams; short enough that an idle server sleeps.
     */
    public static final String BACKOFF_SPIN_US_PROP = "skirmish.worker.backoff.spin.us";
    public static final long BACKOFF_SPIN_US_DEFAULT = 100;
    /** Backoff: Thread.yield calls before parking. */
    public static final String BACKOFF_YIELDS_PROP = "skirmish.worker.backoff.yields";
    public static final long BACKOFF_YIELDS_DEFAULT = 10;
    /** Backoff: longest park, µs; also the worst case should a wake-up ever be missed. */
    public static final String BACKOFF_MAX_PARK_US_PROP = "skirmish.worker.backoff.max.park.us";
    public static final long BACKOFF_MAX_PARK_US_DEFAULT = 1000;

    /** CPUs to pin threads to, comma list ("2,3"); workers take them first, then I/O threads. Empty: no pinning. */
    public static final String PIN_CPUS_PROP = "skirmish.pin.cpus";

    /** Socket receive/send buffer, bytes (the kernel caps it at net.core.rmem_max / wmem_max). */
    public static final String SOCKET_BUFFER_BYTES_PROP = "skirmish.socket.buffer.bytes";
    public static final int SOCKET_BUFFER_BYTES_DEFAULT = 4 * 1024 * 1024;

    private String bindAddress = System.getProperty(BIND_ADDRESS_PROP, BIND_ADDRESS_DEFAULT);
    private int port = Integer.getInteger(PORT_PROP, PORT_DEFAULT);
    private int ioThreads = Integer.getInteger(IO_THREADS_PROP, IO_THREADS_DEFAULT);
    private int workers = Integer.getInteger(WORKERS_PROP, WORKERS_DEFAULT);
    private int batch = Integer.getInteger(BATCH_PROP, BATCH_DEFAULT);
    private int maxDatagramLength = Integer.getInteger(MAX_DATAGRAM_LENGTH_PROP, MAX_DATAGRAM_LENGTH_DEFAULT);
    private int inboundQueueCapacity = Integer.getInteger(INBOUND_QUEUE_CAPACITY_PROP, INBOUND_QUEUE_CAPACITY_DEFAULT);
    private int outboundQueueCapacity =
        Integer.getInteger(OUTBOUND_QUEUE_CAPACITY_PROP, OUTBOUND_QUEUE_CAPACITY_DEFAULT);
    private int workerDrainLimit = Integer.getInteger(WORKER_DRAIN_LIMIT_PROP, WORKER_DRAIN_LIMIT_DEFAULT);
    private TransportKind transport = enumProperty(TRANSPORT_PROP, TransportKind.AUTO);
    private IoMode ioMode = enumProperty(IO_MODE_PROP, IoMode.WORKERS);
    private long ioSpinUs = Long.getLong(IO_SPIN_US_PROP, IO_SPIN_US_DEFAULT);
    private WorkerIdle workerIdle = enumProperty(WORKER_IDLE_PROP, WorkerIdle.BACKOFF);
    private long backoffSpinUs = Long.getLong(BACKOFF_SPIN_US_PROP, BACKOFF_SPIN_US_DEFAULT);
    private long backoffYields = Long.getLong(BACKOFF_YIELDS_PROP, BACKOFF_YIELDS_DEFAULT);
    private long backoffMaxParkUs = Long.getLong(BACKOFF_MAX_PARK_US_PROP, BACKOFF_MAX_PARK_US_DEFAULT);
    private int[] pinCpus = parseCpuList(System.getProperty(PIN_CPUS_PROP, ""));
    private int socketBufferBytes = Integer.getInteger(SOCKET_BUFFER_BYTES_PROP, SOCKET_BUFFER_BYTES_DEFAULT);
    private ThreadingMode threadingMode = ThreadingMode.DEDICATED;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private ErrorHandler errorHandler = new LoggingErrorHandler(TimeUnit.SECONDS.toNanos(1));
    private HandlerFactory handlerFactory = (worker, outbound) -> new EchoHandler(outbound);
    private HandshakeGate.Factory handshakeGateFactory;

    private InetAddress resolvedBindAddress;
    private boolean concluded;

    /**
     * Creates the {@link DatagramHandler} of each worker.
     */
    @FunctionalInterface
    public interface HandlerFactory
    {
        /**
         * Called once per worker at start, on the launching thread.
         *
         * @param worker   worker index.
         * @param outbound that worker's outbound path.
         * @return the handler, owned by that worker.
         */
        DatagramHandler newHandler(int worker, Outbound outbound);
    }

    /**
     * Validate once. Throws on the first invalid setting with a message naming it.
     *
     * @return this.
     * @throws ConfigurationException if a setting is invalid.
     */
    public SkirmishContext conclude()
    {
        if (concluded)
        {
            throw new ConfigurationException("context already concluded");
        }
        range("port", port, 0, 65535);
        range("ioThreads", ioThreads, 1, IO_THREADS_MAX);
        range("workers", workers, 1, WORKERS_MAX);
        range("batch", batch, 1, BATCH_MAX);
        range("maxDatagramLength", maxDatagramLength, PacketHeader.LENGTH, MAX_DATAGRAM_LENGTH_MAX);
        range("inboundQueueCapacity", inboundQueueCapacity, 2, 1 << 24);
        range("outboundQueueCapacity", outboundQueueCapacity, 2, 1 << 24);
        range("workerDrainLimit", workerDrainLimit, 1, Integer.MAX_VALUE);
        range("ioSpinUs", ioSpinUs, 0, 1_000_000);
        range("backoffSpinUs", backoffSpinUs, 0, 1_000_000);
        range("backoffYields", backoffYields, 0, Long.MAX_VALUE);
        range("backoffMaxParkUs", backoffMaxParkUs, 1, 1_000_000);
        range("socketBufferBytes", socketBufferBytes, 4096, 1 << 30);
        final int cpus = Runtime.getRuntime().availableProcessors();
        for (final int cpu : pinCpus)
        {
            if (cpu < 0 || cpu >= cpus)
            {
                throw new ConfigurationException(
                    "pinCpus: CPU " + cpu + " does not exist (this machine has CPUs 0-" + (cpus - 1) + ")");
            }
        }
        try
        {
            resolvedBindAddress = InetAddress.getByName(bindAddress);
        }
        catch (final UnknownHostException ex)
        {
            throw new ConfigurationException("bindAddress: cannot resolve '" + bindAddress + "'");
        }
        if (null == nanoClock || null == epochClock || null == allocator || null == errorHandler ||
            null == handlerFactory || null == transport || null == ioMode || null == workerIdle ||
            null == threadingMode)
        {
            throw new ConfigurationException("clocks, allocator, errorHandler, handlerFactory and modes must be set");
        }
        concluded = true;
        return this;
    }

    private static void range(final String name, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new ConfigurationException(name + " must be in [" + min + ", " + max + "], was " + value);
        }
    }

    /**
     * Parse a CPU list such as "2,3" or "0-3,6".
     *
     * @param list comma-separated CPUs and ranges; empty for none.
     * @return the CPUs in order.
     * @throws ConfigurationException if malformed.
     */
    public static int[] parseCpuList(final String list)
    {
        if (null == list || list.isBlank())
        {
            return new int[0];
        }
        try
        {
            return Arrays.stream(list.split(","))
                .map(String::trim)
                .flatMapToInt((part) ->
                {
                    final int dash = part.indexOf('-');
                    if (dash < 0)
                    {
                        return java.util.stream.IntStream.of(Integer.parseInt(part));
                    }
                    final int from = Integer.parseInt(part.substring(0, dash).trim());
                    final int to = Integer.parseInt(part.substring(dash + 1).trim());
                    if (to < from)
                    {
                        throw new NumberFormatException(part);
                    }
                    return java.util.stream.IntStream.rangeClosed(from, to);
                })
                .toArray();
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException("pinCpus: malformed CPU list '" + list + "' (expected e.g. 0,1 or 0-3)");
        }
    }

    private static <E extends Enum<E>> E enumProperty(final String name, final E defaultValue)
    {
        final String value = System.getProperty(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            return Enum.valueOf(defaultValue.getDeclaringClass(), value.trim().toUpperCase().replace('-', '_'));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException(name + ": unknown value '" + value + "', expected one of " +
                Arrays.toString(defaultValue.getDeclaringClass().getEnumConstants()));
        }
    }

    public String bindAddress()
    {
        return bindAddress;
    }

    public SkirmishContext bindAddress(final String bindAddress)
    {
        this.bindAddress = bindAddress;
        return this;
    }

    /**
     * @return the bind address resolved by {@link #conclude()}.
     */
    public InetAddress resolvedBindAddress()
    {
        return resolvedBindAddress;
    }

    public int port()
    {
        return port;
    }

    public SkirmishContext port(final int port)
    {
        this.port = port;
        return this;
    }

    public int ioThreads()
    {
        return ioThreads;
    }

    public SkirmishContext ioThreads(final int ioThreads)
    {
        this.ioThreads = ioThreads;
        return this;
    }

    public int workers()
    {
        return workers;
    }

    public SkirmishContext workers(final int workers)
    {
        this.workers = workers;
        return this;
    }

    public int batch()
    {
        return batch;
    }

    public SkirmishContext batch(final int batch)
    {
        this.batch = batch;
        return this;
    }

    public int maxDatagramLength()
    {
        return maxDatagramLength;
    }

    public SkirmishContext maxDatagramLength(final int maxDatagramLength)
    {
        this.maxDatagramLength = maxDatagramLength;
        return this;
    }

    public int inboundQueueCapacity()
    {
        return inboundQueueCapacity;
    }

    public SkirmishContext inboundQueueCapacity(final int inboundQueueCapacity)
    {
        this.inboundQueueCapacity = inboundQueueCapacity;
        return this;
    }

    public int outboundQueueCapacity()
    {
        return outboundQueueCapacity;
    }

    public SkirmishContext outboundQueueCapacity(final int outboundQueueCapacity)
    {
        this.outboundQueueCapacity = outboundQueueCapacity;
        return this;
    }

    public int workerDrainLimit()
    {
        return workerDrainLimit;
    }

    public SkirmishContext workerDrainLimit(final int workerDrainLimit)
    {
        this.workerDrainLimit = workerDrainLimit;
        return this;
    }

    public TransportKind transport()
    {
        return transport;
    }

    public SkirmishContext transport(final TransportKind transport)
    {
        this.transport = transport;
        return this;
    }

    public IoMode ioMode()
    {
        return ioMode;
    }

    public SkirmishContext ioMode(final IoMode ioMode)
    {
        this.ioMode = ioMode;
        return this;
    }

    public long ioSpinUs()
    {
        return ioSpinUs;
    }

    public SkirmishContext ioSpinUs(final long ioSpinUs)
    {
        this.ioSpinUs = ioSpinUs;
        return this;
    }

    public WorkerIdle workerIdle()
    {
        return workerIdle;
    }

    public SkirmishContext workerIdle(final WorkerIdle workerIdle)
    {
        this.workerIdle = workerIdle;
        return this;
    }

    public long backoffSpinUs()
    {
        return backoffSpinUs;
    }

    public SkirmishContext backoffSpinUs(final long backoffSpinUs)
    {
        this.backoffSpinUs = backoffSpinUs;
        return this;
    }

    public long backoffYields()
    {
        return backoffYields;
    }

    public SkirmishContext backoffYields(final long backoffYields)
    {
        this.backoffYields = backoffYields;
        return this;
    }

    public long backoffMaxParkUs()
    {
        return backoffMaxParkUs;
    }

    public SkirmishContext backoffMaxParkUs(final long backoffMaxParkUs)
    {
        this.backoffMaxParkUs = backoffMaxParkUs;
        return this;
    }

    public int[] pinCpus()
    {
        return pinCpus.clone();
    }

    public SkirmishContext pinCpus(final int... pinCpus)
    {
        this.pinCpus = pinCpus.clone();
        return this;
    }

    public int socketBufferBytes()
    {
        return socketBufferBytes;
    }

    public SkirmishContext socketBufferBytes(final int socketBufferBytes)
    {
        this.socketBufferBytes = socketBufferBytes;
        return this;
    }

    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    public SkirmishContext threadingMode(final ThreadingMode threadingMode)
    {
        this.threadingMode = threadingMode;
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    public SkirmishContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    public EpochClock epochClock()
    {
        return epochClock;
    }

    public SkirmishContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    public ByteBufAllocator allocator()
    {
        return allocator;
    }

    public SkirmishContext allocator(final ByteBufAllocator allocator)
    {
        this.allocator = allocator;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public SkirmishContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public HandlerFactory handlerFactory()
    {
        return handlerFactory;
    }

    public SkirmishContext handlerFactory(final HandlerFactory handlerFactory)
    {
        this.handlerFactory = handlerFactory;
        return this;
    }

    /**
     * @return creates the stateless handshake steps of each I/O thread; null routes handshake datagrams by session
     * id like any other (echo modes).
     */
    public HandshakeGate.Factory handshakeGateFactory()
    {
        return handshakeGateFactory;
    }

    /**
     * Plug in the session layer's I/O-thread handshake steps (see {@link HandshakeGate}).
     *
     * @param handshakeGateFactory factory, or null for none.
     * @return this.
     */
    public SkirmishContext handshakeGateFactory(final HandshakeGate.Factory handshakeGateFactory)
    {
        this.handshakeGateFactory = handshakeGateFactory;
        return this;
    }

    /**
     * The effective configuration, one {@code key=value} per line, stable order.
     *
     * @return printable configuration.
     */
    @Override
    public String toString()
    {
        return "bindAddress=" + bindAddress + '\n' +
            "port=" + port + '\n' +
            "transport=" + transport + '\n' +
            "ioMode=" + ioMode + '\n' +
            "ioThreads=" + ioThreads + '\n' +
            "workers=" + workers + '\n' +
            "threadingMode=" + threadingMode + '\n' +
            "batch=" + batch + '\n' +
            "maxDatagramLength=" + maxDatagramLength + '\n' +
            "inboundQueueCapacity=" + inboundQueueCapacity + '\n' +
            "outboundQueueCapacity=" + outboundQueueCapacity + '\n' +
            "workerDrainLimit=" + workerDrainLimit + '\n' +
            "ioSpinUs=" + ioSpinUs + '\n' +
            "workerIdle=" + workerIdle + '\n' +
            "backoffSpinUs=" + backoffSpinUs + '\n' +
            "backoffYields=" + backoffYields + '\n' +
            "backoffMaxParkUs=" + backoffMaxParkUs + '\n' +
            "pinCpus=" + Arrays.toString(pinCpus) + '\n' +
            "socketBufferBytes=" + socketBufferBytes + '\n' +
            "allocator=" + allocator.getClass().getSimpleName() + '\n';
    }
}
