package dev.skirmish.session.channel.recovery;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ack bitfield round-trips any set of received packet numbers within its window: receiver to ack, and ack
 * to the sender's tracker.
 */
@PropertyDefaults(tries = 1000)
class AckTrackerPropertyTest
{
    @Property(seed = RecoverySeeds.BITFIELD)
    void shouldRoundTripAnyReceivedSetWithinTheWindow(
        @ForAll final long largest,
        @ForAll final long receivedBits,
        @ForAll final long shuffleSeed)
    {
        final List<Long> received = receivedSet(largest, receivedBits);
        Collections.shuffle(received, new Random(shuffleSeed));

        final AckTracker acks = new AckTracker(new RecoveryConfig());
        for (final long packetNumber : received)
        {
            assertEquals(AckTracker.RECEIVED_NEW, acks.onPacketReceived(packetNumber, true, 0));
        }

        assertEquals(largest, acks.largestReceived());
        final Set<Long> expected = new HashSet<>(received);
        for (int distance = 0; distance <= AckTracker.BITFIELD_BITS; distance++)
        {
            final long packetNumber = largest - distance;
            if (Long.compareUnsigned(packetNumber, largest) > 0)
            {
                break; // below packet number 0
            }
            assertEquals(expected.contains(packetNumber),
                AckTracker.isAcked(acks.largestReceived(), acks.ackBitfield(), packetNumber), "pn " + packetNumber);
        }
        for (final long packetNumber : received)
        {
            assertEquals(AckTracker.RECEIVED_DUPLICATE, acks.onPacketReceived(packetNumber, true, 0));
        }
        assertEquals(received.size(), acks.counter(RecoveryCounter.PACKETS_RECEIVED));
    }

    @Property(seed = RecoverySeeds.BITFIELD_TO_SENDER)
    void shouldAckExactlyTheReceivedSetAtTheSender(
        @ForAll @LongRange(min = 0, max = 900) final long largest,
        @ForAll final long receivedBits,
        @ForAll final long shuffleSeed)
    {
        final List<Long> received = receivedSet(largest, receivedBits);
        Collections.shuffle(received, new Random(shuffleSeed));
        final AckTracker acks = new AckTracker(new RecoveryConfig());
        for (final long packetNumber : received)
        {
            acks.onPacketReceived(packetNumber, true, 0);
        }

        final RecoveryConfig config = new RecoveryConfig();
        final SentPacketTracker tracker = new SentPacketTracker(
            config, new RttEstimator(config), new CongestionController(config));
        for (long pn = 0; pn <= largest; pn++)
        {
            assertTrue(tracker.onPacketSent(pn, 0, 100, true, pn));
        }
        final RecordingHandler handler = new RecordingHandler();
        assertTrue(tracker.onAckReceived(acks.largestReceived(), acks.ackBitfield(), acks.ackDelayNs(1), 1, handler));

        assertEquals(new HashSet<>(received), new HashSet<>(handler.acked));
        assertEquals(received.size(), handler.acked.size());
    }

    private static List<Long> receivedSet(final long largest, final long bits)
    {
        final List<Long> received = new ArrayList<>();
        received.add(largest);
        for (int i = 0; i < AckTracker.BITFIELD_BITS; i++)
        {
            final long packetNumber = largest - 1 - i;
            if (Long.compareUnsigned(packetNumber, largest) > 0)
            {
                break; // below packet number 0
            }
            if (0 != (bits & (1L << i)))
            {
                received.add(packetNumber);
            }
        }
        return received;
    }
}
