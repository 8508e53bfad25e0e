package dev.skirmish.sim.session;

import dev.skirmish.core.impair.ImpairmentProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImpairmentMixTest
{
    @Test
    void shouldTreatAPlainProfileAsOneGroupOfEveryBot()
    {
        final ImpairmentMix mix = ImpairmentMix.parse("4g,bw=2mbps");

        assertEquals(1, mix.groups());
        assertEquals(ImpairmentProfile.parse("4g,bw=2mbps"), mix.profile(0));
        assertEquals(1.0, mix.share(0));
        assertEquals(mix.profile(0).toString(), mix.toString());
        for (int i = 0; i < 7; i++)
        {
            assertEquals(mix.profile(0), mix.profileFor(i, 7));
        }
        assertEquals(ImpairmentMix.of(mix.profile(0)), mix);
        assertEquals(mix, ImpairmentMix.parse("100%=4g,bw=2mbps"));
    }

    @Test
    void shouldParseSharesAndPresetsWithItemsPerGroup()
    {
        final ImpairmentMix mix = ImpairmentMix.parse("70%=wifi| 30% = bad-4g,bw=1mbps,rebind=10s");

        assertEquals(2, mix.groups());
        assertEquals(ImpairmentProfile.WIFI, mix.profile(0));
        assertEquals(ImpairmentProfile.parse("bad-4g,bw=1mbps,rebind=10s"), mix.profile(1));
        assertTrue(mix.profile(1).isRebindEnabled());
        assertEquals(0.7, mix.share(0), 1e-12);
        assertEquals(0.3, mix.share(1), 1e-12);
    }

    @Test
    void shouldSplitEquallyWithoutShares()
    {
        final ImpairmentMix mix = ImpairmentMix.parse("none|lan|wifi");

        assertEquals(3, mix.groups());
        assertEquals(1.0 / 3, mix.share(1), 1e-12);
        assertEquals(3, mix.botsIn(0, 10));
        assertEquals(4, mix.botsIn(1, 10));
        assertEquals(3, mix.botsIn(2, 10));
        assertEquals(10, mix.botsIn(0, 10) + mix.botsIn(1, 10) + mix.botsIn(2, 10));
        assertEquals(333, mix.botsIn(0, 1000));
        assertEquals(334, mix.botsIn(1, 1000));
        assertEquals(333, mix.botsIn(2, 1000));
        assertEquals(ImpairmentMix.parse("wifi|4g"), ImpairmentMix.parse("50%=wifi|50%=4g"));
    }

    @Test
    void shouldAssignInProportionByIndex()
    {
        final ImpairmentMix mix = ImpairmentMix.parse("70%=wifi|30%=bad-4g");

        assertEquals(7, mix.botsIn(0, 10));
        assertEquals(3, mix.botsIn(1, 10));
        assertEquals(700, mix.botsIn(0, 1000));
        assertEquals(300, mix.botsIn(1, 1000));
        // contiguous: the first 7 of 10 are wifi
        for (int i = 0; i < 10; i++)
        {
            assertEquals(i < 7 ? 0 : 1, mix.groupOf(i, 10), "bot " + i);
        }
        assertEquals(ImpairmentProfile.BAD_4G, mix.profileFor(9, 10));

        final ImpairmentMix thirds = ImpairmentMix.parse("33%=none|33%=lan|34%=wifi");
        assertEquals(330, thirds.botsIn(0, 1000));
        assertEquals(330, thirds.botsIn(1, 1000));
        assertEquals(340, thirds.botsIn(2, 1000));
        assertEquals(10, thirds.botsIn(0, 10) + thirds.botsIn(1, 10) + thirds.botsIn(2, 10));
        assertEquals(0, ImpairmentMix.parse("1%=none|99%=lan").botsIn(0, 10), "1% of 10 bots rounds to none");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "70%=wifi|30%=bad-4g,bw=1mbps",
        "none|lan|wifi",
        "loss=5%,delay=10ms",
        "10%=none|20%=loss=20%|70%=4g,rebind=1s@500ms",
        "50%=none|50%=loss=20%" })
    void shouldRoundTripTheSpec(final String spec)
    {
        final ImpairmentMix mix = ImpairmentMix.parse(spec);

        assertEquals(mix, ImpairmentMix.parse(mix.toString()));
        assertEquals(mix.toString(), ImpairmentMix.parse(mix.toString()).toString());
    }

    @Test
    void shouldWriteSharesOnlyWhenTheyDiffer()
    {
        assertEquals("70%=delay=2ms|30%=bw=1mbps", ImpairmentMix.parse("70%=delay=2ms|30%=bw=1mbps").toString());
        assertEquals("loss=1%|none", ImpairmentMix.parse("50%=loss=1%|50%=none").toString());
        assertEquals("none", ImpairmentMix.parse("100%=none").toString());
        // presets are written out as their items, as ImpairmentProfile.toString() does
        assertEquals(ImpairmentProfile.WIFI + "|none", ImpairmentMix.parse("wifi|none").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "70%=wifi|wifi",
        "70%=wifi|20%=4g",
        "70%=wifi|40%=4g",
        "0%=wifi|100%=4g",
        "101%=wifi",
        "50%=wifi|50%=",
        "wifi|",
        "|wifi",
        "wifi|loss=200%",
        "50%=wifi|50%=nope" })
    void shouldRejectABadMix(final String spec)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> ImpairmentMix.parse(spec));
        assertTrue(null != ex.getMessage() && !ex.getMessage().isEmpty(), spec);
    }
}
