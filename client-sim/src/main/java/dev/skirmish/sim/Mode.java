package dev.skirmish.sim;

import java.io.IOException;
import java.io.PrintStream;

import dev.skirmish.sim.flood.FloodRun;
import dev.skirmish.sim.game.GameRun;
import dev.skirmish.sim.pingpong.PingPongRun;
import dev.skirmish.sim.report.RttRecorder;
import dev.skirmish.sim.session.SessionRun;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * What kind of traffic a run generates. Each mode is its own {@link BotRun} class; adding a mode is adding
 * a constant here and its class.
 */
public enum Mode
{
    /**
     * Game bots in rooms playing frame sync: inputs at the tick rate, frames back; input-to-frame latency, frame
     * jitter, session RTT and connect times are recorded.
     */
    GAME("game", "input-frame", "inputFrameUs")
    {
        BotRun newRun(final RunConfig config, final RttRecorder rtt, final PrintStream err) throws IOException
        {
            return new GameRun(config, rtt, err);
        }
    },

    /**
     * Session bots against a session server: each connects with its own token, joins a room and pings at a fixed
     * rate; connect times and round trips are recorded.
     */
    SESSION("session", "rtt", "rttUs")
    {
        BotRun newRun(final RunConfig config, final RttRecorder rtt, final PrintStream err) throws IOException
        {
            return new SessionRun(config, rtt, err);
        }
    },

    /** One client, one datagram in flight: the unloaded round-trip latency. */
    PINGPONG("pingpong", "rtt", "rttUs")
    {
        BotRun newRun(final RunConfig config, final RttRecorder rtt, final PrintStream err) throws IOException
        {
            return new PingPongRun(config, rtt, err);
        }
    },

    /** Many clients, each with a window of datagrams in flight: throughput and latency under load. */
    FLOOD("flood", "rtt", "rttUs")
    {
        BotRun newRun(final RunConfig config, final RttRecorder rtt, final PrintStream err) throws IOException
        {
            return new FloodRun(config, rtt, err);
        }
    };

    private final String cliName;
    private final String metric;
    private final String summaryKey;

    Mode(final String cliName, final String metric, final String summaryKey)
    {
        this.cliName = cliName;
        this.metric = metric;
        this.summaryKey = summaryKey;
    }

    /**
     * Name of the latency the run's recorder holds: the base name of its {@code .hgrm} and {@code .hlog} files.
     *
     * @return {@code rtt}, or {@code input-frame} in game mode.
     */
    public String metric()
    {
        return metric;
    }

    /**
     * Key of that latency's percentiles in {@code summary.json}.
     *
     * @return {@code rttUs}, or {@code inputFrameUs} in game mode.
     */
    public String summaryKey()
    {
        return summaryKey;
    }

    /**
     * Name of the mode on the command line and in reports.
     *
     * @return e.g. {@code pingpong}.
     */
    public String cliName()
    {
        return cliName;
    }

    /**
     * Open the sockets of a run of this mode; no traffic is sent until {@link BotRun#execute}.
     *
     * @param config of the run.
     * @param rtt    where round-trip times are recorded.
     * @param err    for warnings.
     * @return the run, to be closed by the caller.
     * @throws IOException when a socket cannot be opened.
     */
    abstract BotRun newRun(RunConfig config, RttRecorder rtt, PrintStream err) throws IOException;

    /**
     * picocli converter for {@code --mode}.
     */
    public static final class Converter implements ITypeConverter<Mode>
    {
        /**
         * {@inheritDoc}
         */
        public Mode convert(final String value)
        {
            for (final Mode mode : values())
            {
                if (mode.cliName.equals(value))
                {
                    return mode;
                }
            }

            throw new TypeConversionException("'" + value + "' is not a mode: expected game, session, pingpong or flood");
        }
    }
}
