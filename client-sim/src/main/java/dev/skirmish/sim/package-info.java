/**
 * The bot load generator ({@code skirmish bots}): command line ({@link dev.skirmish.sim.BotsMain}), run
 * configuration and phases, one {@link dev.skirmish.sim.BotRun} per {@link dev.skirmish.sim.Mode}, and the
 * report written at the end of a run, with what the mode adds ({@link dev.skirmish.sim.ModeReport}).
 */
package dev.skirmish.sim;
