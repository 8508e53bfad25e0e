/**
 * Packet protection: AEAD sealing and opening of every post-handshake packet with the per-session, per-direction
 * keys, and the replay window that guards the receive side.
 * <ul>
 *   <li>{@link dev.skirmish.session.protect.ProtectedPacketDescriptor}: byte layout of a protected packet, nonce and
 *   associated data.</li>
 *   <li>{@link dev.skirmish.session.protect.PacketProtector}: seals (send direction) or opens (receive direction)
 *   packets in place, returning a {@link dev.skirmish.session.protect.ProtectResult} code, never throwing on
 *   hostile input.</li>
 *   <li>{@link dev.skirmish.session.protect.ReplayWindow}: sliding window over received sequence numbers.</li>
 *   <li>{@link dev.skirmish.session.protect.AeadSuite}: the JDK AEAD behind a protector.</li>
 * </ul>
 * Layout, rules, test vector and the benchmark behind the cipher choice: {@code session/docs/packet-protection.md}.
 */
package dev.skirmish.session.protect;
