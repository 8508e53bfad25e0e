package dev.skirmish.session.room;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link FrameSyncClient}. Fluent setters; {@link #conclude()} validates once (the client calls it)
 * and throws {@link IllegalArgumentException} naming the first bad setting. Memory of a client:
 * {@code windowFrames x maxFrameBytes + inputHistory x 255} bytes, allocated at construction.
 */
public final class FrameSyncClientConfig
{
    private int windowFrames = 32;
    private int maxFrameBytes = 512;
    private int inputHistory = 64;
    private int inputRedundancy = 3;
    private int inputLeadFrames = 0;
    private long catchUpRetryNs = TimeUnit.MILLISECONDS.toNanos(500);
    private int inputChannel = 0;
    private int reliableChannel = 2;
    private int maxMessageBytes = 1176;

    /**
     * Validate every setting.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first invalid setting.
     */
    public FrameSyncClientConfig conclude()
    {
        check(isPowerOfTwo(windowFrames) && windowFrames >= 8 && windowFrames <= 4096,
            "windowFrames must be a power of two in [8, 4096]: " + windowFrames);
        check(maxFrameBytes >= 1 && maxFrameBytes <= 65_535, "maxFrameBytes must be in [1, 65535]");
        check(isPowerOfTwo(inputHistory) && inputHistory >= 8 && inputHistory <= 4096,
            "inputHistory must be a power of two in [8, 4096]: " + inputHistory);
        check(inputRedundancy >= 0 && inputRedundancy < RoomMessageDescriptor.MAX_INPUTS_PER_MESSAGE,
            "inputRedundancy must be in [0, 7]: " + inputRedundancy);
        check(inputLeadFrames >= 0 && inputLeadFrames <= 64, "inputLeadFrames must be in [0, 64]");
        check(catchUpRetryNs >= TimeUnit.MILLISECONDS.toNanos(10), "catchUpRetryNs must be >= 10 ms");
        check(inputChannel >= 0 && inputChannel < 8, "inputChannel must be in [0, 7]");
        check(reliableChannel >= 0 && reliableChannel < 8, "reliableChannel must be in [0, 7]");
        check(maxMessageBytes >= 64 && maxMessageBytes <= 65_507, "maxMessageBytes must be in [64, 65507]");
        return this;
    }

    private static boolean isPowerOfTwo(final int value)
    {
        return value > 0 && Integer.bitCount(value) == 1;
    }

    private static void check(final boolean ok, final String message)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * @return frames held ahead of the next one to deliver (reordering, gaps being filled); default 32. Frames
     * further ahead wait for catch-up.
     */
    public int windowFrames()
    {
        return windowFrames;
    }

    /**
     * @param windowFrames a power of two, 8 to 4096.
     * @return this.
     */
    public FrameSyncClientConfig windowFrames(final int windowFrames)
    {
        this.windowFrames = windowFrames;
        return this;
    }

    /**
     * @return largest frame held, bytes; default 512 (a default room's frames are at most 281 B). Must be at least
     * the room's {@code 1 + capacity x (3 + maxInputBytes)}: larger frames are dropped and counted.
     */
    public int maxFrameBytes()
    {
        return maxFrameBytes;
    }

    /**
     * @param maxFrameBytes 1 to 65535.
     * @return this.
     */
    public FrameSyncClientConfig maxFrameBytes(final int maxFrameBytes)
    {
        this.maxFrameBytes = maxFrameBytes;
        return this;
    }

    /**
     * @return own inputs remembered (for resending and for input-to-frame latency); default 64 frames.
     */
    public int inputHistory()
    {
        return inputHistory;
    }

    /**
     * @param inputHistory a power of two, 8 to 4096.
     * @return this.
     */
    public FrameSyncClientConfig inputHistory(final int inputHistory)
    {
        this.inputHistory = inputHistory;
        return this;
    }

    /**
     * @return earlier inputs, not yet acknowledged and not yet closed, repeated in each INPUT message; default 3.
     */
    public int inputRedundancy()
    {
        return inputRedundancy;
    }

    /**
     * @param inputRedundancy 0 to 7.
     * @return this.
     */
    public FrameSyncClientConfig inputRedundancy(final int inputRedundancy)
    {
        this.inputRedundancy = inputRedundancy;
        return this;
    }

    /**
     * @return frames beyond the first frame an input can still reach (see {@link FrameSyncClient#inputDeadlineNs})
     * that {@link FrameSyncClient#sendInput(io.netty.buffer.ByteBuf, int, int, long)} targets: more absorbs jitter
     * beyond the margin, each costs one tick of latency; default 0.
     */
    public int inputLeadFrames()
    {
        return inputLeadFrames;
    }

    /**
     * @param inputLeadFrames 0 to 64.
     * @return this.
     */
    public FrameSyncClientConfig inputLeadFrames(final int inputLeadFrames)
    {
        this.inputLeadFrames = inputLeadFrames;
        return this;
    }

    /**
     * @return how long a catch-up may make no progress before it is asked for again, ns; default 500 ms.
     */
    public long catchUpRetryNs()
    {
        return catchUpRetryNs;
    }

    /**
     * @param catchUpRetryNs 10 ms or more.
     * @return this.
     */
    public FrameSyncClientConfig catchUpRetryNs(final long catchUpRetryNs)
    {
        this.catchUpRetryNs = catchUpRetryNs;
        return this;
    }

    /**
     * @return channel of INPUT messages; default 0 (UNRELIABLE: inputs are repeated, not resent).
     */
    public int inputChannel()
    {
        return inputChannel;
    }

    /**
     * @param inputChannel channel id.
     * @return this.
     */
    public FrameSyncClientConfig inputChannel(final int inputChannel)
    {
        this.inputChannel = inputChannel;
        return this;
    }

    /**
     * @return channel of CATCH_UP messages; default 2 (RELIABLE_ORDERED).
     */
    public int reliableChannel()
    {
        return reliableChannel;
    }

    /**
     * @param reliableChannel channel id.
     * @return this.
     */
    public FrameSyncClientConfig reliableChannel(final int reliableChannel)
    {
        this.reliableChannel = reliableChannel;
        return this;
    }

    /**
     * @return largest INPUT message, bytes; default 1176, the largest unreliable message of the default 1200 B path
     * payload. Repeated inputs that would not fit are left out.
     */
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    /**
     * @param maxMessageBytes 64 to 65507.
     * @return this.
     */
    public FrameSyncClientConfig maxMessageBytes(final int maxMessageBytes)
    {
        this.maxMessageBytes = maxMessageBytes;
        return this;
    }

    @Override
    public String toString()
    {
        return "FrameSyncClientConfig{windowFrames=" + windowFrames + ", maxFrameBytes=" + maxFrameBytes +
            ", inputHistory=" + inputHistory + ", inputRedundancy=" + inputRedundancy +
            ", inputLeadFrames=" + inputLeadFrames + ", catchUpRetryNs=" + catchUpRetryNs +
            ", inputChannel=" + inputChannel + ", reliableChannel=" + reliableChannel +
            ", maxMessageBytes=" + maxMessageBytes + '}';
    }
}
