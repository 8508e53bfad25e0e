/**
 * Flood mode: many Netty datagram clients, each keeping a window of datagrams in flight.
 */
package dev.skirmish.sim.flood;
