package dev.skirmish.session.protect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AeadSuiteTest
{
    @Test
    void shouldDefaultToChaCha20Poly1305()
    {
        assertEquals(AeadSuite.CHACHA20_POLY1305, AeadSuite.DEFAULT);
        assertFalse(AeadSuite.DEFAULT.usesJdkCipher(), "our allocation-free engine, not the JDK's");
        assertEquals(32, AeadSuite.DEFAULT.keyLength());
    }

    @ParameterizedTest
    @EnumSource(AeadSuite.class)
    void shouldBeOfferedByTheJdk(final AeadSuite suite)
    {
        assertNotNull(suite.newCipher().getProvider());
        suite.isHardwareAccelerated();  // must answer, whatever the CPU
    }

    @Test
    void shouldReportOurChaChaConstantTimeWhateverTheCpu()
    {
        assertTrue(AeadSuite.CHACHA20_POLY1305.isConstantTime());
        assertFalse(AeadSuite.CHACHA20_POLY1305.usesJdkCipher());
        assertTrue(AeadSuite.AES_256_GCM.usesJdkCipher());
        assertEquals(AeadSuite.AES_256_GCM.isHardwareAccelerated(), AeadSuite.AES_256_GCM.isConstantTime());
    }

    @Test
    void shouldReportChaChaUnacceleratedBeforeJdk20()
    {
        if (Runtime.version().feature() < 20)
        {
            assertFalse(AeadSuite.CHACHA20_POLY1305.isHardwareAccelerated());
        }
    }
}
