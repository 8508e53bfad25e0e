package dev.skirmish.session.channel;

/**
 * Serial number arithmetic (RFC 1982) over the u16 message sequence of a channel, which wraps from 65535 to 0.
 * Sequences are compared by the shorter way round the circle:
 * <pre>
 *   greaterThan(a, b)  &lt;=&gt;  0 &lt; (a - b) mod 65536 &lt; 32768
 *
 *   greaterThan(1, 65535) = true      (2 ahead, across the wrap)
 *   greaterThan(65535, 1) = false
 *   greaterThan(32768, 0) = greaterThan(0, 32768) = false   (exactly half way: undefined by RFC 1982)
 * </pre>
 * The comparison is only meaningful for sequences less than half the space (32768) apart; protocols built on it keep
 * their windows below that. Every method masks its result to the u16 space and reads only the low 16 bits of its
 * arguments' difference, so arguments need not be masked. Static, stateless, allocation free.
 */
public final class SequenceNumbers
{
    /** Bits in a message sequence. */
    public static final int BITS = 16;
    /** Number of distinct sequences: 65536. */
    public static final int MODULUS = 1 << BITS;
    /** Mask of a sequence: 0xFFFF. */
    public static final int MASK = MODULUS - 1;
    /** Half the sequence space, 32768: the largest distance at which {@link #greaterThan} is defined is one less. */
    public static final int HALF = MODULUS >>> 1;

    private SequenceNumbers()
    {
    }

    /**
     * @param sequence any int.
     * @return true if it is a valid u16 sequence, 0..65535.
     */
    public static boolean isValid(final int sequence)
    {
        return (sequence & ~MASK) == 0;
    }

    /**
     * @param sequence a sequence.
     * @return the sequence after it, wrapping 65535 to 0.
     */
    public static int next(final int sequence)
    {
        return (sequence + 1) & MASK;
    }

    /**
     * @param sequence a sequence.
     * @param delta    to add, may be negative.
     * @return {@code sequence + delta} modulo 65536.
     */
    public static int add(final int sequence, final int delta)
    {
        return (sequence + delta) & MASK;
    }

    /**
     * RFC 1982 "greater than": {@code a} is newer than {@code b}.
     *
     * @param a a sequence.
     * @param b a sequence.
     * @return true if {@code a} is 1 to 32767 steps ahead of {@code b}; false if equal, behind, or exactly 32768 apart.
     */
    public static boolean greaterThan(final int a, final int b)
    {
        final int forward = (a - b) & MASK;
        return forward != 0 && forward < HALF;
    }

    /**
     * RFC 1982 "less than": {@code a} is older than {@code b}; the same as {@code greaterThan(b, a)}.
     *
     * @param a a sequence.
     * @param b a sequence.
     * @return true if {@code a} is 1 to 32767 steps behind {@code b}.
     */
    public static boolean lessThan(final int a, final int b)
    {
        return greaterThan(b, a);
    }

    /**
     * Forward distance: how many times {@link #next} takes {@code from} to {@code to}.
     *
     * @param from a sequence.
     * @param to   a sequence.
     * @return {@code (to - from) mod 65536}, 0..65535; {@code distance(65535, 0) == 1}.
     */
    public static int distance(final int from, final int to)
    {
        return (to - from) & MASK;
    }

    /**
     * Signed difference by the shorter way round: positive when {@code a} is newer than {@code b}.
     *
     * @param a a sequence.
     * @param b a sequence.
     * @return {@code a - b} in -32768..32767; positive exactly when {@code greaterThan(a, b)}, negative when
     * {@code lessThan(a, b)} or when they are exactly half the space apart (-32768).
     */
    public static int difference(final int a, final int b)
    {
        return (short)(a - b);
    }
}
