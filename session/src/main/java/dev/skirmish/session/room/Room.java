package dev.skirmish.session.room;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;

import static dev.skirmish.session.room.RoomMessageDescriptor.RELAY;

/**
 * A match: an id, a capacity, a tick rate, a mode and its players, on the worker that owns their sessions. Ticks
 * fire on an absolute {@link TickSchedule}; {@link RoomHost} runs them. The game reads and drives the room from its
 * {@link RoomListener} callbacks (or any code on the worker thread).
 * <p>
 * Not thread safe: owned by one worker thread.
 */
public final class Room implements FrameSyncServer.Output, FrameSyncServer.DesyncHandler
{
    private final RoomHost host;
    private final RoomConfig config;
    private final long id;
    private final RoomMode mode;
    private final int capacity;
    private final int tickRateHz;
    private final long createdNs;
    private final long tickBudgetNs;
    final TickSchedule schedule;
    final RoomPlayer[] players;
    final FrameSyncServer frameSync;
    long nextDeadlineNs;
    long emptySinceNs;
    private boolean open = true;
    private RoomCloseReason closeReason;
    private int connectedCount;
    private int occupiedCount;
    private long ticks;
    private long lateTicks;
    private long skippedTicks;
    private long stalls;
    private int stallStreak;
    private long maxTickNs;
    private Object attachment;

    Room(
        final RoomHost host,
        final RoomConfig config,
        final long id,
        final RoomMode mode,
        final int capacity,
        final int tickRateHz,
        final long nowNs)
    {
        this.host = host;
        this.config = config;
        this.id = id;
        this.mode = mode;
        this.capacity = capacity;
        this.tickRateHz = tickRateHz;
        this.createdNs = nowNs;
        this.schedule = new TickSchedule(nowNs, tickRateHz);
        this.nextDeadlineNs = schedule.nextDeadlineNs();
        this.emptySinceNs = nowNs;
        final long periodNs = 1_000_000_000L / tickRateHz;
        this.tickBudgetNs = 0 == config.tickBudgetNs() ? periodNs : config.tickBudgetNs();
        this.frameSync = RoomMode.FRAME_SYNC == mode ?
            new FrameSyncServer(config, capacity, host.counters(), this) : null;
        this.players = new RoomPlayer[capacity];
        for (int slot = 0; slot < capacity; slot++)
        {
            players[slot] = new RoomPlayer(this, slot,
                new RelayInbox(config.relayInboxBytes(), config.relayInboxMessages()));
        }
    }

    /**
     * @return room id (the connect tokens' room id).
     */
    public long id()
    {
        return id;
    }

    /**
     * @return mode.
     */
    public RoomMode mode()
    {
        return mode;
    }

    /**
     * @return player slots.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return ticks per second.
     */
    public int tickRateHz()
    {
        return tickRateHz;
    }

    /**
     * @return players holding a slot (connected or away).
     */
    public int playerCount()
    {
        return occupiedCount;
    }

    /**
     * @return players whose session is open.
     */
    public int connectedCount()
    {
        return connectedCount;
    }

    /**
     * @param slot 0 to capacity - 1.
     * @return the player of the slot, or null if the slot is free.
     */
    public RoomPlayer player(final int slot)
    {
        final RoomPlayer player = players[slot];
        return RoomPlayer.State.FREE == player.state ? null : player;
    }

    /**
     * @return true until the room closes.
     */
    public boolean isOpen()
    {
        return open;
    }

    /**
     * @return why it closed, null while open.
     */
    public RoomCloseReason closeReason()
    {
        return closeReason;
    }

    /**
     * @return the tick schedule (deadlines, next tick).
     */
    public TickSchedule schedule()
    {
        return schedule;
    }

    /**
     * Frame sync: the frame closed by the current or last tick.
     *
     * @return the view, or null in state relay.
     */
    public FrameView lastFrame()
    {
        return null == frameSync ? null : frameSync.lastFrame();
    }

    /**
     * @return the frame-sync engine, or null in state relay.
     */
    public FrameSyncServer frameSync()
    {
        return frameSync;
    }

    /**
     * Send a game message (a RELAY message: its type byte, then the payload) to one player on any channel.
     *
     * @param player  a connected player of this room.
     * @param channel channel id.
     * @param src     payload.
     * @param offset  in src.
     * @param length  payload length; 1 + length must fit the channel's limit.
     * @return false if the player is not connected or its queue is full (counted).
     */
    public boolean send(
        final RoomPlayer player, final int channel, final ByteBuf src, final int offset, final int length)
    {
        final int at = claimRelay(player, channel, length);
        if (at < 0)
        {
            return false;
        }
        player.link.claimBuffer().setBytes(at + 1, src, offset, length);
        return true;
    }

