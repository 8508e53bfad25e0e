package dev.skirmish.core.worker;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Backoff that ends in parking, for shared machines: spin, then yield, then park for exponentially longer periods
 * up to a maximum. Unlike Agrona's {@code BackoffIdleStrategy} a parked worker can be woken by a producer
 * ({@link #wake()}), so parking does not add its period to the latency of the next datagram.
 *
 * <p>Lost-wakeup freedom: the worker publishes {@code parked = true} (a volatile store) and then re-checks its
 * queues before parking; a producer offers, issues a full fence, then reads {@code parked}. One of the two always
 * sees the other. {@code maxParkNs} bounds the cost of any mistake in that reasoning.
 *
 * <p>{@link #idle} is called from the owning worker thread only; {@link #wake()} from any thread.
 */
public final class WakeableBackoffIdleStrategy implements IdleStrategy, WorkerWakeup
{
    private static final int NOT_IDLE = 0;
    private static final int SPINNING = 1;
    private static final int YIELDING = 2;
    private static final int PARKING = 3;

    private final long spinNs;
    private final long maxYields;
    private final long minParkNs;
    private final long maxParkNs;
    private BooleanSupplier hasWork = () -> false;

    private volatile boolean parked;
    private volatile Thread owner;

    private int state = NOT_IDLE;
    private long spinStartNs;
    private long yields;
    private long parkNs;

    /**
     * @param spinNs    how long to busy spin (Thread.onSpinWait) after the last work before yielding, ns. Time rather
     *                  than a count because the cost of a spin-wait hint varies ~10x across CPUs.
     * @param maxYields Thread.yield calls before parking.
     * @param minParkNs first park period.
     * @param maxParkNs longest park period; also the worst-case delay if a wake-up were missed.
     */
    public WakeableBackoffIdleStrategy(
        final long spinNs, final long maxYields, final long minParkNs, final long maxParkNs)
    {
        if (spinNs < 0 || maxYields < 0 || minParkNs < 1 || maxParkNs < minParkNs)
        {
            throw new IllegalArgumentException("invalid backoff: spinNs=" + spinNs + " yields=" + maxYields +
                " minParkNs=" + minParkNs + " maxParkNs=" + maxParkNs);
        }
        this.spinNs = spinNs;
        this.maxYields = maxYields;
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    /**
     * Set the check run just before parking. Called before the worker starts.
     *
     * @param hasWork true when the worker has queued work (must be cheap and thread-confined to the worker).
     */
    public void hasWork(final BooleanSupplier hasWork)
    {
        this.hasWork = hasWork;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        switch (state)
        {
            case NOT_IDLE:
                state = SPINNING;
                spinStartNs = System.nanoTime();
                // fall through
            case SPINNING:
                Thread.onSpinWait();
                if (System.nanoTime() - spinStartNs >= spinNs)
                {
                    state = YIELDING;
                    yields = 0;
                }
                break;

            case YIELDING:
                if (++yields > maxYields)
                {
                    state = PARKING;
                    parkNs = minParkNs;
                }
                else
                {
                    Thread.yield();
                }
                break;

            default:
                park();
                break;
        }
    }

    private void park()
    {
        if (null == owner)
        {
            owner = Thread.currentThread();
        }
        parked = true;
        if (!hasWork.getAsBoolean())
        {
            LockSupport.parkNanos(this, parkNs);
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
        parked = false;
    }

    @Override
    public void reset()
    {
        state = NOT_IDLE;
    }

    /**
     * Unpark the worker if it is parked. The caller must have published its work and issued a full fence first.
     *
     * @return true if the worker was parked and has been unparked.
     */
    @Override
    public boolean wake()
    {
        if (parked)
        {
            final Thread thread = owner;
            if (null != thread)
            {
                LockSupport.unpark(thread);
                return true;
            }
        }
        return false;
    }

    @Override
    public String alias()
    {
        return "wakeable-backoff";
    }

    @Override
    public String toString()
    {
        return "WakeableBackoffIdleStrategy{spinNs=" + spinNs + ", yields=" + maxYields + ", minParkNs=" +
            minParkNs + ", maxParkNs=" + maxParkNs + '}';
    }
}
