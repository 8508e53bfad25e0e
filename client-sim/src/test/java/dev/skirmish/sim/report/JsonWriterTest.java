package dev.skirmish.sim.report;

import java.util.List;
import java.util.Map;

import dev.skirmish.sim.results.JsonReader;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonWriterTest
{
    @Test
    void shouldEscapeStringsSoTheyReadBackUnchanged()
    {
        final String nasty = "quote \" backslash \\ newline \n tab \t bell \u0007 nul \u0000 sep \u2028 unicode \u00e9";
        final String json = new JsonWriter().beginObject().name(nasty).value(nasty).endObject().toString();

        final Map<String, Object> parsed = JsonReader.parseObject(json);
        assertEquals(nasty, parsed.get(nasty));
    }

    @Test
    void shouldWriteNestedDocument()
    {
        final String json = new JsonWriter()
            .beginObject()
            .name("a").value(1)
            .name("b").value(2.25, 1)
            .name("c").beginArray().value("x").value("y").endArray()
            .name("d").beginArray().endArray()
            .name("e").beginObject().name("f").nullValue().name("g").value(Double.NaN, 1).endObject()
            .name("h").value((String)null)
            .endObject()
            .toString();

        final Map<String, Object> parsed = JsonReader.parseObject(json);
        assertEquals(1L, parsed.get("a"));
        assertEquals(2.3, (Double)parsed.get("b"), 0.0, json);
        assertEquals(List.of("x", "y"), parsed.get("c"));
        assertEquals(List.of(), parsed.get("d"));
        final Map<?, ?> nested = (Map<?, ?>)parsed.get("e");
        assertTrue(nested.containsKey("f") && null == nested.get("f"));
        assertTrue(nested.containsKey("g") && null == nested.get("g"), "NaN is written as null");
        assertEquals(null, parsed.get("h"));
    }

    @Test
    void shouldRefuseUnbalancedClose()
    {
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().name("a").endObject());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().endObject());
    }
}
