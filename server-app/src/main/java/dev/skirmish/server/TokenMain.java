package dev.skirmish.server;

import dev.skirmish.core.ConfigurationException;
import dev.skirmish.core.DurationParser;
import dev.skirmish.core.HostPortParser;
import dev.skirmish.session.server.SessionServerConfig;
import dev.skirmish.session.token.ConnectToken;
import dev.skirmish.session.token.ConnectTokenDescriptor;
import dev.skirmish.session.token.ConnectTokenGenerator;
import dev.skirmish.session.token.TokenKey;
import org.agrona.concurrent.SystemEpochClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./skirmish token}: issue one connect token for tests and demos, as a backend would, and print the public
 * token (session/docs/connect-token.md, 1300 bytes) on stdout as one line of hex or base64. Nothing else goes to
 * stdout, so the output can be captured as is. Without {@code --token-key} the public development key is used and a
 * warning says so on stderr. Exit codes: 0 token printed, 2 bad command line, key file or token input.
 */
@Command(
    name = "skirmish token",
    mixinStandardHelpOptions = true,
    version = "skirmish 0.1.0",
    sortOptions = false,
    description = "Print a connect token (the public token, one line) for tests and demos.")
public final class TokenMain implements Callable<Integer>
{
    /**
     * Protocol id the token tool uses when none is given: the session server's default,
     * {@link SessionServerConfig#PROTOCOL_ID_DEFAULT} (ASCII "SK" followed by version 1, 0x534B_0001), so that tokens
     * from {@code ./skirmish token} work with {@code ./skirmish server} out of the box. A token is accepted only by
     * servers configured with the same protocol id; games choose their own and pass {@code --protocol-id} to both.
     */
    public static final long PROTOCOL_ID_DEFAULT = SessionServerConfig.PROTOCOL_ID_DEFAULT;

    /** Server address used when no {@code --server} is given: the default server port on loopback. */
    public static final String SERVER_DEFAULT = "127.0.0.1:7777";

    /** Default token lifetime: short, as the token format advises, but long enough to paste into a demo. */
    public static final Duration EXPIRES_IN_DEFAULT = Duration.ofSeconds(30);

    /** Default session idle timeout carried in the token, seconds. */
    public static final int TIMEOUT_S_DEFAULT = 5;

    /** Output encodings of the public token. */
    enum Format
    {
        HEX, BASE64
    }

    @Option(names = "--token-key", paramLabel = "FILE",
        description = "Token key file: 32 raw bytes or 64 hex characters. Default: the public development key " +
            "(never use it in production).")
    Path tokenKeyFile;

    @Option(names = "--protocol-id", paramLabel = "N", converter = U64Converter.class,
        description = "u64 naming the game and build, decimal or 0x-hex. Default: " +
            ServerMain.PROTOCOL_ID_DEFAULT_TEXT + " (as ./skirmish server).")
    long protocolId = PROTOCOL_ID_DEFAULT;

    @Option(names = "--client-id", paramLabel = "N", required = true, converter = U64Converter.class,
        description = "u64 id of the player, decimal or 0x-hex.")
    long clientId;

    @Option(names = "--room", paramLabel = "N", converter = U64Converter.class,
        description = "u64 id of the room (match) to join, decimal or 0x-hex. Default: 0.")
    long roomId;

    @Option(names = "--server", paramLabel = "HOST:PORT", converter = ServerAddressConverter.class,
        description = "Server the token is valid for; repeat for up to " +
            ConnectTokenDescriptor.MAX_SERVER_ADDRESSES + ". IPv6 in brackets: [::1]:7777. Default: " +
            SERVER_DEFAULT + ".")
    List<InetSocketAddress> servers = new ArrayList<>();

    @Option(names = "--expires-in", paramLabel = "DURATION", converter = ServerMain.DurationConverter.class,
        description = "Token lifetime from now, e.g. 30s, 5m. Default: 30s.")
    Duration expiresIn = EXPIRES_IN_DEFAULT;

    @Option(names = "--timeout-s", paramLabel = "N",
        description = "Session idle timeout, 1..3600 s. Default: ${DEFAULT-VALUE}.")
    int timeoutS = TIMEOUT_S_DEFAULT;

    // A String, not byte[]: picocli would take an array option as one value per argument.
    @Option(names = "--user-data", paramLabel = "HEX",
        description = "Up to " + ConnectTokenDescriptor.MAX_USER_DATA_LENGTH +
            " bytes, as hex, handed to the game server. Default: none.")
    String userDataHex;

