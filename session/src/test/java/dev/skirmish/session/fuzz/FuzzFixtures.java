package dev.skirmish.session.fuzz;

import dev.skirmish.session.test.TestBytes;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.handshake.ChallengeCookie;
import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.ChallengeSecrets;
import dev.skirmish.session.protect.AeadSuite;
import dev.skirmish.session.protect.PacketProtector;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ProtectedPacketDescriptor;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.agrona.concurrent.CachedEpochClock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Fixed keys, secrets and genuine inputs shared by the session fuzz targets, and a {@link #main} that writes the
 * seed corpus from them (run it after changing a wire format; see FUZZING.md). Every genuine input is rebuilt here
 * deterministically, so a target can assert that whatever it accepts is one of them: the fuzzer never forges.
 */
final class FuzzFixtures
{
    /** Server clock of the genuine token and cookie, epoch ms. */
    static final long NOW_MS = 1_700_000_000_000L;
    static final long PROTOCOL_ID = 0x1122334455667788L;
    static final long CLIENT_ID = 0x0123456789abcdefL;
    static final InetSocketAddress SOURCE = address("203.0.113.7", 7777);
    static final byte[] TOKEN_DIGEST = sequence(0x30, ChallengeCookieDescriptor.TOKEN_DIGEST_LENGTH);
    static final byte[] COOKIE_SECRET = sequence(0x10, 32);
    static final int MAX_DATAGRAM_LENGTH = PacketHeader.DEFAULT_MAX_DATAGRAM_LENGTH;
    static final int SESSION_ID = 0x01020304;
    /** Payload lengths of the genuine protected packets, one packet per length and suite, sequence = index. */
    static final int[] PAYLOAD_LENGTHS = {0, 1, 16, 100};

    private FuzzFixtures()
    {
    }



    static long getLongLE(final byte[] bytes, final int offset)
    {
        long value = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--)
        {
            value = value << 8 | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    static void putLongLE(final byte[] bytes, final int offset, final long value)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            bytes[offset + i] = (byte)(value >>> (8 * i));
        }
    }

    /** The fuzz input layout shared by the token and cookie targets: nowMs (u64 LE) then the bytes under test. */
    static byte[] withNow(final long nowMs, final byte[] body)
    {
        final byte[] input = new byte[Long.BYTES + body.length];
        putLongLE(input, 0, nowMs);
        System.arraycopy(body, 0, input, Long.BYTES, body.length);
        return input;
    }

    /** A genuine server part under the development key, issued at {@link #NOW_MS}, valid for 30 s. */
    static byte[] genuineServerPart()
    {
        final SecureRandom random;
        try
        {
            random = SecureRandom.getInstance("SHA1PRNG");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new AssertionError(ex);
        }
        // SHA1PRNG seeded before first use is deterministic: the same token every run.
        random.setSeed(7);
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW_MS);
        final ConnectTokenGenerator generator =
            new ConnectTokenGenerator(TokenKey.DEVELOPMENT, PROTOCOL_ID, clock, random);
        final ConnectToken token = generator.generate(
            CLIENT_ID, 42, List.of(SOURCE, address("2001:db8::1", 7778)), 5, 30_000,
            "hello".getBytes(StandardCharsets.US_ASCII));
        final byte[] serverPart = new byte[ConnectTokenDescriptor.SERVER_PART_LENGTH];
        token.getServerPart(serverPart, 0);
        return serverPart;
    }

    static ChallengeCookie newCookie()
    {
        return new ChallengeCookie(new ChallengeSecrets(COOKIE_SECRET));
    }

    /** The cookie this server writes for {@link #SOURCE}, {@link #TOKEN_DIGEST} and {@link #CLIENT_ID} at nowMs. */
    static byte[] genuineCookie(final ChallengeCookie cookie, final long nowMs)
    {
        final byte[] bytes = new byte[ChallengeCookieDescriptor.COOKIE_LENGTH];
        cookie.write(bytes, 0, SOURCE, TOKEN_DIGEST, CLIENT_ID, nowMs);
        return bytes;
    }

    static byte[] protectKey(final AeadSuite suite)
    {
        return sequence(0x50 + suite.ordinal(), suite.keyLength());
    }

    /** Genuine protected packets for a suite: packet i carries {@link #PAYLOAD_LENGTHS}[i] bytes, sequence i. */
    static byte[][] genuinePackets(final AeadSuite suite)
    {
        final PacketProtector sender = PacketProtector.forSending(suite, protectKey(suite), MAX_DATAGRAM_LENGTH);
        final byte[][] packets = new byte[PAYLOAD_LENGTHS.length][];
        for (int i = 0; i < PAYLOAD_LENGTHS.length; i++)
        {
            final int length = ProtectedPacketDescriptor.PAYLOAD_OFFSET + PAYLOAD_LENGTHS[i];
            final ByteBuf buffer = Unpooled.buffer(length + ProtectedPacketDescriptor.TAG_LENGTH);
            PacketHeader.write(buffer, PacketType.DATA, SESSION_ID);
            buffer.writeLongLE(0);
            buffer.writeBytes(sequence(0x70 + i, PAYLOAD_LENGTHS[i]));
            if (ProtectResult.OK != sender.seal(buffer))
            {
                throw new AssertionError("seal failed for " + suite);
            }
            packets[i] = new byte[buffer.readableBytes()];
            buffer.readBytes(packets[i]);
            buffer.release();
        }
        return packets;
    }

    /**
     * Write the seed corpus into the session module's test resources.
     *
     * @param args optional module root, default {@code session}.
     * @throws IOException when a file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        final Path root = Path.of(args.length > 0 ? args[0] : "session")
            .resolve("src/test/resources/dev/skirmish/session/fuzz");

        final Path token = root.resolve("ConnectTokenDecoderFuzzTestInputs/shouldOnlyAcceptGenuineTokensAndDecodeThemConsistently");
        final byte[] serverPart = genuineServerPart();
        write(token.resolve("valid"), withNow(NOW_MS + 1_000, serverPart));
        write(token.resolve("expired"), withNow(NOW_MS + 60_000, serverPart));
        final byte[] flipped = serverPart.clone();
        flipped[ConnectTokenDescriptor.SEALED_OFFSET + 3] ^= 1;
        write(token.resolve("tampered"), withNow(NOW_MS + 1_000, flipped));
        write(token.resolve("short"), withNow(NOW_MS, Arrays.copyOf(serverPart, 100)));

        final Path cookie = root.resolve("ChallengeCookieFuzzTestInputs/shouldOnlyVerifyCookiesThisServerWrote");
        final byte[] genuine = genuineCookie(newCookie(), NOW_MS);
        write(cookie.resolve("valid"), withNow(NOW_MS + 500, genuine));
        write(cookie.resolve("expired"), withNow(NOW_MS + 10_000, genuine));
        write(cookie.resolve("from-future"), withNow(NOW_MS - 10_000, genuine));
        write(cookie.resolve("wrong-length"), withNow(NOW_MS, Arrays.copyOf(genuine, 24)));

        final Path protect = root.resolve("PacketProtectorFuzzTestInputs/shouldOnlyOpenGenuinePacketsOnce");
        for (final AeadSuite suite : AeadSuite.values())
        {
            final byte[][] packets = genuinePackets(suite);
            for (int i = 0; i < packets.length; i++)
            {
                final byte[] input = new byte[1 + packets[i].length];
                input[0] = (byte)suite.ordinal();
                System.arraycopy(packets[i], 0, input, 1, packets[i].length);
                write(protect.resolve("valid-" + suite.name().toLowerCase() + "-" + PAYLOAD_LENGTHS[i]), input);
            }
        }

        final Path replay = root.resolve("ReplayWindowFuzzTestInputs/shouldAcceptEachSequenceAtMostOnceAsTheModelSays");
        final byte[] stream = new byte[512];
        new java.util.Random(3).nextBytes(stream);
        write(replay.resolve("random-stream"), stream);

        final Path reassembly = root.resolve("ReassemblyFuzzTestInputs/shouldMatchTheModelWithinTheBudget");
        for (int seed = 0; seed < 3; seed++)
        {
            final byte[] fragments = new byte[1024 << seed];
            new java.util.Random(20 + seed).nextBytes(fragments);
            write(reassembly.resolve("random-stream-" + seed), fragments);
        }

        final Path endpoint = root.resolve("ChannelEndpointFuzzTestInputs/shouldKeepEveryBoundUnderForgedPackets");
        for (int seed = 0; seed < 3; seed++)
        {
            final byte[] steps = new byte[2048 << seed];
            new java.util.Random(30 + seed).nextBytes(steps);
            write(endpoint.resolve("random-stream-" + seed), steps);
        }
    }

    private static void write(final Path file, final byte[] bytes) throws IOException
    {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    static byte[] sequence(final int first, final int length)
    {
        return TestBytes.sequence(first, length);
    }

    static java.net.InetSocketAddress address(final String literal, final int port)
    {
        return TestBytes.address(literal, port);
    }
}
