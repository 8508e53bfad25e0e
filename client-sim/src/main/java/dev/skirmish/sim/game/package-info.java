/**
 * Game mode: bots that play frame sync in rooms through {@code FrameSyncClient} and measure input-to-frame latency,
 * frame jitter, round trips and connect times.
 */
package dev.skirmish.sim.game;
