package dev.skirmish.session.protect;

/**
 * Result codes of {@link PacketProtector#seal} and {@link PacketProtector#open}. Plain {@code int}s so that the hot
 * path returns a value and never allocates or throws; {@link #name(int)} turns one into text for logs and tests.
 */
public final class ProtectResult
{
    /** Sealed, or opened and authentic; the buffer now holds the result. */
    public static final int OK = 0;
    /** Open: shorter than {@link ProtectedPacketDescriptor#MIN_LENGTH}. Seal: shorter than header + sequence. */
    public static final int TOO_SHORT = 1;
    /** Open: the sequence number was already accepted (checked before decryption, nothing decrypted). */
    public static final int REPLAY = 2;
    /** Open: the sequence number is older than the replay window (checked before decryption). */
    public static final int TOO_OLD = 3;
    /** Open: the tag did not verify (forged, corrupted, wrong key or wrong header); counted, buffer unchanged. */
    public static final int AUTH_FAILED = 4;
    /** Longer than the protector's maximum datagram length. */
    public static final int TOO_LONG = 5;
    /** Seal: fewer than {@link ProtectedPacketDescriptor#TAG_LENGTH} writable bytes after the plaintext. */
    public static final int NO_ROOM = 6;
    /** Seal: all 2^64 - 1 sequence numbers of this key are used; the session must re-key or close. */
    public static final int SEQUENCE_EXHAUSTED = 7;
    /** The JDK provider failed for a reason other than a bad tag; counted, never expected. */
    public static final int CRYPTO_ERROR = 8;

    private static final String[] NAMES =
    {
        "OK", "TOO_SHORT", "REPLAY", "TOO_OLD", "AUTH_FAILED", "TOO_LONG", "NO_ROOM", "SEQUENCE_EXHAUSTED",
        "CRYPTO_ERROR"
    };

    private ProtectResult()
    {
    }

    /**
     * Name of a result code.
     *
     * @param code result of {@link PacketProtector#seal} or {@link PacketProtector#open}.
     * @return its constant's name, or {@code "UNKNOWN"}.
     */
    public static String name(final int code)
    {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "UNKNOWN";
    }
}
