package dev.skirmish.core.worker;

/**
 * What a worker sees of an I/O thread: a way to ask it to drain its outbound queues. Implementations are called
 * from worker threads and must be thread-safe and cheap when the I/O thread is already scheduled to drain.
 */
@FunctionalInterface
public interface IoWakeup
{
    /**
     * Ask the I/O thread to drain its outbound queues soon.
     *
     * @return true when this call scheduled a drain (the I/O thread had none pending), false when one was pending.
     */
    boolean requestDrain();
}
