package dev.skirmish.session.channel;

/**
 * Result codes of {@link ReassemblyBuffer#onFragment}. Plain {@code int}s so that the hot path returns a value and
 * never allocates or throws; {@link #name(int)} turns one into text for logs and tests. Codes from
 * {@link #BAD_KEY} up are rejections: the fragment was not stored, and each is counted under its own
 * {@link ReassemblyCounter}.
 */
public final class ReassemblyResult
{
    /** Stored; the message is still incomplete. */
    public static final int ACCEPTED = 0;
    /** Stored, and it was the last missing fragment: the message is readable through the buffer's completed view. */
    public static final int COMPLETE = 1;
    /** This index of this message was already stored; ignored (idempotent, not an error). */
    public static final int DUPLICATE = 2;
    /** Channel outside 0..7 or message sequence outside u16. */
    public static final int BAD_KEY = 3;
    /** Fragment count 0, 1 or above the configured maximum fragments. */
    public static final int BAD_COUNT = 4;
    /** Fragment index not below the count. */
    public static final int BAD_INDEX = 5;
    /** Count differs from the one the first fragment of this message carried. */
    public static final int INCONSISTENT_COUNT = 6;
    /**
     * Data length wrong: empty, a non-last fragment not exactly the fragment length, a last fragment longer than it,
     * a message longer than the maximum, or a range outside the source buffer.
     */
    public static final int BAD_LENGTH = 7;
    /** Starting the message would exceed the session's byte budget, and no expired message could be evicted. */
    public static final int NO_MEMORY = 8;
    /** Every slot holds a message in reassembly, and no expired message could be evicted. */
    public static final int TOO_MANY_MESSAGES = 9;

    private static final String[] NAMES =
    {
        "ACCEPTED", "COMPLETE", "DUPLICATE", "BAD_KEY", "BAD_COUNT", "BAD_INDEX", "INCONSISTENT_COUNT", "BAD_LENGTH",
        "NO_MEMORY", "TOO_MANY_MESSAGES"
    };

    private ReassemblyResult()
    {
    }

    /**
     * @param code result of {@link ReassemblyBuffer#onFragment}.
     * @return true if the fragment was refused (not stored and not a duplicate).
     */
    public static boolean isRejection(final int code)
    {
        return code >= BAD_KEY;
    }

    /**
     * Name of a result code.
     *
     * @param code result of {@link ReassemblyBuffer#onFragment}.
     * @return its constant's name, or {@code "UNKNOWN"}.
     */
    public static String name(final int code)
    {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "UNKNOWN";
    }
}
