/**
 * Pingpong mode: one client, one datagram in flight, on a plain JDK datagram channel.
 */
package dev.skirmish.sim.pingpong;
