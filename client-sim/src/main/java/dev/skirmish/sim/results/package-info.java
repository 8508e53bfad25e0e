/**
 * Reading finished runs back: a run directory ({@code summary.json} plus any {@code <name>.hgrm} and
 * {@code <name>.hlog} files), the self-contained {@code report.html} page drawn from it, and the comparison of runs
 * against a baseline that {@code skirmish compare} uses as a regression gate. Nothing here runs during a
 * measurement.
 */
package dev.skirmish.sim.results;
