package dev.skirmish.core.transport;

import dev.skirmish.core.metrics.Counter;
import dev.skirmish.core.metrics.CounterSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Receive allocator of fixed-size buffers (one buffer holds a whole recvmmsg batch: {@code batch × slot} bytes)
 * that also counts read syscalls and their batch sizes. Netty calls {@code incMessagesRead(n)} once per
 * recvmmsg/recvmsg with the number of datagrams it returned, so the counts are exact.
 *
 * <p>Used by one channel, on its I/O thread only.
 */
final class BatchCountingRecvAllocator implements RecvByteBufAllocator
{
    private final int bufferSize;
    private final int maxMessagesPerRead;
    private final CounterSet counters;

    BatchCountingRecvAllocator(final int bufferSize, final int maxMessagesPerRead, final CounterSet counters)
    {
        this.bufferSize = bufferSize;
        this.maxMessagesPerRead = maxMessagesPerRead;
        this.counters = counters;
    }

    @Override
    public Handle newHandle()
    {
        return new CountingHandle();
    }

    private final class CountingHandle implements ExtendedHandle
    {
        private int totalMessages;
        private int attemptedBytesRead;
        private int lastBytesRead;

        @Override
        public ByteBuf allocate(final ByteBufAllocator alloc)
        {
            return alloc.ioBuffer(bufferSize);
        }

        @Override
        public int guess()
        {
            return bufferSize;
        }

        @Override
        public void reset(final ChannelConfig config)
        {
            totalMessages = 0;
        }

        @Override
        public void incMessagesRead(final int numMessages)
        {
            totalMessages += numMessages;
            counters.increment(Counter.BATCHES_READ);
            counters.increment(Counter.batchSizeBucket(numMessages));
        }

        @Override
        public void lastBytesRead(final int bytes)
        {
            lastBytesRead = bytes;
        }

        @Override
        public int lastBytesRead()
        {
            return lastBytesRead;
        }

        @Override
        public boolean continueReading()
        {
            return continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER);
        }

        @Override
        public boolean continueReading(final UncheckedBooleanSupplier maybeMoreDataSupplier)
        {
            return lastBytesRead > 0 && totalMessages < maxMessagesPerRead && maybeMoreDataSupplier.get();
        }

        @Override
        public void readComplete()
        {
        }

        @Override
        public void attemptedBytesRead(final int bytes)
        {
            attemptedBytesRead = bytes;
        }

        @Override
        public int attemptedBytesRead()
        {
            return attemptedBytesRead;
        }
    }
}
