package dev.skirmish.sim.game;

import java.util.concurrent.TimeUnit;

import dev.skirmish.sim.report.JsonWriter;

/**
 * The validated settings only game mode has; the session ones it shares (token key, protocol id, room size,
 * connect timeout, max failures, source addresses, impairment and seed) are in
 * {@link dev.skirmish.sim.session.SessionSettings}, whose {@code rateHz} is the tick rate.
 *
 * @param tickHz     inputs per second per bot; the rate the rooms tick at.
 * @param rampPerSec bots opened per second while connecting; 0 for as fast as possible.
 * @param metricsUrl the server's Prometheus endpoint, scraped at the start and end; null to skip.
 * @param inputLeadFrames frames beyond the first reachable one that an input targets.
 * @param alignInputs     whether bots move their ticks to just before their input's deadline (just-in-time input
 *                        sampling, as a lockstep client does) rather than keep the phase they connected at.
 */
public record GameSettings(int tickHz, int rampPerSec, String metricsUrl, int inputLeadFrames, boolean alignInputs)
{
    /** Bytes of each bot input: client id and a sequence number. */
    public static final int INPUT_BYTES = 8;

    /**
     * Time between two ticks.
     *
     * @return {@code 1 s / tickHz}, ns.
     */
    public long tickPeriodNs()
    {
        return TimeUnit.SECONDS.toNanos(1) / tickHz;
    }

    /**
     * Write the settings as members of the report's {@code config} object.
     *
     * @param json positioned inside the config object.
     */
    public void writeJson(final JsonWriter json)
    {
        json.name("tickHz").value(tickHz);
        json.name("rampPerSec").value(rampPerSec);
        json.name("inputLeadFrames").value(inputLeadFrames);
        json.name("inputTiming").value(alignInputs ? "aligned" : "free");
        json.name("inputBytes").value(INPUT_BYTES);
        json.name("metricsUrl").value(metricsUrl);
        json.name("inputFrameFrom").value("scheduled tick time of the input's send to receipt of its frame");
        json.name("sessionRttFrom").value("session srtt, sampled once a second per bot");
    }
}
