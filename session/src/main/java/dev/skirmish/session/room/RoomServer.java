package dev.skirmish.session.room;

import dev.skirmish.session.server.ServerSessions;
import dev.skirmish.session.server.SessionListener;

import java.util.Arrays;
import java.util.Objects;

/**
 * Rooms on a session server: one {@link RoomHost} per worker, created by the listener factory, plus thread-safe
 * commands routed to the worker that owns a room id ({@code roomId mod workers}, where the session server places the
 * room's sessions).
 *
 * <pre>{@code
 * RoomServer rooms = new RoomServer(new RoomConfig().tickRateHz(30), (worker) -> new MyGame());
 * SessionServer server = SessionServer.launch(ctx, sessionConfig, rooms.listenerFactory());
 * rooms.createRoom(42, RoomMode.FRAME_SYNC, 4, 30);        // any thread, after launch
 * // or simply: SessionServer.launch(ctx, sessionConfig, RoomServer.factory(roomConfig, (worker) -> new MyGame()));
 * }</pre>
 * Thread safe.
 */
public final class RoomServer
{
    private final RoomConfig config;
    private final RoomListener.Factory listeners;
    private volatile RoomHost[] hosts = new RoomHost[0];

    /**
     * @param config    room settings; concluded now.
     * @param listeners creates the game's listener of each worker.
     */
    public RoomServer(final RoomConfig config, final RoomListener.Factory listeners)
    {
        this.config = Objects.requireNonNull(config, "config");
        this.listeners = Objects.requireNonNull(listeners, "listeners");
        if (!config.isConcluded())
        {
            config.conclude();
        }
    }

    /**
     * Rooms as the session listeners of a server, without a handle for commands.
     *
     * @param config    room settings.
     * @param listeners creates the game's listener of each worker.
     * @return the factory to pass to {@link dev.skirmish.session.server.SessionServer#launch}.
     */
    public static SessionListener.Factory factory(final RoomConfig config, final RoomListener.Factory listeners)
    {
        return new RoomServer(config, listeners).listenerFactory();
    }

    /**
     * @return the factory to pass to {@link dev.skirmish.session.server.SessionServer#launch}: it creates and
     * registers the {@link RoomHost} of each worker.
     */
    public SessionListener.Factory listenerFactory()
    {
        return this::newHost;
    }

    private synchronized RoomHost newHost(final int worker, final ServerSessions sessions)
    {
        final RoomHost host = new RoomHost(worker, config, listeners.newListener(worker), sessions.counters());
        final RoomHost[] current = hosts;
        final RoomHost[] next = Arrays.copyOf(current, Math.max(current.length, worker + 1));
        next[worker] = host;
        hosts = next;
        return host;
    }

    /**
     * @return workers with a host (all of them once the server is launched).
     */
    public int workers()
    {
        return hosts.length;
    }

    /**
     * @param worker index.
     * @return its host; touch it only on that worker's thread (or in invoker mode from the driving thread).
     */
    public RoomHost host(final int worker)
    {
        return hosts[worker];
    }

    /**
     * @param roomId room id.
     * @return the worker that owns it.
     */
    public int workerForRoom(final long roomId)
    {
        return (int)Long.remainderUnsigned(roomId, hosts.length);
    }

    /**
     * Create a room on its worker, from any thread after launch: queued, created on the worker's next duty cycle
     * (ignored there if the id exists or the worker is at its room limit, counted).
     *
     * @param roomId     room id.
     * @param mode       mode.
     * @param capacity   player slots.
     * @param tickRateHz 10 to 128.
     * @return false if the worker's command queue is full (counted).
     * @throws IllegalArgumentException for a bad capacity or tick rate.
     * @throws IllegalStateException    before the server is launched.
     */
    public boolean createRoom(final long roomId, final RoomMode mode, final int capacity, final int tickRateHz)
    {
        Objects.requireNonNull(mode, "mode");
        RoomConfig.checkTickRate(tickRateHz);
        config.checkCapacity(capacity);
        return hostFor(roomId).offer(new RoomCommand(RoomCommand.CREATE, roomId, mode, capacity, tickRateHz));
    }

    /**
     * End a room from any thread: closed on its worker's next duty cycle ({@link RoomCloseReason#ENDED}).
     *
     * @param roomId room id.
     * @return false if the worker's command queue is full (counted).
     * @throws IllegalStateException before the server is launched.
     */
    public boolean endRoom(final long roomId)
    {
        return hostFor(roomId).offer(new RoomCommand(RoomCommand.END, roomId, null, 0, 0));
    }

    private RoomHost hostFor(final long roomId)
    {
        final RoomHost[] current = hosts;
        if (0 == current.length)
        {
            throw new IllegalStateException("no workers yet: launch the session server with listenerFactory() first");
        }
        return current[(int)Long.remainderUnsigned(roomId, current.length)];
    }

    /**
     * @return the room settings.
     */
    public RoomConfig config()
    {
        return config;
    }
}
