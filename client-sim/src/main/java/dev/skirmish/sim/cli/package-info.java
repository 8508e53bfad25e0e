/**
 * Parsing of command-line values: durations, server addresses, u64 numbers and percentages.
 */
package dev.skirmish.sim.cli;
