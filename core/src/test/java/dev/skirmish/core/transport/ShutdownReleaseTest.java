package dev.skirmish.core.transport;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.test.UdpTestClient;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Datagrams that arrive while a node shuts down — after its workers drained their queues for the last time but
 * before the sockets close — are still released exactly once. The class-level leak detection (paranoid) fails this
 * class if any is not; found by a session system test that closed a server under client keepalives.
 */
class ShutdownReleaseTest
{
    @Test
    void shouldReleaseDatagramsQueuedWhileClosing() throws Exception
    {
        for (int round = 0; round < 5; round++)
        {
            final SkirmishNode node = SkirmishNode.launch(new SkirmishContext().bindAddress("127.0.0.1").port(0));
            final AtomicBoolean sending = new AtomicBoolean(true);
            final InetSocketAddress server = new InetSocketAddress("127.0.0.1", node.port());
            final Thread sender = new Thread(() ->
            {
                try (UdpTestClient client = new UdpTestClient(server))
                {
                    for (int i = 0; i < 200_000 && sending.get(); i++)
                    {
                        client.send(UdpTestClient.echoDatagram(i, i, 32));
                    }
                }
                catch (final Exception ignore)
                {
                    // the socket may refuse once the server port is gone
                }
            });
            sender.start();
            Await.until("traffic flows", () -> node.counters().get(Counter.WORKER_DATAGRAMS) > 100);
            node.close();
            sending.set(false);
            sender.join(10_000);
            assertTrue(node.counters().get(Counter.DATAGRAMS_IN) > 100);
        }
        System.gc();
    }
}
