package dev.skirmish.session.handshake;

/**
 * Why a server refused an authentic connect request, carried in a DENIED packet. Sent only to a source holding a
 * token that decrypted with the server's key; forged or unreadable requests get no reply at all. Codes are part of
 * the wire contract: never renumber, only add.
 */
public enum DenyReason
{
    /** Max sessions reached. */
    SERVER_FULL(1),
    /** Max pending (allocated, not yet confirmed) sessions reached: try again shortly. */
    SERVER_BUSY(2),
    /** The token does not list this server's address. */
    WRONG_SERVER(3),
    /** The token's client id already has a session on this server. */
    CLIENT_ALREADY_CONNECTED(4),
    /**
     * The server is stopping ({@code SessionServer.beginShutdown()} or {@code close()}): it admits nobody any more;
     * connect to another server.
     */
    SHUTTING_DOWN(5);

    private static final DenyReason[] BY_CODE = new DenyReason[6];

    static
    {
        for (final DenyReason reason : values())
        {
            BY_CODE[reason.code] = reason;
        }
    }

    private final int code;

    DenyReason(final int code)
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
    public static DenyReason get(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
