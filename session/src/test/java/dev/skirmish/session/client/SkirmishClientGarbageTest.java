package dev.skirmish.session.client;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.lifecycle.SessionState;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.token.ConnectToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.util.Random;

import static dev.skirmish.session.client.ClientFixtures.CapturingSender;
import static dev.skirmish.session.client.ClientFixtures.MAX;
import static dev.skirmish.session.client.ClientFixtures.NOW_MS;
import static dev.skirmish.session.client.ClientFixtures.RecordingListener;
import static dev.skirmish.session.client.ClientFixtures.cookie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random datagrams, from plain noise to well-formed headers with random bodies and exact handshake lengths,
 * fed to a client in each phase: it never throws, never changes state, and counts every one as dropped.
 */
class SkirmishClientGarbageTest
{
    private static final long SEED = 0x5EEDL;
    private static final int DATAGRAMS = 10_000;
    private static final int SESSION_ID = 42;
    private static final long T0 = 1_000_000_000L;

    private final ConnectToken token = ClientFixtures.token(new InetSocketAddress("127.0.0.1", 40000));
    private final CapturingSender sender = new CapturingSender();
    private final RecordingListener listener = new RecordingListener();
    private final SkirmishClient client =
        new SkirmishClient(new ClientConfig().maxAuthFailures(Integer.MAX_VALUE), listener, sender);

    @AfterEach
    void release()
    {
        client.close();
        sender.discardAll();
        sender.assertAllReleased();
    }

    @ParameterizedTest
    @ValueSource(strings = {"request", "response", "connected"})
    void shouldNeverThrowNorChangeStateOnRandomDatagrams(final String phase)
    {
        enter(phase);
        final SessionState state = client.state();
        final boolean challenged = client.isChallenged();
        final long droppedBefore = client.droppedPackets();
        final Random random = new Random(SEED + phase.hashCode());
        final ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(2048);
        final ByteBuf heap = Unpooled.buffer(2048);
        final byte[] scratch = new byte[2048];
        try
        {
            for (int i = 0; i < DATAGRAMS; i++)
            {
                final ByteBuf datagram = (i & 1) == 0 ? direct : heap;
                fill(datagram, random, scratch);
                final int readerIndex = datagram.readerIndex();
                client.onDatagram(datagram, T0 + 20_000_000L);
                assertEquals(readerIndex, datagram.readerIndex(), "seed " + SEED + " datagram " + i);
            }
        }
        finally
        {
            direct.release();
            heap.release();
        }

        assertEquals(state, client.state(), "seed " + SEED);
        assertEquals(challenged, client.isChallenged(), "seed " + SEED);
        assertEquals(DATAGRAMS, client.droppedPackets() - droppedBefore, "seed " + SEED + ": " + client);
        assertEquals(0, listener.payloads.size());
        assertTrue(client.malformedPackets() > 0 && client.unexpectedPackets() + client.wrongTagPackets() +
            client.wrongSessionPackets() + client.authFailures() > 0, client.toString());
    }

    private void enter(final String phase)
    {
        client.connect(token, T0, NOW_MS);
        if ("request".equals(phase))
        {
            return;
        }
        final ByteBuf challenge = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        ClientFixtures.writeChallenge(challenge, ClientFixtures.tag(token), cookie(1));
        client.onDatagram(challenge, T0 + 1_000_000L);
        challenge.release();
        if ("response".equals(phase))
        {
            return;
        }
        final PacketProtector sealer = PacketProtector.forSending(AeadSuite.DEFAULT, token.serverToClientKey(), MAX);
        final ByteBuf keepalive = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        PacketHeader.write(keepalive, PacketType.KEEPALIVE, SESSION_ID);
        keepalive.writeZero(ProtectedPacketDescriptor.SEQUENCE_LENGTH);
        assertEquals(ProtectResult.OK, sealer.seal(keepalive));
        client.onDatagram(keepalive, T0 + 2_000_000L);
        keepalive.release();
        assertEquals(SessionState.CONNECTED, client.state());
    }

    /**
     * One of: noise of any length up to beyond the maximum; a valid header of any type code with a random body; a
     * handshake packet of exactly the right length with random contents; a protected packet for this session with a
     * random sequence number, body and tag. Sometimes behind a few bytes the reader index skips.
     */
    private static void fill(final ByteBuf datagram, final Random random, final byte[] scratch)
    {
        datagram.clear();
        final int skip = random.nextInt(4) == 0 ? 1 + random.nextInt(7) : 0;
        writeRandom(datagram, random, skip, scratch);
        datagram.readerIndex(skip);
        switch (random.nextInt(4))
        {
            case 0:
                writeRandom(datagram, random, random.nextInt(MAX + 100), scratch);
                break;

            case 1:
                header(datagram, random.nextInt(PacketType.MAX_CODE + 3), random.nextInt(3) - 1);
                writeRandom(datagram, random, random.nextInt(MAX - PacketHeader.LENGTH + 1), scratch);
                break;

            case 2:
                final boolean challenge = random.nextBoolean();
                header(datagram, (challenge ? PacketType.CHALLENGE : PacketType.DENIED).code(), 0);
                writeRandom(datagram, random,
                    (challenge ? HandshakeDescriptor.CHALLENGE_LENGTH : HandshakeDescriptor.DENIED_LENGTH) -
                    PacketHeader.LENGTH, scratch);
                break;

            default:
                final PacketType[] types =
                    {PacketType.DATA, PacketType.KEEPALIVE, PacketType.DISCONNECT, PacketType.PATH_CHALLENGE};
                header(datagram, types[random.nextInt(types.length)].code(), SESSION_ID);
                writeRandom(datagram, random, random.nextInt(MAX - PacketHeader.LENGTH + 1), scratch);
                break;
        }
    }

    private static void header(final ByteBuf datagram, final int typeCode, final int sessionId)
    {
        datagram.writeShortLE(PacketHeader.MAGIC);
        datagram.writeByte(PacketHeader.VERSION);
        datagram.writeByte(typeCode);
        datagram.writeIntLE(sessionId);
    }

    /** Through an array: paranoid leak detection records every single-byte access to a buffer. */
    private static void writeRandom(final ByteBuf datagram, final Random random, final int length, final byte[] scratch)
    {
        for (int i = 0; i < length; i++)
        {
            scratch[i] = (byte)random.nextInt(256);
        }
        datagram.writeBytes(scratch, 0, length);
    }
}
