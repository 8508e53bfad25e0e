package dev.skirmish.session.handshake;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.SplittableRandom;

import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.COOKIE_LENGTH;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.ISSUE_TICKS_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.KEY_PHASE_OFFSET;
import static dev.skirmish.session.handshake.ChallengeCookieDescriptor.TICK_MS;
import static dev.skirmish.session.handshake.ChallengeCookieTest.address;
import static dev.skirmish.session.handshake.ChallengeCookieTest.digest;
import static dev.skirmish.session.handshake.ChallengeCookieTest.secret;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Seeded random bytes never verify and never throw. Replay a failure with
 * {@code -Dskirmish.challenge.seed=<seed from the message>}.
 */
class ChallengeCookieGarbageTest
{
    private static final int ITERATIONS = 100_000;
    private static final long SEED = Long.getLong("skirmish.challenge.seed", 0xC00C_1E5E_ED01L);
    private static final long NOW_MS = 1_700_000_000_000L;
    private static final InetSocketAddress SOURCE = address("198.51.100.7", 50000);

    private final ChallengeSecrets secrets = new ChallengeSecrets(secret(1));
    private final ChallengeCookie cookie = new ChallengeCookie(secrets);
    private final byte[] digest = digest(0xF0);
    private final byte[] buffer = new byte[2 * COOKIE_LENGTH];

    @Test
    void shouldNeverAcceptRandomBytes()
    {
        secrets.rotate(secret(2));
        final SplittableRandom random = new SplittableRandom(SEED);
        final int[] perCheck = new int[ChallengeCheck.values().length];
        for (int i = 0; i < ITERATIONS; i++)
        {
            final int iteration = i;
            final int length = random.nextInt(4) == 0 ? random.nextInt(buffer.length + 1) : COOKIE_LENGTH;
            for (int b = 0; b < length; b++)
            {
                buffer[b] = (byte)random.nextInt(256);
            }
            if (length >= COOKIE_LENGTH && random.nextBoolean())
            {
                // A plausible issue time and key phase, so the bytes reach the MAC check.
                final long ticks = NOW_MS / TICK_MS - random.nextInt(40);
                for (int b = 0; b < 8; b++)
                {
                    buffer[ISSUE_TICKS_OFFSET + b] = (byte)(ticks >>> (8 * b));
                }
                buffer[KEY_PHASE_OFFSET] = (byte)random.nextInt(2);
            }
            final ChallengeCheck check;
            try
            {
                check = cookie.verify(buffer, 0, length, SOURCE, digest, random.nextLong(3), NOW_MS);
            }
            catch (final Throwable t)
            {
                throw new AssertionError(message(iteration) + " threw", t);
            }
            assertNotEquals(ChallengeCheck.VALID, check, () -> message(iteration) + " accepted random bytes");
            perCheck[check.ordinal()]++;
        }

        for (final ChallengeCheck reason : ChallengeCheck.values())
        {
            if (reason != ChallengeCheck.VALID)
            {
                assertNotEquals(0, perCheck[reason.ordinal()], () -> message(-1) + " never reached " + reason);
            }
        }
    }

    private static String message(final int iteration)
    {
        return "seed=" + SEED + " (replay with -Dskirmish.challenge.seed=" + SEED + ")" +
            (iteration >= 0 ? " iteration=" + iteration : "");
    }
}
