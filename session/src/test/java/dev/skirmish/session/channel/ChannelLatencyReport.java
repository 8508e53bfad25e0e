package dev.skirmish.session.channel;

import dev.skirmish.core.impair.ImpairmentProfile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Reliable-ordered delivery latency of {@link ChannelEndpoint} under loss, in virtual time: message send (the
 * game's {@code send} call) to delivery at B, for 0, 2, 5 and 10 % loss each way with 10 ms one-way delay, at a game
 * rate of 30 messages/s of 100 B, each endpoint flushing every 16 ms tick and whenever its timer is due (checked
 * every 1 ms), wired as in {@link ChannelEndpointImpairedTest}. Latencies go into an HdrHistogram in µs; the report
 * prints p50, p99, p99.9 and max per loss level and each percentile's inflation against the 0 % run.
 * <p>
 * In-process, single-threaded, virtual time: no sockets, no AEAD, no scheduling noise; it measures the protocol
 * (loss detection, PTO, head-of-line blocking), not the machine. Deterministic for a given seed and message count.
 * <p>
 * Usage: {@code ChannelLatencyReport [messagesPerLevel [seed]]}, defaults {@value #MESSAGES_DEFAULT} and
 * {@link #SEED_DEFAULT}.
 */
public final class ChannelLatencyReport
{
    /** Messages per loss level by default. */
    public static final int MESSAGES_DEFAULT = 20_000;

    /** Seed of the first loss level by default; level i uses {@code seed + i}. */
    public static final long SEED_DEFAULT = 0x1A7E_2C1L;

    /** Loss probabilities, each way, in report order; the first is the baseline for inflation ratios. */
    static final double[] LOSS_LEVELS = {0.0, 0.02, 0.05, 0.10};

    /** Message rate of the stream. */
    static final int MESSAGES_PER_SECOND = 30;

    /** Bytes per message: a 4-byte index, then filler. */
    static final int MESSAGE_BYTES = 100;

    /** One-way delay of each link. */
    static final long DELAY_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Reliable-ordered channel of the default {@link ChannelEndpointConfig}. */
    static final int CHANNEL = 2;

    /** Histogram precision: 4 digits keep a 37 ms value within 4 µs, so virtual-time values print near-exact. */
    static final int SIGNIFICANT_DIGITS = 4;

    /** Initial highest trackable latency, in µs; the histogram resizes above it. */
    static final long HIGHEST_TRACKABLE_US = TimeUnit.MINUTES.toMicros(5);

    private ChannelLatencyReport()
    {
    }

    /**
     * Run every loss level and print the report to stdout.
     *
     * @param args optional messages per level, optional seed.
     */
    public static void main(final String[] args)
    {
        final int messages = args.length > 0 ? Integer.parseInt(args[0]) : MESSAGES_DEFAULT;
        final long seed = args.length > 1 ? Long.decode(args[1]) : SEED_DEFAULT;
        report(messages, seed, System.out);
    }

    /**
     * Run every loss level and print the report.
     *
     * @param messages messages per loss level.
     * @param seed     seed of the first level.
     * @param out      where the report goes.
     * @return the histograms, in {@link #LOSS_LEVELS} order, in µs.
     */
    public static Histogram[] report(final int messages, final long seed, final PrintStream out)
    {
        out.printf(Locale.ROOT, "# ChannelLatencyReport: reliable-ordered send -> delivery at B, virtual time%n");
        out.printf(Locale.ROOT, "# messages/level=%d rate=%d/s size=%d B delay=%d ms each way tick=%d ms " +
            "timerCheck=%d ms seed=%d (level i: seed+i)%n",
            messages, MESSAGES_PER_SECOND, MESSAGE_BYTES, TimeUnit.NANOSECONDS.toMillis(DELAY_NS),
            TimeUnit.NANOSECONDS.toMillis(ChannelEndpointImpairedTest.TICK_NS),
            TimeUnit.NANOSECONDS.toMillis(ChannelEndpointImpairedTest.STEP_NS), seed);
        out.printf(Locale.ROOT, "# endpoint=%s%n", new ChannelEndpointConfig());
        out.printf(Locale.ROOT, "# java=%s vm=%s%n", System.getProperty("java.version"),
            System.getProperty("java.vm.name"));

        final Histogram[] histograms = new Histogram[LOSS_LEVELS.length];
        final String[] details = new String[LOSS_LEVELS.length];
        for (int i = 0; i < LOSS_LEVELS.length; i++)
        {
            histograms[i] = new Histogram(HIGHEST_TRACKABLE_US, SIGNIFICANT_DIGITS);
            histograms[i].setAutoResize(true);
            details[i] = runLevel(LOSS_LEVELS[i], messages, seed + i, histograms[i]);
        }

        out.printf(Locale.ROOT, "%-6s %8s %10s %10s %10s %10s %8s %8s %8s %8s%n",
            "loss", "count", "p50_us", "p99_us", "p99.9_us", "max_us", "x_p50", "x_p99", "x_p99.9", "x_max");
        final Histogram base = histograms[0];
        for (int i = 0; i < LOSS_LEVELS.length; i++)
        {
            final Histogram h = histograms[i];
            out.printf(Locale.ROOT, "%-6s %8d %10d %10d %10d %10d %8.2f %8.2f %8.2f %8.2f%n",
                String.format(Locale.ROOT, "%.0f%%", LOSS_LEVELS[i] * 100), h.getTotalCount(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
                ratio(h.getValueAtPercentile(50), base.getValueAtPercentile(50)),
                ratio(h.getValueAtPercentile(99), base.getValueAtPercentile(99)),
                ratio(h.getValueAtPercentile(99.9), base.getValueAtPercentile(99.9)),
                ratio(h.getMaxValue(), base.getMaxValue()));
        }
        for (int i = 0; i < LOSS_LEVELS.length; i++)
        {
            out.printf(Locale.ROOT, "# %.0f%%: %s%n", LOSS_LEVELS[i] * 100, details[i]);
        }
        return histograms;
    }

    /**
     * One loss level: send {@code messages} at the game rate, record send-to-delivery latency in µs.
     *
     * @return counters of the run, for the report's footer.
     * @throws IllegalStateException when the stream does not complete, or arrives out of order or altered.
     */
    static String runLevel(final double loss, final int messages, final long seed, final Histogram histogram)
    {
        final ImpairmentProfile profile = ImpairmentProfile.NONE.withLoss(loss).withDelayNs(DELAY_NS);
        final ChannelEndpointImpairedTest.Pair pair = new ChannelEndpointImpairedTest.Pair(seed, profile);
        final long[] sendNs = new long[messages];
        final int[] sent = {0};
        final int[] delivered = {0};
        final String[] error = {null};
        final ByteBuf src = Unpooled.buffer(MESSAGE_BYTES);

        pair.b.handler = (ch, buffer, offset, length) ->
        {
            final int index = length == MESSAGE_BYTES ? buffer.getIntLE(offset) : -1;
            if (CHANNEL != ch || index != delivered[0] || buffer.getByte(offset + length - 1) != (byte)index)
            {
                if (null == error[0])
                {
                    error[0] = "expected message " + delivered[0] + " on channel " + CHANNEL + ", got index " +
                        index + " length " + length + " on channel " + ch;
                }
                return;
            }
            histogram.recordValue(TimeUnit.NANOSECONDS.toMicros(pair.network.nowNs() - sendNs[index]));
            delivered[0]++;
        };
        pair.a.producer = () ->
        {
            final long nowNs = pair.network.nowNs();
            final long due = Math.min(messages, nowNs * MESSAGES_PER_SECOND / 1_000_000_000L + 1);
            while (sent[0] < due)
            {
                final int index = sent[0];
                src.clear().writeIntLE(index).writeZero(MESSAGE_BYTES - 5).writeByte(index);
                if (ChannelEndpoint.SEND_OK != pair.a.endpoint.send(CHANNEL, src, 0, MESSAGE_BYTES))
                {
                    return;
                }
                sendNs[index] = nowNs;
                sent[0]++;
            }
        };

        final long limitNs = TimeUnit.SECONDS.toNanos(messages / MESSAGES_PER_SECOND + 120);
        final boolean done = pair.network.runUntil(() -> delivered[0] >= messages || null != error[0], limitNs);
        if (null != error[0] || !done)
        {
            throw new IllegalStateException((null != error[0] ? error[0] : "incomplete: " + delivered[0] + "/" +
                messages) + "; " + pair.describe());
        }
        final ChannelEndpoint a = pair.a.endpoint;
        return String.format(Locale.ROOT, "seed=%d virtualMs=%d packetsOutA=%d resends=%d ptoExpiries=%d " +
            "spuriousLosses=%d lossA%%=%.1f srttMs=%d",
            seed, TimeUnit.NANOSECONDS.toMillis(pair.network.nowNs()), a.packetsOut(), a.resends(),
            a.recoveryCounter(dev.skirmish.session.channel.recovery.RecoveryCounter.PTO_EXPIRIES),
            a.recoveryCounter(dev.skirmish.session.channel.recovery.RecoveryCounter.PACKETS_SPURIOUSLY_LOST),
            a.lossPercent(), TimeUnit.NANOSECONDS.toMillis(a.srttNs()));
    }

    private static double ratio(final long value, final long base)
    {
        return 0 == base ? Double.NaN : value / (double)base;
    }
}
