package dev.skirmish.session.token;

import dev.skirmish.session.test.TestBytes;

import org.agrona.concurrent.CachedEpochClock;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Fixed inputs shared by the token tests: the test vector's key, nonce, times and fields, plus helpers to seal
 * arbitrary plaintext under a key (to build authentic but malformed tokens).
 */
final class TokenFixtures
{
    static final long PROTOCOL_ID = 0x1122334455667788L;
    static final long CREATE_TIME_MS = 1_700_000_000_000L;
    static final long EXPIRE_TIME_MS = CREATE_TIME_MS + 30_000;
    static final long NOW_MS = CREATE_TIME_MS + 1_000;
    static final long CLIENT_ID = 0x0123456789abcdefL;
    static final long ROOM_ID = 42;
    static final int TIMEOUT_SECONDS = 5;
    static final TokenKey KEY = TokenKey.fromBytes(sequence(0x00, 32));
    static final TokenKey OTHER_KEY = TokenKey.fromBytes(sequence(0x01, 32));
    static final byte[] NONCE = sequence(0xa0, 12);
    static final byte[] CLIENT_TO_SERVER_KEY = sequence(0x40, 32);
    static final byte[] SERVER_TO_CLIENT_KEY = sequence(0x60, 32);
    static final byte[] USER_DATA = "hello".getBytes(StandardCharsets.US_ASCII);
    static final InetSocketAddress SERVER_V4 = address("203.0.113.7", 7777);
    static final InetSocketAddress SERVER_V6 = address("2001:db8::1", 7778);
    static final List<InetSocketAddress> SERVERS = List.of(SERVER_V4, SERVER_V6);

    // Test vector, computed independently from the documented layout (Python 'cryptography' ChaCha20Poly1305).
    static final String ASSOCIATED_DATA_HEX =
        "534b544f4b454e31887766554433221130dde5cf8b010000";
    static final String PLAINTEXT_HEAD_HEX =
        "efcdab89674523012a0000000000000005000000020005000100611ecb007107" +
        "0000000000000000000000000200621e20010db8000000000000000000000001" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000004041424344454647" +
        "48494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061626364656667" +
        "68696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f68656c6c6f";
    static final String SEALED_HEX =
        "e366d3d62aa3e1ac8a0ff314fcfafdfb985ed3bf416a65a3b5d8baafba62b20b" +
        "6c80168aaec9ff8ac6ccf5bd1f511a586ac54780090c6b8127540b404c2aa5c9" +
        "b1fb674e38e992f022f0d2890db0a97e00990fe31cbc96a07b284a808ecca0bb" +
        "9c4767a08f5b6df5af40606294c01bf548c2b3555550eaa5a8eca053b290b03e" +
        "7f2dfcfe89a7fbc305b5df3d7ab5171999d201e976280a51fe7787e9b985e604" +
        "98ba1e52589d3d6badbb8c4098b16d4df7bee25d049fb1d374dc9a205d0f435e" +
        "6acbb24f5c9644192c419c63357aa765d8711db5fece37b21d51fd8aee64aefd" +
        "c292ae24ead41b3cc9e20e034927abe4a4127afebbf83ae9adc8efb1fc832fc5" +
        "6bf434ab220bd6161a672bdb5fb5db50ea818419247c82caf81eee07db0d363c" +
        "b187521b28faf763ef8b82535b6ae18a1ce70be8eae422ccd89a01a14cff0d50" +
        "c5b9c3adba60cc614d17d1f276a6d3e25ebe390ecf5ff90a7498ea9f0717dd93" +
        "f58a4308a776bc9597bd7c463f4b583e65fe036a99d54888b5b094081438ed11" +
        "a0097a21426588fb6d0a7b9ade08053922cb1761c70ac564d582d3d4b62b2389" +
        "6d81b3cbe2c3c675906833c95aa0e1abe40a71b7f0237a41023d01596b96dba9" +
        "c985996680a8287ca676e53f775b40c884c46aec403add2a3fea448147ed2413" +
        "2f752e36c26d83fc850ea12b4da9dee9d231f0f2250249f4f2a7a88caf2f3e5d" +
        "3fff69520679c0fdb8dac55a56655e6e35a4a3a75eb97bb46d4805227c95e07f" +
        "7359d78dcca1dba5d4f720d85589f9b9dbae8677cb7274c75a62344e90223e47" +
        "342befacdac73df5aa82f3e8c485b32b87fd09e9fb045a71e36840990bc4d13e" +
        "cd9856ba5f9ffe0814c20d272ba9e96f8d05bbc524b1d20dd0429e54dbb87beb" +
        "e2c8624b53ebe69b84db7533cd0113135710640f5dc586c23602d86e2658b73c" +
        "39219c1caa2e2841f7139c03bb6772032ade5d4b9dd6f96f5f9175d6bd9dffbf" +
        "b3e1f98dfe1999bb9b590495cb125508a138e940073b1d802d3f36f2cd769ea4" +
        "8619b4170ebe74e6832031fc147420fcba490d5d856a821c79decefafb83b65c" +
        "960786c7335c9a82b8d1a88dc0f0361c95cb80c7841972c092a871cf9f6114bb" +
        "bb7b367862efc631427c65d3d56bcf03f996628165a200b2d11931b7d362ba51" +
        "88db55701dada76d041fb0ceec2ca6b6953cb88f31badc0fbc32fce6f9127602" +
        "f64e9fe89c5f336b063ea9e64bd05b83738bb004f564a28edef63d18a28419e8" +
        "84069f0ec45a7454ced3f1e187cd1aa2c8efb8b64850d7530b2f95e08a95a664" +
        "e6a4fb971f566a607c339f7fdd8188614bd255097e7f7c97e872084d03fc39eb" +
        "deb0ad6cef0a75c692ed66ae24fd73f004bbdd6540e18ea386f00170d745003b" +
        "c896620ca81a50fd52e503cdd4e94c865b1d2cb4b3fa264f4e48cd5ac4596bf9";
    static final String PUBLIC_TAIL_HEX =
        "0068e5cf8b01000005000000020000000100611ecb0071070000000000000000" +
        "000000000200621e20010db80000000000000000000000010000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "0000000000000000000000000000000000000000000000000000000000000000" +
        "00000000000000000000000000000000404142434445464748494a4b4c4d4e4f" +
        "505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f" +
        "707172737475767778797a7b7c7d7e7f";

