package dev.skirmish.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The one way every Skirmish command line reads a server address: {@code HOST:PORT} or {@code [IPV6]:PORT}. IPv6
 * literals need brackets so that the port can never be confused with the last group of the address.
 */
public final class HostPortParser
{
    private HostPortParser()
    {
    }

    /**
     * Parse and resolve an address.
     *
     * @param value as typed.
     * @return the resolved address, port 1..65535.
     * @throws IllegalArgumentException with a message saying what is wrong when the value is malformed, the port is
     *                                  out of range or the host does not resolve.
     */
    public static InetSocketAddress parse(final String value)
    {
        final String text = null == value ? "" : value;
        final String host;
        final String portText;
        if (text.startsWith("["))
        {
            final int close = text.indexOf(']');
            if (close < 2 || close + 1 >= text.length() || text.charAt(close + 1) != ':')
            {
                throw invalid(text, "expected [IPV6]:PORT, e.g. [::1]:7777");
            }
            host = text.substring(1, close);
            portText = text.substring(close + 2);
        }
        else
        {
            final int colon = text.lastIndexOf(':');
            if (colon <= 0)
            {
                throw invalid(text, "expected HOST:PORT, e.g. 127.0.0.1:7777");
            }
            host = text.substring(0, colon);
            if (host.indexOf(':') >= 0)
            {
                throw invalid(text, "an IPv6 address needs brackets, e.g. [::1]:7777");
            }
            portText = text.substring(colon + 1);
        }

        final int port = parsePort(text, portText);
        try
        {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        }
        catch (final UnknownHostException ex)
        {
            throw invalid(text, "unknown host '" + host + "'");
        }
    }

    private static int parsePort(final String value, final String portText)
    {
        boolean digits = !portText.isEmpty() && portText.length() <= 5;
        for (int i = 0; digits && i < portText.length(); i++)
        {
            digits = Character.isDigit(portText.charAt(i));
        }
        final int port = digits ? Integer.parseInt(portText) : 0;
        if (port < 1 || port > 65535)
        {
            throw invalid(value, "port must be 1..65535");
        }
        return port;
    }

    private static IllegalArgumentException invalid(final String value, final String reason)
    {
        return new IllegalArgumentException("'" + value + "' is not a server address: " + reason);
    }
}
