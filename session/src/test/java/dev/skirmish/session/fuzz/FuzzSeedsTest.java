package dev.skirmish.session.fuzz;

import dev.skirmish.session.handshake.ChallengeCheck;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ReplayWindow;
import dev.skirmish.session.token.ConnectTokenDecoder;
import dev.skirmish.session.token.TokenCheck;
import dev.skirmish.session.token.TokenKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The committed "valid" seeds still are valid: if a wire format or a fixture changes, regenerate them with
 * {@link FuzzFixtures#main} (FUZZING.md), or the fuzz targets start from rejected inputs only.
 */
class FuzzSeedsTest
{
    @Test
    void shouldKeepTheValidTokenSeedValid() throws IOException
    {
        final byte[] input = seed("ConnectTokenDecoderFuzzTestInputs/shouldOnlyAcceptGenuineTokensAndDecodeThemConsistently/valid");
        final ConnectTokenDecoder decoder = new ConnectTokenDecoder(TokenKey.DEVELOPMENT, FuzzFixtures.PROTOCOL_ID);
        assertEquals(TokenCheck.VALID, decoder.decodeServerPart(
            input, Long.BYTES, input.length - Long.BYTES, FuzzFixtures.getLongLE(input, 0)));
    }

    @Test
    void shouldKeepTheValidCookieSeedValid() throws IOException
    {
        final byte[] input = seed("ChallengeCookieFuzzTestInputs/shouldOnlyVerifyCookiesThisServerWrote/valid");
        assertEquals(ChallengeCheck.VALID, FuzzFixtures.newCookie().verify(
            input, Long.BYTES, input.length - Long.BYTES, FuzzFixtures.SOURCE, FuzzFixtures.TOKEN_DIGEST,
            FuzzFixtures.CLIENT_ID, FuzzFixtures.getLongLE(input, 0)));
    }

    @Test
    void shouldKeepTheValidPacketSeedsValid() throws IOException
    {
        for (final AeadSuite suite : AeadSuite.values())
        {
            for (final int length : FuzzFixtures.PAYLOAD_LENGTHS)
            {
                final byte[] input = seed("PacketProtectorFuzzTestInputs/shouldOnlyOpenGenuinePacketsOnce/valid-" +
                    suite.name().toLowerCase() + "-" + length);
                final PacketProtector receiver = PacketProtector.forReceiving(
                    suite, FuzzFixtures.protectKey(suite), FuzzFixtures.MAX_DATAGRAM_LENGTH, new ReplayWindow());
                final ByteBuf packet = Unpooled.wrappedBuffer(Arrays.copyOfRange(input, 1, input.length));
                assertEquals(ProtectResult.name(ProtectResult.OK), ProtectResult.name(receiver.open(packet)));
                packet.release();
            }
        }
    }

    private static byte[] seed(final String name) throws IOException
    {
        try (InputStream in = FuzzSeedsTest.class.getResourceAsStream(name))
        {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }
}
