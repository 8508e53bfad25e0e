package dev.skirmish.session.room;

/**
 * Layout of room messages: the channel messages rooms exchange with their players (PROTOCOL.md, "Rooms: frame-sync
 * messages"). Every room message starts with a type byte; integers are little-endian; frame numbers are u32.
 *
 * <pre>
 * client to server
 *   INPUT      0x01 | flags u8 (bit 0 HASH) | count u8 (0-8) | [hash frame u32 | hash u64] | count x entry
 *              entry = frame u32 | length u8 | input bytes
 *   CATCH_UP   0x02 | from frame u32                                   (5 bytes)
 *   RELAY_IN   0x03 | payload (state relay input, 0..maxRelayInputBytes)
 *
 * server to client
 *   WELCOME    0x81 | mode u8 | slot u8 | capacity u8 | tick rate Hz u8 | redundancy u8 | max input u8 |
 *              input window u8 | room id u64 | next frame u32 | oldest frame u32             (24 bytes)
 *   FRAMES     0x82 | count u8 | newest frame u32 | input ack u32 | count x (length u16 | frame), newest first
 *   HISTORY    0x83 | count u8 | first frame u32 | count x (length u16 | frame), oldest first
 *   RELAY      0x84 | payload (state relay message written by the game)
 *
 * frame        = entries u8 | entries x (slot u8 | flags u8 (bit 0 INPUT, bit 1 REPEATED) | length u8 | input)
 * </pre>
 */
public final class RoomMessageDescriptor
{
    /** Offset of the type byte in every room message. */
    public static final int TYPE_OFFSET = 0;

    /** Client to server: inputs for frames, optionally a state hash. */
    public static final int INPUT = 0x01;
    /** Client to server: send me the frames from this one on (reliable). */
    public static final int CATCH_UP = 0x02;
    /** Client to server: a state relay input. */
    public static final int RELAY_INPUT = 0x03;
    /** Server to client: you joined this room (reliable). */
    public static final int WELCOME = 0x81;
    /** Server to client: the newest frame and up to K before it (unreliable). */
    public static final int FRAMES = 0x82;
    /** Server to client: consecutive frames from the history (reliable). */
    public static final int HISTORY = 0x83;
    /** Server to client: a state relay message. */
    public static final int RELAY = 0x84;

    /** INPUT: flags byte. */
    public static final int INPUT_FLAGS_OFFSET = 1;
    /** INPUT: number of entries. */
    public static final int INPUT_COUNT_OFFSET = 2;
    /** INPUT: bytes before the optional hash. */
    public static final int INPUT_HEADER_LENGTH = 3;
    /** INPUT flag: a hash frame and hash follow the header. */
    public static final int INPUT_FLAG_HASH = 0x01;
    /** INPUT: hash frame u32 and hash u64. */
    public static final int INPUT_HASH_LENGTH = 12;
    /** INPUT entry: frame u32 and length u8. */
    public static final int INPUT_ENTRY_HEADER_LENGTH = 5;
    /** INPUT: most entries in one message. */
    public static final int MAX_INPUTS_PER_MESSAGE = 8;

    /** CATCH_UP: the from frame. */
    public static final int CATCH_UP_FROM_OFFSET = 1;
    /** CATCH_UP: exact length. */
    public static final int CATCH_UP_LENGTH = 5;

    /** WELCOME: room mode code. */
    public static final int WELCOME_MODE_OFFSET = 1;
    /** WELCOME: the player's slot. */
    public static final int WELCOME_SLOT_OFFSET = 2;
    /** WELCOME: room capacity (slots). */
    public static final int WELCOME_CAPACITY_OFFSET = 3;
    /** WELCOME: tick rate, Hz. */
    public static final int WELCOME_TICK_RATE_OFFSET = 4;
    /** WELCOME: K, previous frames repeated in every FRAMES message. */
    public static final int WELCOME_REDUNDANCY_OFFSET = 5;
    /** WELCOME: largest input, bytes. */
    public static final int WELCOME_MAX_INPUT_OFFSET = 6;
    /** WELCOME: frames ahead of the next frame the server accepts inputs for. */
    public static final int WELCOME_INPUT_WINDOW_OFFSET = 7;
    /** WELCOME: room id u64. */
    public static final int WELCOME_ROOM_ID_OFFSET = 8;
    /** WELCOME: the frame the server closes next u32. */
    public static final int WELCOME_NEXT_FRAME_OFFSET = 16;
    /** WELCOME: the oldest frame the history still holds u32. */
    public static final int WELCOME_OLDEST_FRAME_OFFSET = 20;
    /** WELCOME: exact length. */
    public static final int WELCOME_LENGTH = 24;

    /** FRAMES and HISTORY: number of frames. */
    public static final int FRAMES_COUNT_OFFSET = 1;
    /** FRAMES: newest frame number; HISTORY: first (oldest) frame number. */
    public static final int FRAMES_FRAME_OFFSET = 2;
    /** FRAMES: highest frame with an input of this player received, {@link #NO_FRAME} for none. */
    public static final int FRAMES_INPUT_ACK_OFFSET = 6;
    /** FRAMES: header length. */
    public static final int FRAMES_HEADER_LENGTH = 10;
    /** HISTORY: header length. */
    public static final int HISTORY_HEADER_LENGTH = 6;
    /** FRAMES and HISTORY: the u16 length before each frame. */
    public static final int FRAME_LENGTH_PREFIX = 2;
    /** FRAMES and HISTORY: most frames in one message. */
    public static final int MAX_FRAMES_PER_MESSAGE = 255;

    /** Frame: entry count. */
    public static final int FRAME_ENTRIES_OFFSET = 0;
    /** Frame: entry count byte. */
    public static final int FRAME_HEADER_LENGTH = 1;
    /** Frame entry: slot u8, flags u8, length u8. */
    public static final int ENTRY_HEADER_LENGTH = 3;
    /** Frame entry flag: the player's own input for this frame arrived in time. */
    public static final int ENTRY_FLAG_INPUT = 0x01;
    /** Frame entry flag: the input is the player's last one, repeated because none arrived. */
    public static final int ENTRY_FLAG_REPEATED = 0x02;

    /** A u32 frame field meaning "none". */
    public static final long NO_FRAME = 0xFFFF_FFFFL;
    /** Largest frame number a client accepts (u32, minus the "none" value). */
    public static final long MAX_FRAME = NO_FRAME - 1;
    /**
     * Frames a frame-sync room closes at most: frames 0 to 2^31 − 1, then it closes
     * ({@link RoomCloseReason#FRAME_LIMIT}). Frame numbers on the wire are u32 and never wrap, and this limit keeps
     * them far from the wrap and from {@link #NO_FRAME}, and within a signed 32-bit int for clients in other
     * languages: 194 days at 128 Hz, 2.3 years at 30 Hz.
     */
    public static final long FRAME_LIMIT = 1L << 31;
    /** Most players in a room: slots are u8 and frames must fit a packet. */
    public static final int MAX_CAPACITY = 64;
    /** Largest input of one player for one frame (u8 length). */
    public static final int MAX_INPUT_BYTES = 255;

    private RoomMessageDescriptor()
    {
    }

    /**
     * Largest encoded frame of a room.
     *
     * @param capacity      player slots.
     * @param maxInputBytes largest input.
     * @return bytes.
     */
    public static int maxFrameLength(final int capacity, final int maxInputBytes)
    {
        return FRAME_HEADER_LENGTH + capacity * (ENTRY_HEADER_LENGTH + maxInputBytes);
    }
}
