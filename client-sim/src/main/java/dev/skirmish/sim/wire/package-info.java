/**
 * Layout of what the bots send: the ECHO datagrams of pingpong and flood, on top of core's fixed packet header,
 * and the ping payload of session mode, inside a session's DATA packet.
 */
package dev.skirmish.sim.wire;
