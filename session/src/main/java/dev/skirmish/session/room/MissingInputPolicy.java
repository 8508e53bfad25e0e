package dev.skirmish.session.room;

/**
 * What a frame holds for a player whose input for it did not arrive before the frame closed.
 */
public enum MissingInputPolicy
{
    /** An empty input (length 0, no flags): the safe default, no phantom actions. */
    EMPTY,
    /** The player's last input, flagged {@code REPEATED}; empty if the player never sent one. */
    REPEAT_LAST
}
