package dev.skirmish.session.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.skirmish.session.protect.ProtectResult;
import dev.skirmish.session.protect.ReplayWindow;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzz target for {@link ReplayWindow}: a stream of checks, marks and resets compared step by step with a plain model,
 * a set of accepted sequence numbers and the highest one. For sequence s and highest h (unsigned): s above h, or an
 * empty window, is OK; h - s ≥ {@value ReplayWindow#WINDOW} is TOO_OLD; otherwise REPLAY exactly when s was accepted.
 * So a sequence that was accepted and marked is never accepted again.
 * <p>
 * Input: consumed by a {@link FuzzedDataProvider}; sequence numbers are drawn near the highest one, near 0 and
 * 2<sup>64</sup> - 1, or anywhere, so the window edges and the unsigned wrap are reached. Seeds:
 * {@code ReplayWindowFuzzTestInputs/shouldAcceptEachSequenceAtMostOnceAsTheModelSays/}.
 */
class ReplayWindowFuzzTest
{
    private static final int MAX_STEPS = 4096;

    @FuzzTest
    void shouldAcceptEachSequenceAtMostOnceAsTheModelSays(final FuzzedDataProvider data)
    {
        final ReplayWindow window = new ReplayWindow();
        final Set<Long> accepted = new HashSet<>();
        boolean empty = true;
        long highest = 0;

        for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++)
        {
            final int op = data.consumeInt(0, 15);
            if (0 == op)
            {
                window.reset();
                accepted.clear();
                empty = true;
                highest = 0;
                continue;
            }

            final long sequence = nextSequence(data, highest);
            final int expected = expectedCheck(accepted, empty, highest, sequence);
            final int check = window.check(sequence);
            assertEquals(ProtectResult.name(expected), ProtectResult.name(check),
                () -> "check(" + Long.toUnsignedString(sequence) + ")");

            // Mark only what passed the check, as PacketProtector does after the packet authenticates.
            if (ProtectResult.OK == check && op > 3)
            {
                window.mark(sequence);
                accepted.add(sequence);
                if (empty || Long.compareUnsigned(sequence, highest) > 0)
                {
                    highest = sequence;
                    empty = false;
                }
                assertEquals(ProtectResult.name(ProtectResult.REPLAY), ProtectResult.name(window.check(sequence)),
                    () -> "accepted twice: " + Long.toUnsignedString(sequence));
            }
            assertEquals(empty, window.isEmpty());
            assertEquals(empty ? -1L : highest, window.highest());
        }
    }

    private static long nextSequence(final FuzzedDataProvider data, final long highest)
    {
        switch (data.consumeInt(0, 3))
        {
            case 0:
                return highest + data.consumeLong(-2 * ReplayWindow.WINDOW, 2 * ReplayWindow.WINDOW);
            case 1:
                return data.consumeLong(-2 * ReplayWindow.WINDOW, 2 * ReplayWindow.WINDOW);
            case 2:
                return highest + data.consumeLong(-200_000, 200_000);
            default:
                return data.consumeLong();
        }
    }

    private static int expectedCheck(
        final Set<Long> accepted, final boolean empty, final long highest, final long sequence)
    {
        if (empty || Long.compareUnsigned(sequence, highest) > 0)
        {
            return ProtectResult.OK;
        }
        if (Long.compareUnsigned(highest - sequence, ReplayWindow.WINDOW) >= 0)
        {
            return ProtectResult.TOO_OLD;
        }
        return accepted.contains(sequence) ? ProtectResult.REPLAY : ProtectResult.OK;
    }
}
