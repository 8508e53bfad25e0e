package dev.skirmish.sim.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A finished run read back from its directory: {@value #SUMMARY_FILE} and every {@code <name>.hgrm} and
 * {@code <name>.hlog} in it, one {@link LatencyMetric} per name. Which histograms a run has is discovered from the
 * files, so a mode that writes more of them needs nothing here.
 */
public final class RunDirectory
{
    /** The file that makes a directory a run directory. */
    public static final String SUMMARY_FILE = "summary.json";
    /** Extension of a percentile distribution. */
    public static final String HGRM_EXTENSION = ".hgrm";
    /** Extension of an interval log. */
    public static final String HLOG_EXTENSION = ".hlog";

    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private final Path path;
    private final Map<String, Object> summary;
    private final Map<String, LatencyMetric> metrics;

    private RunDirectory(final Path path, final Map<String, Object> summary, final Map<String, LatencyMetric> metrics)
    {
        this.path = path;
        this.summary = summary;
        this.metrics = metrics;
    }

    /**
     * Is this a run directory?
     *
     * @param dir to look at.
     * @return true when it holds a {@value #SUMMARY_FILE}.
     */
    public static boolean isRun(final Path dir)
    {
        return Files.isRegularFile(dir.resolve(SUMMARY_FILE));
    }

    /**
     * Read a run directory.
     *
     * @param dir holding {@value #SUMMARY_FILE}.
     * @return the run.
     * @throws IOException if a file cannot be read or is malformed; the message names it.
     */
    public static RunDirectory load(final Path dir) throws IOException
    {
        final Path summaryFile = dir.resolve(SUMMARY_FILE);
        final Map<String, Object> summary;
        try
        {
            summary = JsonReader.parseObject(Files.readString(summaryFile, StandardCharsets.UTF_8));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(summaryFile + ": " + ex.getMessage(), ex);
        }

        final Map<String, Path> hgrms = new TreeMap<>();
        final Map<String, Path> hlogs = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.filter(Files::isRegularFile).forEach(file ->
            {
                final String fileName = file.getFileName().toString();
                if (fileName.endsWith(HGRM_EXTENSION))
                {
                    hgrms.put(fileName.substring(0, fileName.length() - HGRM_EXTENSION.length()), file);
                }
                else if (fileName.endsWith(HLOG_EXTENSION))
                {
                    hlogs.put(fileName.substring(0, fileName.length() - HLOG_EXTENSION.length()), file);
                }
            });
        }

        final Map<String, LatencyMetric> metrics = new TreeMap<>();
        final TreeMap<String, Path> names = new TreeMap<>(hgrms);
        names.putAll(hlogs);
        for (final String name : names.keySet())
        {
            final Path hgrm = hgrms.get(name);
            final Path hlog = hlogs.get(name);
            metrics.put(name, new LatencyMetric(
                name,
                null == hgrm ? null : PercentileDistribution.read(hgrm),
                null == hlog ? null : IntervalLog.read(hlog)));
        }

        return new RunDirectory(dir, summary, Collections.unmodifiableMap(metrics));
    }

    /**
     * The runs a directory stands for: itself when it is a run directory, else each subdirectory that is one
     * (e.g. {@code run-1/}, {@code run-2/}, ...), in natural order ({@code run-2} before {@code run-10}).
     *
     * @param dir a run directory or a directory of them.
     * @return one or more runs.
     * @throws IOException if a run cannot be read.
     * @throws IllegalArgumentException if the directory does not exist or holds no run.
     */
    public static List<RunDirectory> expand(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            throw new IllegalArgumentException(dir + ": no such directory");
        }
        if (isRun(dir))
        {
            return List.of(load(dir));
        }

        final List<Path> runDirs = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir))
        {
            children.filter(Files::isDirectory).filter(RunDirectory::isRun).forEach(runDirs::add);
        }
        if (runDirs.isEmpty())
        {
            throw new IllegalArgumentException(dir + ": not a run directory (no " + SUMMARY_FILE +
                ") and no subdirectory is one");
        }
        runDirs.sort(Comparator.comparing(p -> naturalKey(p.getFileName().toString())));

        final List<RunDirectory> runs = new ArrayList<>(runDirs.size());
        for (final Path runDir : runDirs)
        {
            runs.add(load(runDir));
        }

        return runs;
    }

    /**
     * Where the run was read from.
     *
     * @return the directory.
     */
    public Path path()
    {
        return path;
    }

    /**
     * A short name for tables and legends.
     *
     * @return the directory's name.
     */
    public String name()
    {
        final Path fileName = path.toAbsolutePath().normalize().getFileName();

        return null == fileName ? path.toString() : fileName.toString();
    }

    /**
     * The parsed {@value #SUMMARY_FILE}.
     *
     * @return its top-level object, member order kept.
     */
    public Map<String, Object> summary()
    {
        return summary;
    }

    /**
     * The run's mode as its summary names it.
     *
     * @return e.g. {@code session}, or null when the summary has none.
     */
    public String mode()
    {
        final Object mode = summary.get("mode");

        return mode instanceof String ? (String)mode : null;
    }

    /**
     * The run's histograms by name, in name order.
     *
     * @return e.g. {@code connect} and {@code rtt}.
     */
    public Map<String, LatencyMetric> metrics()
    {
        return metrics;
    }

    /** Digits padded so that names sort by their numbers: run-2 before run-10. */
    private static String naturalKey(final String name)
    {
        final Matcher matcher = DIGITS.matcher(name);
        final StringBuilder key = new StringBuilder();
        while (matcher.find())
        {
            matcher.appendReplacement(key, String.format(Locale.ROOT, "%20s", matcher.group()).replace(' ', '0'));
        }
        matcher.appendTail(key);

        return key.toString();
    }
}
