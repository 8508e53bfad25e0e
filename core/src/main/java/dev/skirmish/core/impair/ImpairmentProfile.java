package dev.skirmish.core.impair;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What one direction of a virtual link does to the datagrams it carries: loss (i.i.d. or Gilbert-Elliott bursts),
 * delay, jitter, duplication, reordering, a bandwidth cap, scheduled blackouts and corruption; plus one change the
 * link itself does not make, a scheduled NAT rebinding of the client's address. Immutable: every
 * {@code with*} method validates its argument(s) and returns a copy, so a profile can be shared freely between
 * threads and links. {@link ImpairedLink} applies a profile; the order in which it takes its decisions is documented
 * there.
 * <p>
 * <b>Fields</b> (all off in {@link #NONE}):
 * <ul>
 *   <li><b>Loss</b> {@code lossProbability}: each datagram is dropped independently with this probability. When
 *   burst loss is on it is the loss of the <em>good</em> state.</li>
 *   <li><b>Burst loss</b> (Gilbert-Elliott): a two-state Markov chain stepped once per datagram that reaches the loss
 *   decision; {@code burstEnterProbability} (p) is good to bad, {@code burstExitProbability} (r) is bad to good,
 *   {@code burstLossProbability} (h) is the loss in the bad state. A bad spell lasts 1/r datagrams on average;
 *   the long-run loss is {@link #averageLossProbability()}. p = 0 turns it off.</li>
 *   <li><b>Delay</b> {@code delayNs}: one-way propagation delay added to every datagram.</li>
 *   <li><b>Jitter</b> {@code jitterNs}: each datagram's delay is {@code delayNs + U}, with U drawn uniformly from the
 *   integers in {@code [-jitterNs, +jitterNs]}, clamped so that the total is never negative. With
 *   {@link JitterMode#ORDERED} (the default) a datagram is also never delivered before the one offered just before
 *   it, unless that one was reordered (a queue: a late datagram holds back those behind it), so jitter alone never
 *   reorders; with
 *   {@link JitterMode#INDEPENDENT} each delay is independent, as in netem, and jitter larger than the gap between
 *   datagrams reorders them.</li>
 *   <li><b>Duplication</b> {@code duplicateProbability}: a delivered datagram gets one extra copy, with its own delay
 *   sample.</li>
 *   <li><b>Reorder</b> {@code reorderProbability}: the datagram is held back an extra {@code reorderDelayNs} (default
 *   {@link #DEFAULT_REORDER_DELAY_NS}) on top of its delay and does not hold back those behind it, so every datagram
 *   offered within that time after it overtakes it.</li>
 *   <li><b>Bandwidth</b> {@code bandwidthBytesPerSecond} (0 = unlimited): a serializing bottleneck. A datagram of n
 *   bytes occupies the link for {@code n / rate} seconds after the previous one has left; delay and jitter are
 *   added after that. When a datagram would wait more than {@code bandwidthQueueNs} (default
 *   {@link #DEFAULT_BANDWIDTH_QUEUE_NS}) for the link, it is tail-dropped, like a router's finite buffer.</li>
 *   <li><b>Blackout</b>: every {@code blackoutPeriodNs}, everything offered during {@code blackoutDurationNs} is
 *   dropped. Windows are {@code [offset + k * period, offset + k * period + duration)} on the caller's clock, for
 *   every integer k.</li>
 *   <li><b>Corruption</b> {@code corruptProbability}: one random byte of a delivered copy is XORed with a random
 *   non-zero value.</li>
 *   <li><b>Rebind</b> (address change, a NAT rebinding): every {@code rebindIntervalNs} the client moves to a new
 *   local port mid-session, the first time {@code rebindOffsetNs} (default: one interval) after the start of the
 *   run; the server validates the new path with a path challenge and migrates the session. 0 = off, else
 *   {@link #MIN_REBIND_INTERVAL_NS} to {@link #MAX_DURATION_NS}. <em>Not applied by {@link ImpairedLink}</em>, which
 *   only sees datagrams: the owner of the client's socket rebinds it (the client-sim bots call
 *   {@code ClientHandle.rebind()} on their event loop, each adding its own seeded jitter in [0, interval) to the
 *   offset so that a swarm does not move all at once).</li>
 * </ul>
 * <b>Presets</b> ({@link #preset(String)}); none caps bandwidth, because a link may carry many sessions' traffic:
 * <table>
 *   <caption>presets</caption>
 *   <tr><th>name</th><th>delay</th><th>jitter</th><th>loss</th><th>other</th></tr>
 *   <tr><td>{@code none}</td><td>0</td><td>0</td><td>0</td><td>a perfect link</td></tr>
 *   <tr><td>{@code lan}</td><td>200 us</td><td>&plusmn;50 us</td><td>0</td><td>wired switched LAN</td></tr>
 *   <tr><td>{@code wifi}</td><td>2 ms</td><td>&plusmn;2 ms</td><td>0.99% (1/101)</td><td>0.5% base loss, bursts entered
 *   with p = 0.5%, left with r = 50% (2 datagrams on average), 50% loss inside</td></tr>
 *   <tr><td>{@code 4g}</td><td>30 ms</td><td>&plusmn;10 ms</td><td>2%</td><td>1% base loss, bursts p = 1%,
 *   r = 30% (3.3 datagrams), 32% loss inside</td></tr>
 *   <tr><td>{@code bad-4g}</td><td>80 ms</td><td>&plusmn;40 ms</td><td>8%</td><td>3% base loss, bursts p = 2%,
 *   r = 20% (5 datagrams), 58% loss inside; 0.5% duplication; 2% reordered by an extra 40 ms</td></tr>
 * </table>
 * <p>
 * <b>Spec strings</b> ({@link #parse(String)}, {@link #toString()}) for command lines: comma-separated
 * {@code key=value} items, optionally led by a preset name that the items then override, e.g.
 * {@code loss=5%,delay=10ms,jitter=5ms,dup=1%,reorder=10%,bw=1mbps,blackout=2s/5s} or
 * {@code bad-4g,bw=2mbps,rebind=10s}.
 * <pre>
 *   loss=P                  lossProbability
 *   burst=P/P[/P]           burstEnter/burstExit/burstLoss probabilities; burstLoss defaults to 100%
 *   delay=D  jitter=D       delayNs, jitterNs
 *   jittermode=ordered|independent
 *   dup=P  corrupt=P        duplicateProbability, corruptProbability
 *   reorder=P[/D]           reorderProbability [/reorderDelayNs]
 *   bw=R  bwqueue=D         bandwidth in bps, kbps, mbps or gbps (bits, decimal; 0 = unlimited), bandwidthQueueNs
 *   blackout=D/D[@D]        blackoutDuration/blackoutPeriod[@blackoutOffset]
 *   rebind=D[@D]            rebindInterval[@rebindOffset]; the offset defaults to the interval; 0s = off
 *
 *   P: a percentage (5%, 0.5%) or a fraction (0.05)
 *   D: a whole number with a unit: ns, us, ms, s, m or h (see {@link dev.skirmish.core.DurationParser}, plus ns)
 * </pre>
 * {@link #toString()} writes only the items that differ from {@link #NONE} ({@code none} when nothing does), and
 * {@code parse(profile.toString())} equals {@code profile}.
 */
public final class ImpairmentProfile
{
    /** How jitter treats the order of datagrams. */
    public enum JitterMode
    {
        /** A datagram is never delivered before the one offered just before it (unless reordered). */
        ORDERED,
        /** Each datagram's delay is independent: jitter larger than the gap between datagrams reorders them. */
        INDEPENDENT
    }

    /** Longest accepted delay, jitter or blackout parameter, one day: keeps nanosecond sums far from overflow. */
    public static final long MAX_DURATION_NS = TimeUnit.DAYS.toNanos(1);

    /**
     * Shortest accepted rebind interval, 100 ms: each rebind binds a socket and costs the server a path validation,
     * and a session needs a few round trips on one address to show anything but the move itself.
     */
    public static final long MIN_REBIND_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Highest accepted bandwidth cap, 1 Tbit/s, in bytes per second. */
    public static final long MAX_BANDWIDTH_BYTES_PER_SECOND = 125_000_000_000L;

    /**
     * Default extra hold of a reordered datagram, 20 ms: longer than a 60 Hz send interval (16.7 ms), so a reordered
     * datagram of a game stream is overtaken by at least the next one.
     */
    public static final long DEFAULT_REORDER_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(20);

    /**
     * Default limit on the time a datagram may wait for a bandwidth-capped link before it is tail-dropped, 100 ms:
     * a modest router buffer (access links often buffer more, which is bufferbloat).
     */
    public static final long DEFAULT_BANDWIDTH_QUEUE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A perfect link: nothing lost, delayed, duplicated, reordered, capped, blacked out or corrupted; no rebinds. */
    public static final ImpairmentProfile NONE = new ImpairmentProfile(new Draft());

    /** Wired switched LAN: 200 us &plusmn; 50 us, no loss. */
    public static final ImpairmentProfile LAN = NONE
        .withDelayNs(TimeUnit.MICROSECONDS.toNanos(200))
        .withJitterNs(TimeUnit.MICROSECONDS.toNanos(50));

    /** Home Wi-Fi: 2 ms &plusmn; 2 ms, 0.99% loss in short bursts. */
    public static final ImpairmentProfile WIFI = NONE
        .withDelayNs(TimeUnit.MILLISECONDS.toNanos(2))
        .withJitterNs(TimeUnit.MILLISECONDS.toNanos(2))
        .withLoss(0.005)
        .withBurstLoss(0.005, 0.5, 0.5);

    /** A fair 4G/LTE connection: 30 ms &plusmn; 10 ms, 2% loss partly in bursts. */
    public static final ImpairmentProfile MOBILE_4G = NONE
        .withDelayNs(TimeUnit.MILLISECONDS.toNanos(30))
        .withJitterNs(TimeUnit.MILLISECONDS.toNanos(10))
        .withLoss(0.01)
        .withBurstLoss(0.01, 0.3, 0.32);

    /** A poor 4G connection (cell edge, moving): 80 ms &plusmn; 40 ms, 8% loss in bursts, duplicates, reordering. */
    public static final ImpairmentProfile BAD_4G = NONE
        .withDelayNs(TimeUnit.MILLISECONDS.toNanos(80))
        .withJitterNs(TimeUnit.MILLISECONDS.toNanos(40))
        .withLoss(0.03)
        .withBurstLoss(0.02, 0.2, 0.58)
        .withDuplicate(0.005)
        .withReorder(0.02, TimeUnit.MILLISECONDS.toNanos(40));

    private static final List<String> PRESET_NAMES = List.of("none", "lan", "wifi", "4g", "bad-4g");

    private final double lossProbability;
    private final double burstEnterProbability;
    private final double burstExitProbability;
    private final double burstLossProbability;
    private final long delayNs;
    private final long jitterNs;
    private final JitterMode jitterMode;
    private final double duplicateProbability;
    private final double reorderProbability;
    private final long reorderDelayNs;
    private final double corruptProbability;
    private final long bandwidthBytesPerSecond;
    private final long bandwidthQueueNs;
    private final long blackoutDurationNs;
    private final long blackoutPeriodNs;
    private final long blackoutOffsetNs;
    private final long rebindIntervalNs;
    private final long rebindOffsetNs;

    private ImpairmentProfile(final Draft d)
    {
        lossProbability = d.lossProbability;
        burstEnterProbability = d.burstEnterProbability;
        burstExitProbability = d.burstExitProbability;
        burstLossProbability = d.burstLossProbability;
        delayNs = d.delayNs;
        jitterNs = d.jitterNs;
        jitterMode = d.jitterMode;
        duplicateProbability = d.duplicateProbability;
        reorderProbability = d.reorderProbability;
        reorderDelayNs = d.reorderDelayNs;
        corruptProbability = d.corruptProbability;
        bandwidthBytesPerSecond = d.bandwidthBytesPerSecond;
        bandwidthQueueNs = d.bandwidthQueueNs;
        blackoutDurationNs = d.blackoutDurationNs;
        blackoutPeriodNs = d.blackoutPeriodNs;
        blackoutOffsetNs = d.blackoutOffsetNs;
        rebindIntervalNs = d.rebindIntervalNs;
        rebindOffsetNs = d.rebindOffsetNs;
    }

    /**
     * A named preset: {@code none}, {@code lan}, {@code wifi}, {@code 4g} or {@code bad-4g} (see the class javadoc
     * for their parameters).
     *
     * @param name preset name, case-insensitive, surrounding blanks ignored.
     * @return the preset.
     * @throws IllegalArgumentException naming the accepted presets when there is no such preset.
     */
    public static ImpairmentProfile preset(final String name)
    {
        final String key = null == name ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (key)
        {
            case "none":
                return NONE;

            case "lan":
                return LAN;

            case "wifi":
                return WIFI;

            case "4g":
                return MOBILE_4G;

            case "bad-4g":
                return BAD_4G;

            default:
                throw new IllegalArgumentException("preset: unknown impairment preset '" + name + "', use one of " +
                    PRESET_NAMES);
        }
    }

    /**
     * Names accepted by {@link #preset(String)}.
     *
     * @return preset names, mildest first.
     */
    public static List<String> presetNames()
    {
        return PRESET_NAMES;
    }

    /**
     * Parse a spec string (grammar in the class javadoc), e.g. {@code loss=5%,delay=10ms,jitter=5ms} or
     * {@code 4g,bw=2mbps}. Blank text is {@link #NONE}.
     *
     * @param spec the spec.
     * @return the profile.
     * @throws IllegalArgumentException naming the item and what is accepted, for an unknown key, a repeated key, a
     *                                  malformed value or a value out of range.
     */
    public static ImpairmentProfile parse(final String spec)
    {
        return ImpairmentSpec.parse(spec);
    }

    /**
     * Probability that a datagram is lost at random; the good-state loss when burst loss is on.
     *
     * @return probability in [0, 1].
     */
    public double lossProbability()
    {
        return lossProbability;
    }

    /**
     * Gilbert-Elliott p: probability per datagram of moving from the good to the bad state; 0 when burst loss is off.
     *
     * @return probability in [0, 1].
     */
    public double burstEnterProbability()
    {
        return burstEnterProbability;
    }

    /**
     * Gilbert-Elliott r: probability per datagram of moving from the bad back to the good state.
     *
     * @return probability in [0, 1].
     */
    public double burstExitProbability()
    {
        return burstExitProbability;
    }

    /**
     * Gilbert-Elliott h: probability that a datagram is lost while in the bad state.
     *
     * @return probability in [0, 1].
     */
    public double burstLossProbability()
    {
        return burstLossProbability;
    }

    /**
     * Whether the Gilbert-Elliott chain runs.
     *
     * @return true when {@link #burstEnterProbability()} is above zero.
     */
    public boolean isBurstLossEnabled()
    {
        return burstEnterProbability > 0.0;
    }

    /**
     * Long-run fraction of datagrams lost to random and burst loss (blackouts, bandwidth and queue drops excluded):
     * {@code (1 - b) * loss + b * h} with {@code b = p / (p + r)} the stationary share of the bad state.
     *
     * @return probability in [0, 1].
     */
    public double averageLossProbability()
    {
        if (!isBurstLossEnabled())
        {
            return lossProbability;
        }
        final double bad = burstEnterProbability / (burstEnterProbability + burstExitProbability);
        return (1.0 - bad) * lossProbability + bad * burstLossProbability;
    }

    /**
     * One-way delay added to every datagram.
     *
     * @return nanoseconds, 0 to {@link #MAX_DURATION_NS}.
     */
    public long delayNs()
    {
        return delayNs;
    }

    /**
     * Half-width of the uniform jitter added to the delay.
     *
     * @return nanoseconds, 0 to {@link #MAX_DURATION_NS}.
     */
    public long jitterNs()
    {
        return jitterNs;
    }

    /**
     * Whether jitter may reorder datagrams.
     *
     * @return the mode, {@link JitterMode#ORDERED} by default.
     */
    public JitterMode jitterMode()
    {
        return jitterMode;
    }

    /**
     * Probability that a datagram is delivered twice.
     *
     * @return probability in [0, 1].
     */
    public double duplicateProbability()
    {
        return duplicateProbability;
    }

    /**
     * Probability that a datagram is held back by {@link #reorderDelayNs()} so later ones overtake it.
     *
     * @return probability in [0, 1].
     */
    public double reorderProbability()
    {
        return reorderProbability;
    }

    /**
     * Extra delay of a reordered datagram.
     *
     * @return nanoseconds, 0 to {@link #MAX_DURATION_NS}.
     */
    public long reorderDelayNs()
    {
        return reorderDelayNs;
    }

    /**
     * Probability that a delivered copy has one byte flipped.
     *
     * @return probability in [0, 1].
     */
    public double corruptProbability()
    {
        return corruptProbability;
    }

    /**
     * Bandwidth cap.
     *
     * @return bytes per second, 0 for unlimited.
     */
    public long bandwidthBytesPerSecond()
    {
        return bandwidthBytesPerSecond;
    }

    /**
     * Longest a datagram may wait for the bandwidth-capped link before it is tail-dropped.
     *
     * @return nanoseconds, 0 to {@link #MAX_DURATION_NS}.
     */
    public long bandwidthQueueNs()
    {
        return bandwidthQueueNs;
    }

    /**
     * Length of each blackout window.
     *
     * @return nanoseconds, 0 when blackouts are off.
     */
    public long blackoutDurationNs()
    {
        return blackoutDurationNs;
    }

    /**
     * Time from the start of one blackout window to the start of the next.
     *
     * @return nanoseconds, 0 when blackouts are off.
     */
    public long blackoutPeriodNs()
    {
        return blackoutPeriodNs;
    }

    /**
     * Phase of the blackout schedule: a window starts at this time on the caller's clock, and every period before
     * and after it.
     *
     * @return nanoseconds, 0 to {@code blackoutPeriodNs - 1}.
     */
    public long blackoutOffsetNs()
    {
        return blackoutOffsetNs;
    }

    /**
     * Whether any blackout windows are scheduled.
     *
     * @return true when the blackout duration is above zero.
     */
    public boolean isBlackoutEnabled()
    {
        return blackoutDurationNs > 0;
    }

    /**
     * Time between two rebinds of the client to a new local port. Applied by the owner of the client's socket, not
     * by {@link ImpairedLink}.
     *
     * @return nanoseconds, 0 when rebinding is off, else {@link #MIN_REBIND_INTERVAL_NS} to {@link #MAX_DURATION_NS}.
     */
    public long rebindIntervalNs()
    {
        return rebindIntervalNs;
    }

    /**
     * Time from the start to the first rebind (before any per-client jitter).
     *
     * @return nanoseconds, 0 to {@link #MAX_DURATION_NS}; 0 when rebinding is off.
     */
    public long rebindOffsetNs()
    {
        return rebindOffsetNs;
    }

    /**
     * Whether the client is to rebind to a new local port every {@link #rebindIntervalNs()}.
     *
     * @return true when the rebind interval is above zero.
     */
    public boolean isRebindEnabled()
    {
        return rebindIntervalNs > 0;
    }

    /**
     * Copy with another random (good-state) loss.
     *
     * @param lossProbability 0 to 1.
     * @return the copy.
     * @throws IllegalArgumentException if out of range.
     */
    public ImpairmentProfile withLoss(final double lossProbability)
    {
        final Draft d = draft();
        d.lossProbability = probability("lossProbability", lossProbability);
        return new ImpairmentProfile(d);
    }

    /**
     * Copy with Gilbert-Elliott burst loss. The random loss ({@link #withLoss(double)}) applies in the good state.
     *
     * @param burstEnterProbability p, per datagram, good to bad; 0 turns burst loss off.
     * @param burstExitProbability  r, per datagram, bad to good; above 0 when p is (else a burst never ends).
     * @param burstLossProbability  h, loss in the bad state.
     * @return the copy.
     * @throws IllegalArgumentException naming the parameter that is out of range.
     */
    public ImpairmentProfile withBurstLoss(
        final double burstEnterProbability, final double burstExitProbability, final double burstLossProbability)
    {
        final Draft d = draft();
        d.burstEnterProbability = probability("burstEnterProbability", burstEnterProbability);
        d.burstExitProbability = probability("burstExitProbability", burstExitProbability);
        d.burstLossProbability = probability("burstLossProbability", burstLossProbability);
        if (burstEnterProbability > 0.0 && burstExitProbability == 0.0)
        {
            throw new IllegalArgumentException(
                "burstExitProbability must be above 0 when burstEnterProbability is, else a burst never ends");
        }
        return new ImpairmentProfile(d);
    }

    /**
     * Copy without burst loss (p, r and h all 0).
     *
     * @return the copy.
     */
    public ImpairmentProfile withoutBurstLoss()
    {
        return withBurstLoss(0.0, 0.0, 0.0);
    }

    /**
     * Copy with another one-way delay.
     *
     * @param delayNs 0 to {@link #MAX_DURATION_NS}.
     * @return the copy.
     * @throws IllegalArgumentException if out of range.
     */
    public ImpairmentProfile withDelayNs(final long delayNs)
    {
        final Draft d = draft();
        d.delayNs = duration("delayNs", delayNs);
        return new ImpairmentProfile(d);
    }

    /**
     * Copy with another jitter half-width.
     *
     * @param jitterNs 0 to {@link #MAX_DURATION_NS}.
     * @return the copy.
     * @throws IllegalArgumentException if out of range.
     */
    public ImpairmentProfile withJitterNs(final long jitterNs)
    {
        final Draft d = draft();
        d.jitterNs = duration("jitterNs", jitterNs);
        return new ImpairmentProfile(d);
    }

    /**
     * Copy with another jitter mode.
     *
     * @param jitterMode whether jitter may reorder.
     * @return the copy.
     * @throws IllegalArgumentException if null.
     */
    public ImpairmentProfile withJitterMode(final JitterMode jitterMode)
    {
        if (null == jitterMode)
        {
            throw new IllegalArgumentException("jitterMode must not be null");
        }
        final Draft d = draft();
        d.jitterMode = jitterMode;
        return new ImpairmentProfile(d);
    }

    /**
     * Copy with another duplication probability.
     *
     * @param duplicateProbability 0 to 1.
     * @return the copy.
     * @throws IllegalArgumentException if out of range.
     */
    public ImpairmentProfile withDuplicate(final double duplicateProbability)
    {
        final Draft d = draft();
        d.duplicateProbability = probability("duplicateProbability", duplicateProbability);
        return new ImpairmentProfile(d);
    }

    /**
     * Copy with another reorder probability, keeping the reorder delay.
     *
     * @param reorderProbability 0 to 1.
     * @return the copy.
     * @throws IllegalArgumentException if out of range.
     */
    public ImpairmentProfile withReorder(final double reorderProbability)
    {
        return withReorder(reorderProbability, reorderDelayNs);
    }

    /**
     * Copy with another reorder probability and extra delay.
     *
     * @param reorderProbability 0 to 1.
     * @param reorderDelayNs     extra hold of a reordered datagram, 0 to {@link #MAX_DURATION_NS}.
     * @return the copy.
     * @throws IllegalArgumentException naming the parameter that is out of range.
     */
    public ImpairmentProfile withReorder(final double reorderProbability, final long reorderDelayNs)
    {
        final Draft d = draft();
        d.reorderProbability = probability("reorderProbability", reorderProbability);
        d.reorderDelayNs = duration("reorderDelayNs", reorderDelayNs);
        return new ImpairmentProfile(d);
    }

    /**
     * Copy with another corruption probability.
     *
     * @param corruptProbability 0 to 1.
     * @return the copy.
     * @throws IllegalArgumentException if out of range.
     */
    public ImpairmentProfile withCorrupt(final double corruptProbability)
    {
        final Draft d = draft();
        d.corruptProbability = probability("corruptProbability", corruptProbability);
        return new ImpairmentProfile(d);
    }

    /**
     * Copy with another bandwidth cap, keeping the queue limit.
     *
     * @param bandwidthBytesPerSecond 0 (unlimited) to {@link #MAX_BANDWIDTH_BYTES_PER_SECOND}.
     * @return the copy.
     * @throws IllegalArgumentException if out of range.
     */
    public ImpairmentProfile withBandwidth(final long bandwidthBytesPerSecond)
    {
        return withBandwidth(bandwidthBytesPerSecond, bandwidthQueueNs);
    }

    /**
     * Copy with another bandwidth cap and queue limit.
     *
     * @param bandwidthBytesPerSecond 0 (unlimited) to {@link #MAX_BANDWIDTH_BYTES_PER_SECOND}.
     * @param bandwidthQueueNs        longest wait for the link before a tail drop, 0 to {@link #MAX_DURATION_NS}.
     * @return the copy.
     * @throws IllegalArgumentException naming the parameter that is out of range.
     */
    public ImpairmentProfile withBandwidth(final long bandwidthBytesPerSecond, final long bandwidthQueueNs)
    {
        if (bandwidthBytesPerSecond < 0 || bandwidthBytesPerSecond > MAX_BANDWIDTH_BYTES_PER_SECOND)
        {
            throw new IllegalArgumentException("bandwidthBytesPerSecond must be in [0, " +
                MAX_BANDWIDTH_BYTES_PER_SECOND + "] (0 = unlimited): " + bandwidthBytesPerSecond);
        }
        final Draft d = draft();
        d.bandwidthBytesPerSecond = bandwidthBytesPerSecond;
        d.bandwidthQueueNs = duration("bandwidthQueueNs", bandwidthQueueNs);
        return new ImpairmentProfile(d);
    }

    /**
     * Copy with a blackout schedule: everything offered in {@code [offset + k * period, offset + k * period +
     * duration)} is dropped, for every integer k.
     *
     * @param blackoutDurationNs length of each window, 0 to {@code blackoutPeriodNs}.
     * @param blackoutPeriodNs   window start to window start, 1 to {@link #MAX_DURATION_NS}; 0 only with a 0
     *                           duration and offset (no blackouts).
     * @param blackoutOffsetNs   phase, 0 to {@code blackoutPeriodNs - 1} (0 when the period is 0).
     * @return the copy.
     * @throws IllegalArgumentException naming the parameter that is out of range.
     */
    public ImpairmentProfile withBlackout(
        final long blackoutDurationNs, final long blackoutPeriodNs, final long blackoutOffsetNs)
    {
        duration("blackoutDurationNs", blackoutDurationNs);
        duration("blackoutPeriodNs", blackoutPeriodNs);
        duration("blackoutOffsetNs", blackoutOffsetNs);
        if (blackoutPeriodNs == 0 && (blackoutDurationNs != 0 || blackoutOffsetNs != 0))
        {
            throw new IllegalArgumentException(
                "blackoutPeriodNs must be above 0 when blackoutDurationNs or blackoutOffsetNs is set");
        }
        if (blackoutDurationNs > blackoutPeriodNs)
        {
            throw new IllegalArgumentException("blackoutDurationNs must not exceed blackoutPeriodNs: " +
                blackoutDurationNs + " > " + blackoutPeriodNs);
        }
        if (blackoutPeriodNs > 0 && blackoutOffsetNs >= blackoutPeriodNs)
        {
            throw new IllegalArgumentException("blackoutOffsetNs must be below blackoutPeriodNs: " +
                blackoutOffsetNs + " >= " + blackoutPeriodNs);
        }
        final Draft d = draft();
        d.blackoutDurationNs = blackoutDurationNs;
        d.blackoutPeriodNs = blackoutPeriodNs;
        d.blackoutOffsetNs = blackoutOffsetNs;
        return new ImpairmentProfile(d);
    }

    /**
     * Copy without blackouts.
     *
     * @return the copy.
     */
    public ImpairmentProfile withoutBlackout()
    {
        return withBlackout(0, 0, 0);
    }

    /**
     * Copy with rebinds every {@code rebindIntervalNs}, the first one interval after the start.
     *
     * @param rebindIntervalNs 0 (off), or {@link #MIN_REBIND_INTERVAL_NS} to {@link #MAX_DURATION_NS}.
     * @return the copy.
     * @throws IllegalArgumentException if out of range.
     */
    public ImpairmentProfile withRebind(final long rebindIntervalNs)
    {
        return withRebind(rebindIntervalNs, rebindIntervalNs);
    }

    /**
     * Copy with a rebind schedule: the client moves to a new local port at {@code offset + k * interval} after the
     * start, k = 0, 1, 2, ... (plus the per-client jitter the owner of the socket adds). {@link ImpairedLink} ignores
     * it.
     *
     * @param rebindIntervalNs 0 (off), or {@link #MIN_REBIND_INTERVAL_NS} to {@link #MAX_DURATION_NS}.
     * @param rebindOffsetNs   time to the first rebind, 0 to {@link #MAX_DURATION_NS}; 0 when the interval is 0.
     * @return the copy.
     * @throws IllegalArgumentException naming the parameter that is out of range.
     */
    public ImpairmentProfile withRebind(final long rebindIntervalNs, final long rebindOffsetNs)
    {
        duration("rebindIntervalNs", rebindIntervalNs);
        duration("rebindOffsetNs", rebindOffsetNs);
        if (rebindIntervalNs != 0 && rebindIntervalNs < MIN_REBIND_INTERVAL_NS)
        {
            throw new IllegalArgumentException("rebindIntervalNs must be 0 (off) or at least " +
                MIN_REBIND_INTERVAL_NS + " ns (100ms): " + rebindIntervalNs);
        }
        if (rebindIntervalNs == 0 && rebindOffsetNs != 0)
        {
            throw new IllegalArgumentException("rebindOffsetNs must be 0 when rebindIntervalNs is 0 (no rebinds): " +
                rebindOffsetNs);
        }
        final Draft d = draft();
        d.rebindIntervalNs = rebindIntervalNs;
        d.rebindOffsetNs = rebindOffsetNs;
        return new ImpairmentProfile(d);
    }

    /**
     * Copy without rebinds.
     *
     * @return the copy.
     */
    public ImpairmentProfile withoutRebind()
    {
        return withRebind(0, 0);
    }

    /**
     * The spec string of this profile, which {@link #parse(String)} turns back into an equal profile: the items that
     * differ from {@link #NONE}, in a fixed order, or {@code none}.
     *
     * @return e.g. {@code loss=5%,delay=10ms,jitter=5ms}.
     */
    @Override
    public String toString()
    {
        return ImpairmentSpec.format(this);
    }

    /**
     * Field-by-field equality.
     *
     * @param o other object.
     * @return true when every parameter is the same.
     */
    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof ImpairmentProfile))
        {
            return false;
        }
        final ImpairmentProfile that = (ImpairmentProfile)o;
        return Double.compare(lossProbability, that.lossProbability) == 0 &&
            Double.compare(burstEnterProbability, that.burstEnterProbability) == 0 &&
            Double.compare(burstExitProbability, that.burstExitProbability) == 0 &&
            Double.compare(burstLossProbability, that.burstLossProbability) == 0 &&
            delayNs == that.delayNs &&
            jitterNs == that.jitterNs &&
            jitterMode == that.jitterMode &&
            Double.compare(duplicateProbability, that.duplicateProbability) == 0 &&
            Double.compare(reorderProbability, that.reorderProbability) == 0 &&
            reorderDelayNs == that.reorderDelayNs &&
            Double.compare(corruptProbability, that.corruptProbability) == 0 &&
            bandwidthBytesPerSecond == that.bandwidthBytesPerSecond &&
            bandwidthQueueNs == that.bandwidthQueueNs &&
            blackoutDurationNs == that.blackoutDurationNs &&
            blackoutPeriodNs == that.blackoutPeriodNs &&
            blackoutOffsetNs == that.blackoutOffsetNs &&
            rebindIntervalNs == that.rebindIntervalNs &&
            rebindOffsetNs == that.rebindOffsetNs;
    }

    /**
     * Hash of every parameter.
     *
     * @return hash code consistent with {@link #equals(Object)}.
     */
    @Override
    public int hashCode()
    {
        int h = Double.hashCode(lossProbability);
        h = 31 * h + Double.hashCode(burstEnterProbability);
        h = 31 * h + Double.hashCode(burstExitProbability);
        h = 31 * h + Double.hashCode(burstLossProbability);
        h = 31 * h + Long.hashCode(delayNs);
        h = 31 * h + Long.hashCode(jitterNs);
        h = 31 * h + jitterMode.hashCode();
        h = 31 * h + Double.hashCode(duplicateProbability);
        h = 31 * h + Double.hashCode(reorderProbability);
        h = 31 * h + Long.hashCode(reorderDelayNs);
        h = 31 * h + Double.hashCode(corruptProbability);
        h = 31 * h + Long.hashCode(bandwidthBytesPerSecond);
        h = 31 * h + Long.hashCode(bandwidthQueueNs);
        h = 31 * h + Long.hashCode(blackoutDurationNs);
        h = 31 * h + Long.hashCode(blackoutPeriodNs);
        h = 31 * h + Long.hashCode(blackoutOffsetNs);
        h = 31 * h + Long.hashCode(rebindIntervalNs);
        h = 31 * h + Long.hashCode(rebindOffsetNs);
        return h;
    }

    private Draft draft()
    {
        final Draft d = new Draft();
        d.lossProbability = lossProbability;
        d.burstEnterProbability = burstEnterProbability;
        d.burstExitProbability = burstExitProbability;
        d.burstLossProbability = burstLossProbability;
        d.delayNs = delayNs;
        d.jitterNs = jitterNs;
        d.jitterMode = jitterMode;
        d.duplicateProbability = duplicateProbability;
        d.reorderProbability = reorderProbability;
        d.reorderDelayNs = reorderDelayNs;
        d.corruptProbability = corruptProbability;
        d.bandwidthBytesPerSecond = bandwidthBytesPerSecond;
        d.bandwidthQueueNs = bandwidthQueueNs;
        d.blackoutDurationNs = blackoutDurationNs;
        d.blackoutPeriodNs = blackoutPeriodNs;
        d.blackoutOffsetNs = blackoutOffsetNs;
        d.rebindIntervalNs = rebindIntervalNs;
        d.rebindOffsetNs = rebindOffsetNs;
        return d;
    }

    private static double probability(final String name, final double value)
    {
        if (!(value >= 0.0 && value <= 1.0))
        {
            throw new IllegalArgumentException(name + " must be in [0, 1]: " + value);
        }
        return value;
    }

    private static long duration(final String name, final long valueNs)
    {
        if (valueNs < 0 || valueNs > MAX_DURATION_NS)
        {
            throw new IllegalArgumentException(name + " must be in [0, " + MAX_DURATION_NS + "] ns: " + valueNs);
        }
        return valueNs;
    }

    /** Mutable field set, only ever seen inside this class while a new profile is built. */
    private static final class Draft
    {
        double lossProbability;
        double burstEnterProbability;
        double burstExitProbability;
        double burstLossProbability;
        long delayNs;
        long jitterNs;
        JitterMode jitterMode = JitterMode.ORDERED;
        double duplicateProbability;
        double reorderProbability;
        long reorderDelayNs = DEFAULT_REORDER_DELAY_NS;
        double corruptProbability;
        long bandwidthBytesPerSecond;
        long bandwidthQueueNs = DEFAULT_BANDWIDTH_QUEUE_NS;
        long blackoutDurationNs;
        long blackoutPeriodNs;
        long blackoutOffsetNs;
        long rebindIntervalNs;
        long rebindOffsetNs;
    }
}
