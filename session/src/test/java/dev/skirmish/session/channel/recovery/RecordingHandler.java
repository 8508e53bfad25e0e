package dev.skirmish.session.channel.recovery;

import java.util.ArrayList;
import java.util.List;

/**
 * Test handler that records every callback in order. Allocates (boxing, lists): for example and property tests,
 * not for the allocation test.
 */
final class RecordingHandler implements RecoveryHandler
{
    final List<Long> acked = new ArrayList<>();
    final List<Long> lost = new ArrayList<>();
    final List<Long> spurious = new ArrayList<>();
    int probes;

    /**
     * Called at the end of each callback, e.g. to send from inside a callback; does nothing by default.
     */
    Runnable afterCallback = () -> {};

    public void onAcked(final long handle)
    {
        acked.add(handle);
        afterCallback.run();
    }

    public void onLost(final long handle)
    {
        lost.add(handle);
        afterCallback.run();
    }

    public void onSpuriousLoss(final long handle)
    {
        spurious.add(handle);
        afterCallback.run();
    }

    public void onProbe()
    {
        probes++;
        afterCallback.run();
    }

    int events()
    {
        return acked.size() + lost.size() + spurious.size() + probes;
    }

    void clear()
    {
        acked.clear();
        lost.clear();
        spurious.clear();
        probes = 0;
    }
}
