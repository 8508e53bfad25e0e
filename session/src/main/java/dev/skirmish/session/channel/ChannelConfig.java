package dev.skirmish.session.channel;

/**
 * One channel of a session's channel table: its delivery {@link ChannelMode} and its send priority. Immutable.
 * <p>
 * Priority orders new messages in {@link ChannelEndpoint#flush}: a lower number is sent first; channels of equal
 * priority go in channel id order. Resends of lost reliable chunks always go before any new message.
 */
public final class ChannelConfig
{
    private final ChannelMode mode;
    private final int priority;

    /**
     * @param mode     delivery guarantee; must be the same at both ends.
     * @param priority send priority, lower first, 0..255 (local choice, not on the wire).
     * @throws IllegalArgumentException for a null mode or a priority out of range.
     */
    public ChannelConfig(final ChannelMode mode, final int priority)
    {
        if (null == mode)
        {
            throw new IllegalArgumentException("mode must not be null");
        }
        if (priority < 0 || priority > 255)
        {
            throw new IllegalArgumentException("priority must be in [0, 255], got " + priority);
        }
        this.mode = mode;
        this.priority = priority;
    }

    /**
     * @return delivery guarantee.
     */
    public ChannelMode mode()
    {
        return mode;
    }

    /**
     * @return send priority, lower first.
     */
    public int priority()
    {
        return priority;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return mode + "/" + priority;
    }
}
