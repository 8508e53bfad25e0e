package dev.skirmish.session.token;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.skirmish.session.token.ConnectTokenDescriptor.EXPIRE_TIME_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.NONCE_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PROTOCOL_ID_OFFSET;
import static dev.skirmish.session.token.ConnectTokenDescriptor.PUBLIC_TOKEN_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SEALED_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.SERVER_PART_LENGTH;
import static dev.skirmish.session.token.ConnectTokenDescriptor.VERSION_INFO_BYTES;
import static dev.skirmish.session.token.TokenFixtures.EXPIRE_TIME_MS;
import static dev.skirmish.session.token.TokenFixtures.KEY;
import static dev.skirmish.session.token.TokenFixtures.NOW_MS;
import static dev.skirmish.session.token.TokenFixtures.PROTOCOL_ID;
import static dev.skirmish.session.token.TokenFixtures.serverPart;
import static dev.skirmish.session.token.TokenFixtures.vectorToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random garbage never decodes and never throws. Replay a failure with
 * {@code -Dskirmish.token.seed=<seed from the message>}.
 */
class ConnectTokenGarbageTest
{
    private static final int ITERATIONS = 100_000;
    private static final long SEED = Long.getLong("skirmish.token.seed", 0x5EED_70C3_2024L);

    private final ConnectTokenDecoder decoder = new ConnectTokenDecoder(KEY, PROTOCOL_ID);
    private final byte[] validServerPart = serverPart(vectorToken());
    private final byte[] buffer = new byte[2 * PUBLIC_TOKEN_LENGTH];
    private final byte[] nonce = new byte[NONCE_LENGTH];

    @Test
    void shouldRejectRandomGarbageWithoutThrowing()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final int[] perCheck = new int[TokenCheck.values().length];
        for (int i = 0; i < ITERATIONS; i++)
        {
            final int iteration = i;
            final int mode = random.nextInt(5);
            final TokenCheck check;
            try
            {
                check = garbage(random, mode);
            }
            catch (final Throwable t)
            {
                throw new AssertionError(message(i, mode) + " threw", t);
            }
            assertNotEquals(TokenCheck.VALID, check, () -> message(iteration, mode) + " accepted garbage");
            perCheck[check.ordinal()]++;
        }

        // Every mode reached the stage it aims at.
        assertNotEquals(0, perCheck[TokenCheck.WRONG_LENGTH.ordinal()], message(-1, -1));
        assertNotEquals(0, perCheck[TokenCheck.BAD_VERSION.ordinal()], message(-1, -1));
        assertNotEquals(0, perCheck[TokenCheck.WRONG_PROTOCOL_ID.ordinal()], message(-1, -1));
        assertNotEquals(0, perCheck[TokenCheck.EXPIRED.ordinal()], message(-1, -1));
        assertNotEquals(0, perCheck[TokenCheck.DECRYPT_FAILED.ordinal()], message(-1, -1));
    }

    @Test
    void shouldOnlyEverThrowIllegalArgumentWhenParsingGarbagePublicTokens()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < ITERATIONS / 10; i++)
        {
            final int length = random.nextBoolean() ? PUBLIC_TOKEN_LENGTH : random.nextInt(buffer.length + 1);
            fill(random, length);
            if (random.nextBoolean())
            {
                System.arraycopy(VERSION_INFO_BYTES, 0, buffer, 0, Math.min(length, VERSION_INFO_BYTES.length));
            }
            try
            {
                ConnectToken.parse(buffer, 0, length);
            }
            catch (final IllegalArgumentException expected)
            {
                continue;
            }
            catch (final Throwable t)
            {
                throw new AssertionError(message(i, -1) + " threw", t);
            }
            // Random bytes can form a parseable public token only if every check passed: then it round trips.
            final ConnectToken token = ConnectToken.parse(buffer, 0, length);
            final byte[] expected = Arrays.copyOf(buffer, length);
            if (!Arrays.equals(expected, token.toBytes()))
            {
                fail(message(i, -1) + " parsed but did not round trip");
            }
        }
    }

    private TokenCheck garbage(final SplittableRandom random, final int mode)
    {
        switch (mode)
        {
            case 0:
            {
                // Any length, any bytes.
                final int length = random.nextInt(buffer.length + 1);
                fill(random, length);
                return decoder.decodeServerPart(buffer, 0, length, NOW_MS);
            }
            case 1:
            {
                // Right length and version: reaches the protocol id, expiry and AEAD checks.
                fill(random, SERVER_PART_LENGTH);
                System.arraycopy(VERSION_INFO_BYTES, 0, buffer, 0, VERSION_INFO_BYTES.length);
                if (random.nextInt(4) != 0)
                {
                    LittleEndian.putLong(buffer, PROTOCOL_ID_OFFSET, PROTOCOL_ID);
                }
                if (random.nextInt(4) != 0)
                {
                    LittleEndian.putLong(buffer, EXPIRE_TIME_OFFSET, EXPIRE_TIME_MS);
                }
                return decoder.decodeServerPart(buffer, 0, SERVER_PART_LENGTH, NOW_MS);
            }
            case 2:
            {
                // A valid token with 1..16 random bytes overwritten.
                System.arraycopy(validServerPart, 0, buffer, 0, SERVER_PART_LENGTH);
                final int corruptions = 1 + random.nextInt(16);
                for (int c = 0; c < corruptions; c++)
                {
                    buffer[random.nextInt(SERVER_PART_LENGTH)] = (byte)random.nextInt(256);
                }
                if (Arrays.equals(buffer, 0, SERVER_PART_LENGTH, validServerPart, 0, SERVER_PART_LENGTH))
                {
                    buffer[SERVER_PART_LENGTH - 1] ^= 1;
                }
                return decoder.decodeServerPart(buffer, 0, SERVER_PART_LENGTH, NOW_MS);
            }
            case 3:
            {
                // Raw entry point, lengths around the sealed length, matching public fields.
                final int length = SEALED_LENGTH - 2 + random.nextInt(5);
                fill(random, length);
                random.nextBytes(nonce);
                return decoder.decode(buffer, 0, length, PROTOCOL_ID, EXPIRE_TIME_MS, nonce, 0, NOW_MS);
            }
            default:
            {
                // Raw entry point, random everything including offsets.
                final int length = random.nextInt(buffer.length + 1);
                fill(random, length);
                random.nextBytes(nonce);
                return decoder.decode(
                    buffer,
                    random.nextInt(-2, 3),
                    length,
                    random.nextLong(),
                    random.nextLong(),
                    nonce,
                    random.nextInt(-1, 2),
                    random.nextLong());
            }
        }
    }

    private void fill(final SplittableRandom random, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            buffer[i] = (byte)random.nextInt(256);
        }
    }

    private static String message(final int iteration, final int mode)
    {
        return "seed=" + SEED + " (replay with -Dskirmish.token.seed=" + SEED + ")" +
            (iteration >= 0 ? " iteration=" + iteration : "") + (mode >= 0 ? " mode=" + mode : "");
    }
}
