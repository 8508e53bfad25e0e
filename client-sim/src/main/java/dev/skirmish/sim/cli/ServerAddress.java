package dev.skirmish.sim.cli;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The server a run sends to, parsed from {@code HOST:PORT}. IPv6 literals need brackets, {@code [::1]:7777},
 * so that the port can never be confused with the last group of the address.
 */
public final class ServerAddress
{
    private final InetSocketAddress socketAddress;
    private final String text;

    private ServerAddress(final InetSocketAddress socketAddress, final String text)
    {
        this.socketAddress = socketAddress;
        this.text = text;
    }

    /**
     * Parse and resolve {@code HOST:PORT} or {@code [IPV6]:PORT}.
     *
     * @param value as typed.
     * @return the resolved address.
     * @throws TypeConversionException with a message saying what is wrong when the value is malformed,
     *                                 the port is out of range or the host does not resolve.
     */
    public static ServerAddress parse(final String value)
    {
        final String host;
        final String portText;
        if (value.startsWith("["))
        {
            final int close = value.indexOf(']');
            if (close < 2 || close + 1 >= value.length() || value.charAt(close + 1) != ':')
            {
                throw invalid(value, "expected [IPV6]:PORT, e.g. [::1]:7777");
            }
            host = value.substring(1, close);
            portText = value.substring(close + 2);
        }
        else
        {
            final int colon = value.lastIndexOf(':');
            if (colon <= 0)
            {
                throw invalid(value, "expected HOST:PORT, e.g. 127.0.0.1:7777");
            }
            host = value.substring(0, colon);
            if (host.indexOf(':') >= 0)
            {
                throw invalid(value, "an IPv6 address needs brackets, e.g. [::1]:7777");
            }
            portText = value.substring(colon + 1);
        }

        final int port = parsePort(value, portText);
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(host);
        }
        catch (final UnknownHostException ex)
        {
            throw invalid(value, "unknown host '" + host + "'");
        }

        return new ServerAddress(new InetSocketAddress(address, port), value);
    }

    /**
     * The resolved socket address.
     *
     * @return address and port to send to.
     */
    public InetSocketAddress socketAddress()
    {
        return socketAddress;
    }

    /**
     * The address as given on the command line (IPv6 hosts in brackets).
     *
     * @return {@code HOST:PORT}.
     */
    public String toString()
    {
        return text;
    }

    /**
     * Where a client socket talking to this server binds: a loopback server gets a loopback source address,
     * anything else the wildcard of the same family, letting the kernel pick the route. The port is ephemeral.
     *
     * @return address with port 0.
     */
    public InetSocketAddress localBindAddress()
    {
        final InetAddress address = socketAddress.getAddress();
        if (address.isLoopbackAddress())
        {
            return new InetSocketAddress(address, 0);
        }

        return new InetSocketAddress(address instanceof Inet6Address ? "::" : "0.0.0.0", 0);
    }

    private static int parsePort(final String value, final String portText)
    {
        if (portText.isEmpty() || portText.length() > 5)
        {
            throw invalid(value, "port must be 1..65535");
        }

        for (int i = 0; i < portText.length(); i++)
        {
            if (!Character.isDigit(portText.charAt(i)))
            {
                throw invalid(value, "port must be 1..65535");
            }
        }

        final int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535)
        {
            throw invalid(value, "port must be 1..65535");
        }

        return port;
    }

    private static TypeConversionException invalid(final String value, final String reason)
    {
        return new TypeConversionException("'" + value + "' is not a server address: " + reason);
    }

    /**
     * picocli converter for {@code --server}.
     */
    public static final class Converter implements ITypeConverter<ServerAddress>
    {
        /**
         * {@inheritDoc}
         */
        public ServerAddress convert(final String value)
        {
            return parse(value);
        }
    }
}