    private TokenFixtures()
    {
    }



    static ConnectTokenGenerator generator(final TokenKey key)
    {
        return new ConnectTokenGenerator(key, PROTOCOL_ID, new CachedEpochClock(), deterministicRandom(1));
    }

    static SecureRandom deterministicRandom(final long seed)
    {
        try
        {
            // SHA1PRNG seeded before first use is deterministic, so "random" keys and nonces repeat run to run.
            final SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new AssertionError(ex);
        }
    }

    /** The test vector token, sealed from the fixed inputs. */
    static ConnectToken vectorToken()
    {
        return generator(KEY).seal(
            CREATE_TIME_MS,
            EXPIRE_TIME_MS,
            NONCE,
            CLIENT_ID,
            ROOM_ID,
            SERVERS,
            CLIENT_TO_SERVER_KEY,
            SERVER_TO_CLIENT_KEY,
            TIMEOUT_SECONDS,
            USER_DATA);
    }

    static byte[] serverPart(final ConnectToken token)
    {
        final byte[] serverPart = new byte[ConnectTokenDescriptor.SERVER_PART_LENGTH];
        token.getServerPart(serverPart, 0);
        return serverPart;
    }

    /** Plaintext of the vector token, to be altered by malformed-contents tests. */
    static byte[] vectorPlaintext()
    {
        return open(KEY, vectorToken().sealedPrivatePart(), PROTOCOL_ID, EXPIRE_TIME_MS, NONCE);
    }

    /** Seal any plaintext under the key, with the token's associated data, as a backend with a bug might. */
    static byte[] sealRaw(
        final TokenKey key, final byte[] plaintext, final long protocolId, final long expireTimeMs, final byte[] nonce)
    {
        return crypt(Cipher.ENCRYPT_MODE, key, plaintext, protocolId, expireTimeMs, nonce);
    }

    static byte[] open(
        final TokenKey key, final byte[] sealed, final long protocolId, final long expireTimeMs, final byte[] nonce)
    {
        return crypt(Cipher.DECRYPT_MODE, key, sealed, protocolId, expireTimeMs, nonce);
    }

    private static byte[] crypt(
        final int mode,
        final TokenKey key,
        final byte[] input,
        final long protocolId,
        final long expireTimeMs,
        final byte[] nonce)
    {
        try
        {
            final Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
            cipher.init(mode, key.secretKey(), new IvParameterSpec(nonce));
            cipher.updateAAD(ConnectTokenGenerator.associatedData(protocolId, expireTimeMs));
            return cipher.doFinal(input);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new AssertionError(ex);
        }
    }

    static void putU16(final byte[] bytes, final int offset, final int value)
    {
        LittleEndian.putShort(bytes, offset, value);
    }

    static void putU32(final byte[] bytes, final int offset, final int value)
    {
        LittleEndian.putInt(bytes, offset, value);
    }

    static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] unhex(final String hex)
    {
        return HexFormat.of().parseHex(hex);
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
