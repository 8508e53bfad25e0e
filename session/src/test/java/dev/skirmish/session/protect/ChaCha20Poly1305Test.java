package dev.skirmish.session.protect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChaCha20Poly1305} against every test vector of RFC 8439 for its parts and the AEAD, byte for byte against the
 * JDK's own ChaCha20-Poly1305 on random inputs, against forgery of any single bit, and for allocation.
 */
class ChaCha20Poly1305Test
{
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY_00_1F = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] KEY_80_9F = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    private static final String SUNSCREEN = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip " +
        "for the future, sunscreen would be it.";
    private static final int TAG = ChaCha20Poly1305.TAG_LENGTH;

    @Test
    void shouldComputeBlockOfSection232()
    {
        final byte[] out = new byte[64];
        new ChaCha20Poly1305(KEY_00_1F).block(hex("000000090000004a00000000"), 1, out, 0);

        assertEquals(
            "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
            "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
            HEX.formatHex(out));
    }

    @Test
    void shouldEncryptSunscreenOfSection242()
    {
        final byte[] buf = SUNSCREEN.getBytes(StandardCharsets.US_ASCII);
        new ChaCha20Poly1305(KEY_00_1F).chacha20(hex("000000000000004a00000000"), 1, buf, 0, buf.length);

        assertEquals(
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b357" +
            "1639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
            "5af90bbf74a35be6b40b8eedf2785e42874d",
            HEX.formatHex(buf));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poly1305Vectors")
    void shouldComputePoly1305OfSection252AndAppendixA3(
        final String name, final String key, final String message, final String tag)
    {
        final byte[] msg = hex(message);
        final byte[] out = new byte[TAG + 3];
        new ChaCha20Poly1305(KEY_00_1F).poly1305(hex(key), 0, msg, 0, msg.length, out, 3);

        assertEquals(tag, HEX.formatHex(out, 3, 3 + TAG), name);
    }

    @Test
    void shouldGeneratePoly1305KeyOfSection262()
    {
        final byte[] out = new byte[64];
        new ChaCha20Poly1305(KEY_80_9F).block(hex("000000000001020304050607"), 0, out, 0);

        assertEquals(
            "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646", HEX.formatHex(out, 0, 32));
    }

    @Test
    void shouldSealSunscreenOfSection282AndOpenIt()
    {
        final byte[] nonce = hex("070000004041424344454647");
        final byte[] aad = hex("50515253c0c1c2c3c4c5c6c7");
        final byte[] plaintext = SUNSCREEN.getBytes(StandardCharsets.US_ASCII);
        final byte[] buf = Arrays.copyOf(plaintext, plaintext.length + TAG);
        final ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_80_9F);

        aead.seal(nonce, aad, 0, aad.length, buf, 0, plaintext.length);

        assertEquals(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b" +
            "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
            "3ff4def08e4b7a9de576d26586cec64b6116" +
            "1ae10b594f09e26a7e902ecbd0600691",
            HEX.formatHex(buf));
        assertTrue(aead.open(nonce, aad, 0, aad.length, buf, 0, plaintext.length));
        assertArrayEquals(plaintext, Arrays.copyOf(buf, plaintext.length));
    }

    @Test
    void shouldOpenAppendixA5()
    {
        final byte[] key = hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
        final byte[] nonce = hex("000000000102030405060708");
        final byte[] aad = hex("f33388860000000000004e91");
        final byte[] buf = hex(
            "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0" +
            "bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855" +
            "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e9" +
            "9040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a" +
            "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130" +
            "305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b" +
            "eead9d67890cbb22392336fea1851f38");
        final int length = buf.length - TAG;

        assertTrue(new ChaCha20Poly1305(key).open(nonce, aad, 0, aad.length, buf, 0, length));
        assertEquals(
            "Internet-Drafts are draft documents valid for a maximum of six months and may be updated, " +
            "replaced, or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts " +
            "as reference material or to cite them other than as /\u201cwork in progress./\u201d",
            new String(buf, 0, length, StandardCharsets.UTF_8));
    }

    @Test
    void shouldMatchJdkByteForByteAndOpenWhatEitherSealed() throws GeneralSecurityException
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final int[] edges = {0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 1299, 1300};

        for (int i = 0; i < 600; i++)
        {
            final int length = i < edges.length * 4 ? edges[i % edges.length] : random.nextInt(1301);
            final int aadLength = random.nextInt(41);
            final int off = random.nextInt(8);
            final byte[] key = bytes(random, 32);
            final byte[] nonce = bytes(random, 12);
            final byte[] aad = bytes(random, aadLength + 3);
            final byte[] plaintext = bytes(random, length);
            final String context = "seed " + seed + " length " + length + " aad " + aadLength + " off " + off;
            final ChaCha20Poly1305 aead = new ChaCha20Poly1305(key);

            final byte[] ours = new byte[off + length + TAG + 5];
            System.arraycopy(plaintext, 0, ours, off, length);
            aead.seal(nonce, aad, 3, aadLength, ours, off, length);
            final byte[] jdk = jdk(Cipher.ENCRYPT_MODE, key, nonce, aad, 3, aadLength, plaintext);
            assertArrayEquals(jdk, Arrays.copyOfRange(ours, off, off + length + TAG), context);

            assertArrayEquals(plaintext, jdk(Cipher.DECRYPT_MODE, key, nonce, aad, 3, aadLength, jdk), context);
            final byte[] fromJdk = new byte[off + length + TAG];
            System.arraycopy(jdk, 0, fromJdk, off, jdk.length);
            assertTrue(aead.open(nonce, aad, 3, aadLength, fromJdk, off, length), context);
            assertArrayEquals(plaintext, Arrays.copyOfRange(fromJdk, off, off + length), context);
        }
    }

    @Test
    void shouldRejectEverySingleBitFlipOfCiphertextTagAadAndNonceAndLeaveBufferUntouched()
    {
        final Random random = new Random(42);
        final ChaCha20Poly1305 aead = new ChaCha20Poly1305(bytes(random, 32));
        for (final int length : new int[]{0, 1, 63, 64, 65, 200})
        {
            final byte[] nonce = bytes(random, 12);
            final byte[] aad = bytes(random, 16);
            final byte[] sealed = bytes(random, length + TAG);
            aead.seal(nonce, aad, 0, aad.length, sealed, 0, length);

            for (int bit = 0; bit < sealed.length * 8; bit++)
            {
                final byte[] buf = sealed.clone();
                buf[bit >> 3] ^= (byte)(1 << (bit & 7));
                final byte[] received = buf.clone();
                assertFalse(aead.open(nonce, aad, 0, aad.length, buf, 0, length), "length " + length + " bit " + bit);
                assertArrayEquals(received, buf, "a failed open must leave the buffer as received");
            }
            for (int bit = 0; bit < aad.length * 8; bit++)
            {
                final byte[] badAad = aad.clone();
                badAad[bit >> 3] ^= (byte)(1 << (bit & 7));
                final byte[] buf = sealed.clone();
                assertFalse(aead.open(nonce, badAad, 0, badAad.length, buf, 0, length), "aad bit " + bit);
                assertArrayEquals(sealed, buf);
            }
            for (int bit = 0; bit < nonce.length * 8; bit++)
            {
                final byte[] badNonce = nonce.clone();
                badNonce[bit >> 3] ^= (byte)(1 << (bit & 7));
                final byte[] buf = sealed.clone();
                assertFalse(aead.open(badNonce, aad, 0, aad.length, buf, 0, length), "nonce bit " + bit);
                assertArrayEquals(sealed, buf);
            }

            final byte[] buf = sealed.clone();
            assertFalse(aead.open(nonce, aad, 0, aad.length - 1, buf, 0, length), "shorter aad");
            if (length > 0)
            {
                assertFalse(aead.open(nonce, aad, 0, aad.length, buf, 0, length - 1), "truncated");
            }
            assertArrayEquals(sealed, buf);
            assertTrue(aead.open(nonce, aad, 0, aad.length, buf, 0, length), "genuine after forgeries");
        }
    }

    @Test
    void shouldNeverThrowOnOpenOfRangesThatDoNotFit()
    {
        final ChaCha20Poly1305 aead = new ChaCha20Poly1305(new byte[32]);
        final byte[] nonce = new byte[12];
        final byte[] buf = new byte[40];

        assertFalse(aead.open(nonce, buf, 0, 0, buf, 0, 25));
        assertFalse(aead.open(nonce, buf, 0, 0, buf, -1, 10));
        assertFalse(aead.open(nonce, buf, 0, 0, buf, 0, -1));
        assertFalse(aead.open(nonce, buf, 0, 0, buf, 1, Integer.MAX_VALUE));
        assertFalse(aead.open(nonce, buf, 30, 11, buf, 0, 10));
        assertFalse(aead.open(new byte[11], buf, 0, 0, buf, 0, 10));
        assertFalse(aead.open(null, null, 0, 0, null, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> aead.seal(nonce, buf, 0, 0, buf, 0, 25));
        assertThrows(IllegalArgumentException.class, () -> new ChaCha20Poly1305(new byte[16]));
    }

    @Test
    void shouldNotAllocateWhenSealingOrOpening()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final Random random = new Random(7);
        final ChaCha20Poly1305 aead = new ChaCha20Poly1305(bytes(random, 32));
        final byte[] nonce = bytes(random, 12);
        final byte[] aad = bytes(random, 16);
        final byte[] buf = new byte[1200 + TAG];
        final int[] lengths = {0, 64, 200, 1200};
        int opened = 0;

        for (int i = 0; i < 30_000; i++)
        {
            opened += sealOpen(aead, nonce, aad, buf, lengths[i & 3], i);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++)
        {
            opened += sealOpen(aead, nonce, aad, buf, lengths[i & 3], i);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(40_000, opened);
        assertTrue(allocated < 1024, allocated + " B allocated over 10 000 seals and opens");
    }

    private static int sealOpen(
        final ChaCha20Poly1305 aead, final byte[] nonce, final byte[] aad, final byte[] buf, final int length,
        final int sequence)
    {
        nonce[4] = (byte)sequence;
        aead.seal(nonce, aad, 0, aad.length, buf, 0, length);
        final boolean authentic = aead.open(nonce, aad, 0, aad.length, buf, 0, length);
        buf[length] ^= 1;
        final boolean forged = aead.open(nonce, aad, 0, aad.length, buf, 0, length);
        return authentic && !forged ? 1 : 0;
    }

    static Stream<Arguments> poly1305Vectors()
    {
        return Stream.of(
            Arguments.of(
                "RFC 8439 2.5.2",
                "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b",
                "43727970746f6772617068696320466f72756d2052657365617263682047726f7570",
                "a8061dc1305136c6c22b8baf0c0127a9"),
            Arguments.of(
                "A.3 #1",
                "0000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
                "00000000000000000000000000000000",
                "00000000000000000000000000000000"),
            Arguments.of(
                "A.3 #2",
                "0000000000000000000000000000000036e5f6b5c5e06070f0efca96227a863e",
                "416e79207375626d697373696f6e20746f20746865204945544620696e74656e6465642062792074686520436f6e7472" +
                "696275746f7220666f72207075626c69636174696f6e20617320616c6c206f722070617274206f6620616e2049455446" +
                "20496e7465726e65742d4472616674206f722052464320616e6420616e792073746174656d656e74206d616465207769" +
                "7468696e2074686520636f6e74657874206f6620616e204945544620616374697669747920697320636f6e7369646572" +
                "656420616e20224945544620436f6e747269627574696f6e222e20537563682073746174656d656e747320696e636c75" +
                "6465206f72616c2073746174656d656e747320696e20494554462073657373696f6e732c2061732077656c6c20617320" +
                "7772697474656e20616e6420656c656374726f6e696320636f6d6d756e69636174696f6e73206d61646520617420616e" +
                "792074696d65206f7220706c6163652c207768696368206172652061646472657373656420746f",
                "36e5f6b5c5e06070f0efca96227a863e"),
            Arguments.of(
                "A.3 #3",
                "36e5f6b5c5e06070f0efca96227a863e00000000000000000000000000000000",
                "416e79207375626d697373696f6e20746f20746865204945544620696e74656e6465642062792074686520436f6e7472" +
                "696275746f7220666f72207075626c69636174696f6e20617320616c6c206f722070617274206f6620616e2049455446" +
                "20496e7465726e65742d4472616674206f722052464320616e6420616e792073746174656d656e74206d616465207769" +
                "7468696e2074686520636f6e74657874206f6620616e204945544620616374697669747920697320636f6e7369646572" +
                "656420616e20224945544620436f6e747269627574696f6e222e20537563682073746174656d656e747320696e636c75" +
                "6465206f72616c2073746174656d656e747320696e20494554462073657373696f6e732c2061732077656c6c20617320" +
                "7772697474656e20616e6420656c656374726f6e696320636f6d6d756e69636174696f6e73206d61646520617420616e" +
                "792074696d65206f7220706c6163652c207768696368206172652061646472657373656420746f",
                "f3477e7cd95417af89a6b8794c310cf0"),
            Arguments.of(
                "A.3 #4",
                "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
                "2754776173206272696c6c69672c20616e642074686520736c6974687920746f7665730a446964206779726520616e64" +
                "2067696d626c6520696e2074686520776162653a0a416c6c206d696d737920776572652074686520626f726f676f7665" +
                "732c0a416e6420746865206d6f6d65207261746873206f757467726162652e",
                "4541669a7eaaee61e708dc7cbcc5eb62"),
            Arguments.of(
                "A.3 #5",
                "0200000000000000000000000000000000000000000000000000000000000000",
                "ffffffffffffffffffffffffffffffff",
                "03000000000000000000000000000000"),
            Arguments.of(
                "A.3 #6",
                "02000000000000000000000000000000ffffffffffffffffffffffffffffffff",
                "02000000000000000000000000000000",
                "03000000000000000000000000000000"),
            Arguments.of(
                "A.3 #7",
                "0100000000000000000000000000000000000000000000000000000000000000",
                "fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff11000000000000000000000000000000",
                "05000000000000000000000000000000"),
            Arguments.of(
                "A.3 #8",
                "0100000000000000000000000000000000000000000000000000000000000000",
                "fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe01010101010101010101010101010101",
                "00000000000000000000000000000000"),
            Arguments.of(
                "A.3 #9",
                "0200000000000000000000000000000000000000000000000000000000000000",
                "fdffffffffffffffffffffffffffffff",
                "faffffffffffffffffffffffffffffff"),
            Arguments.of(
                "A.3 #10",
                "0100000000000000040000000000000000000000000000000000000000000000",
                "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000" +
                "01000000000000000000000000000000",
                "14000000000000005500000000000000"),
            Arguments.of(
                "A.3 #11",
                "0100000000000000040000000000000000000000000000000000000000000000",
                "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000",
                "13000000000000000000000000000000")
        );
    }

    private static byte[] jdk(
        final int mode, final byte[] key, final byte[] nonce, final byte[] aad, final int aadOff, final int aadLen,
        final byte[] input) throws GeneralSecurityException
    {
        final Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        cipher.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        cipher.updateAAD(aad, aadOff, aadLen);
        return cipher.doFinal(input);
    }

    private static byte[] bytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] hex(final String hex)
    {
        return HEX.parseHex(hex);
    }
}
