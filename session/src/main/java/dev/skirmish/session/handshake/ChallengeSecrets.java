package dev.skirmish.session.handshake;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.MAC_ALGORITHM;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.SECRET_LENGTH;

/**
 * The server's challenge secrets: a current and a previous {@value ChallengeCookieDescriptor#SECRET_LENGTH}-byte
 * secret, each with its own initialised HMAC-SHA256 {@link Mac}, so no {@code Mac.init} runs per cookie.
 * <p>
 * Cookies are made under the current secret. The owner calls {@link #rotate(byte[])} periodically (for example every
 * 30 s, and never more often than the cookie lifetime): the current secret becomes the previous one, so a cookie made
 * just before a rotation is still accepted until the next rotation, and rejected after it. Each secret has a key
 * phase (the parity of its generation) that cookies carry, so verifying a cookie costs one MAC, never two.
 * <p>
 * <b>The caller supplies the secret bytes and must draw them from a CSPRNG</b>
 * ({@code SecureRandom.nextBytes(new byte[32])}), fresh for every rotation; this class never reads a clock or a random
 * source. Secrets are never written to disk or sent anywhere: a restarted server simply starts with new ones (the
 * few in-flight handshakes retry).
 * <p>
 * Not thread safe: owned by the one I/O thread that issues and verifies cookies, together with its
 * {@link ChallengeCookie}. Called from that thread only.
 */
public final class ChallengeSecrets
{
    private Mac currentMac;
    private Mac previousMac;
    private long generation;
    private boolean hasPrevious;

    /**
     * @param initialSecret {@value ChallengeCookieDescriptor#SECRET_LENGTH} bytes from a CSPRNG; copied.
     * @throws IllegalArgumentException when not exactly 32 bytes.
     */
    public ChallengeSecrets(final byte[] initialSecret)
    {
        currentMac = newMac();
        previousMac = newMac();
        init(currentMac, initialSecret);
    }

    /**
     * Make {@code newSecret} the current secret and the current one the previous; the previous one is forgotten, so
     * cookies made under it are rejected from now on.
     *
     * @param newSecret {@value ChallengeCookieDescriptor#SECRET_LENGTH} fresh bytes from a CSPRNG; copied.
     * @throws IllegalArgumentException when not exactly 32 bytes (the secrets are then unchanged).
     */
    public void rotate(final byte[] newSecret)
    {
        final Mac spare = previousMac;
        init(spare, newSecret);
        previousMac = currentMac;
        currentMac = spare;
        hasPrevious = true;
        generation++;
    }

    /**
     * @return how many times {@link #rotate(byte[])} has succeeded.
     */
    public long generation()
    {
        return generation;
    }

    /**
     * @return key phase (0 or 1) of the current secret, written into new cookies.
     */
    int currentPhase()
    {
        return (int)(generation & 1);
    }

    /**
     * @return the MAC initialised with the current secret.
     */
    Mac currentMac()
    {
        return currentMac;
    }

    /**
     * The MAC of the secret a cookie names by its key phase.
     *
     * @param phase key phase byte from the cookie, any value.
     * @return the MAC, or null when the phase is not 0 or 1 or names a previous secret that does not exist yet.
     */
    Mac macForPhase(final int phase)
    {
        if (phase == currentPhase())
        {
            return currentMac;
        }
        if (hasPrevious && phase == (currentPhase() ^ 1))
        {
            return previousMac;
        }
        return null;
    }

    private static void init(final Mac mac, final byte[] secret)
    {
        Objects.requireNonNull(secret, "secret");
        if (secret.length != SECRET_LENGTH)
        {
            throw new IllegalArgumentException(
                "challenge secret must be " + SECRET_LENGTH + " bytes, got " + secret.length);
        }
        try
        {
            mac.init(new SecretKeySpec(secret, MAC_ALGORITHM));
        }
        catch (final InvalidKeyException ex)
        {
            throw new IllegalStateException(MAC_ALGORITHM + " refused a " + SECRET_LENGTH + "-byte key", ex);
        }
    }

    private static Mac newMac()
    {
        try
        {
            return Mac.getInstance(MAC_ALGORITHM);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(MAC_ALGORITHM + " is required (every JDK has it)", ex);
        }
    }
}
