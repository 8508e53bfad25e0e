/**
 * Layout of the benchmark datagrams the bots send, on top of core's fixed packet header.
 */
package dev.skirmish.sim.wire;
