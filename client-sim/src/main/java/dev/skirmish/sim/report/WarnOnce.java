package dev.skirmish.sim.report;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Prints the first of a kind of warning and counts on the caller to count the rest, so an unreachable
 * server cannot flood the terminal. Thread safe.
 */
public final class WarnOnce
{
    private final AtomicBoolean warned = new AtomicBoolean();
    private final PrintStream out;

    /**
     * Create a warning that has not fired yet.
     *
     * @param out where the warning goes, normally stderr.
     */
    public WarnOnce(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * Print the message if no message was printed before; any thread.
     *
     * @param message one line, without trailing newline.
     */
    public void warn(final String message)
    {
        if (warned.compareAndSet(false, true))
        {
            out.println("warning: " + message + " (counted as errors, not repeated)");
        }
    }
}
