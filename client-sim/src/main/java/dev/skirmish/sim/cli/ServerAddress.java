package dev.skirmish.sim.cli;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import dev.skirmish.core.HostPortParser;

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
        try
        {
            return new ServerAddress(HostPortParser.parse(value), value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TypeConversionException(ex.getMessage());
        }
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
