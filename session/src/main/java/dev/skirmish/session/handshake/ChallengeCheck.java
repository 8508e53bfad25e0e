package dev.skirmish.session.handshake;

/**
 * Outcome of verifying an echoed challenge cookie, in the order the checks run (session/docs/challenge.md,
 * "Validation order"). Only {@link #VALID} lets the server allocate a session; every other value means drop the
 * packet and count the reason.
 */
public enum ChallengeCheck
{
    /** The cookie was issued by this server, for this source address, token digest and client id, recently. */
    VALID,
    /** The cookie is not exactly {@link ChallengeCookieDescriptor#COOKIE_LENGTH} bytes, or does not fit its buffer. */
    WRONG_LENGTH,
    /** Issued more than the lifetime ago (or an issue time below zero). */
    EXPIRED,
    /** Issued later than now plus the allowed clock skew. */
    FROM_FUTURE,
    /**
     * The MAC does not match: forged or corrupted bytes, another source address, token, client id or server, an
     * unknown key phase, or a secret that has been rotated out.
     */
    BAD_MAC
}
