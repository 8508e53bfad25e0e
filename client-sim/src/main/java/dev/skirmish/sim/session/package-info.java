/**
 * Session mode: bots that are real session clients ({@link dev.skirmish.session.client.ClientGroup}), each with its
 * own connect token and room, connecting, pinging at a fixed rate and timing the server's echoes.
 */
package dev.skirmish.sim.session;
