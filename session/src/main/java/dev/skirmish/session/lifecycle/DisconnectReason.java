package dev.skirmish.session.lifecycle;

/**
 * Why a session ended (or a connect attempt failed), reported to the game on both sides. The codes of the reasons a
 * peer can send in a DISCONNECT packet are part of the wire contract: never renumber, only add.
 */
public enum DisconnectReason
{
    /** Not disconnected. */
    NONE(0),
    /** The client asked to disconnect. */
    CLIENT_REQUEST(1),
    /** No authentic packet from the peer within the idle timeout. */
    TIMEOUT(2),
    /** The server is shutting down. */
    SERVER_SHUTDOWN(3),
    /** The game kicked the player. */
    KICKED(4),
    /** The peer sent authentic but malformed packets. */
    PROTOCOL_ERROR(5),
    /** The connect token expired before the handshake completed (client side). */
    TOKEN_EXPIRED(6),
    /** Too many packets failed authentication for this session. */
    AUTH_FAILURES(7),
    /** The handshake did not complete within the connect timeout (client side). */
    CONNECT_TIMEOUT(8),
    /** The server refused the connection (client side; see the deny reason). */
    DENIED(9),
    /** The local side closed its transport without a handshake. */
    CLOSED_LOCALLY(10),
    /** The player's room closed (ended, empty, or isolated after an error or a stall), or cannot be joined. */
    ROOM_CLOSED(11),
    /** The player's room has no free slot. */
    ROOM_FULL(12);

    private static final DisconnectReason[] BY_CODE = new DisconnectReason[13];

    static
    {
        for (final DisconnectReason reason : values())
        {
            BY_CODE[reason.code] = reason;
        }
    }

    private final int code;

    DisconnectReason(final int code)
    {
        this.code = code;
    }

    /**
     * @return wire code.
     */
    public int code()
    {
        return code;
    }

    /**
     * @param code from the wire, any value.
     * @return the reason, or null if unknown.
     */
    public static DisconnectReason get(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
