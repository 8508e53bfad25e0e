package dev.skirmish.sim;

import java.nio.file.Path;

import dev.skirmish.sim.cli.ServerAddress;
import dev.skirmish.sim.flood.FloodTransport;
import dev.skirmish.sim.game.GameSettings;
import dev.skirmish.sim.session.SessionSettings;

/**
 * The validated settings of one run, as stored in the report. Modes that do not use a setting get the
 * value that describes what they do (pingpong: one client, window one, one thread; session: window = pings a bot
 * tracks in flight).
 *
 * @param mode          traffic pattern.
 * @param server        where datagrams go.
 * @param durationNs    length of the measurement phase.
 * @param warmupNs      length of the warm-up before it, not recorded.
 * @param timeoutNs     after this without a reply a datagram is counted lost.
 * @param payloadLength bytes after the 8-byte header, at least 16.
 * @param clients       flood clients or session bots, each with its own socket.
 * @param window        datagrams in flight per flood client; pings tracked in flight per session bot.
 * @param ioThreads     event-loop threads of the flood clients or session bots.
 * @param transport     flood or session socket implementation requested.
 * @param reportDir     where the report files go.
 * @param label         free text stored in the summary, may be null.
 * @param spinNs        pingpong: how long to poll for the echo before blocking.
 * @param session       session mode's own settings, also used by game mode; null in the other modes.
 * @param game          game mode's own settings; null in the other modes.
 */
public record RunConfig(
    Mode mode,
    ServerAddress server,
    long durationNs,
    long warmupNs,
    long timeoutNs,
    int payloadLength,
    int clients,
    int window,
    int ioThreads,
    FloodTransport transport,
    Path reportDir,
    String label,
    long spinNs,
    SessionSettings session,
    GameSettings game)
{
}
