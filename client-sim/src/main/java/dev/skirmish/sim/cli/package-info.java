/**
 * Parsing of command-line values: durations and server addresses.
 */
package dev.skirmish.sim.cli;
