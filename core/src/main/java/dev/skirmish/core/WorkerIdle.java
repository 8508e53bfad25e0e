package dev.skirmish.core;

/**
 * Idle strategy of the worker threads.
 */
public enum WorkerIdle
{
    /** Spin, yield, then park (woken by the I/O thread when work arrives): right for shared machines. */
    BACKOFF,
    /** Busy spin forever: lowest latency, burns a core per worker. For dedicated, pinned cores only. */
    SPIN,
    /** Thread.yield in a loop: burns CPU but gives it up to any runnable thread. */
    YIELD
}
