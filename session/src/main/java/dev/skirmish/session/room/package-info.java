/**
 * Rooms: matches of a few players that tick at a fixed rate on the worker that owns their sessions.
 * <ul>
 *   <li>{@link dev.skirmish.session.room.RoomServer} / {@link dev.skirmish.session.room.RoomHost}: the rooms of each
 *   worker as a {@link dev.skirmish.session.server.SessionListener}: lifecycle, absolute tick schedule, lateness and
 *   stall accounting, fault isolation.</li>
 *   <li>{@link dev.skirmish.session.room.FrameSyncServer} and {@link dev.skirmish.session.room.FrameSyncClient}: the
 *   transport-agnostic lockstep engine of each side (inputs tagged with frame numbers, redundant frame packets,
 *   bounded catch-up history, state hashes).</li>
 *   <li>{@link dev.skirmish.session.room.RoomMessageDescriptor}: the wire format of room messages, as in PROTOCOL.md
 *   "Rooms: frame-sync messages".</li>
 * </ul>
 * Design notes: {@code session/docs/rooms.md}.
 */
package dev.skirmish.session.room;
