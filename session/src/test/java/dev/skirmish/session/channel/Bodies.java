package dev.skirmish.session.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: DATA bodies by hand. {@link #message} wraps bytes as one frame of an unreliable channel (which has no
 * duplicate check, so any sequence will do), and {@link #messages} reads the frames' data back from a body.
 */
public final class Bodies
{
    /** Channel 0 of the default table: UNRELIABLE. */
    public static final int UNRELIABLE_CHANNEL = 0;

    private Bodies()
    {
    }

    /**
     * @param data message bytes, 1..1179 (one whole frame without an ack in a 1200 B body).
     * @return a body: flags (no ack) and one whole frame on channel 0, sequence 0.
     */
    public static byte[] message(final byte[] data)
    {
        return message(UNRELIABLE_CHANNEL, 0, data);
    }

    /**
     * @param channel  channel id.
     * @param sequence message sequence.
     * @param data     message bytes.
     * @return a body without an ack holding one whole frame.
     */
    public static byte[] message(final int channel, final int sequence, final byte[] data)
    {
        final ByteBuf buffer = Unpooled.buffer(64 + data.length);
        final BodyEncoder encoder = new BodyEncoder();
        encoder.begin(buffer, ChannelEndpointConfig.PATH_PAYLOAD_BYTES_MAX);
        encoder.frame(channel, sequence, Unpooled.wrappedBuffer(data), 0, data.length);
        final byte[] body = new byte[encoder.length()];
        buffer.getBytes(0, body);
        return body;
    }

    /**
     * @param body a DATA body.
     * @return the data of each whole frame in it, in order (fragments are skipped); empty for an ack-only body.
     * @throws AssertionError if the body is malformed.
     */
    public static List<byte[]> messages(final byte[] body)
    {
        final ByteBuf buffer = Unpooled.wrappedBuffer(body);
        final BodyDecoder decoder = new BodyDecoder();
        final int result = decoder.wrap(buffer, 0, body.length, BodyDescriptor.MAX_CHANNELS, 1 << 16);
        if (BodyDecoder.OK != result)
        {
            throw new AssertionError("malformed body: " + result);
        }
        final List<byte[]> messages = new ArrayList<>();
        while (decoder.nextFrame())
        {
            if (!decoder.isFragment())
            {
                final byte[] data = new byte[decoder.dataLength()];
                buffer.getBytes(decoder.dataOffset(), data);
                messages.add(data);
            }
        }
        return messages;
    }

    /**
     * @param body a DATA body holding exactly one whole frame.
     * @return its data.
     */
    public static byte[] single(final byte[] body)
    {
        final List<byte[]> messages = messages(body);
        if (1 != messages.size())
        {
            throw new AssertionError("expected one message, got " + messages.size());
        }
        return messages.get(0);
    }
}
