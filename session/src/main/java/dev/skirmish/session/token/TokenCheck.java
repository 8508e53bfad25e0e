package dev.skirmish.session.token;

/**
 * Outcome of opening a connect token on a server, in the order the checks run (session/docs/connect-token.md,
 * "Validation order"). The first failed check is the answer; nothing is stored for a rejected token.
 */
public enum TokenCheck
{
    /** Every check passed; the decoder's getters describe the token. */
    VALID,
    /** The server part or the sealed private part is not exactly its fixed length (includes empty). */
    WRONG_LENGTH,
    /** Version info is not {@link ConnectTokenDescriptor#VERSION_INFO} (checked only when decoding a server part). */
    BAD_VERSION,
    /** Protocol id differs from the server's: a token for another game or build. */
    WRONG_PROTOCOL_ID,
    /** The token's expire time is before now. */
    EXPIRED,
    /** The AEAD did not authenticate: wrong key, forged or corrupted bytes, or tampered associated data. */
    DECRYPT_FAILED,
    /** Authentic, but the timeout is outside [{@link ConnectTokenDescriptor#MIN_TIMEOUT_SECONDS},
     * {@link ConnectTokenDescriptor#MAX_TIMEOUT_SECONDS}]. */
    BAD_TIMEOUT,
    /** Authentic, but the server address count is 0 or above {@link ConnectTokenDescriptor#MAX_SERVER_ADDRESSES}. */
    BAD_ADDRESS_COUNT,
    /** Authentic, but the user data length is above {@link ConnectTokenDescriptor#MAX_USER_DATA_LENGTH}. */
    BAD_USER_DATA_LENGTH,
    /** Authentic, but a used address slot has an unknown type, a non-zero reserved byte, port 0 or IPv4 junk. */
    BAD_ADDRESS,
    /** Authentic, but a reserved byte, an unused address slot, the user data tail or the padding is not zero. */
    BAD_PADDING;

    /**
     * Was the token rejected because of its contents after it authenticated? Such tokens were sealed with the
     * shared key, so they point at a bug or a version mismatch in the issuing backend rather than at an attacker.
     *
     * @return true for the checks that run after decryption.
     */
    public boolean isMalformedContents()
    {
        return ordinal() >= BAD_TIMEOUT.ordinal();
    }
}
