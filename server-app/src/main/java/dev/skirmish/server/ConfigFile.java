package dev.skirmish.server;

import dev.skirmish.core.ConfigurationException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code --config FILE}: a properties file of flag defaults, keys being the long flag names without dashes
 * ({@code tick-hz=60}, {@code mode=rooms}). It is picocli's default value provider, so a flag on the command line
 * overrides it and its values go through the flags' converters and validation. Read once, before parsing; an unknown
 * key (or {@code config}, {@code help}, {@code version}) fails the load, naming the key.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider
{
    private static final Set<String> NOT_SETTABLE = Set.of("config", "help", "version");

    private final Path path;
    private final Properties values;

    private ConfigFile(final Path path, final Properties values)
    {
        this.path = path;
        this.values = values;
    }

    /**
     * Read and check a config file against the command's options.
     *
     * @param path the file.
     * @param spec the command whose long flags are the valid keys.
     * @return the loaded file.
     * @throws ConfigurationException naming the file and, for an unknown key, the key.
     */
    static ConfigFile load(final Path path, final CommandSpec spec)
    {
        final Properties values = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8))
        {
            values.load(reader);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new ConfigurationException("--config " + path + ": cannot read: " + ex);
        }
        for (final String key : new TreeSet<>(values.stringPropertyNames()))
        {
            if (NOT_SETTABLE.contains(key) || null == spec.findOption("--" + key) ||
                !spec.findOption("--" + key).longestName().equals("--" + key))
            {
                throw new ConfigurationException("--config " + path + ": unknown key '" + key + "' (keys are the " +
                    "long flag names without dashes, e.g. tick-hz=60)");
            }
        }
        return new ConfigFile(path, values);
    }

    /**
     * Find {@code --config FILE} or {@code --config=FILE} before picocli parses, as the file supplies the defaults.
     *
     * @param args command line.
     * @return the file, or null when not given.
     */
    static Path findIn(final String... args)
    {
        Path found = null;
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].startsWith("--config="))
            {
                found = Path.of(args[i].substring("--config=".length()));
            }
            else if ("--config".equals(args[i]) && i + 1 < args.length)
            {
                found = Path.of(args[++i]);
            }
        }
        return found;
    }

    @Override
    public String defaultValue(final ArgSpec argSpec)
    {
        return argSpec instanceof OptionSpec ? values.getProperty(key((OptionSpec)argSpec)) : null;
    }

    /**
     * @param flag a long flag, with its dashes.
     * @return whether the file sets it.
     */
    boolean has(final String flag)
    {
        return flag.startsWith("--") && values.containsKey(flag.substring(2));
    }

    /**
     * @param commandLineFlags flags given on the command line.
     * @return the file's keys not overridden by them, sorted, space separated, or "(none)".
     */
    String keysNotOn(final List<String> commandLineFlags)
    {
        final List<String> keys = new ArrayList<>();
        for (final String key : new TreeSet<>(values.stringPropertyNames()))
        {
            if (!commandLineFlags.contains("--" + key))
            {
                keys.add(key);
            }
        }
        return keys.isEmpty() ? "(none)" : String.join(" ", keys);
    }

    /**
     * @return the file.
     */
    Path path()
    {
        return path;
    }

    private static String key(final OptionSpec option)
    {
        return option.longestName().replaceFirst("^--", "");
    }
}
