package dev.skirmish.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import dev.skirmish.sim.report.JsonWriter;

/**
 * What a mode adds to the common {@link RunReport}: members of {@code summary.json}, summary lines, report files,
 * and its own pass/fail verdict. Built on the controlling thread after the run has finished.
 */
public interface ModeReport
{
    /** The report of a mode that adds nothing. */
    ModeReport NONE = new ModeReport()
    {
    };

    /**
     * Write extra members into the top-level object of {@code summary.json}.
     *
     * @param json positioned inside the top-level object.
     */
    default void writeJson(final JsonWriter json)
    {
    }

    /**
     * Print extra lines of the human summary, after the server and duration lines.
     *
     * @param out normally stdout.
     */
    default void printSummary(final PrintStream out)
    {
    }

    /**
     * Write extra files into the report directory.
     *
     * @param dir report directory, existing.
     * @throws IOException if a file cannot be written.
     */
    default void writeFiles(final Path dir) throws IOException
    {
    }

    /**
     * Did the run fail a check of its mode?
     *
     * @return null when it passed, else a one-line reason for stderr; the tool then exits with 1.
     */
    default String failure()
    {
        return null;
    }
}