    @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
        description = "hex or base64. Default: hex.")
    Format format = Format.HEX;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    TokenMain(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call()
    {
        if (servers.size() > ConnectTokenDescriptor.MAX_SERVER_ADDRESSES)
        {
            throw invalid("--server may be given at most " + ConnectTokenDescriptor.MAX_SERVER_ADDRESSES +
                " times, got " + servers.size());
        }
        if (expiresIn.toMillis() < 1)
        {
            throw invalid("--expires-in must be at least 1ms, got " + expiresIn);
        }

        final byte[] userData = null == userDataHex ? null : parseUserData(userDataHex);

        final TokenKey key;
        try
        {
            key = null == tokenKeyFile ? TokenKey.DEVELOPMENT : TokenKey.load(tokenKeyFile);
        }
        catch (final ConfigurationException ex)
        {
            throw invalid(ex.getMessage());
        }
        if (key.isDevelopmentKey())
        {
            warnDevelopmentKey(key);
        }

        final List<InetSocketAddress> addresses = servers.isEmpty() ?
            List.of(ServerAddressConverter.parse(SERVER_DEFAULT)) : servers;
        final ConnectToken token;
        try
        {
            token = new ConnectTokenGenerator(key, protocolId, SystemEpochClock.INSTANCE, new SecureRandom())
                .generate(clientId, roomId, addresses, timeoutS, expiresIn.toMillis(), userData);
        }
        catch (final IllegalArgumentException | ConfigurationException ex)
        {
            throw invalid(ex.getMessage());
        }

        final byte[] bytes = token.toBytes();
        out.println(Format.BASE64 == format ?
            Base64.getEncoder().encodeToString(bytes) : HexFormat.of().formatHex(bytes));
        out.flush();
        return 0;
    }

    private void warnDevelopmentKey(final TokenKey key)
    {
        err.println("WARNING: ******************************************************************************");
        err.println("WARNING: this token is sealed with the built-in DEVELOPMENT token key (" + key.fingerprint() +
            ").");
        err.println("WARNING: that key is public: anyone can mint tokens for a server using it.");
        err.println("WARNING: it must NOT be used in production; pass --token-key FILE with a secret key.");
        err.println("WARNING: ******************************************************************************");
        err.flush();
    }

    /** Bytes as hex, either case, no separators; at most {@link ConnectTokenDescriptor#MAX_USER_DATA_LENGTH}. */
    private byte[] parseUserData(final String value)
    {
        final byte[] bytes;
        try
        {
            bytes = HexFormat.of().parseHex(value.trim());
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid("--user-data: expected an even number of hex digits, got '" + value + "'");
        }
        if (bytes.length > ConnectTokenDescriptor.MAX_USER_DATA_LENGTH)
        {
            throw invalid("--user-data: at most " + ConnectTokenDescriptor.MAX_USER_DATA_LENGTH + " bytes, got " +
                bytes.length);
        }
        return bytes;
    }

    /** Bad input found after parsing: reported like a parse error, message and usage on stderr, exit 2. */
    private CommandLine.ParameterException invalid(final String message)
    {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /**
     * Entry point for tests: parse and run, return the exit code instead of exiting. Warnings and errors go to
     * {@link System#err}.
     *
     * @param out  where the token goes.
     * @param args command line.
     * @return exit code.
     */
    static int run(final PrintStream out, final String... args)
    {
        return run(out, System.err, args);
    }

    /**
     * Entry point for tests that check stderr: parse and run, return the exit code instead of exiting.
     *
     * @param out  where the token goes.
     * @param err  where warnings, errors and usage go.
     * @param args command line.
     * @return exit code.
     */
    static int run(final PrintStream out, final PrintStream err, final String... args)
    {
        final CommandLine cli = new CommandLine(new TokenMain(out, err));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(System.out, System.err, args));
    }

    static final class FormatConverter extends ServerMain.EnumConverter<Format>
    {
        FormatConverter()
        {
            super(Format.class);
        }
    }

    /** u64 as unsigned decimal or {@code 0x}-prefixed hex; underscores between digits are allowed. */
    static final class U64Converter implements CommandLine.ITypeConverter<Long>
    {
        @Override
        public Long convert(final String value)
        {
            final String text = value.trim().replace("_", "");
            try
            {
                if (text.startsWith("0x") || text.startsWith("0X"))
                {
                    return Long.parseUnsignedLong(requireDigits(text.substring(2)), 16);
                }
                return Long.parseUnsignedLong(requireDigits(text), 10);
            }
            catch (final NumberFormatException ex)
            {
                throw new CommandLine.TypeConversionException(
                    "expected an unsigned 64-bit number, decimal or 0x-hex, got '" + value + "'");
            }
        }

        private static String requireDigits(final String text)
        {
            // parseUnsignedLong takes a leading '+'; a u64 on the command line is digits only.
            if (text.isEmpty() || text.charAt(0) == '+')
            {
                throw new NumberFormatException(text);
            }
            return text;
        }
    }

    /** {@code HOST:PORT} or {@code [IPV6]:PORT}, resolved; brackets keep an IPv6 port unambiguous. */
    static final class ServerAddressConverter implements CommandLine.ITypeConverter<InetSocketAddress>
    {
        @Override
        public InetSocketAddress convert(final String value)
        {
            return parse(value);
        }

        static InetSocketAddress parse(final String value)
        {
            try
            {
                return HostPortParser.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage());
            }
        }
    }
}
