package dev.skirmish.core.worker;

/**
 * How an I/O thread wakes a worker that may be parked. Called from I/O threads after they have offered to the
 * worker's queue and issued a full fence.
 */
@FunctionalInterface
public interface WorkerWakeup
{
    /** For idle strategies that never park (busy spin, yield) and for invoker mode. */
    WorkerWakeup NONE = () -> false;

    /**
     * Wake the worker if it is parked.
     *
     * @return true if a parked worker was woken.
     */
    boolean wake();
}
