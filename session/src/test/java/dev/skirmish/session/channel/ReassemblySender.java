package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.Random;

/**
 * Test side of fragmentation: cuts a message into fragments of the configured length and hands them to a
 * {@link ReassemblyBuffer} from one reusable heap buffer, at a non-zero offset. Allocation-free after construction.
 */
final class ReassemblySender
{
    static final int SRC_OFFSET = 3;

    final ByteBuf src;
    private final ReassemblyBuffer buffer;
    private final int fragmentLength;

    ReassemblySender(final ReassemblyBuffer buffer, final ReassemblyConfig config)
    {
        this.buffer = buffer;
        this.fragmentLength = config.fragmentLength();
        this.src = Unpooled.wrappedBuffer(new byte[SRC_OFFSET + fragmentLength + 5]);
    }

    static int fragmentCount(final int messageLength, final int fragmentLength)
    {
        return (messageLength + fragmentLength - 1) / fragmentLength;
    }

    int count(final byte[] message)
    {
        return fragmentCount(message.length, fragmentLength);
    }

    /**
     * Send fragment {@code index} of {@code message}, cut honestly.
     */
    int send(final int channel, final int sequence, final int index, final byte[] message, final long nowNs)
    {
        return send(channel, sequence, index, message, message.length, nowNs);
    }

    /**
     * Send fragment {@code index} of the first {@code messageLength} bytes of {@code message}, cut honestly.
     */
    int send(
        final int channel,
        final int sequence,
        final int index,
        final byte[] message,
        final int messageLength,
        final long nowNs)
    {
        final int from = index * fragmentLength;
        final int length = Math.min(fragmentLength, messageLength - from);
        final int count = fragmentCount(messageLength, fragmentLength);
        src.setBytes(SRC_OFFSET, message, from, length);
        return buffer.onFragment(channel, sequence, index, count, src, SRC_OFFSET, length, nowNs);
    }

    /**
     * Send a fragment with arbitrary header fields (data is whatever the source buffer holds).
     */
    int raw(final int channel, final int sequence, final int index, final int count, final int length, final long nowNs)
    {
        return buffer.onFragment(channel, sequence, index, count, src, SRC_OFFSET, length, nowNs);
    }

    /**
     * @return a copy of the completed message.
     */
    static byte[] completed(final ReassemblyBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.completedLength()];
        buffer.completedBuffer().getBytes(buffer.completedOffset(), bytes);
        return bytes;
    }

    static byte[] message(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    static int[] shuffled(final Random random, final int count)
    {
        final int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
