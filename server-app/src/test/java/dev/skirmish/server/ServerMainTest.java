package dev.skirmish.server;

import dev.skirmish.core.test.UdpTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerMainTest
{
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

    @ParameterizedTest
    @ValueSource(strings = {
        "--bogus",
        "--workers=0",
        "--port=70000",
        "--mode=bogus",
        "--pin-cpus=a,b",
        "--batch=0",
        "--transport=dpdk",
        "--duration=soon",
        "--bind=no.such.host.invalid",
        "--io-threads=-1"})
    void shouldExitTwoOnBadCommandLineOrConfiguration(final String arg)
    {
        assertEquals(2, ServerMain.run(out, arg, "--port=0"));
    }

    @Test
    void shouldPrintHelpAndExitZero()
    {
        assertEquals(0, ServerMain.run(out, "--help"));
        final String help = captured.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--io-threads") && help.contains("--batch") && help.contains("--pin-cpus"), help);
    }

    @Test
    void shouldServeEchoUntilDurationThenExitZeroWithCounters() throws Exception
    {
        final int port;
        try (DatagramSocket probe = new DatagramSocket(0))
        {
            port = probe.getLocalPort();
        }
        final CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ServerMain.run(out,
            "--bind=127.0.0.1", "--port=" + port, "--duration=2s", "--stats-interval=0s"));

        boolean echoed = false;
        try (UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", port)))
        {
            for (int i = 0; i < 50 && !echoed; i++)
            {
                final ByteBuffer request = UdpTestClient.echoDatagram(1, 7, 32);
                client.send(request);
                echoed = request.equals(client.receive(100));
            }
        }
        assertTrue(echoed, "server answered within 5 s of starting: " + captured.toString(StandardCharsets.UTF_8));
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        final String output = captured.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("effective configuration") && output.contains("workers=1"), output);
        assertTrue(output.contains("datagrams_out"), output);
    }
}
