package dev.skirmish.session.fuzz;

import dev.skirmish.core.wire.PacketHeader;
import dev.skirmish.core.wire.PacketType;
import dev.skirmish.session.channel.Bodies;
import dev.skirmish.session.channel.ReceiveConfig;
import dev.skirmish.session.handshake.HandshakeDescriptor;
import dev.skirmish.session.lifecycle.DisconnectReason;
import dev.skirmish.session.token.ConnectTokenDescriptor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The seed corpus of the two server fuzz targets, built from their input layouts (see their class javadoc), and a
 * {@link #main} that writes it (FUZZING.md, "Seeds"). The inputs name genuine packets by mode rather than carrying
 * them, so they stay valid across token or cookie changes; {@link ServerFuzzSeedsTest} replays them and checks they
 * still reach the states they were written for. Genuine DATA packets carry channel bodies ({@link Bodies}: channel 0,
 * UNRELIABLE, unless a seed says otherwise), so the fuzzer starts from bodies the channel layer accepts.
 */
final class ServerFuzzSeeds
{
    static final String HANDSHAKE_DIR = "ServerHandshakeFuzzTestInputs/shouldNeverAmplifyNorAcceptForgeries";
    static final String SESSIONS_DIR = "ServerSessionsFuzzTestInputs/shouldNeverThrowNorExceedLimits";
    /** Channel 2 of the default table. */
    static final int RELIABLE_ORDERED = 2;

    private ServerFuzzSeeds()
    {
    }

    /**
     * @return file name to content, for the gate target.
     */
    static Map<String, byte[]> handshakeSeeds()
    {
        final Random random = new Random(11);
        final Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("genuine-request", new byte[]{2});
        seeds.put("genuine-response", new byte[]{3});
        seeds.put("genuine-request-under-load", new byte[]{2 | 4});
        seeds.put("genuine-response-under-load", new byte[]{3 | 4});

        final byte[] cookieFlip = new byte[1 + HandshakeDescriptor.RESPONSE_COOKIE_OFFSET + 1];
        cookieFlip[0] = 3;
        cookieFlip[cookieFlip.length - 1] = 1;
        seeds.put("response-cookie-flipped", cookieFlip);

        final byte[] sealedFlip =
            new byte[1 + HandshakeDescriptor.REQUEST_TOKEN_OFFSET + ConnectTokenDescriptor.SEALED_OFFSET + 1];
        sealedFlip[0] = 2;
        sealedFlip[sealedFlip.length - 1] = (byte)0x80;
        seeds.put("request-sealed-flipped", sealedFlip);

        final byte[] randomRequest = new byte[2 + HandshakeDescriptor.CONNECT_REQUEST_LENGTH - PacketHeader.LENGTH];
        random.nextBytes(randomRequest);
        randomRequest[0] = 1;
        randomRequest[1] = 0;
        seeds.put("random-connect-request", randomRequest);

        final byte[] challenge = new byte[2 + HandshakeDescriptor.CHALLENGE_LENGTH - PacketHeader.LENGTH];
        random.nextBytes(challenge);
        challenge[0] = 1;
        challenge[1] = 1;
        seeds.put("challenge-to-server", challenge);

        final byte[] raw = new byte[1 + PacketHeader.LENGTH];
        System.arraycopy(header(PacketType.CHALLENGE_RESPONSE, 0), 0, raw, 1, PacketHeader.LENGTH);
        seeds.put("raw-header-only", raw);
        return seeds;
    }

    /**
     * @return file name to content, for the sessions target.
     */
    static Map<String, byte[]> sessionSeeds()
    {
        final Random random = new Random(12);
        final Map<String, byte[]> seeds = new LinkedHashMap<>();

        final Ops migrate = new Ops()
            .op(1, 0x00, Bodies.message(ascii("abc")))
            .op(1, 0x10, Bodies.message(new byte[]{'x'}))
            .op(1, 0x10, Bodies.message(new byte[]{'y'}))
            .op(5, 0x01)
            .op(7, 0x00, new byte[]{1, 2, 3, 4});
        seeds.put("migrate", migrate.bytes());

        final Ops forgeries = new Ops().op(1, 0x01);
        for (int i = 0; i < 70; i++)
        {
            final byte[] body = new byte[40];
            random.nextBytes(body);
            forgeries.op(0, 0x10 | PacketType.DATA.code(), body);
        }
        seeds.put("forgeries", forgeries.bytes());

        seeds.put("timeout", new Ops().op(1, 0x01).op(4, 255).bytes());

        seeds.put("disconnect-reconnect", new Ops()
            .op(1, 0x01)
            .op(1, 0x02, new byte[]{(byte)DisconnectReason.CLIENT_REQUEST.code()})
            .op(6, 0)
            .op(6, 1)
            .op(1, 0x00, Bodies.message(ascii("hi")))
            .bytes());

        seeds.put("replay-flip-kick", new Ops()
            .op(1, 0x00, Bodies.message(ascii("hi")))
            .op(2, 0)
            .op(2, 0x40)
            .op(3, 0, new byte[]{0, 77})
            .op(8, 0)
            .bytes());

        final byte[] hi = Bodies.message(ascii("hi"));
        seeds.put("malformed-bodies", new Ops()
            .op(1, 0x00)
            .op(1, 0x00, new byte[]{0x02})
            .op(1, 0x00, Arrays.copyOf(hi, hi.length - 1))
            .op(1, 0x00, hi)
            .bytes());

        final byte[] reliable = Bodies.message(RELIABLE_ORDERED, 0, ascii("once"));
        seeds.put("reliable-resent-acked", new Ops()
            .op(1, 0x00, reliable)
            .op(1, 0x00, reliable)
            .op(9, 0)
            .bytes());

        seeds.put("channel-violation", new Ops()
            .op(1, 0x00, Bodies.message(RELIABLE_ORDERED, ReceiveConfig.WINDOW_DEFAULT, ascii("ahead")))
            .bytes());

        // The game sends on every channel; nothing acks, so the reliable one is probed (resent) after a PTO.
        seeds.put("game-sends-probe", new Ops()
            .op(1, 0x01)
            .op(7, 0, ascii("u"))
            .op(7, 1, ascii("s"))
            .op(7, RELIABLE_ORDERED, ascii("ro"))
            .op(7, 3, ascii("ru"))
            .op(9, 0)
            .op(4, 60)
            .bytes());
        return seeds;
    }

    private static byte[] header(final PacketType type, final int sessionId)
    {
        final byte[] header = new byte[PacketHeader.LENGTH];
        header[0] = (byte)PacketHeader.MAGIC;
        header[1] = (byte)(PacketHeader.MAGIC >>> 8);
        header[2] = (byte)PacketHeader.VERSION;
        header[3] = (byte)type.code();
        for (int i = 0; i < Integer.BYTES; i++)
        {
            header[4 + i] = (byte)(sessionId >>> (8 * i));
        }
        return header;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Builds a {@link ServerSessionsFuzzTest} input: {@code [op, arg, len]} then the data. */
    private static final class Ops
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Ops op(final int op, final int arg)
        {
            return op(op, arg, new byte[0]);
        }

        Ops op(final int op, final int arg, final byte[] data)
        {
            out.write(op);
            out.write(arg);
            out.write(data.length);
            out.writeBytes(data);
            return this;
        }

        byte[] bytes()
        {
            return out.toByteArray();
        }
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
        write(root.resolve(HANDSHAKE_DIR), handshakeSeeds());
        write(root.resolve(SESSIONS_DIR), sessionSeeds());
    }

    private static void write(final Path dir, final Map<String, byte[]> seeds) throws IOException
    {
        Files.createDirectories(dir);
        for (final Map.Entry<String, byte[]> seed : seeds.entrySet())
        {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
    }
}
