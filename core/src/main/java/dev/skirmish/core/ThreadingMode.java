package dev.skirmish.core;

/**
 * How workers run.
 */
public enum ThreadingMode
{
    /** Each worker runs on its own thread under an {@code AgentRunner}. */
    DEDICATED,
    /** No worker thread is started: the caller drives each worker with {@code SkirmishNode.worker(w).doWork()}. */
    INVOKER
}
