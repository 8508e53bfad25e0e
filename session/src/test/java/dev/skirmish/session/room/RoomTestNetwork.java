package dev.skirmish.session.room;

import dev.skirmish.core.impair.DeliveryHandler;
import dev.skirmish.core.impair.ImpairedLink;
import dev.skirmish.core.impair.ImpairmentProfile;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import dev.skirmish.session.channel.ChannelEndpoint;
import dev.skirmish.session.channel.ChannelEndpointConfig;
import dev.skirmish.session.channel.ReceiveChannel;
import dev.skirmish.session.lifecycle.DisconnectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.CachedNanoClock;

import java.util.ArrayList;
import java.util.List;

/**
 * A room server and its clients in one thread on a virtual clock, without sockets or crypto: one {@link RoomHost}
 * and, per client, a real {@link ChannelEndpoint} on each side (reliable and unreliable channels, acks, resends)
 * joined by two seeded {@link ImpairedLink}s, and a {@link FrameSyncClient}. Each step of 1 ms: deliveries to the
 * server, deliveries to the clients, the host's duty cycle, the clients' inputs and timers, then every endpoint's
 * timers and flush, as a worker and a client loop would. An 8-byte packet number precedes each body, standing in for
 * the AEAD sequence.
 */
final class RoomTestNetwork
{
    static final long MS = 1_000_000L;
    static final long START_NS = 1_000_000_000L;
    private static final int LINK_CAPACITY = 512;
    private static final int MAX_DATAGRAM = 1300;

    final CachedNanoClock clock = new CachedNanoClock();
    final CounterSet counters = new CounterSet("worker-0");
    final RoomConfig config;
    final RoomHost host;
    final List<SimClient> clients = new ArrayList<>();
    final List<byte[]> serverFrames = new ArrayList<>();
    final ChannelEndpointConfig channels = new ChannelEndpointConfig().conclude();
    long nowNs = START_NS;
    /** Runs on the server's tick, after the frame closed (records frames of room 1 by default). */
    RoomListener listener;
    boolean recordServerFrames = true;

    RoomTestNetwork(final RoomConfig config, final RoomListener delegate)
    {
        clock.update(nowNs);
        this.config = config.nanoClock(clock);
        this.listener = delegate;
        this.host = new RoomHost(0, config, new Recording(), counters);
    }

    long counter(final Counter counter)
    {
        return counters.get(counter);
    }

    /**
     * A client with its own seeded links; not connected yet.
     */
    SimClient newClient(
        final long clientId,
        final long roomId,
        final ImpairmentProfile toServer,
        final ImpairmentProfile toClient,
        final long seed)
    {
        final SimClient client = new SimClient(this, clientId, roomId, toServer, toClient, seed);
        clients.add(client);
        return client;
    }

    /**
     * Run one 1 ms step.
     */
    void step()
    {
        nowNs += MS;
        clock.update(nowNs);
        for (int i = 0; i < clients.size(); i++)
        {
            clients.get(i).deliverToServer(nowNs);
        }
        for (int i = 0; i < clients.size(); i++)
        {
            clients.get(i).deliverToClient(nowNs);
        }
        host.doWork(nowNs);
        for (int i = 0; i < clients.size(); i++)
        {
            clients.get(i).clientWork(nowNs);
        }
        for (int i = 0; i < clients.size(); i++)
        {
            clients.get(i).flush(nowNs);
        }
    }

    void run(final long durationNs)
    {
        final long steps = durationNs / MS;
        for (long i = 0; i < steps; i++)
        {
            step();
        }
    }

    private final class Recording implements RoomListener
    {
        @Override
        public void onRoomCreated(final Room room, final long nowNs)
        {
            listener.onRoomCreated(room, nowNs);
        }

        @Override
        public void onPlayerJoined(
            final Room room, final RoomPlayer player, final boolean reconnected, final long nowNs)
        {
            listener.onPlayerJoined(room, player, reconnected, nowNs);
        }

        @Override
        public void onPlayerAway(
            final Room room, final RoomPlayer player, final DisconnectReason reason, final long nowNs)
        {
            listener.onPlayerAway(room, player, reason, nowNs);
        }

        @Override
        public void onPlayerLeft(
            final Room room, final RoomPlayer player, final DisconnectReason reason, final long nowNs)
        {
            listener.onPlayerLeft(room, player, reason, nowNs);
        }

        @Override
        public void onInput(
            final Room room,
            final RoomPlayer player,
            final ByteBuf buffer,
            final int offset,
            final int length,
            final long nowNs)
        {
            listener.onInput(room, player, buffer, offset, length, nowNs);
        }

        @Override
        public void onTick(final Room room, final long tick, final long nowNs)
        {
            if (recordServerFrames && null != room.lastFrame())
            {
                final FrameView frame = room.lastFrame();
                while (serverFrames.size() <= frame.frame())
                {
                    serverFrames.add(null);
                }
                serverFrames.set((int)frame.frame(),
                    ByteBufUtil.getBytes(frame.buffer(), frame.offset(), frame.length()));
            }
            listener.onTick(room, tick, nowNs);
        }

