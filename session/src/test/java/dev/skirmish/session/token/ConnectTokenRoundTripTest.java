package dev.skirmish.session.token;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.skirmish.session.token.TokenFixtures.CLIENT_ID;
import static dev.skirmish.session.token.TokenFixtures.CREATE_TIME_MS;
import static dev.skirmish.session.token.TokenFixtures.KEY;
import static dev.skirmish.session.token.TokenFixtures.PROTOCOL_ID;
import static dev.skirmish.session.token.TokenFixtures.ROOM_ID;
import static dev.skirmish.session.token.TokenFixtures.SERVERS;
import static dev.skirmish.session.token.TokenFixtures.SERVER_V4;
import static dev.skirmish.session.token.TokenFixtures.SERVER_V6;
import static dev.skirmish.session.token.TokenFixtures.TIMEOUT_SECONDS;
import static dev.skirmish.session.token.TokenFixtures.USER_DATA;
import static dev.skirmish.session.token.TokenFixtures.address;
import static dev.skirmish.session.token.TokenFixtures.deterministicRandom;
import static dev.skirmish.session.token.TokenFixtures.hex;
import static dev.skirmish.session.token.TokenFixtures.serverPart;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectTokenRoundTripTest
{
    private static final long LIFETIME_MS = 30_000;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final ConnectTokenGenerator generator =
        new ConnectTokenGenerator(KEY, PROTOCOL_ID, clock, deterministicRandom(7));
    private final ConnectTokenDecoder decoder = new ConnectTokenDecoder(KEY, PROTOCOL_ID);

    ConnectTokenRoundTripTest()
    {
        clock.update(CREATE_TIME_MS);
    }

    @Test
    void shouldRoundTripEveryFieldThroughGenerateAndDecode()
    {
        final ConnectToken token = generate(SERVERS, TIMEOUT_SECONDS, LIFETIME_MS, USER_DATA);

        assertEquals(PROTOCOL_ID, token.protocolId());
        assertEquals(CREATE_TIME_MS, token.createTimeMs());
        assertEquals(CREATE_TIME_MS + LIFETIME_MS, token.expireTimeMs());
        assertEquals(TIMEOUT_SECONDS, token.timeoutSeconds());
        assertEquals(SERVERS, token.serverAddresses());

        final byte[] serverPart = serverPart(token);
        assertEquals(TokenCheck.VALID, decoder.decodeServerPart(serverPart, 0, serverPart.length, CREATE_TIME_MS));
        assertDecodedEquals(token, USER_DATA);

        assertEquals(TokenCheck.VALID, decoder.decode(
            token.sealedPrivatePart(), 0, ConnectTokenDescriptor.SEALED_LENGTH,
            token.protocolId(), token.expireTimeMs(), token.nonce(), 0, CREATE_TIME_MS));
        assertDecodedEquals(token, USER_DATA);
    }

    @Test
    void shouldDecodeServerPartAtAnOffsetInsideALargerBuffer()
    {
        final ConnectToken token = generator.generate(CLIENT_ID, ROOM_ID, SERVERS, TIMEOUT_SECONDS, LIFETIME_MS, null);
        final byte[] datagram = new byte[1200];
        Arrays.fill(datagram, (byte)0x5A);
        token.getServerPart(datagram, 8);

        assertEquals(TokenCheck.VALID,
            decoder.decodeServerPart(datagram, 8, ConnectTokenDescriptor.SERVER_PART_LENGTH, CREATE_TIME_MS));
        assertDecodedEquals(token, new byte[0]);
    }

    @Test
    void shouldRoundTripPublicTokenBytes()
    {
        final ConnectToken token = generate(SERVERS, TIMEOUT_SECONDS, LIFETIME_MS, USER_DATA);
        final byte[] bytes = token.toBytes();
        assertEquals(ConnectTokenDescriptor.PUBLIC_TOKEN_LENGTH, bytes.length);

        final ConnectToken parsed = ConnectToken.parse(bytes);
        assertEquals(token.protocolId(), parsed.protocolId());
        assertEquals(token.createTimeMs(), parsed.createTimeMs());
        assertEquals(token.expireTimeMs(), parsed.expireTimeMs());
        assertEquals(token.timeoutSeconds(), parsed.timeoutSeconds());
        assertEquals(token.serverAddresses(), parsed.serverAddresses());
        assertArrayEquals(token.nonce(), parsed.nonce());
        assertArrayEquals(token.sealedPrivatePart(), parsed.sealedPrivatePart());
        assertArrayEquals(token.clientToServerKey(), parsed.clientToServerKey());
        assertArrayEquals(token.serverToClientKey(), parsed.serverToClientKey());
        assertArrayEquals(bytes, parsed.toBytes());
        assertArrayEquals(Arrays.copyOf(bytes, ConnectTokenDescriptor.SERVER_PART_LENGTH), serverPart(parsed));
    }

    @Test
    void shouldCarryEightMixedAddressesAndFullUserData()
    {
        final List<InetSocketAddress> servers = new ArrayList<>();
        for (int i = 0; i < ConnectTokenDescriptor.MAX_SERVER_ADDRESSES; i++)
        {
            servers.add(i % 2 == 0 ? address("198.51.100." + i, 1 + i) : address("2001:db8::" + i, 65535 - i));
        }
        final byte[] userData = TokenFixtures.sequence(0x80, ConnectTokenDescriptor.MAX_USER_DATA_LENGTH);
        final ConnectToken token = generator.generate(
            -1L, Long.MIN_VALUE, servers, ConnectTokenDescriptor.MAX_TIMEOUT_SECONDS, LIFETIME_MS, userData);

        final byte[] serverPart = serverPart(token);
        assertEquals(TokenCheck.VALID, decoder.decodeServerPart(serverPart, 0, serverPart.length, CREATE_TIME_MS));
        assertEquals(-1L, decoder.clientId());
        assertEquals(Long.MIN_VALUE, decoder.roomId());
        assertDecodedEquals(token, userData);
        assertEquals(servers, ConnectToken.parse(token.toBytes()).serverAddresses());
    }

    @Test
    void shouldUseFreshNonceAndSessionKeysForEveryToken()
    {
        final ConnectToken first = generator.generate(CLIENT_ID, ROOM_ID, SERVERS, TIMEOUT_SECONDS, LIFETIME_MS, null);
        final ConnectToken second = generator.generate(CLIENT_ID, ROOM_ID, SERVERS, TIMEOUT_SECONDS, LIFETIME_MS, null);

        assertNotEquals(hex(first.nonce()), hex(second.nonce()));
        assertNotEquals(hex(first.clientToServerKey()), hex(second.clientToServerKey()));
        assertNotEquals(hex(first.serverToClientKey()), hex(second.serverToClientKey()));
        assertNotEquals(hex(first.clientToServerKey()), hex(first.serverToClientKey()));
    }

    @Test
    void shouldAcceptUntilExpiryInclusiveAndRejectOneMillisecondLater()
    {
        final ConnectToken token = generator.generate(CLIENT_ID, ROOM_ID, SERVERS, TIMEOUT_SECONDS, LIFETIME_MS, null);
        final byte[] serverPart = serverPart(token);
        final long expiry = token.expireTimeMs();

        assertEquals(TokenCheck.VALID, decoder.decodeServerPart(serverPart, 0, serverPart.length, expiry));
        assertEquals(TokenCheck.EXPIRED, decoder.decodeServerPart(serverPart, 0, serverPart.length, expiry + 1));
    }

    @Test
    void shouldRejectOutOfRangeGeneratorInputs()
    {
        final List<InetSocketAddress> nine = new ArrayList<>();
        for (int i = 0; i < 9; i++)
        {
            nine.add(address("198.51.100." + i, 7777));
        }

        assertThrows(IllegalArgumentException.class, () -> generate(List.of(), TIMEOUT_SECONDS, LIFETIME_MS, null));
        assertThrows(IllegalArgumentException.class, () -> generate(nine, TIMEOUT_SECONDS, LIFETIME_MS, null));
        assertThrows(IllegalArgumentException.class, () -> generate(
            List.of(InetSocketAddress.createUnresolved("game.example", 7777)), TIMEOUT_SECONDS, LIFETIME_MS, null));
        assertThrows(IllegalArgumentException.class, () -> generate(
            List.of(address("203.0.113.7", 0)), TIMEOUT_SECONDS, LIFETIME_MS, null));
        assertThrows(IllegalArgumentException.class, () -> generate(SERVERS, 0, LIFETIME_MS, null));
        assertThrows(IllegalArgumentException.class, () -> generate(SERVERS, 3601, LIFETIME_MS, null));
        assertThrows(IllegalArgumentException.class, () -> generate(SERVERS, TIMEOUT_SECONDS, 0, null));
        assertThrows(
            IllegalArgumentException.class, () -> generate(SERVERS, TIMEOUT_SECONDS, LIFETIME_MS, new byte[257]));
    }

    @Test
    void shouldRejectMalformedPublicTokenOnParse()
    {
        final byte[] bytes = generate(SERVERS, TIMEOUT_SECONDS, LIFETIME_MS, null).toBytes();

        assertThrows(IllegalArgumentException.class, () -> ConnectToken.parse(Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> ConnectToken.parse(Arrays.copyOf(bytes, bytes.length + 1)));
        assertThrows(IllegalArgumentException.class, () -> ConnectToken.parse(null));

        final byte[] badVersion = bytes.clone();
        badVersion[7] = '2';
        assertThrows(IllegalArgumentException.class, () -> ConnectToken.parse(badVersion));

        final byte[] badCount = bytes.clone();
        badCount[ConnectTokenDescriptor.PUBLIC_ADDRESS_COUNT_OFFSET] = 9;
        assertThrows(IllegalArgumentException.class, () -> ConnectToken.parse(badCount));

        final byte[] badTimeout = bytes.clone();
        TokenFixtures.putU32(badTimeout, ConnectTokenDescriptor.PUBLIC_TIMEOUT_OFFSET, 0);
        assertThrows(IllegalArgumentException.class, () -> ConnectToken.parse(badTimeout));

        final byte[] badReserved = bytes.clone();
        badReserved[ConnectTokenDescriptor.PUBLIC_RESERVED_OFFSET] = 1;
        assertThrows(IllegalArgumentException.class, () -> ConnectToken.parse(badReserved));
    }

    @Test
    void shouldNotPrintSessionKeys()
    {
        final ConnectToken token = generator.generate(CLIENT_ID, ROOM_ID, SERVERS, TIMEOUT_SECONDS, LIFETIME_MS, null);
        final String text = token.toString();

        assertFalse(text.contains(hex(token.clientToServerKey()).substring(0, 8)), text);
        assertTrue(text.contains("203.0.113.7"), text);
    }

    private ConnectToken generate(
        final List<InetSocketAddress> servers, final int timeoutSeconds, final long lifetimeMs, final byte[] userData)
    {
        return generator.generate(CLIENT_ID, ROOM_ID, servers, timeoutSeconds, lifetimeMs, userData);
    }

    private void assertDecodedEquals(final ConnectToken token, final byte[] userData)
    {
        assertTrue(decoder.isValid());
        if (token.serverAddresses().equals(SERVERS))
        {
            assertEquals(CLIENT_ID, decoder.clientId());
            assertEquals(ROOM_ID, decoder.roomId());
            assertTrue(decoder.validFor(SERVER_V4));
            assertTrue(decoder.validFor(SERVER_V6));
        }
        assertEquals(token.timeoutSeconds(), decoder.timeoutSeconds());
        assertEquals(token.expireTimeMs(), decoder.expireTimeMs());

        final List<InetSocketAddress> decoded = new ArrayList<>();
        for (int i = 0; i < decoder.serverAddressCount(); i++)
        {
            decoded.add(decoder.serverAddress(i));
        }
        assertEquals(token.serverAddresses(), decoded);

        final byte[] key = new byte[ConnectTokenDescriptor.KEY_LENGTH];
        decoder.getClientToServerKey(key, 0);
        assertArrayEquals(token.clientToServerKey(), key);
        decoder.getServerToClientKey(key, 0);
        assertArrayEquals(token.serverToClientKey(), key);

        final byte[] decodedUserData = new byte[decoder.userDataLength()];
        assertEquals(userData.length, decoder.getUserData(decodedUserData, 0));
        assertArrayEquals(userData, decodedUserData);

        final byte[] tag = new byte[ConnectTokenDescriptor.TAG_LENGTH];
        decoder.getTag(tag, 0);
        final byte[] sealed = token.sealedPrivatePart();
        final int tagOffset = ConnectTokenDescriptor.PRIVATE_PLAINTEXT_LENGTH;
        assertArrayEquals(Arrays.copyOfRange(sealed, tagOffset, sealed.length), tag);
    }
}
