/**
 * Client side of the session protocol (session/docs/handshake.md): {@link dev.skirmish.session.client.SkirmishClient},
 * a single-threaded state machine that owns no thread, reads no clock and knows no socket (time is passed in,
 * datagrams go out through a {@link dev.skirmish.session.client.PacketSender}); and
 * {@link dev.skirmish.session.client.ClientGroup}, which runs many such clients on a few Netty event loops with one
 * UDP socket each, for bots, load tests and system tests.
 */
package dev.skirmish.session.client;
