package dev.skirmish.session.server;

import dev.skirmish.session.handshake.ChallengeCookieDescriptor;
import dev.skirmish.session.handshake.ChallengeSecrets;

import java.security.SecureRandom;

/**
 * The server's challenge secrets over time, shared by every I/O thread so a cookie one thread issued verifies on any
 * other. The first gate that sees the rotation time pass draws a new secret; each gate then brings its own
 * {@link ChallengeSecrets} (and initialised MACs) up to date. Rotation is rare (every 30 s by default), so a lock is
 * fine.
 *
 * <p>Thread safe.
 */
final class ChallengeSecretSchedule
{
    private final SecureRandom random = new SecureRandom();
    private final long rotationMs;
    private volatile long generation;
    private byte[] previous;
    private byte[] current;
    private long nextRotationMs = Long.MIN_VALUE;

    ChallengeSecretSchedule(final long rotationMs)
    {
        this.rotationMs = rotationMs;
        this.current = newSecret();
    }

    private byte[] newSecret()
    {
        final byte[] secret = new byte[ChallengeCookieDescriptor.SECRET_LENGTH];
        random.nextBytes(secret);
        return secret;
    }

    /**
     * @return a new {@link ChallengeSecrets} at the current generation, for one I/O thread.
     */
    synchronized ChallengeSecrets newSecrets()
    {
        // The key phase a cookie carries is the parity of the ChallengeSecrets' own rotation count, so every gate's
        // count must have the schedule's parity, whenever the gate is created.
        if (null == previous)
        {
            return new ChallengeSecrets(current);
        }
        final ChallengeSecrets secrets = new ChallengeSecrets(previous);
        if ((generation & 1) == 0)
        {
            secrets.rotate(previous);
        }
        secrets.rotate(current);
        return secrets;
    }

    /**
     * @return generation of the current secret; changes on each rotation.
     */
    long generation()
    {
        return generation;
    }

    /**
     * Rotate if due, then bring {@code secrets} from {@code seenGeneration} to the current generation.
     *
     * @return the generation {@code secrets} is now at.
     */
    synchronized long update(final ChallengeSecrets secrets, final long seenGeneration, final long nowMs)
    {
        if (Long.MIN_VALUE == nextRotationMs)
        {
            nextRotationMs = nowMs + rotationMs;
        }
        else if (nowMs >= nextRotationMs)
        {
            previous = current;
            current = newSecret();
            generation++;
            nextRotationMs = nowMs + rotationMs;
        }
        final long behind = generation - seenGeneration;
        if (behind >= 2)
        {
            secrets.rotate(previous);
        }
        if (behind >= 1)
        {
            secrets.rotate(current);
        }
        return generation;
    }

    /**
     * @return when the next rotation is due, epoch ms (after the first update).
     */
    synchronized long nextRotationMs()
    {
        return nextRotationMs;
    }
}
