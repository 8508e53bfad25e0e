package dev.skirmish.core.worker;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.test.UdpTestClient;
import io.netty.buffer.ByteBuf;
import net.openhft.affinity.Affinity;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code pinCpus} pins the worker thread: the handler, running on it, sees its affinity reduced to that one CPU.
 */
class PinningTest
{
    @Test
    void shouldPinWorkerToTheFirstListedCpu() throws Exception
    {
        final int cpu = Runtime.getRuntime().availableProcessors() - 1;
        final AtomicReference<BitSet> seen = new AtomicReference<>();
        final SkirmishContext ctx = new SkirmishContext()
            .bindAddress("127.0.0.1")
            .port(0)
            .pinCpus(cpu)
            .handlerFactory((w, outbound) -> new DatagramHandler()
            {
                @Override
                public void onDatagram(
                    final int ioThread, final ByteBuf datagram, final InetSocketAddress sender, final long nowNs)
                {
                    seen.set((BitSet)Affinity.getAffinity().clone());
                }
            });
        try (SkirmishNode node = SkirmishNode.launch(ctx);
            UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", node.port())))
        {
            client.send(UdpTestClient.echoDatagram(0, 1, 16));
            Await.until("handler ran", () -> null != seen.get());
            final BitSet expected = new BitSet();
            expected.set(cpu);
            assertEquals(expected, seen.get());
        }
    }
}
