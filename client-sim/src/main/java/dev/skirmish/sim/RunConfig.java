package dev.skirmish.sim;

import java.nio.file.Path;

import dev.skirmish.sim.cli.ServerAddress;
import dev.skirmish.sim.flood.FloodTransport;

/**
 * The validated settings of one run, as stored in the report. Modes that do not use a setting get the
 * value that describes what they do (pingpong: one client, window one, one thread).
 *
 * @param mode          traffic pattern.
 * @param server        where datagrams go.
 * @param durationNs    length of the measurement phase.
 * @param warmupNs      length of the warm-up before it, not recorded.
 * @param timeoutNs     after this without a reply a datagram is counted lost.
 * @param payloadLength bytes after the 8-byte header, at least 16.
 * @param clients       flood clients, each with its own socket and session id.
 * @param window        datagrams in flight per flood client.
 * @param ioThreads     event-loop threads of the flood clients.
 * @param transport     flood socket implementation requested.
 * @param reportDir     where the report files go.
 * @param label         free text stored in the summary, may be null.
 * @param spinNs        pingpong: how long to poll for the echo before blocking.
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
    long spinNs)
{
}
