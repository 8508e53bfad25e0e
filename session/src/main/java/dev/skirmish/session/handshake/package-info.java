/**
 * Stateless handshake pieces: the challenge cookie a server sends after a valid connect request and verifies, with
 * no per-client state, when the client echoes it (session/docs/challenge.md).
 */
package dev.skirmish.session.handshake;