        @Override
        public void onDesync(
            final Room room,
            final long frame,
            final RoomPlayer player,
            final long referenceHash,
            final long reportedHash,
            final long nowNs)
        {
            listener.onDesync(room, frame, player, referenceHash, reportedHash, nowNs);
        }

        @Override
        public void onRoomClosed(final Room room, final RoomCloseReason reason, final long nowNs)
        {
            listener.onRoomClosed(room, reason, nowNs);
        }
    }

    /**
     * One player: its FrameSyncClient, and per session a pair of endpoints and the server's link.
     */
    static final class SimClient implements FrameSyncClient.Listener
    {
        final RoomTestNetwork network;
        final long clientId;
        final long roomId;
        final long seed;
        final ImpairedLink toServer;
        final ImpairedLink toClient;
        final FrameSyncClient frameSync;
        final List<byte[]> frames = new ArrayList<>();
        final ByteBuf input = Unpooled.wrappedBuffer(new byte[8]);
        long inputIntervalNs = 1_000_000_000L / 30;
        long nextInputNs;
        boolean sendInputs = true;
        /** State relay: send a RELAY_INPUT (an 8-byte sequence) on this channel every input interval; -1 for none. */
        int relayChannel = -1;
        long relaySequence;
        final long[] relayReceived = new long[8];
        long relayLastPayload = -1;
        /** Keep a copy of every delivered frame (allocates; off for the allocation test). */
        boolean record = true;
        long firstFrame = -1;
        long lostFrames;
        long ownInputFrames;
        long latencySumNs;
        DisconnectReason disconnectReason;
        ChannelEndpoint clientEndpoint;
        ChannelEndpoint serverEndpoint;
        ServerLink link;
        private final ByteBuf scratch = Unpooled.buffer(2048);
        private long clientPacketNumber;
        private long serverPacketNumber;
        private final DeliveryHandler serverDelivery = this::onServerDatagram;
        private final DeliveryHandler clientDelivery = this::onClientDatagram;
        private final ReceiveChannel.MessageHandler toGame = this::onClientMessage;
        private final ReceiveChannel.MessageHandler toRoom = this::onServerMessage;
        private final ChannelEndpoint.PacketWriter clientWriter = new Writer(true);
        private final ChannelEndpoint.PacketWriter serverWriter = new Writer(false);

        SimClient(
            final RoomTestNetwork network,
            final long clientId,
            final long roomId,
            final ImpairmentProfile toServerProfile,
            final ImpairmentProfile toClientProfile,
            final long seed)
        {
            this.network = network;
            this.clientId = clientId;
            this.roomId = roomId;
            this.seed = seed;
            this.toServer = new ImpairedLink(toServerProfile, seed, LINK_CAPACITY, MAX_DATAGRAM);
            this.toClient = new ImpairedLink(toClientProfile, seed + 1, LINK_CAPACITY, MAX_DATAGRAM);
            this.frameSync = new FrameSyncClient(new FrameSyncClientConfig(),
                (channel, buffer, offset, length) -> null != clientEndpoint &&
                ChannelEndpoint.SEND_OK == clientEndpoint.send(channel, buffer, offset, length), this);
        }

        /**
         * A new session: fresh endpoints on both sides, the host told the player connected.
         */
        void connect()
        {
            clientEndpoint = new ChannelEndpoint(network.channels);
            serverEndpoint = new ChannelEndpoint(network.channels);
            link = new ServerLink(this, serverEndpoint);
            disconnectReason = null;
            nextInputNs = network.nowNs;
            network.host.onPlayerConnected(link, network.nowNs);
        }

        /**
         * The session is lost on the server's side (as a timeout would be): the host hears of it, the endpoints go.
         */
        void loseSession(final DisconnectReason reason)
        {
            final ServerLink old = link;
            dropSession(reason);
            network.host.onPlayerDisconnected(old, reason, network.nowNs);
        }

        void dropSession(final DisconnectReason reason)
        {
            disconnectReason = reason;
            clientEndpoint = null;
            serverEndpoint = null;
            if (null != link)
            {
                link.closed = true;
            }
        }

        boolean isConnected()
        {
            return null != clientEndpoint;
        }

        void deliverToServer(final long nowNs)
        {
            toServer.poll(nowNs, serverDelivery, 1024);
        }

        void deliverToClient(final long nowNs)
        {
            toClient.poll(nowNs, clientDelivery, 1024);
        }

        private void onServerDatagram(final ByteBuf datagram, final long nowNs)
        {
            if (null == serverEndpoint)
            {
                return;
            }
            final int start = datagram.readerIndex();
            serverEndpoint.onPacket(datagram.getLongLE(start), datagram, start + 8, datagram.readableBytes() - 8,
                nowNs, toRoom);
        }

        private void onClientDatagram(final ByteBuf datagram, final long nowNs)
        {
            if (null == clientEndpoint)
            {
                return;
            }
            final int start = datagram.readerIndex();
            clientEndpoint.onPacket(datagram.getLongLE(start), datagram, start + 8, datagram.readableBytes() - 8,
                nowNs, toGame);
        }

