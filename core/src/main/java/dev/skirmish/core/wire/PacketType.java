package dev.skirmish.core.wire;

/**
 * Packet types carried in byte 3 of the fixed header. Codes are part of the wire contract (PROTOCOL.md):
 * never renumber, only add.
 */
public enum PacketType
{
    /** Benchmark datagram: echoed back unchanged by a server in echo or raw-echo mode. */
    ECHO(0x01),
    /** Client to server: first handshake step carrying a connect token. */
    CONNECT_REQUEST(0x02),
    /** Server to client: stateless challenge cookie. */
    CHALLENGE(0x03),
    /** Client to server: echo of the challenge cookie. */
    CHALLENGE_RESPONSE(0x04),
    /** Server to client: connection denied. */
    DENIED(0x05),
    /** Either way: protected session payload. */
    DATA(0x06),
    /** Either way: protected keepalive. */
    KEEPALIVE(0x07),
    /** Either way: protected disconnect notice. */
    DISCONNECT(0x08),
    /** Server to client: protected path challenge sent to a session's new address (connection migration). */
    PATH_CHALLENGE(0x09),
    /** Client to server: protected echo of a path challenge from the new address. */
    PATH_RESPONSE(0x0A);

    /** Highest code in use; codes above it are rejected by the header validation. */
    public static final int MAX_CODE = 0x0A;

    private static final PacketType[] BY_CODE = new PacketType[MAX_CODE + 1];

    static
    {
        for (final PacketType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    PacketType(final int code)
    {
        this.code = code;
    }

    /**
     * The wire code of this type.
     *
     * @return code as written in byte 3 of the header.
     */
    public int code()
    {
        return code;
    }

    /**
     * Look up a type by wire code without allocating.
     *
     * @param code from the wire, any value.
     * @return the type, or null when the code is unknown.
     */
    public static PacketType get(final int code)
    {
        return code >= 0 && code <= MAX_CODE ? BY_CODE[code] : null;
    }
}
