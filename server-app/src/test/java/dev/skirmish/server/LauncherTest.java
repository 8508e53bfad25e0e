package dev.skirmish.server;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ./skirmish} launcher's usage errors, which it detects before building anything.
 */
class LauncherTest
{
    private static final File LAUNCHER = new File("../skirmish").getAbsoluteFile();

    @Test
    void shouldExitTwoWithUsageOnStderrForNoOrUnknownCommand() throws Exception
    {
        assertUsageError(List.of());
        assertUsageError(List.of("frobnicate"));
        assertUsageError(List.of("demo", "--bogus"));
        assertUsageError(List.of("demo", "--port", "99999"));
    }

    @Test
    void shouldPrintHelpAndExitZero() throws Exception
    {
        final Result result = run(List.of("--help"));
        assertEquals(0, result.exitCode);
        assertTrue(result.stdout.contains("server") && result.stdout.contains("bots"), result.stdout);
    }

    private static void assertUsageError(final List<String> args) throws Exception
    {
        final Result result = run(args);
        assertEquals(2, result.exitCode, "args " + args + ": " + result.stderr);
        assertTrue(result.stderr.contains("Usage: ./skirmish"), result.stderr);
    }

    private static Result run(final List<String> args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(LAUNCHER.getPath());
        command.addAll(args);
        final Process process = new ProcessBuilder(command).start();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("launcher did not exit within 30 s");
        }
        return new Result(process.exitValue(),
            new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
            new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static final class Result
    {
        final int exitCode;
        final String stdout;
        final String stderr;

        Result(final int exitCode, final String stdout, final String stderr)
        {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }
    }
}
