package dev.skirmish.sim.session;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.sim.cli.U64Converter;
import dev.skirmish.sim.report.JsonWriter;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.token.TokenKey;

/**
 * The validated settings only session mode has; the shared ones (clients, threads, payload, timeout) stay in
 * {@link dev.skirmish.sim.RunConfig}.
 *
 * @param tokenKey         key the bots' connect tokens are sealed with; the server must open them with the same one.
 * @param tokenKeyFile     where the key came from, or null for the public development key.
 * @param protocolId       u64 naming the game and build; the server rejects tokens for any other.
 * @param roomSize         bots per room: bot {@code i} joins room {@code i / roomSize}.
 * @param rateHz           pings per second per bot.
 * @param connectTimeoutNs a bot not connected this long after it started connecting has failed.
 * @param maxFailures      bots that may fail to connect or disconnect unexpectedly before the run fails.
 * @param singleSource     all bots bind the same local address, even against a server on IPv4 loopback.
 * @param channel          channel the pings go on (the echo server answers on the same one), 0..7.
 * @param impairment       network between each bot and the server, applied at the bot both ways, per group of bots
 *                         ({@link #impairmentFor(int, int)}), or null.
 * @param seed             seed of the impairment; bot {@code i} uses {@code seed + 2i} and {@code seed + 2i + 1}.
 * @param aeadSuite        AEAD of the bots' session packets; must be the server's (it is not negotiated).
 */
public record SessionSettings(
    TokenKey tokenKey,
    String tokenKeyFile,
    long protocolId,
    int roomSize,
    int rateHz,
    long connectTimeoutNs,
    int maxFailures,
    boolean singleSource,
    int channel,
    ImpairmentMix impairment,
    long seed,
    AeadSuite aeadSuite)
{
    /** Most pings a bot tracks in flight; a ping still unanswered when its slot comes round again is lost. */
    public static final int MAX_SLOTS = 1024;

    /**
     * Time between two pings of one bot.
     *
     * @return {@code 1 s / rateHz}, ns.
     */
    public long intervalNs()
    {
        return TimeUnit.SECONDS.toNanos(1) / rateHz;
    }

    /**
     * Rooms the bots fill.
     *
     * @param bots number of bots.
     * @return {@code ceil(bots / roomSize)}.
     */
    public int rooms(final int bots)
    {
        return (bots + roomSize - 1) / roomSize;
    }

    /**
     * Pings a bot tracks in flight: every ping sent within one timeout, plus one, at most {@value #MAX_SLOTS}.
     *
     * @param timeoutNs after which a ping without echo is lost.
     * @return slots per bot.
     */
    public int slots(final long timeoutNs)
    {
        final long inTimeout = (timeoutNs + intervalNs() - 1) / intervalNs();

        return (int)Math.min(MAX_SLOTS, inTimeout + 1);
    }

    /**
     * Impairment of one bot: the profile of its group in the mix.
     *
     * @param botIndex 0..bots - 1.
     * @param bots     bots in the swarm.
     * @return its profile, or null when the run is not impaired.
     */
    public ImpairmentProfile impairmentFor(final int botIndex, final int bots)
    {
        return null == impairment ? null : impairment.profileFor(botIndex, bots);
    }

    /**
     * Write the settings as members of the report's {@code config} object.
     *
     * @param json positioned inside the config object.
     * @param bots number of bots.
     */
    public void writeJson(final JsonWriter json, final int bots)
    {
        json.name("tokenKey").value(null == tokenKeyFile ? "development" : tokenKeyFile);
        json.name("tokenKeyFingerprint").value(tokenKey.fingerprint());
        json.name("protocolId").value(U64Converter.toHex(protocolId));
        json.name("roomSize").value(roomSize);
        json.name("rooms").value(rooms(bots));
        json.name("rateHz").value(rateHz);
        json.name("connectTimeoutMs").value(TimeUnit.NANOSECONDS.toMillis(connectTimeoutNs));
        json.name("maxFailures").value(maxFailures);
        json.name("singleSource").value(singleSource);
        json.name("rttFrom").value("scheduled send time");
        json.name("channel").value(channel);
        json.name("impairment").value(null == impairment ? "none" : impairment.toString());
        if (null != impairment)
        {
            json.name("impairmentGroups").beginArray();
            for (int g = 0; g < impairment.groups(); g++)
            {
                json.beginObject();
                json.name("share").value(impairment.share(g) * 100, 2);
                json.name("profile").value(impairment.profile(g).toString());
                json.name("bots").value(impairment.botsIn(g, bots));
                json.endObject();
            }
            json.endArray();
        }
        json.name("seed").value(seed);
        json.name("aeadSuite").value(aeadSuite.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
}
