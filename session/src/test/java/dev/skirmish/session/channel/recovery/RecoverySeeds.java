package dev.skirmish.session.channel.recovery;

/**
 * Fixed jqwik seeds of the loss recovery properties, so every run generates the same cases and any failure replays.
 * To explore new cases, change a seed (or remove it locally; jqwik prints the random seed it used on failure).
 */
final class RecoverySeeds
{
    static final String RTT_FORMULAS = "9002053";
    static final String RTT_CONVERGENCE = "9002054";
    static final String PTO_FORMULA = "9002062";
    static final String INTERLEAVINGS = "9002061";
    static final String UNSENT_ACKS = "9002131";
    static final String BITFIELD = "9000132";
    static final String BITFIELD_TO_SENDER = "9000133";
    static final String CONGESTION = "9002070";

    private RecoverySeeds()
    {
    }
}