        private void onServerMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            if (null != link && !link.closed)
            {
                network.host.onPlayerMessage(link, channel, buffer, offset, length, network.nowNs);
            }
        }

        private void onClientMessage(final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            frameSync.onMessage(channel, buffer, offset, length, network.nowNs);
        }

        void clientWork(final long nowNs)
        {
            if (null == clientEndpoint)
            {
                return;
            }
            if (sendInputs && nowNs - nextInputNs >= 0 && frameSync.isWelcomed())
            {
                nextInputNs += inputIntervalNs;
                if (relayChannel >= 0)
                {
                    input.setLongLE(0, relaySequence);
                    if (frameSync.sendRelayInput(relayChannel, input, 0, 8))
                    {
                        relaySequence++;
                    }
                }
                else
                {
                    input.setLongLE(0, clientId << 32 | frameSync.lastInputFrame() + 1);
                    frameSync.sendInput(input, 0, 8, nowNs);
                }
            }
            frameSync.doWork(nowNs);
        }

        void flush(final long nowNs)
        {
            if (null != clientEndpoint)
            {
                if (nowNs >= clientEndpoint.nextTimerNs())
                {
                    clientEndpoint.onTimer(nowNs);
                }
                clientEndpoint.flush(nowNs, clientWriter);
            }
            if (null != serverEndpoint)
            {
                if (nowNs >= serverEndpoint.nextTimerNs())
                {
                    serverEndpoint.onTimer(nowNs);
                }
                serverEndpoint.flush(nowNs, serverWriter);
            }
        }

        @Override
        public void onFrame(final FrameSyncClient client, final FrameView frame)
        {
            if (firstFrame < 0)
            {
                firstFrame = frame.frame();
            }
            if (record)
            {
                while (frames.size() <= frame.frame())
                {
                    frames.add(null);
                }
                frames.set((int)frame.frame(), ByteBufUtil.getBytes(frame.buffer(), frame.offset(), frame.length()));
            }
            if (frame.carriesOwnInput())
            {
                ownInputFrames++;
                if (frame.inputSentNs() >= 0)
                {
                    latencySumNs += frame.receivedNs() - frame.inputSentNs();
                }
            }
        }

        @Override
        public void onRelay(
            final FrameSyncClient client, final int channel, final ByteBuf buffer, final int offset, final int length)
        {
            relayReceived[channel]++;
            if (length >= 8)
            {
                relayLastPayload = buffer.getLongLE(offset);
            }
        }

        @Override
        public void onFramesLost(final FrameSyncClient client, final long fromFrame, final long toFrame)
        {
            lostFrames += toFrame - fromFrame;
        }

        long deliveredUpTo()
        {
            return frameSync.nextFrame();
        }

        String describe()
        {
            return "client " + clientId + " seed=" + seed + " " + frameSync + " toServer=" + toServer +
                " toClient=" + toClient;
        }

        private final class Writer implements ChannelEndpoint.PacketWriter
        {
            private final boolean fromClient;

            Writer(final boolean fromClient)
            {
                this.fromClient = fromClient;
            }

            @Override
            public ByteBuf claim()
            {
                scratch.clear().writeLongLE(0);
                return scratch;
            }

            @Override
            public long commit(final ByteBuf body)
            {
                final long packetNumber = fromClient ? clientPacketNumber++ : serverPacketNumber++;
                body.setLongLE(0, packetNumber);
                final ImpairedLink link = fromClient ? toServer : toClient;
                link.offer(body, body.readerIndex(), body.readableBytes(), network.nowNs);
                return packetNumber;
            }
        }
    }

    /**
     * The server's side of one session: its channel endpoint. Disconnecting closes it and tells the host, as
     * ServerSessions.close does.
     */
    static final class ServerLink extends PlayerLink
    {
        final SimClient client;
        final ChannelEndpoint endpoint;
        boolean closed;
        DisconnectReason reason;

        ServerLink(final SimClient client, final ChannelEndpoint endpoint)
        {
            this.client = client;
            this.endpoint = endpoint;
        }

        @Override
        public long clientId()
        {
            return client.clientId;
        }

        @Override
        public long roomId()
        {
            return client.roomId;
        }

        @Override
        public boolean send(final int channel, final ByteBuf src, final int offset, final int length)
        {
            return !closed && ChannelEndpoint.SEND_OK == endpoint.send(channel, src, offset, length);
        }

        @Override
        public int claim(final int channel, final int length)
        {
            return closed ? -1 : endpoint.claim(channel, length);
        }

        @Override
        public ByteBuf claimBuffer()
        {
            return endpoint.claimBuffer();
        }

        @Override
        public long sendBudgetBytes()
        {
            return closed ? 0 : endpoint.sendBudgetBytes();
        }

        @Override
        public int maxWholeMessageBytes()
        {
            return endpoint.maxWholeMessageBytes();
        }

        @Override
        public void disconnect(final DisconnectReason reason)
        {
            if (closed)
            {
                return;
            }
            this.reason = reason;
            client.dropSession(reason);
            closed = true;
            client.network.host.onPlayerDisconnected(this, reason, client.network.nowNs);
        }
    }
}
