package dev.skirmish.core;

/**
 * What the I/O threads do with valid datagrams.
 */
public enum IoMode
{
    /** The full path: route to workers through SPSC queues; workers reply through SPSC queues. */
    WORKERS,
    /** Benchmark baseline: echo each valid datagram on the I/O thread itself, no queues or workers. */
    RAW_ECHO
}
