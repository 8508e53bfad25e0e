/**
 * Parsing of command-line values: durations, server addresses and u64 numbers.
 */
package dev.skirmish.sim.cli;
