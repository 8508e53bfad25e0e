package dev.skirmish.sim.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerAddressTest
{
    @Test
    void shouldParseIpv4() throws Exception
    {
        final ServerAddress address = ServerAddress.parse("127.0.0.1:7777");

        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7777), address.socketAddress());
        assertEquals("127.0.0.1:7777", address.toString());
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), address.localBindAddress());
    }

    @Test
    void shouldParseBracketedIpv6() throws Exception
    {
        final ServerAddress address = ServerAddress.parse("[::1]:7777");

        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 7777), address.socketAddress());
        assertEquals("[::1]:7777", address.toString());
    }

    @Test
    void shouldBindWildcardOfSameFamilyForRemoteServers()
    {
        assertTrue(ServerAddress.parse("10.1.2.3:7777").localBindAddress().getAddress().isAnyLocalAddress());
        assertEquals(0, ServerAddress.parse("10.1.2.3:7777").localBindAddress().getPort());
        assertTrue(ServerAddress.parse("[2001:db8::1]:7777").localBindAddress().getAddress()
            instanceof java.net.Inet6Address);
    }

    @ParameterizedTest
    @ValueSource(strings = { "nonsense", ":7777", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:77a", "127.0.0.1:-1", "::1:7777", "[::1]7777", "[::1]:", "[]:7777", "[::1:7777" })
    void shouldRejectMalformedAddresses(final String text)
    {
        assertThrows(TypeConversionException.class, () -> ServerAddress.parse(text));
    }
}
