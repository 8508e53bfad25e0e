/**
 * Session layer: connect tokens, handshake, packet protection, channels and rooms. Built on {@code core};
 * empty until the sessions issue lands (the data path in {@code core} is usable on its own meanwhile).
 */
package dev.skirmish.session;
