package dev.skirmish.core.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Registry of every {@link CounterSet} of a node, and the lock-free reader that combines them. Counter sets are
 * registered at start-up (not on the hot path); reading is safe from any thread at any time.
 */
public final class Counters
{
    private final List<CounterSet> sets = new CopyOnWriteArrayList<>();

    /**
     * Create and register a counter set for a new owner.
     *
     * @param owner name of the owning thread.
     * @return the new set.
     */
    public CounterSet newSet(final String owner)
    {
        final CounterSet set = new CounterSet(owner);
        sets.add(set);
        return set;
    }

    /**
     * Combined value over all owners: the sum, or the maximum for {@link Counter.Kind#MAX} counters.
     *
     * @param counter to read.
     * @return combined value.
     */
    public long get(final Counter counter)
    {
        long result = 0;
        for (final CounterSet set : sets)
        {
            final long value = set.get(counter);
            result = counter.kind() == Counter.Kind.MAX ? Math.max(result, value) : result + value;
        }
        return result;
    }

    /**
     * The registered sets, one per owner.
     *
     * @return read-only view.
     */
    public List<CounterSet> sets()
    {
        return java.util.Collections.unmodifiableList(sets);
    }

    /**
     * All combined counters, one {@code name=value} per line, zero values included so the set is stable.
     *
     * @return text table.
     */
    public String dump()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Counter counter : Counter.values())
        {
            sb.append(counter.label()).append('=').append(get(counter)).append('\n');
        }
        return sb.toString();
    }
}