    /**
     * Send a game message from an array. See {@link #send(RoomPlayer, int, ByteBuf, int, int)}.
     *
     * @param player  a connected player of this room.
     * @param channel channel id.
     * @param src     payload.
     * @param offset  in src.
     * @param length  payload length.
     * @return false if not queued.
     */
    public boolean send(
        final RoomPlayer player, final int channel, final byte[] src, final int offset, final int length)
    {
        final int at = claimRelay(player, channel, length);
        if (at < 0)
        {
            return false;
        }
        player.link.claimBuffer().setBytes(at + 1, src, offset, length);
        return true;
    }

    private int claimRelay(final RoomPlayer player, final int channel, final int length)
    {
        final PlayerLink link = player.link;
        if (null == link || player.room != this)
        {
            return -1;
        }
        final int at = link.claim(channel, 1 + length);
        if (at < 0)
        {
            host.counters().increment(Counter.ROOM_SEND_FAILED);
            return -1;
        }
        link.claimBuffer().setByte(at, RELAY);
        return at;
    }

    /**
     * Send a game message to every connected player.
     *
     * @param channel channel id.
     * @param src     payload.
     * @param offset  in src.
     * @param length  payload length.
     * @return players it was queued for.
     */
    public int broadcast(final int channel, final ByteBuf src, final int offset, final int length)
    {
        int sent = 0;
        for (int slot = 0; slot < capacity; slot++)
        {
            final RoomPlayer player = players[slot];
            if (RoomPlayer.State.CONNECTED == player.state && send(player, channel, src, offset, length))
            {
                sent++;
            }
        }
        return sent;
    }

    /**
     * Remove a player: its slot is freed ({@link RoomListener#onPlayerLeft} with KICKED) and its session closed with
     * {@link DisconnectReason#KICKED}.
     *
     * @param player a player of this room.
     */
    public void kick(final RoomPlayer player)
    {
        if (player.room != this || RoomPlayer.State.FREE == player.state)
        {
            return;
        }
        final PlayerLink link = player.link;
        removePlayer(player, DisconnectReason.KICKED, host.nowNs());
        if (null != link)
        {
            link.disconnect(DisconnectReason.KICKED);
        }
    }

    /**
     * End the room: it closes now ({@link RoomCloseReason#ENDED}), its players are disconnected with
     * {@link DisconnectReason#ROOM_CLOSED}.
     */
    public void end()
    {
        host.closeRoom(this, RoomCloseReason.ENDED);
    }

    /**
     * @return ticks run.
     */
    public long ticks()
    {
        return ticks;
    }

    /**
     * @return ticks run later than the late threshold.
     */
    public long lateTicks()
    {
        return lateTicks;
    }

    /**
     * @return ticks skipped because the backlog was too long.
     */
    public long skippedTicks()
    {
        return skippedTicks;
    }

    /**
     * @return ticks that took longer than the tick budget.
     */
    public long stalls()
    {
        return stalls;
    }

    /**
     * @return longest tick, ns.
     */
    public long maxTickNs()
    {
        return maxTickNs;
    }

    /**
     * @return the tick budget, ns.
     */
    public long tickBudgetNs()
    {
        return tickBudgetNs;
    }

    /**
     * @return frame sync: hash mismatches seen; 0 in state relay.
     */
    public long desyncs()
    {
        return null == frameSync ? 0 : frameSync.desyncs();
    }

    /**
     * @return when it was created (the schedule's start), ns.
     */
    public long createdNs()
    {
        return createdNs;
    }

    /**
     * @return whatever the game attached, or null.
     */
    public Object attachment()
    {
        return attachment;
    }

    /**
     * @param attachment the game's per-room object.
     */
    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Worker side, driven by RoomHost.

    /**
     * @return the player of a client id holding a slot here, or null.
     */
    RoomPlayer playerOf(final long clientId)
    {
        for (int slot = 0; slot < capacity; slot++)
        {
            final RoomPlayer player = players[slot];
            if (RoomPlayer.State.FREE != player.state && player.clientId == clientId)
            {
                return player;
            }
        }
        return null;
    }

    RoomPlayer freeSlot()
    {
        for (int slot = 0; slot < capacity; slot++)
        {
            if (RoomPlayer.State.FREE == players[slot].state)
            {
                return players[slot];
            }
        }
        return null;
    }

    void occupy(final RoomPlayer player, final PlayerLink link)
    {
        player.occupy(link.clientId(), link);
        occupiedCount++;
        connectedCount++;
        if (null != frameSync)
        {
            frameSync.add(player.slot);
        }
    }

    void reconnect(final RoomPlayer player, final PlayerLink link)
    {
        if (RoomPlayer.State.CONNECTED == player.state)
        {
            connectedCount--;
        }
        player.connect(link);
        connectedCount++;
        if (null != frameSync)
        {
            frameSync.connect(player.slot);
        }
    }

