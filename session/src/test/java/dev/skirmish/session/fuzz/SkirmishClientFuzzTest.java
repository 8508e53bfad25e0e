package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.session.client.ClientConfig;
import dev.skirmish.session.client.ClientListener;
import dev.skirmish.session.client.PacketSender;
import dev.skirmish.session.client.SkirmishClient;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.SystemEpochClock;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target for the client's decoders ({@link SkirmishClient#onDatagram}): CHALLENGE, DENIED and every protected
 * type, in the request phase. Any bytes: never throws, never connects (nothing forged authenticates), never sends
 * more than one reply per datagram, and a DENIED closes the client only when it carries the client's own token tag.
 * <p>
 * Input layout: byte 0 picks the packet type written into a valid header (so most inputs get past the header
 * check); the rest is the datagram after the header.
 */
class SkirmishClientFuzzTest
{
    private static final ConnectToken TOKEN = new ConnectTokenGenerator(
        TokenKey.DEVELOPMENT, 1, SystemEpochClock.INSTANCE, new SecureRandom(new byte[]{1}))
        .generate(1, 1, List.of(new InetSocketAddress("127.0.0.1", 7777)), 5, 3_600_000, null);

    @FuzzTest
    void shouldNeverThrowOrConnectOnForgedInput(final byte[] input)
    {
        if (input.length < 1)
        {
            return;
        }
        final int[] sent = new int[1];
        final PacketSender sender = new PacketSender()
        {
            @Override
            public ByteBuf claim()
            {
                return Unpooled.buffer(1472);
            }

            @Override
            public boolean send(final ByteBuf datagram)
            {
                sent[0]++;
                datagram.release();
                return true;
            }
        };
        try (SkirmishClient client = new SkirmishClient(new ClientConfig(), new ClientListener()
        {
        }, sender))
        {
            client.connect(TOKEN, 0, System.currentTimeMillis());
            final int sentAfterConnect = sent[0];
            final ByteBuf datagram = Unpooled.buffer(PacketHeader.LENGTH + input.length);
            try
            {
                PacketHeader.write(datagram, dev.skirmish.core.wire.PacketType.ECHO, input.length > 4 ?
                    (input[1] & 0xFF) | (input[2] & 0xFF) << 8 : 0);
                datagram.setByte(PacketHeader.TYPE_OFFSET, input[0] & 0x0F);
                datagram.writeBytes(input, 1, input.length - 1);
                client.onDatagram(datagram, 1_000);
            }
            finally
            {
                datagram.release();
            }
            assertTrue(SessionState.CONNECTED != client.state(), "forged bytes connected the client");
            assertTrue(sent[0] - sentAfterConnect <= 1, "more than one reply to one datagram");
            if (SessionState.CLOSED == client.state())
            {
                assertEquals(dev.skirmish.session.lifecycle.DisconnectReason.DENIED, client.disconnectReason());
                assertEquals(0x05, input[0] & 0x0F);
            }
        }
    }
}
