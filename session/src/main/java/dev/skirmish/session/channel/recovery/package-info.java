/**
 * Loss recovery of one session, as RFC 9002 (QUIC loss detection and congestion control) specifies it, adapted to
 * Skirmish packets: every packet has a u64 packet number (its AEAD sequence, per direction, from 0) and an ack
 * carries the largest packet number received, a 64-bit bitfield of the 64 before it and the ack delay.
 * <ul>
 *   <li>{@link dev.skirmish.session.channel.recovery.SentPacketTracker}: sender side; ring of in-flight packet
 *   records, ack validation, RTT sampling, packet (3) and time (9/8 RTT) threshold loss detection, loss timer and
 *   probe timeout with backoff; reports each packet's opaque payload handle to a
 *   {@link dev.skirmish.session.channel.recovery.RecoveryHandler} as acked, lost or spuriously lost.</li>
 *   <li>{@link dev.skirmish.session.channel.recovery.RttEstimator}: latest, min, smoothed RTT, variance (RFC 9002
 *   §5) and jitter (RFC 3550 gain 1/16 over consecutive samples).</li>
 *   <li>{@link dev.skirmish.session.channel.recovery.CongestionController}: New Reno (RFC 9002 §7) with a window
 *   floor of 2 and an initial window of 10 max datagrams, one reduction per recovery period, persistent congestion,
 *   no growth while application limited.</li>
 *   <li>{@link dev.skirmish.session.channel.recovery.AckTracker}: receiver side; received packet numbers, the ack to
 *   send and when it is due (2 ack-eliciting packets, out-of-order arrival, or 5 ms).</li>
 *   <li>{@link dev.skirmish.session.channel.recovery.RecoveryConfig} and
 *   {@link dev.skirmish.session.channel.recovery.RecoveryCounter}: settings and counters.</li>
 * </ul>
 * Every class is owned by the worker thread of its session: single-threaded, time passed in as {@code nowNs},
 * preallocated, no allocation and no exception on any input from the network.
 * <p>
 * Wiring, per session: one {@code RttEstimator} and one {@code CongestionController} shared by the
 * {@code SentPacketTracker} of the outbound direction; one {@code AckTracker} for the inbound direction. Each duty
 * cycle: feed received packets to the {@code AckTracker} and received acks to the {@code SentPacketTracker}; run
 * {@code onTimeout}; send while {@code canSend()} and the congestion window has room (probes and acks regardless of
 * the window), attaching an ack when one is pending and sending an ack-only packet when one is due.
 */
package dev.skirmish.session.channel.recovery;
