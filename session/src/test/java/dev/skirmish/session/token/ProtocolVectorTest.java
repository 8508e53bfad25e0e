package dev.skirmish.session.token;

import dev.skirmish.session.client.ClientConfig;
import dev.skirmish.session.client.ClientListener;
import dev.skirmish.session.client.PacketSender;
import dev.skirmish.session.client.SkirmishClient;
import dev.skirmish.session.handshake.DenyReason;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.server.ServerSessions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.skirmish.session.token.TokenFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handshake test vectors of PROTOCOL.md, computed by the code from the connect-token vector and compared with
 * the document byte for byte.
 */
class ProtocolVectorTest
{
    private static final Path PROTOCOL = Path.of("..", "PROTOCOL.md");

    private static String protocolHexOnly() throws Exception
    {
        return Files.readString(PROTOCOL).replaceAll("[ \\t]", "");
    }

    @Test
    void shouldBuildTheDocumentedConnectRequestTagAndDenied() throws Exception
    {
        final ConnectToken token = TokenFixtures.vectorToken();
        final List<ByteBuf> sent = new ArrayList<>();
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
                sent.add(datagram);
                return true;
            }
        };
        try (SkirmishClient client = new SkirmishClient(new ClientConfig(), new ClientListener()
        {
        }, sender))
        {
            client.connect(token, 0, token.createTimeMs());
        }
        final ByteBuf request = sent.get(0);
        try
        {
            assertEquals(HandshakeDescriptor.CONNECT_REQUEST_LENGTH, request.readableBytes());
            final byte[] bytes = new byte[request.readableBytes()];
            request.getBytes(request.readerIndex(), bytes);
            final byte[] publicToken = token.toBytes();
            assertEquals("534b010200000000", hex(java.util.Arrays.copyOfRange(bytes, 0, 8)));
            assertEquals(hex(java.util.Arrays.copyOfRange(publicToken, 0, 1060)),
                hex(java.util.Arrays.copyOfRange(bytes, 8, 1068)));
            assertEquals("00".repeat(132), hex(java.util.Arrays.copyOfRange(bytes, 1068, 1200)));

            final byte[] tag = java.util.Arrays.copyOfRange(publicToken, 1044, 1060);
            assertEquals("5b1d2cb4b3fa264f4e48cd5ac4596bf9", hex(tag));
            final String doc = protocolHexOnly();
            assertTrue(doc.contains(hex(tag)), "PROTOCOL.md shows the tag");

            final ByteBuf denied = Unpooled.buffer(64);
            ServerSessions.writeDenied(denied, tag, DenyReason.CLIENT_ALREADY_CONNECTED);
            final byte[] deniedBytes = new byte[denied.readableBytes()];
            denied.readBytes(deniedBytes);
            denied.release();
            assertEquals(HandshakeDescriptor.DENIED_LENGTH, deniedBytes.length);
            assertTrue(doc.contains(hex(deniedBytes)), "PROTOCOL.md shows the DENIED bytes: " + hex(deniedBytes));
        }
        finally
        {
            sent.forEach(ByteBuf::release);
        }
    }
}
