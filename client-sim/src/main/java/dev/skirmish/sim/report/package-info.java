/**
 * Recording and reporting: round-trip recorders, traffic counters, the interval reporter thread and JSON output.
 */
package dev.skirmish.sim.report;
