package dev.skirmish.session.fuzz;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.transport.HandshakeGate;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.lifecycle.DisconnectReason;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed seeds of the server fuzz targets are the ones {@link ServerFuzzSeeds} builds (regenerate them with
 * its {@code main}, FUZZING.md), and they still reach the states they were written for: the genuine handshake steps
 * are accepted, and the session scenarios migrate, close on forgeries, time out, reconnect and get kicked, and reach
 * the channel layer: malformed bodies, a reliable message resent and acked, a channel violation, the game's sends.
 */
class ServerFuzzSeedsTest
{
    @Test
    void shouldCommitTheSeedsTheGeneratorBuilds() throws IOException
    {
        for (final Map.Entry<String, byte[]> seed : ServerFuzzSeeds.handshakeSeeds().entrySet())
        {
            assertArrayEquals(seed.getValue(), seed(ServerFuzzSeeds.HANDSHAKE_DIR, seed.getKey()), seed.getKey());
        }
        for (final Map.Entry<String, byte[]> seed : ServerFuzzSeeds.sessionSeeds().entrySet())
        {
            assertArrayEquals(seed.getValue(), seed(ServerFuzzSeeds.SESSIONS_DIR, seed.getKey()), seed.getKey());
        }
    }

    @Test
    void shouldKeepTheGenuineHandshakeSeedsAccepted() throws IOException
    {
        for (final String name : List.of("genuine-request", "genuine-request-under-load"))
        {
            final ServerHandshakeFuzzTest.Outcome outcome = handshake(name);
            assertEquals(1, outcome.replies().size(), name);
            assertEquals(PacketType.CHALLENGE.code(), outcome.replies().get(0)[3], name);
        }
        for (final String name : List.of("genuine-response", "genuine-response-under-load"))
        {
            final ServerHandshakeFuzzTest.Outcome outcome = handshake(name);
            assertEquals((int)Long.remainderUnsigned(ServerHandshakeFuzzTest.ROOM_ID, ServerHandshakeFuzzTest.WORKERS),
                outcome.result(), name);
        }
        for (final String name : List.of("response-cookie-flipped", "request-sealed-flipped", "random-connect-request"))
        {
            final ServerHandshakeFuzzTest.Outcome outcome = handshake(name);
            assertEquals(HandshakeGate.CONSUMED, outcome.result(), name);
            assertTrue(outcome.replies().isEmpty(), name);
        }
    }

    @Test
    void shouldKeepTheSessionSeedsReachingTheirScenarios() throws IOException
    {
        final ServerSessionsFuzzTest.Summary migrate = sessions("migrate");
        assertEquals(1, migrate.maxMigrations());
        assertEquals(3, migrate.payloadsIn());

        assertEquals(DisconnectReason.AUTH_FAILURES, sessions("forgeries").closed().get(0));
        assertEquals(1, sessions("forgeries").counters().get(Counter.AUTH_FAILURE_LIMIT));

        assertEquals(List.of(DisconnectReason.TIMEOUT), sessions("timeout").closed());

        final ServerSessionsFuzzTest.Summary reconnect = sessions("disconnect-reconnect");
        assertEquals(2, reconnect.counters().get(Counter.SESSIONS_OPENED));
        assertEquals(List.of(DisconnectReason.CLIENT_REQUEST, DisconnectReason.SERVER_SHUTDOWN), reconnect.closed());
        assertEquals(1, reconnect.payloadsIn());

        final ServerSessionsFuzzTest.Summary kick = sessions("replay-flip-kick");
        assertEquals(List.of(DisconnectReason.KICKED), kick.closed());
        assertEquals(2, kick.counters().get(Counter.REPLAYS));
        assertEquals(1, kick.counters().get(Counter.AUTH_FAILURES));

        final ServerSessionsFuzzTest.Summary malformed = sessions("malformed-bodies");
        assertEquals(3, malformed.counters().get(Counter.CHANNEL_MALFORMED));
        assertEquals(1, malformed.payloadsIn());
        assertEquals(List.of(DisconnectReason.SERVER_SHUTDOWN), malformed.closed());

        final ServerSessionsFuzzTest.Summary reliable = sessions("reliable-resent-acked");
        assertEquals(1, reliable.payloadsIn(), "delivered once");
        assertEquals(1, reliable.counters().get(Counter.SESSION_PAYLOADS_OUT), "the ack");

        final ServerSessionsFuzzTest.Summary violation = sessions("channel-violation");
        assertEquals(List.of(DisconnectReason.PROTOCOL_ERROR), violation.closed());
        assertEquals(1, violation.counters().get(Counter.CHANNEL_PROTOCOL_VIOLATIONS));

        final ServerSessionsFuzzTest.Summary sends = sessions("game-sends-probe");
        assertEquals(4, sends.counters().get(Counter.CHANNEL_MESSAGES_OUT));
        assertTrue(sends.counters().get(Counter.SESSION_PAYLOADS_OUT) >= 2, "the messages, then a probe");
        assertTrue(sends.counters().get(Counter.CHANNEL_RESENDS) >= 1, "a reliable message resent by the probe");
        assertEquals(List.of(DisconnectReason.SERVER_SHUTDOWN), sends.closed());
    }

    private static ServerHandshakeFuzzTest.Outcome handshake(final String name) throws IOException
    {
        final ServerHandshakeFuzzTest.Outcome outcome =
            ServerHandshakeFuzzTest.execute(seed(ServerFuzzSeeds.HANDSHAKE_DIR, name));
        assertNotNull(outcome, name + " reaches the gate");
        return outcome;
    }

    private static ServerSessionsFuzzTest.Summary sessions(final String name) throws IOException
    {
        return ServerSessionsFuzzTest.execute(seed(ServerFuzzSeeds.SESSIONS_DIR, name));
    }

    private static byte[] seed(final String dir, final String name) throws IOException
    {
        try (InputStream in = ServerFuzzSeedsTest.class.getResourceAsStream(dir + "/" + name))
        {
            assertNotNull(in, dir + "/" + name);
            return in.readAllBytes();
        }
    }
}
