package dev.skirmish.session.system;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.transport.TransportKind;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.client.ClientConfig;
import dev.skirmish.session.client.ClientGroup;
import dev.skirmish.session.client.ClientHandle;
import dev.skirmish.session.client.ClientListener;
import dev.skirmish.session.client.SkirmishClient;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.server.SessionListener;
import dev.skirmish.session.server.SessionServer;
import dev.skirmish.session.server.SessionServerConfig;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import io.netty.util.ResourceLeakDetector;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real clients get in while a flood of forged connect requests arrives: 100 000 per second from 256 loopback
 * addresses (127.3.0.0/16, one socket each) against one I/O thread, while 100 clients, each on its own loopback
 * address (127.2.0.0/16), connect. Load mode engages, the per-source buckets absorb the flood before any crypto,
 * and the clients' handshakes (10 packets a second each) pass.
 */
class HandshakeFloodTest
{
    private static final int FLOOD_SOURCES = 256;
    private static final int FLOOD_RATE_PER_SECOND = 100_000;
    private static final int CLIENTS = 100;

    @Test
    void shouldLetRealClientsInDuringAConnectRequestFlood() throws Exception
    {
        // Paranoid leak tracking records a stack trace per buffer touch: tens of microseconds per datagram, which
        // would measure the tracker, not the server. Buffers are still released exactly once (other tests check).
        final ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try
        {
            floodAndConnect();
        }
        finally
        {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private void floodAndConnect() throws Exception
    {
        final long seed = new SecureRandom().nextLong();
        final SessionServer server = SessionServer.launch(
            new SkirmishContext().bindAddress("127.0.0.1").port(0).workers(1).ioThreads(1),
            new SessionServerConfig(), (w, sessions) -> new SessionListener()
            {
            });
        final InetSocketAddress serverAddress = new InetSocketAddress("127.0.0.1", server.port());
        final AtomicBoolean flooding = new AtomicBoolean(true);
        final AtomicLong floodSent = new AtomicLong();
        final Thread flooder = new Thread(() -> flood(serverAddress, seed, flooding, floodSent), "flooder");
        final ClientGroup clients = new ClientGroup(1, TransportKind.AUTO, new ClientConfig());
        try
        {
            flooder.start();
            // Let the flood build up and the server enter load mode first.
            Await.until(Duration.ofSeconds(10), () -> "load: " + server.counters().get(Counter.HANDSHAKE_RATE_LIMITED),
                () -> server.counters().get(Counter.HANDSHAKE_RATE_LIMITED) > 10_000);
            final long floodStartNs = System.nanoTime();
            final long floodSentAtStart = floodSent.get();
            final long inAtStart = server.counters().get(Counter.DATAGRAMS_IN);

            final ConnectTokenGenerator generator = new ConnectTokenGenerator(TokenKey.DEVELOPMENT,
                SessionServerConfig.PROTOCOL_ID_DEFAULT, SystemEpochClock.INSTANCE, new SecureRandom());
            final AtomicLongArray connectNs = new AtomicLongArray(CLIENTS);
            final List<ClientHandle> handles = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++)
            {
                final int index = i;
                final long openNs = System.nanoTime();
                handles.add(clients.open(
                    generator.generate(i + 1, i / 4, List.of(serverAddress), 5, 30_000, null),
                    serverAddress,
                    new ClientListener()
                    {
                        @Override
                        public void onConnected(final SkirmishClient c)
                        {
                            connectNs.set(index, System.nanoTime() - openNs);
                        }
                    },
                    InetAddress.getByAddress(new byte[]{127, 2, (byte)(i >> 8), (byte)(1 + i)})));
            }
            Await.until(Duration.ofSeconds(5), () -> "clients connected",
                () -> handles.stream().allMatch((h) -> h.state() == dev.skirmish.session.lifecycle.SessionState.CONNECTED));

            // Measure the flood over a whole second at least, not just the moment the clients took to get in.
            final long minEndNs = floodStartNs + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() - minEndNs < 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            final double seconds = (System.nanoTime() - floodStartNs) / 1e9;
            final double floodRate = (floodSent.get() - floodSentAtStart) / seconds;
            final double arrivedRate = (server.counters().get(Counter.DATAGRAMS_IN) - inAtStart) / seconds;
            int withinOneSecond = 0;
            long worstNs = 0;
            for (int i = 0; i < CLIENTS; i++)
            {
                final long ns = connectNs.get(i);
                worstNs = Math.max(worstNs, ns);
                if (ns > 0 && ns <= TimeUnit.SECONDS.toNanos(1))
                {
                    withinOneSecond++;
                }
            }
            final String figures = String.format(
                "seed %d: flood sent %.0f/s, arrived %.0f/s; %d/%d clients connected within 1 s, worst %.1f ms; %s",
                seed, floodRate, arrivedRate, withinOneSecond, CLIENTS, worstNs / 1e6,
                "rate_limited=" + server.counters().get(Counter.HANDSHAKE_RATE_LIMITED) +
                " challenges=" + server.counters().get(Counter.CHALLENGES_SENT) +
                " decrypt_failed=" + server.counters().get(Counter.TOKEN_DECRYPT_FAILED));
            System.out.println("HandshakeFloodTest: " + figures);
            assertTrue(withinOneSecond >= 99, figures);
            // A quiet 2-vCPU box generates 70-80k/s next to the server; a box busy with other work cannot, and then
            // this run proves less than it claims: report it as skipped rather than passed.
            Assumptions.assumeTrue(arrivedRate >= 50_000,
                "flood too weak on this machine right now to count as the flood scenario: " + figures);
        }
        finally
        {
            flooding.set(false);
            flooder.join(5_000);
            clients.close();
            server.close();
        }
    }

    /** Forged requests: right header and size, random token bytes, from 256 source addresses, paced. */
    private static void flood(
        final InetSocketAddress server, final long seed, final AtomicBoolean flooding, final AtomicLong sent)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<DatagramChannel> channels = new ArrayList<>();
        try
        {
            for (int i = 0; i < FLOOD_SOURCES; i++)
            {
                final DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
                channel.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                channel.bind(new InetSocketAddress(
                    InetAddress.getByAddress(new byte[]{127, 3, (byte)(i >> 8), (byte)(1 + (i & 0xFF) % 254)}), 0));
                channel.configureBlocking(false);
                channels.add(channel);
            }
            final ByteBuffer[] requests = new ByteBuffer[64];
            for (int r = 0; r < requests.length; r++)
            {
                final ByteBuffer request = ByteBuffer.allocateDirect(HandshakeDescriptor.CONNECT_REQUEST_LENGTH)
                    .order(ByteOrder.LITTLE_ENDIAN);
                request.putShort((short)PacketHeader.MAGIC).put((byte)PacketHeader.VERSION)
                    .put((byte)PacketType.CONNECT_REQUEST.code()).putInt(0);
                while (request.hasRemaining())
                {
                    request.put((byte)random.nextInt());
                }
                requests[r] = request;
            }
            final long startNs = System.nanoTime();
            final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(20);
            long count = 0;
            while (flooding.get() && System.nanoTime() < deadlineNs)
            {
                final long due = (System.nanoTime() - startNs) * FLOOD_RATE_PER_SECOND / 1_000_000_000L;
                if (count >= due)
                {
                    // Paced in bursts of ~1 ms: a spinning flooder would take a whole vCPU from the server.
                    java.util.concurrent.locks.LockSupport.parkNanos(500_000);
                    continue;
                }
                final ByteBuffer request = requests[(int)(count & 63)];
                request.clear();
                channels.get((int)(count % FLOOD_SOURCES)).send(request, server);
                count++;
                sent.lazySet(count);
            }
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            for (final DatagramChannel channel : channels)
            {
                try
                {
                    channel.close();
                }
                catch (final Exception ignore)
                {
                }
            }
        }
    }
}
