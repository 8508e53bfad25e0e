package dev.skirmish.session.client;

import dev.skirmish.core.impair.ImpairedLink;
import dev.skirmish.core.impair.ImpairmentProfile;

import java.util.Objects;

/**
 * A network to put between one {@link ClientHandle} and its server, in process: two seeded {@link ImpairedLink}s,
 * one per direction, applied at the client (datagrams to the server are held, dropped, duplicated or reordered
 * before the socket; datagrams from the server after it). Deliveries are polled on every client timer tick
 * ({@link ClientConfig#tickIntervalNs()}, 1 ms by default) and right after each datagram, so the tick is the
 * resolution of delays. For tests and the bot swarm; both links allocate their slots once.
 *
 * @param toServer   what happens to datagrams the client sends.
 * @param fromServer what happens to datagrams the server sends.
 * @param seed       seed of both links (the second link uses {@code seed + 1}); print it to replay a run.
 * @param capacity   datagram copies in flight per direction (each holds a max-size datagram): size it for the
 *                   send rate times the longest delay.
 */
public record ClientImpairment(ImpairmentProfile toServer, ImpairmentProfile fromServer, long seed, int capacity)
{
    /** Default copies in flight per direction: 64, two seconds of a 30 Hz game with room for duplicates. */
    public static final int CAPACITY_DEFAULT = 64;

    /**
     * @param toServer   what happens to datagrams the client sends.
     * @param fromServer what happens to datagrams the server sends.
     * @param seed       seed of both links.
     * @param capacity   datagrams in flight per direction, at least 1.
     */
    public ClientImpairment
    {
        Objects.requireNonNull(toServer, "toServer");
        Objects.requireNonNull(fromServer, "fromServer");
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
    }

    /**
     * The same profile both ways, default capacity.
     *
     * @param profile both directions.
     * @param seed    seed of both links.
     * @return the impairment.
     */
    public static ClientImpairment symmetric(final ImpairmentProfile profile, final long seed)
    {
        return new ClientImpairment(profile, profile, seed, CAPACITY_DEFAULT);
    }

    ImpairedLink newToServerLink(final int maxDatagramLength)
    {
        return new ImpairedLink(toServer, seed, capacity, maxDatagramLength);
    }

    ImpairedLink newFromServerLink(final int maxDatagramLength)
    {
        return new ImpairedLink(fromServer, seed + 1, capacity, maxDatagramLength);
    }
}
