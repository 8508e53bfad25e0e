package dev.skirmish.core.impair;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VirtualNetworkTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long SEED = Long.getLong("skirmish.test.seed", System.nanoTime());
    private static final String REPLAY = "replay with -Dskirmish.test.seed=" + SEED;

    static
    {
        System.out.println("VirtualNetworkTest seed=" + SEED);
    }

    @Test
    void shouldCarryEachDirectionWithItsOwnProfile()
    {
        final VirtualNetwork network = new VirtualNetwork(
            ImpairmentProfile.NONE.withDelayNs(10 * MS), ImpairmentProfile.NONE.withDelayNs(30 * MS), SEED);
        final long[] echoedAtNs = { -1 };
        final long[] arrivedAtBNs = { -1 };
        network.endpoints(
            (datagram, nowNs) -> echoedAtNs[0] = nowNs,
            (datagram, nowNs) ->
            {
                arrivedAtBNs[0] = nowNs;
                network.sendBToA(datagram);
            });

        assertTrue(network.sendAToB(new byte[]{ 1, 2, 3 }, 0, 3));
        network.advance(100 * MS);

        assertEquals(10 * MS, arrivedAtBNs[0], network.toString());
        assertEquals(40 * MS, echoedAtNs[0], network.toString());
        assertEquals(100 * MS, network.nowNs());
    }

    @Test
    void shouldTickBothEndpointsAtTheInterval()
    {
        final VirtualNetwork network = new VirtualNetwork(ImpairmentProfile.NONE, ImpairmentProfile.NONE, SEED);
        final List<Long> ticksA = new ArrayList<>();
        final List<Long> ticksB = new ArrayList<>();
        network.endpoints(new Ticker(ticksA), new Ticker(ticksB)).tickIntervalNs(10 * MS);

        network.advance(100 * MS);

        assertEquals(11, ticksA.size(), ticksA.toString());
        assertEquals(ticksA, ticksB);
        for (int i = 0; i < ticksA.size(); i++)
        {
            assertEquals(i * 10 * MS, ticksA.get(i));
        }
    }

    @Test
    void shouldStopAtTheTimeLimitWhenTheConditionNeverHolds()
    {
        final VirtualNetwork network = new VirtualNetwork(ImpairmentProfile.NONE, ImpairmentProfile.NONE, SEED)
            .tickIntervalNs(MS);

        assertFalse(network.runUntil(() -> false, SECOND));
        assertEquals(SECOND, network.nowNs());
        assertTrue(network.runUntil(() -> network.nowNs() >= SECOND + 5 * MS, SECOND));
        assertEquals(SECOND + 5 * MS, network.nowNs());
    }

    @Test
    void shouldFailFastOnAZeroDelayLivelock()
    {
        final VirtualNetwork network = new VirtualNetwork(ImpairmentProfile.NONE, ImpairmentProfile.NONE, SEED);
        network.endpoints(
            (datagram, nowNs) -> network.sendAToB(datagram),
            (datagram, nowNs) -> network.sendBToA(datagram));
        network.sendAToB(new byte[8], 0, 8);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> network.advance(MS));
        assertTrue(ex.getMessage().contains("zero-delay"), ex.getMessage());
    }

    @Test
    void shouldCompleteAReliableTransferOverBad4gInBothDirections()
    {
        final Transfer transfer = new Transfer(SEED);

        assertTrue(transfer.run(), "all acked within 120 virtual seconds; " + REPLAY + "; " + transfer.network);
        assertEquals(Transfer.MESSAGES, transfer.server.receivedCount, transfer.network.toString());
        assertTrue(transfer.network.aToB().dropped() > 0, "bad-4g loses; " + transfer.network);
        assertTrue(transfer.network.bToA().dropped() > 0, "bad-4g loses; " + transfer.network);
        assertTrue(transfer.client.resends > 0, "losses were repaired by resends; " + transfer.network);
    }

    @Test
    void shouldReplayTheSameRunFromTheSameSeed()
    {
        final Transfer first = new Transfer(SEED);
        final Transfer second = new Transfer(SEED);
        assertTrue(first.run(), REPLAY + "; " + first.network);
        assertTrue(second.run(), REPLAY + "; " + second.network);

        assertEquals(first.server.trace, second.server.trace, REPLAY);
        assertEquals(first.network.nowNs(), second.network.nowNs(), REPLAY);
        assertEquals(first.network.toString(), second.network.toString(), REPLAY);
    }

    /** Records the time of each tick. */
    private static final class Ticker implements VirtualNetwork.Endpoint
    {
        private final List<Long> ticks;

        Ticker(final List<Long> ticks)
        {
            this.ticks = ticks;
        }

        @Override
        public void onDelivery(final ByteBuf datagram, final long nowNs)
        {
        }

        @Override
        public int doWork(final long nowNs)
        {
            ticks.add(nowNs);
            return 1;
        }
    }

    /**
     * A sliding-window sender (A) and an acknowledging receiver (B) over bad-4g both ways: the shape of a
     * reliability test wired through the virtual network.
     */
    private static final class Transfer
    {
        static final int MESSAGES = 200;
        static final int WINDOW = 16;
        static final long RTO_NS = 400 * MS;
        static final int DATA = 1;
        static final int ACK = 2;
        static final int BODY_LENGTH = 32;

        final VirtualNetwork network;
        final Client client = new Client();
        final Server server = new Server();

        Transfer(final long seed)
        {
            network = new VirtualNetwork(ImpairmentProfile.BAD_4G, ImpairmentProfile.BAD_4G, seed);
            network.endpoints(client, server).tickIntervalNs(10 * MS);
        }

        boolean run()
        {
            return network.runUntil(() -> client.ackedCount == MESSAGES, 120 * SECOND);
        }

        final class Client implements VirtualNetwork.Endpoint
        {
            final long[] lastSentNs = new long[MESSAGES];
            final boolean[] acked = new boolean[MESSAGES];
            final ByteBuf datagram = Unpooled.wrappedBuffer(new byte[5 + BODY_LENGTH]);
            int ackedCount;
            int base;
            int resends;

            Client()
            {
                java.util.Arrays.fill(lastSentNs, -1);
            }

            @Override
            public int doWork(final long nowNs)
            {
                int sent = 0;
                for (int seq = base; seq < Math.min(base + WINDOW, MESSAGES); seq++)
                {
                    if (!acked[seq] && (lastSentNs[seq] < 0 || nowNs - lastSentNs[seq] >= RTO_NS))
                    {
                        resends += lastSentNs[seq] < 0 ? 0 : 1;
                        lastSentNs[seq] = nowNs;
                        datagram.setByte(0, DATA);
                        datagram.setInt(1, seq);
                        for (int i = 0; i < BODY_LENGTH; i++)
                        {
                            datagram.setByte(5 + i, seq * 31 + i);
                        }
                        network.sendAToB(datagram);
                        sent++;
                    }
                }
                return sent;
            }

            @Override
            public void onDelivery(final ByteBuf ack, final long nowNs)
            {
                assertEquals(5, ack.readableBytes());
                assertEquals(ACK, ack.readByte());
                final int seq = ack.readInt();
                if (!acked[seq])
                {
                    acked[seq] = true;
                    ackedCount++;
                    while (base < MESSAGES && acked[base])
                    {
                        base++;
                    }
                }
            }
        }

        final class Server implements VirtualNetwork.Endpoint
        {
            final boolean[] received = new boolean[MESSAGES];
            final List<String> trace = new ArrayList<>();
            final ByteBuf ack = Unpooled.wrappedBuffer(new byte[5]);
            int receivedCount;

            @Override
            public void onDelivery(final ByteBuf data, final long nowNs)
            {
                assertEquals(5 + BODY_LENGTH, data.readableBytes());
                assertEquals(DATA, data.readByte());
                final int seq = data.readInt();
                for (int i = 0; i < BODY_LENGTH; i++)
                {
                    assertEquals((byte)(seq * 31 + i), data.readByte(), "body of " + seq);
                }
                if (!received[seq])
                {
                    received[seq] = true;
                    receivedCount++;
                }
                trace.add(seq + "@" + nowNs);
                ack.setByte(0, ACK);
                ack.setInt(1, seq);
                network.sendBToA(ack);
            }
        }
    }
}
