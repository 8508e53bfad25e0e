package dev.skirmish.session.lifecycle;

/**
 * Where a session (server side) or a client is in its life.
 */
public enum SessionState
{
    /** Handshake in progress: client sending requests or responses; server session allocated, not yet confirmed. */
    CONNECTING,
    /** Both sides have exchanged authentic packets: payloads flow. */
    CONNECTED,
    /** Sending its redundant disconnect packets; nothing else is sent or delivered. */
    DISCONNECTING,
    /** Over; the reason says why. */
    CLOSED
}
