package dev.skirmish.core.transport;

import dev.skirmish.core.SkirmishContext;
import dev.skirmish.core.SkirmishNode;
import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.test.Await;
import dev.skirmish.core.test.UdpTestClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * recvmmsg batch boundaries over real epoll sockets: with 0, 1, B and B+1 datagrams waiting in the socket when the
 * I/O thread gets to read, it reads them in exactly the expected number of syscalls and delivers every one.
 * The I/O thread is held busy by a task on its event loop while the datagrams queue up in the kernel.
 */
class BatchBoundaryTest
{
    private static final int B = 16;

    @ParameterizedTest(name = "{0} waiting")
    @CsvSource({
        "0, 0, ''",
        "1, 1, BATCH_SIZE_1",
        "16, 1, BATCH_SIZE_16_31",
        "17, 2, BATCH_SIZE_16_31;BATCH_SIZE_1",
        "64, 4, BATCH_SIZE_16_31;BATCH_SIZE_16_31;BATCH_SIZE_16_31;BATCH_SIZE_16_31"})
    void shouldReadWaitingDatagramsInBatchesOfB(final int waiting, final int expectedBatches, final String buckets)
        throws Exception
    {
        final SkirmishContext ctx = new SkirmishContext()
            .transport(TransportKind.EPOLL)
            .bindAddress("127.0.0.1")
            .port(0)
            .batch(B);
        try (SkirmishNode node = SkirmishNode.launch(ctx);
            UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", node.port())))
        {
            final CountDownLatch release = holdIoThread(node);

            for (int i = 0; i < waiting; i++)
            {
                client.send(UdpTestClient.echoDatagram(3, i, 32));
            }
            release.countDown();

            final Set<Long> echoed = new HashSet<>();
            for (int i = 0; i < waiting; i++)
            {
                final java.nio.ByteBuffer reply = client.receive(2000);
                assertNotNull(reply, "reply " + i + " of " + waiting);
                echoed.add(reply.getLong(8));
            }
            assertEquals(waiting, echoed.size(), "every datagram echoed exactly once");

            Await.until("all read", () -> node.counters().get(Counter.WORKER_DATAGRAMS) == waiting);
            assertEquals(waiting, node.counters().get(Counter.DATAGRAMS_IN));
            assertEquals(expectedBatches, node.counters().get(Counter.BATCHES_READ));
            final long[] expectedPerBucket = new long[Counter.values().length];
            for (final String bucket : buckets.split(";"))
            {
                if (!bucket.isEmpty())
                {
                    expectedPerBucket[Counter.valueOf(bucket).id()]++;
                }
            }
            for (final Counter bucket : new Counter[] {Counter.BATCH_SIZE_1, Counter.BATCH_SIZE_2_3,
                Counter.BATCH_SIZE_4_7, Counter.BATCH_SIZE_8_15, Counter.BATCH_SIZE_16_31, Counter.BATCH_SIZE_32_63,
                Counter.BATCH_SIZE_64_PLUS})
            {
                assertEquals(expectedPerBucket[bucket.id()], node.counters().get(bucket), bucket.label());
            }
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @CsvSource({"1", "64"})
    void shouldHonourConfiguredBatchSize(final int batch) throws Exception
    {
        final SkirmishContext ctx = new SkirmishContext()
            .transport(TransportKind.EPOLL)
            .bindAddress("127.0.0.1")
            .port(0)
            .batch(batch);
        try (SkirmishNode node = SkirmishNode.launch(ctx);
            UdpTestClient client = new UdpTestClient(new InetSocketAddress("127.0.0.1", node.port())))
        {
            final CountDownLatch release = holdIoThread(node);
            for (int i = 0; i < 64; i++)
            {
                client.send(UdpTestClient.echoDatagram(1, i, 32));
            }
            release.countDown();
            for (int i = 0; i < 64; i++)
            {
                assertNotNull(client.receive(2000));
            }
            Await.until("all read", () -> node.counters().get(Counter.DATAGRAMS_IN) == 64);
            assertEquals(batch == 1 ? 64 : 1, node.counters().get(Counter.BATCHES_READ));
        }
    }

    /**
     * Keep I/O thread 0 busy in a task until the returned latch is counted down (at most 10 s), so datagrams queue
     * up in its socket.
     */
    private static CountDownLatch holdIoThread(final SkirmishNode node) throws InterruptedException
    {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        node.ioExecutor(0).execute(() ->
        {
            held.countDown();
            try
            {
                release.await(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(held.await(5, TimeUnit.SECONDS), "I/O thread did not run the holding task");
        return release;
    }
}
