package dev.skirmish.session.token;

import dev.skirmish.core.ConfigurationException;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The 32-byte key a backend and its game servers share to seal and open connect tokens. Immutable and thread-safe.
 * <p>
 * A key file holds either the 32 raw bytes or 64 hex characters, optionally followed by one newline ({@code \n} or
 * {@code \r\n}). {@link #DEVELOPMENT} is built in so that a server, the bots and the token tool work together
 * without configuration; it is public, so anyone can mint tokens for it: check {@link #isDevelopmentKey()} and warn
 * loudly whenever it is in use.
 */
public final class TokenKey
{
    /** Key length in bytes. */
    public static final int LENGTH = 32;
    /** Key length when written as hex. */
    public static final int HEX_LENGTH = 2 * LENGTH;

    /**
     * SHA-256 of "Skirmish development token key: public, never use in production". Public by design: it exists so
     * that demos and tests work out of the box. Never use it in production.
     */
    public static final String DEVELOPMENT_KEY_HEX = "c64cc60b65a9717b4de90f57a768d7327a2b588772c58724be83d908c69f554c";

    /** The built-in development key; see {@link #DEVELOPMENT_KEY_HEX}. */
    public static final TokenKey DEVELOPMENT = new TokenKey(HexFormat.of().parseHex(DEVELOPMENT_KEY_HEX));

    private static final int MAX_FILE_LENGTH = HEX_LENGTH + 2;

    private final byte[] key;
    private final SecretKey secretKey;

    private TokenKey(final byte[] key)
    {
        this.key = key;
        this.secretKey = new SecretKeySpec(key, ConnectTokenDescriptor.KEY_ALGORITHM);
    }

    /**
     * A key from its bytes.
     *
     * @param key exactly {@value #LENGTH} bytes; copied.
     * @return the key.
     * @throws IllegalArgumentException if the length is wrong.
     */
    public static TokenKey fromBytes(final byte[] key)
    {
        if (null == key || key.length != LENGTH)
        {
            throw new IllegalArgumentException("token key must be " + LENGTH + " bytes, got " +
                (null == key ? "null" : key.length));
        }
        return new TokenKey(key.clone());
    }

    /**
     * A key from {@value #HEX_LENGTH} hex characters (either case), e.g. from an environment variable.
     *
     * @param hex the key as hex.
     * @return the key.
     * @throws ConfigurationException saying what is wrong with the text.
     */
    public static TokenKey fromHex(final CharSequence hex)
    {
        if (null == hex || hex.length() != HEX_LENGTH)
        {
            throw new ConfigurationException("token key: expected " + HEX_LENGTH + " hex characters, got " +
                (null == hex ? "null" : hex.length()));
        }
        for (int i = 0; i < HEX_LENGTH; i++)
        {
            if (!HexFormat.isHexDigit(hex.charAt(i)))
            {
                throw new ConfigurationException("token key: " + describe(hex.charAt(i)) + " at offset " + i +
                    " is not a hex digit");
            }
        }
        return new TokenKey(HexFormat.of().parseHex(hex));
    }

    /**
     * Load a key file: 32 raw bytes, or 64 hex characters optionally followed by a newline.
     *
     * @param file to read; at most {@value #MAX_FILE_LENGTH} bytes of it are read.
     * @return the key.
     * @throws ConfigurationException naming the file and what is wrong with it.
     */
    public static TokenKey load(final Path file)
    {
        if (!Files.exists(file))
        {
            throw new ConfigurationException("token key file not found: " + file);
        }
        if (!Files.isRegularFile(file))
        {
            throw new ConfigurationException("token key file is not a regular file: " + file);
        }

        final byte[] bytes;
        try (InputStream in = Files.newInputStream(file))
        {
            bytes = in.readNBytes(MAX_FILE_LENGTH + 1);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigurationException("token key file not found: " + file);
        }
        catch (final IOException ex)
        {
            throw new ConfigurationException("cannot read token key file " + file + ": " + ex);
        }

        try
        {
            return parseFile(file, bytes);
        }
        finally
        {
            Arrays.fill(bytes, (byte)0);
        }
    }

    private static TokenKey parseFile(final Path file, final byte[] bytes)
    {
        final String expected = "expected " + LENGTH + " raw bytes, or " + HEX_LENGTH +
            " hex characters optionally followed by a newline";
        if (bytes.length == LENGTH)
        {
            if (allHexDigits(bytes, LENGTH))
            {
                throw new ConfigurationException("token key file " + file + " holds " + LENGTH +
                    " hex characters, which is only a " + LENGTH / 2 + "-byte key: " + expected);
            }
            return new TokenKey(bytes.clone());
        }

        int hexLength = bytes.length;
        if (hexLength > 0 && bytes[hexLength - 1] == '\n')
        {
            hexLength--;
            if (hexLength > 0 && bytes[hexLength - 1] == '\r')
            {
                hexLength--;
            }
        }
        if (hexLength != HEX_LENGTH)
        {
            final String size = bytes.length > MAX_FILE_LENGTH ? "more than " + MAX_FILE_LENGTH : "" + bytes.length;
            throw new ConfigurationException("token key file " + file + " has " + size + " bytes: " + expected);
        }
        for (int i = 0; i < HEX_LENGTH; i++)
        {
            if (!HexFormat.isHexDigit(bytes[i]))
            {
                throw new ConfigurationException("token key file " + file + ": " + describe((char)(bytes[i] & 0xFF)) +
                    " at offset " + i + " is not a hex digit (" + expected + ")");
            }
        }
        final byte[] key = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++)
        {
            key[i] = (byte)(HexFormat.fromHexDigit(bytes[2 * i]) << 4 | HexFormat.fromHexDigit(bytes[2 * i + 1]));
        }
        return new TokenKey(key);
    }

    /**
     * A new random key, e.g. to write into a key file with {@link #toHex()}.
     *
     * @param random source of the key bytes.
     * @return the key.
     */
    public static TokenKey generate(final SecureRandom random)
    {
        final byte[] key = new byte[LENGTH];
        random.nextBytes(key);
        return new TokenKey(key);
    }

    /**
     * Is this the public {@link #DEVELOPMENT} key? A server using it must say loudly that it is not for production.
     *
     * @return true when the bytes equal the development key's.
     */
    public boolean isDevelopmentKey()
    {
        return MessageDigest.isEqual(key, DEVELOPMENT.key);
    }

    /**
     * First 8 bytes of the SHA-256 of the key, as hex: lets operators check that servers and backend share a key
     * without printing the key.
     *
     * @return 16 hex characters.
     */
    public String fingerprint()
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 8);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every JDK", ex);
        }
    }

    /**
     * The key as 64 lower-case hex characters, the key file format. This is the secret: keep it out of logs.
     *
     * @return the key as hex.
     */
    public String toHex()
    {
        return HexFormat.of().formatHex(key);
    }

    SecretKey secretKey()
    {
        return secretKey;
    }

    /**
     * Constant-time comparison of the key bytes.
     *
     * @param o another object.
     * @return true when o is a key with the same bytes.
     */
    @Override
    public boolean equals(final Object o)
    {
        return o instanceof TokenKey && MessageDigest.isEqual(key, ((TokenKey)o).key);
    }

    /**
     * @return a hash of the key bytes.
     */
    @Override
    public int hashCode()
    {
        return Arrays.hashCode(key);
    }

    /**
     * Names the key without revealing it.
     *
     * @return the fingerprint, and whether it is the development key.
     */
    @Override
    public String toString()
    {
        return "TokenKey{fingerprint=" + fingerprint() + (isDevelopmentKey() ? ", DEVELOPMENT KEY" : "") + "}";
    }

    private static boolean allHexDigits(final byte[] bytes, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (!HexFormat.isHexDigit(bytes[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static String describe(final char c)
    {
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("byte 0x%02x", (int)c);
    }
}
