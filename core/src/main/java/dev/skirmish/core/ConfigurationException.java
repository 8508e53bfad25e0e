package dev.skirmish.core;

/**
 * An invalid setting, with a message that names it and says what is allowed.
 */
public final class ConfigurationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the setting, the allowed values and the value given.
     */
    public ConfigurationException(final String message)
    {
        super(message);
    }
}
