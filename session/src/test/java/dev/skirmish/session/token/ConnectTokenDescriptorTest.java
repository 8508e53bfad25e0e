package dev.skirmish.session.token;

import org.junit.jupiter.api.Test;

import static dev.skirmish.session.token.ConnectTokenDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ConnectTokenDescriptorTest
{
    @Test
    void shouldLayOutThePublicTokenWithoutGapsOrOverlaps()
    {
        assertEquals(VERSION_INFO_LENGTH, VERSION_INFO_BYTES.length);
        assertEquals(VERSION_INFO_OFFSET + VERSION_INFO_LENGTH, PROTOCOL_ID_OFFSET);
        assertEquals(PROTOCOL_ID_OFFSET + Long.BYTES, EXPIRE_TIME_OFFSET);
        assertEquals(EXPIRE_TIME_OFFSET + Long.BYTES, ASSOCIATED_DATA_LENGTH);
        assertEquals(ASSOCIATED_DATA_LENGTH, NONCE_OFFSET);
        assertEquals(NONCE_OFFSET + NONCE_LENGTH, SEALED_OFFSET);
        assertEquals(SEALED_OFFSET + SEALED_LENGTH, SERVER_PART_LENGTH);
        assertEquals(SERVER_PART_LENGTH, CREATE_TIME_OFFSET);
        assertEquals(CREATE_TIME_OFFSET + Long.BYTES, PUBLIC_TIMEOUT_OFFSET);
        assertEquals(PUBLIC_TIMEOUT_OFFSET + Integer.BYTES, PUBLIC_ADDRESS_COUNT_OFFSET);
        assertEquals(PUBLIC_ADDRESS_COUNT_OFFSET + 1, PUBLIC_RESERVED_OFFSET);
        assertEquals(PUBLIC_RESERVED_OFFSET + PUBLIC_RESERVED_LENGTH, PUBLIC_ADDRESSES_OFFSET);
        assertEquals(PUBLIC_ADDRESSES_OFFSET + ADDRESS_SLOTS_LENGTH, PUBLIC_CLIENT_TO_SERVER_KEY_OFFSET);
        assertEquals(PUBLIC_CLIENT_TO_SERVER_KEY_OFFSET + KEY_LENGTH, PUBLIC_SERVER_TO_CLIENT_KEY_OFFSET);
        assertEquals(PUBLIC_SERVER_TO_CLIENT_KEY_OFFSET + KEY_LENGTH, PUBLIC_TOKEN_LENGTH);
        assertEquals(1300, PUBLIC_TOKEN_LENGTH);
        assertEquals(1060, SERVER_PART_LENGTH);
    }

    @Test
    void shouldLayOutThePrivatePartWithoutGapsOrOverlaps()
    {
        assertEquals(CLIENT_ID_OFFSET + Long.BYTES, ROOM_ID_OFFSET);
        assertEquals(ROOM_ID_OFFSET + Long.BYTES, TIMEOUT_OFFSET);
        assertEquals(TIMEOUT_OFFSET + Integer.BYTES, ADDRESS_COUNT_OFFSET);
        assertEquals(ADDRESS_COUNT_OFFSET + 1, RESERVED_OFFSET);
        assertEquals(RESERVED_OFFSET + 1, USER_DATA_LENGTH_OFFSET);
        assertEquals(USER_DATA_LENGTH_OFFSET + Short.BYTES, ADDRESSES_OFFSET);
        assertEquals(ADDRESSES_OFFSET + ADDRESS_SLOTS_LENGTH, CLIENT_TO_SERVER_KEY_OFFSET);
        assertEquals(CLIENT_TO_SERVER_KEY_OFFSET + KEY_LENGTH, SERVER_TO_CLIENT_KEY_OFFSET);
        assertEquals(SERVER_TO_CLIENT_KEY_OFFSET + KEY_LENGTH, USER_DATA_OFFSET);
        assertEquals(USER_DATA_OFFSET + MAX_USER_DATA_LENGTH, PADDING_OFFSET);
        assertEquals(1008, PRIVATE_PLAINTEXT_LENGTH);
        assertEquals(PRIVATE_PLAINTEXT_LENGTH + TAG_LENGTH, SEALED_LENGTH);
        assertEquals(ADDRESS_BYTES_OFFSET + ADDRESS_BYTES_LENGTH, ADDRESS_SLOT_LENGTH);
        assertEquals(ADDRESS_PORT_OFFSET + Short.BYTES, ADDRESS_BYTES_OFFSET);
    }
}
