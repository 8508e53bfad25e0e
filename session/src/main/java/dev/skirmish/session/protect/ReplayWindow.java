package dev.skirmish.session.protect;

import java.util.Arrays;

/**
 * Sliding anti-replay window over unsigned 64-bit packet sequence numbers (the block bitmap of RFC 6479, as in
 * WireGuard and IPsec): a ring of 32 64-bit words remembers which of the last {@value #WINDOW}
 * sequence numbers up to the highest accepted one were accepted.
 * <p>
 * Rules, in the order {@link PacketProtector#open} applies them:
 * <ol>
 *   <li>{@link #check(long)} before decryption: a sequence number above the highest accepted one is fresh; one at
 *   least {@value #WINDOW} below it is {@link ProtectResult#TOO_OLD}; one inside the window whose bit is set is
 *   {@link ProtectResult#REPLAY}. Nothing changes.</li>
 *   <li>{@link #mark(long)} only after the packet authenticated: sets its bit and, for a new highest sequence
 *   number, slides the window, clearing the words it moves over (so a jump of any size costs at most
 *   32 word writes).</li>
 * </ol>
 * The ring holds twice the window so that the word holding the highest sequence number, which is partly in the
 * future, never shares storage with a word still inside the window.
 * <p>
 * Not thread safe: single writer, the worker thread that owns the session. Allocates nothing after construction
 * (about 300 B per window: a 256 B ring and two fields).
 */
public final class ReplayWindow
{
    /**
     * Width of the window: sequence numbers from {@code highest - 1023} to the highest accepted one are remembered
     * and each accepted once; older ones are rejected as {@link ProtectResult#TOO_OLD}.
     */
    public static final int WINDOW = 1024;

    static final int RING_WORDS = 2 * WINDOW / Long.SIZE;
    private static final int WORD_SHIFT = 6;
    private static final int WORD_INDEX_MASK = RING_WORDS - 1;

    private final long[] ring = new long[RING_WORDS];
    private long highest;
    private boolean empty = true;

    /**
     * An empty window: every sequence number is fresh until one is marked.
     */
    public ReplayWindow()
    {
    }

    /**
     * Whether a received sequence number may be accepted, without changing anything. Run it before decrypting.
     *
     * @param sequence as read from the packet, any 64-bit value (compared unsigned).
     * @return {@link ProtectResult#OK}, {@link ProtectResult#REPLAY} or {@link ProtectResult#TOO_OLD}.
     */
    public int check(final long sequence)
    {
        if (empty || Long.compareUnsigned(sequence, highest) > 0)
        {
            return ProtectResult.OK;
        }

        if (isTooOld(sequence))
        {
            return ProtectResult.TOO_OLD;
        }

        return (ring[wordIndex(sequence)] & bit(sequence)) != 0 ? ProtectResult.REPLAY : ProtectResult.OK;
    }

    /**
     * Record a sequence number as accepted. Call only after {@link #check(long)} returned {@link ProtectResult#OK}
     * and the packet authenticated; a sequence number that is too old by then is ignored.
     *
     * @param sequence of the authenticated packet (unsigned).
     */
    public void mark(final long sequence)
    {
        if (empty || Long.compareUnsigned(sequence, highest) > 0)
        {
            advanceTo(sequence);
        }
        else if (isTooOld(sequence))
        {
            return;
        }

        ring[wordIndex(sequence)] |= bit(sequence);
    }

    /**
     * Highest sequence number marked so far.
     *
     * @return the highest accepted sequence number (unsigned), or -1 (all ones) when {@link #isEmpty()}.
     */
    public long highest()
    {
        return empty ? -1L : highest;
    }

    /**
     * Whether nothing has been marked since construction or {@link #reset()}.
     *
     * @return true when no sequence number has been accepted.
     */
    public boolean isEmpty()
    {
        return empty;
    }

    /**
     * Forget everything, as for a new key. Never call it while the old key is still accepted: every sequence number
     * would be fresh again.
     */
    public void reset()
    {
        Arrays.fill(ring, 0L);
        highest = 0;
        empty = true;
    }

    private boolean isTooOld(final long sequence)
    {
        // sequence <= highest (unsigned) here; the distance may exceed Long.MAX_VALUE, so compare it unsigned too
        return Long.compareUnsigned(highest - sequence, WINDOW) >= 0;
    }

    private void advanceTo(final long sequence)
    {
        final long newWord = sequence >>> WORD_SHIFT;
        if (empty)
        {
            Arrays.fill(ring, 0L);
        }
        else
        {
            final long oldWord = highest >>> WORD_SHIFT;
            final long wordsToClear = newWord - oldWord;
            if (wordsToClear >= RING_WORDS)
            {
                Arrays.fill(ring, 0L);
            }
            else
            {
                for (long word = oldWord + 1; word <= newWord; word++)
                {
                    ring[(int)(word & WORD_INDEX_MASK)] = 0L;
                }
            }
        }

        highest = sequence;
        empty = false;
    }

    private static int wordIndex(final long sequence)
    {
        return (int)((sequence >>> WORD_SHIFT) & WORD_INDEX_MASK);
    }

    private static long bit(final long sequence)
    {
        return 1L << (sequence & (Long.SIZE - 1));
    }
}
