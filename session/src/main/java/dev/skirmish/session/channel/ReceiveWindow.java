package dev.skirmish.session.channel;

import java.util.Arrays;

/**
 * Receive window of a reliable channel: which of the {@code capacity} sequences from {@link #base()} (the oldest not
 * yet received) have arrived, as a bit ring indexed by {@code sequence & (capacity - 1)}. The capacity is a power of
 * two that divides 65536, so a sequence keeps its bit across the u16 wrap.
 * <pre>
 *   position(s) = difference(s, base)          (SequenceNumbers, -32768..32767)
 *
 *   ... -3 -2 -1 | 0  1  2  3 ... capacity-1 | capacity ... 32767
 *   before base  |  the window: one bit each |  beyond the window
 *   (duplicates) |  bit 0 (base) never set   |  (sender broke the contract)
 * </pre>
 * Invariant: the bit of {@code base} is clear between calls, and every set bit lies within the window.
 * <p>
 * Not thread safe: single writer, the thread that owns the session. Allocates only when constructed.
 */
final class ReceiveWindow
{
    private final int capacity;
    private final int mask;
    private final long[] bits;
    private int base;

    /**
     * @param capacity sequences tracked, a power of two from 64 to 32768 (validated by {@link ReceiveConfig}).
     */
    ReceiveWindow(final int capacity)
    {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.bits = new long[capacity >>> 6];
    }

    /**
     * Forget every sequence.
     *
     * @param initialSequence the first sequence expected.
     */
    void reset(final int initialSequence)
    {
        Arrays.fill(bits, 0L);
        base = initialSequence & SequenceNumbers.MASK;
    }

    /**
     * @return sequences tracked.
     */
    int capacity()
    {
        return capacity;
    }

    /**
     * @return the oldest sequence not yet received.
     */
    int base()
    {
        return base;
    }

    /**
     * @param sequence a sequence.
     * @return its position from {@link #base()}: negative before it, {@link #capacity()} or more beyond the window.
     */
    int position(final int sequence)
    {
        return SequenceNumbers.difference(sequence, base);
    }

    /**
     * @param sequence a sequence within the window.
     * @return its index in the ring, also usable as a slot index of per-sequence arrays of {@link #capacity()}.
     */
    int slot(final int sequence)
    {
        return sequence & mask;
    }

    /**
     * @param sequence a sequence within the window.
     * @return true if it has been marked received.
     */
    boolean isReceived(final int sequence)
    {
        final int index = sequence & mask;
        return (bits[index >>> 6] & (1L << index)) != 0;
    }

    /**
     * @param sequence a sequence within the window, after the base.
     */
    void markReceived(final int sequence)
    {
        final int index = sequence & mask;
        bits[index >>> 6] |= 1L << index;
    }

    /**
     * Step past the base: its bit must be clear (it was received and delivered, or is being delivered now).
     */
    void advance()
    {
        base = (base + 1) & SequenceNumbers.MASK;
    }

    /**
     * Clear the base's bit and step past it; for releasing a message marked received while ahead of a gap.
     */
    void clearAndAdvance()
    {
        final int index = base & mask;
        bits[index >>> 6] &= ~(1L << index);
        base = (base + 1) & SequenceNumbers.MASK;
    }

    /**
     * Step the base over every received sequence at its head, clearing their bits, a word at a time.
     *
     * @return sequences stepped over, at most {@link #capacity()} - 1.
     */
    int advanceOverReceived()
    {
        int advanced = 0;
        while (true)
        {
            final int index = base & mask;
            final int word = index >>> 6;
            final int bit = index & 63;
            // shifting in zeros from the top bounds the run at the end of the word
            final int run = Long.numberOfTrailingZeros(~(bits[word] >>> bit));
            if (0 == run)
            {
                return advanced;
            }
            bits[word] &= run == Long.SIZE ? 0L : ~(((1L << run) - 1) << bit);
            base = (base + run) & SequenceNumbers.MASK;
            advanced += run;
            if (bit + run < Long.SIZE)
            {
                return advanced;
            }
        }
    }
}
