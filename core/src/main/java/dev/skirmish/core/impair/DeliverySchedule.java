package dev.skirmish.core.impair;

/**
 * Binary min-heap of slot indices keyed by (delivery time, enqueue order): the earliest delivery first, and
 * datagrams due at the same instant in the order they were scheduled. Keys live in arrays indexed by slot, so
 * adding and removing allocate nothing. Times are compared by subtraction, so any clock origin works as long as
 * scheduled times lie within 2^63 ns of each other.
 * <p>
 * <b>Threading:</b> single-threaded, owned by its {@link ImpairedLink}.
 */
final class DeliverySchedule
{
    private final int[] heap;
    private final long[] deliveryNs;
    private final long[] order;
    private int size;

    /**
     * @param capacity number of slots; slot indices are 0 to {@code capacity - 1}, each scheduled at most once.
     */
    DeliverySchedule(final int capacity)
    {
        heap = new int[capacity];
        deliveryNs = new long[capacity];
        order = new long[capacity];
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    /**
     * Schedule a slot that is not already scheduled.
     *
     * @param slot       slot index.
     * @param timeNs     delivery time.
     * @param orderValue tie-breaker, increasing with every call.
     */
    void add(final int slot, final long timeNs, final long orderValue)
    {
        deliveryNs[slot] = timeNs;
        order[slot] = orderValue;
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            final int parentSlot = heap[parent];
            if (!before(slot, parentSlot))
            {
                break;
            }
            heap[i] = parentSlot;
            i = parent;
        }
        heap[i] = slot;
    }

    /**
     * Delivery time of the earliest slot; only when not empty.
     *
     * @return time in ns.
     */
    long peekTimeNs()
    {
        return deliveryNs[heap[0]];
    }

    /**
     * Remove the earliest slot; only when not empty.
     *
     * @return its index.
     */
    int poll()
    {
        final int top = heap[0];
        final int last = heap[--size];
        if (size > 0)
        {
            int i = 0;
            final int half = size >>> 1;
            while (i < half)
            {
                int child = (i << 1) + 1;
                int childSlot = heap[child];
                final int right = child + 1;
                if (right < size && before(heap[right], childSlot))
                {
                    child = right;
                    childSlot = heap[right];
                }
                if (!before(childSlot, last))
                {
                    break;
                }
                heap[i] = childSlot;
                i = child;
            }
            heap[i] = last;
        }
        return top;
    }

    private boolean before(final int a, final int b)
    {
        final long diff = deliveryNs[a] - deliveryNs[b];
        return diff < 0 || (diff == 0 && order[a] - order[b] < 0);
    }
}
