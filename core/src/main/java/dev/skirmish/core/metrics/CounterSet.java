package dev.skirmish.core.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One value per {@link Counter}, owned by exactly one thread. Single-writer: only the owner calls
 * {@link #increment}, {@link #add} and {@link #max}, which use a plain read and a release store (no locked
 * instruction). Any thread may {@link #get} with a volatile read and no lock.
 */
public final class CounterSet
{
    private final String owner;
    private final AtomicLongArray values = new AtomicLongArray(Counter.values().length);

    /**
     * @param owner name of the owning thread or component, e.g. "io-0" or "worker-1".
     */
    public CounterSet(final String owner)
    {
        this.owner = owner;
    }

    /**
     * Name of the owner.
     *
     * @return owner name.
     */
    public String owner()
    {
        return owner;
    }

    /**
     * Add one. Called from the owning thread only.
     *
     * @param counter to increment.
     */
    public void increment(final Counter counter)
    {
        final int i = counter.id();
        values.setRelease(i, values.getPlain(i) + 1);
    }

    /**
     * Add a delta. Called from the owning thread only.
     *
     * @param counter to add to.
     * @param delta   to add.
     */
    public void add(final Counter counter, final long delta)
    {
        final int i = counter.id();
        values.setRelease(i, values.getPlain(i) + delta);
    }

    /**
     * Raise the value to {@code value} if it is larger. Called from the owning thread only.
     *
     * @param counter a {@link Counter.Kind#MAX} counter.
     * @param value   candidate maximum.
     */
    public void max(final Counter counter, final long value)
    {
        final int i = counter.id();
        if (value > values.getPlain(i))
        {
            values.setRelease(i, value);
        }
    }

    /**
     * Read a value from any thread.
     *
     * @param counter to read.
     * @return current value.
     */
    public long get(final Counter counter)
    {
        return values.get(counter.id());
    }
}
