package dev.skirmish.session.room;

import io.netty.buffer.ByteBuf;

import static dev.skirmish.session.room.RoomMessageDescriptor.ENTRY_FLAG_INPUT;
import static dev.skirmish.session.room.RoomMessageDescriptor.ENTRY_FLAG_REPEATED;
import static dev.skirmish.session.room.RoomMessageDescriptor.ENTRY_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.FRAME_HEADER_LENGTH;
import static dev.skirmish.session.room.RoomMessageDescriptor.MAX_CAPACITY;

/**
 * Flyweight over one encoded frame: the players present in it (ascending slots) with their input for the frame.
 * {@link #wrap} validates the whole frame first: hostile or corrupt bytes give false, never an exception.
 *
 * <pre>
 *   0   entries n u8
 *   1   n x entry:  slot u8 | flags u8 (bit 0 INPUT, bit 1 REPEATED, others 0) | length L u8 | L input bytes
 * </pre>
 * On a client the view also says when the frame arrived, whether it carries this client's own input and when that
 * input was first sent (input-to-frame latency). Valid only during the callback it is given to; reused.
 */
public final class FrameView
{
    private final int[] entryOffsets = new int[MAX_CAPACITY];
    private ByteBuf buffer;
    private int offset;
    private int length;
    private int entries;
    private long frame = -1;
    private int ownSlot = -1;
    private long receivedNs = -1;
    private long inputSentNs = -1;

    /**
     * Wrap and validate a frame.
     *
     * @param frame  its number.
     * @param buffer holding it.
     * @param offset of its first byte.
     * @param length of the frame, bytes.
     * @return true if it is well formed; false leaves the view empty.
     */
    public boolean wrap(final long frame, final ByteBuf buffer, final int offset, final int length)
    {
        entries = 0;
        this.buffer = buffer;
        this.offset = offset;
        this.length = 0;
        this.frame = frame;
        if (length < FRAME_HEADER_LENGTH)
        {
            return false;
        }
        final int count = buffer.getUnsignedByte(offset);
        if (count > MAX_CAPACITY)
        {
            return false;
        }
        final int end = offset + length;
        int position = offset + FRAME_HEADER_LENGTH;
        int previousSlot = -1;
        for (int i = 0; i < count; i++)
        {
            if (end - position < ENTRY_HEADER_LENGTH)
            {
                return false;
            }
            final int slot = buffer.getUnsignedByte(position);
            final int flags = buffer.getUnsignedByte(position + 1);
            final int inputLength = buffer.getUnsignedByte(position + 2);
            if (slot >= MAX_CAPACITY || slot <= previousSlot ||
                0 != (flags & ~(ENTRY_FLAG_INPUT | ENTRY_FLAG_REPEATED)) ||
                end - position - ENTRY_HEADER_LENGTH < inputLength)
            {
                return false;
            }
            entryOffsets[i] = position;
            previousSlot = slot;
            position += ENTRY_HEADER_LENGTH + inputLength;
        }
        if (position != end)
        {
            return false;
        }
        entries = count;
        this.length = length;
        return true;
    }

    void clientContext(final int ownSlot, final long receivedNs, final long inputSentNs)
    {
        this.ownSlot = ownSlot;
        this.receivedNs = receivedNs;
        this.inputSentNs = inputSentNs;
    }

    /**
     * @return the frame number.
     */
    public long frame()
    {
        return frame;
    }

    /**
     * @return players in the frame.
     */
    public int entryCount()
    {
        return entries;
    }

    /**
     * @param index 0 to {@link #entryCount()} - 1.
     * @return the player's slot.
     */
    public int slot(final int index)
    {
        return buffer.getUnsignedByte(entryOffsets[index]);
    }

    /**
     * @param index 0 to {@link #entryCount()} - 1.
     * @return entry flags ({@link RoomMessageDescriptor#ENTRY_FLAG_INPUT},
     * {@link RoomMessageDescriptor#ENTRY_FLAG_REPEATED}).
     */
    public int flags(final int index)
    {
        return buffer.getUnsignedByte(entryOffsets[index] + 1);
    }

    /**
     * @param index 0 to {@link #entryCount()} - 1.
     * @return true if the player's own input for this frame arrived in time.
     */
    public boolean hasInput(final int index)
    {
        return 0 != (flags(index) & ENTRY_FLAG_INPUT);
    }

    /**
     * @param index 0 to {@link #entryCount()} - 1.
     * @return true if the input is the player's previous one, repeated.
     */
    public boolean isRepeated(final int index)
    {
        return 0 != (flags(index) & ENTRY_FLAG_REPEATED);
    }

    /**
     * @param index 0 to {@link #entryCount()} - 1.
     * @return input length, 0 to 255.
     */
    public int inputLength(final int index)
    {
        return buffer.getUnsignedByte(entryOffsets[index] + 2);
    }

    /**
     * @param index 0 to {@link #entryCount()} - 1.
     * @return offset of the input in {@link #buffer()}.
     */
    public int inputOffset(final int index)
    {
        return entryOffsets[index] + ENTRY_HEADER_LENGTH;
    }

    /**
     * @param slot a player slot.
     * @return the index of its entry, or -1 if it is not in the frame.
     */
    public int indexOfSlot(final int slot)
    {
        for (int i = 0; i < entries; i++)
        {
            if (slot(i) == slot)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return the buffer holding the frame (read only during the callback).
     */
    public ByteBuf buffer()
    {
        return buffer;
    }

    /**
     * @return offset of the encoded frame in {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return length of the encoded frame: every player sees the same bytes for the same frame.
     */
    public int length()
    {
        return length;
    }

    /**
     * Client side: does this frame carry this client's own input (it arrived before the frame closed)?
     *
     * @return false on the server or before the client knows its slot.
     */
    public boolean carriesOwnInput()
    {
        if (ownSlot < 0)
        {
            return false;
        }
        final int index = indexOfSlot(ownSlot);
        return index >= 0 && hasInput(index);
    }

    /**
     * Client side: when the message that first carried this frame arrived (it may be delivered later, after a gap
     * before it was filled).
     *
     * @return ns on the client's clock; -1 on the server.
     */
    public long receivedNs()
    {
        return receivedNs;
    }

    /**
     * Client side: when this client first sent its input for this frame; with {@link #receivedNs()} the
     * input-to-frame latency when {@link #carriesOwnInput()}.
     *
     * @return ns on the client's clock, or -1 if it sent none (or it is no longer remembered).
     */
    public long inputSentNs()
    {
        return inputSentNs;
    }
}
