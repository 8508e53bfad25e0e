package dev.skirmish.sim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The git revision a run was made from, for its summary: {@code git rev-parse HEAD} in the working directory, or
 * {@value #UNKNOWN} when git or a repository is not there. Bounded by {@link #TIMEOUT_MS}.
 */
final class GitRevision
{
    /** What the summary says when the revision cannot be read. */
    static final String UNKNOWN = "unknown";
    private static final long TIMEOUT_MS = 2_000;
    private static String cached;

    private GitRevision()
    {
    }

    /**
     * Read the revision once per process.
     *
     * @return 40 hex digits, or {@value #UNKNOWN}.
     */
    static synchronized String read()
    {
        if (null == cached)
        {
            cached = runGit();
        }
        return cached;
    }

    private static String runGit()
    {
        try
        {
            final Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            final String output;
            try (InputStream in = git.getInputStream())
            {
                if (!git.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS))
                {
                    git.destroyForcibly();
                    return UNKNOWN;
                }
                output = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            }
            return 0 == git.exitValue() && output.matches("[0-9a-f]{40}") ? output : UNKNOWN;
        }
        catch (final IOException ex)
        {
            return UNKNOWN;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        }
    }
}
