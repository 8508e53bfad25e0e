package dev.skirmish.core.admission;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeLoadDetectorTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldStayOffAtOrBelowThreshold()
    {
        final HandshakeLoadDetector detector = new HandshakeLoadDetector(100 * MS, 10, 500 * MS);
        for (int window = 0; window < 5; window++)
        {
            for (int i = 0; i < 10; i++)
            {
                assertFalse(detector.onHandshake(window * 100 * MS + i * MS));
            }
        }
        assertEquals(10, detector.previousWindowCount());
    }

    @Test
    void shouldEngageAboveThresholdAndReleaseAfterHold()
    {
        final HandshakeLoadDetector detector = new HandshakeLoadDetector(100 * MS, 10, 500 * MS);
        final long startNs = -3 * MS;
        for (int i = 0; i < 10; i++)
        {
            assertFalse(detector.onHandshake(startNs + i));
        }
        assertTrue(detector.onHandshake(startNs + 10));
        assertTrue(detector.isUnderLoad(startNs + 10 + 500 * MS));
        assertFalse(detector.isUnderLoad(startNs + 11 + 500 * MS));
        assertFalse(detector.onHandshake(startNs + 600 * MS));
    }

    @Test
    void shouldExtendHoldWhileLoadContinues()
    {
        final HandshakeLoadDetector detector = new HandshakeLoadDetector(10 * MS, 5, 50 * MS);
        long nowNs = 0;
        for (int i = 0; i < 2_000; i++)
        {
            final boolean underLoad = detector.onHandshake(nowNs);
            if (i >= 6)
            {
                assertTrue(underLoad, "packet " + i);
            }
            nowNs += MS / 10;
        }
    }

    @Test
    void shouldRollWindowsAndForgetIdleOnes()
    {
        final HandshakeLoadDetector detector = new HandshakeLoadDetector(100 * MS, 1000, 0);
        detector.onHandshake(0);
        detector.onHandshake(50 * MS);
        detector.onHandshake(150 * MS);
        assertEquals(2, detector.previousWindowCount());
        assertEquals(1, detector.currentWindowCount());

        detector.onHandshake(450 * MS);
        assertEquals(0, detector.previousWindowCount());
        assertEquals(1, detector.currentWindowCount());
    }

    @Test
    void shouldEngageOnExternalSignal()
    {
        final HandshakeLoadDetector detector = new HandshakeLoadDetector(100 * MS, 1000, 20 * MS);
        assertFalse(detector.isUnderLoad(0));
        detector.signalLoad(5 * MS);
        assertTrue(detector.onHandshake(6 * MS));
        assertTrue(detector.isUnderLoad(25 * MS));
        assertFalse(detector.isUnderLoad(26 * MS));
    }

    @Test
    void shouldValidateConfiguration()
    {
        assertThrows(IllegalArgumentException.class, () -> new HandshakeLoadDetector(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeLoadDetector(1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeLoadDetector(1, 1, -1));
    }
}