    void away(final RoomPlayer player, final long nowNs)
    {
        player.detach();
        player.state = RoomPlayer.State.AWAY;
        player.awaySinceNs = nowNs;
        connectedCount--;
        if (0 == connectedCount)
        {
            emptySinceNs = nowNs;
        }
        if (null != frameSync)
        {
            frameSync.away(player.slot);
        }
    }

    void removePlayer(final RoomPlayer player, final DisconnectReason reason, final long nowNs)
    {
        if (RoomPlayer.State.CONNECTED == player.state)
        {
            connectedCount--;
            if (0 == connectedCount)
            {
                emptySinceNs = nowNs;
            }
        }
        if (null != frameSync)
        {
            frameSync.remove(player.slot);
        }
        player.detach();
        occupiedCount--;
        host.counters().increment(Counter.ROOM_PLAYERS_LEFT);
        try
        {
            host.listener().onPlayerLeft(this, player, reason, nowNs);
        }
        finally
        {
            player.free();
        }
    }

    void markClosed(final RoomCloseReason reason)
    {
        open = false;
        closeReason = reason;
    }

    /**
     * Lifecycle at the start of a tick: players not back within the reconnect grace leave.
     */
    void expireAwayPlayers(final long nowNs)
    {
        for (int slot = 0; slot < capacity && open; slot++)
        {
            final RoomPlayer player = players[slot];
            if (RoomPlayer.State.AWAY == player.state && nowNs - player.awaySinceNs >= config.reconnectGraceNs())
            {
                removePlayer(player, DisconnectReason.TIMEOUT, nowNs);
            }
        }
    }

    boolean isEmptyFor(final long nowNs, final long graceNs)
    {
        return 0 == connectedCount && nowNs - emptySinceNs >= graceNs;
    }

    /**
     * One tick: drain inputs, game logic, send. Exceptions go to the host (the room is isolated).
     */
    void tick(final long tick, final long nowNs)
    {
        if (null != frameSync && frameSync.isAtFrameLimit())
        {
            // The last frame went out last tick: close rather than number a frame past the limit.
            host.closeRoom(this, RoomCloseReason.FRAME_LIMIT);
            return;
        }
        ticks++;
        final RoomListener listener = host.listener();
        if (null != frameSync)
        {
            frameSync.closeFrame();
        }
        drainInbox(listener, nowNs);
        if (!open)
        {
            return;
        }
        listener.onTick(this, tick, nowNs);
        if (open && null != frameSync)
        {
            frameSync.sendFrames(this);
        }
    }

    private void drainInbox(final RoomListener listener, final long nowNs)
    {
        for (int slot = 0; slot < capacity && open; slot++)
        {
            final RoomPlayer player = players[slot];
            final RelayInbox inbox = player.inbox;
            if (0 == inbox.count())
            {
                continue;
            }
            final int end = inbox.end();
            final ByteBuf buffer = inbox.buffer();
            for (int at = 0; at < end && open && RoomPlayer.State.FREE != player.state; at = inbox.next(at))
            {
                listener.onInput(this, player, buffer, RelayInbox.payloadAt(at), inbox.lengthAt(at), nowNs);
            }
            inbox.clear();
        }
    }

    void onTickMeasured(final boolean late, final long durationNs)
    {
        if (late)
        {
            lateTicks++;
        }
        if (durationNs > maxTickNs)
        {
            maxTickNs = durationNs;
        }
        if (durationNs <= tickBudgetNs)
        {
            stallStreak = 0;
        }
    }

    /**
     * @return consecutive stalls so far, this one included.
     */
    int onStall()
    {
        stalls++;
        return ++stallStreak;
    }

    void onSkipped(final long skipped)
    {
        skippedTicks += skipped;
    }

    @Override
    public boolean send(
        final int slot, final boolean reliable, final ByteBuf buffer, final int offset, final int length)
    {
        final PlayerLink link = players[slot].link;
        return null != link &&
            link.send(reliable ? config.reliableChannel() : config.frameChannel(), buffer, offset, length);
    }

    @Override
    public long sendBudgetBytes(final int slot)
    {
        final PlayerLink link = players[slot].link;
        return null == link ? 0 : link.sendBudgetBytes();
    }

    @Override
    public void onDesync(final long frame, final int slot, final long referenceHash, final long reportedHash)
    {
        host.onDesync(this, frame, players[slot], referenceHash, reportedHash);
    }

    @Override
    public String toString()
    {
        return "Room{id=" + id + ", mode=" + mode + ", capacity=" + capacity + ", tickRateHz=" + tickRateHz +
            ", players=" + occupiedCount + ", connected=" + connectedCount + ", open=" + open +
            (open ? "" : ", closeReason=" + closeReason) + ", ticks=" + ticks + '}';
    }
}
