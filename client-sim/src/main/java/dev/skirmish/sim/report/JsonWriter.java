package dev.skirmish.sim.report;

import java.util.Locale;

/**
 * A small JSON writer for reports, pretty-printed or compact, so the tool needs no JSON library. Commas,
 * indentation and string escaping are handled here; the caller only has to nest objects and arrays correctly.
 * Not for hot paths: it builds a {@link String}.
 */
public final class JsonWriter
{
    private static final int MAX_DEPTH = 32;
    private static final String INDENT = "  ";

    private final StringBuilder out = new StringBuilder(1024);
    private final boolean[] hasElements = new boolean[MAX_DEPTH + 1];
    private final boolean pretty;
    private int depth;
    private boolean afterName;

    /**
     * A pretty-printing writer: one member or element per line, indented.
     */
    public JsonWriter()
    {
        this(true);
    }

    /**
     * A writer that pretty-prints, or writes everything on one line without spaces (for data embedded in a page).
     *
     * @param pretty true for one member or element per line.
     */
    public JsonWriter(final boolean pretty)
    {
        this.pretty = pretty;
    }

    /**
     * Open an object, as a value or at the top level.
     *
     * @return this.
     */
    public JsonWriter beginObject()
    {
        return open('{');
    }

    /**
     * Close the innermost object.
     *
     * @return this.
     */
    public JsonWriter endObject()
    {
        return close('}');
    }

    /**
     * Open an array, as a value.
     *
     * @return this.
     */
    public JsonWriter beginArray()
    {
        return open('[');
    }

    /**
     * Close the innermost array.
     *
     * @return this.
     */
    public JsonWriter endArray()
    {
        return close(']');
    }

    /**
     * Write the name of the next member of the current object.
     *
     * @param name member name, escaped here.
     * @return this.
     */
    public JsonWriter name(final String name)
    {
        beforeValue();
        quote(name, out);
        out.append(pretty ? ": " : ":");
        afterName = true;

        return this;
    }

    /**
     * Write a string value, or null.
     *
     * @param value to write, escaped here.
     * @return this.
     */
    public JsonWriter value(final String value)
    {
        beforeValue();
        if (null == value)
        {
            out.append("null");
        }
        else
        {
            quote(value, out);
        }

        return this;
    }

    /**
     * Write an integer value.
     *
     * @param value to write.
     * @return this.
     */
    public JsonWriter value(final long value)
    {
        beforeValue();
        out.append(value);

        return this;
    }

    /**
     * Write a boolean value.
     *
     * @param value to write.
     * @return this.
     */
    public JsonWriter value(final boolean value)
    {
        beforeValue();
        out.append(value);

        return this;
    }

    /**
     * Write a number with a fixed count of decimals; NaN and infinities, which JSON cannot hold, as null.
     *
     * @param value    to write.
     * @param decimals digits after the point.
     * @return this.
     */
    public JsonWriter value(final double value, final int decimals)
    {
        beforeValue();
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            out.append("null");
        }
        else
        {
            out.append(String.format(Locale.ROOT, "%." + decimals + "f", value));
        }

        return this;
    }

    /**
     * Write null.
     *
     * @return this.
     */
    public JsonWriter nullValue()
    {
        beforeValue();
        out.append("null");

        return this;
    }

    /**
     * The document written so far, with a trailing newline once the top level is closed.
     *
     * @return JSON text.
     */
    public String toString()
    {
        return depth == 0 && pretty ? out + "\n" : out.toString();
    }

    /**
     * Append a JSON string literal: quotes, backslashes and control characters escaped.
     *
     * @param value to quote.
     * @param out   to append to.
     */
    public static void quote(final String value, final StringBuilder out)
    {
        out.append('"');
        for (int i = 0, length = value.length(); i < length; i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;

                case '\\':
                    out.append("\\\\");
                    break;

                case '\n':
                    out.append("\\n");
                    break;

                case '\r':
                    out.append("\\r");
                    break;

                case '\t':
                    out.append("\\t");
                    break;

                case '\b':
                    out.append("\\b");
                    break;

                case '\f':
                    out.append("\\f");
                    break;

                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029')
                    {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private JsonWriter open(final char bracket)
    {
        if (depth == MAX_DEPTH)
        {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
        }

        beforeValue();
        out.append(bracket);
        depth++;
        hasElements[depth] = false;

        return this;
    }

    private JsonWriter close(final char bracket)
    {
        if (depth == 0 || afterName)
        {
            throw new IllegalStateException("unbalanced JSON at: " + out);
        }

        final boolean hadElements = hasElements[depth];
        depth--;
        if (hadElements)
        {
            newLine();
        }
        out.append(bracket);

        return this;
    }

    private void beforeValue()
    {
        if (afterName)
        {
            afterName = false;
            return;
        }

        if (depth > 0)
        {
            if (hasElements[depth])
            {
                out.append(',');
            }
            hasElements[depth] = true;
            newLine();
        }
    }

    private void newLine()
    {
        if (!pretty)
        {
            return;
        }
        out.append('\n');
        for (int i = 0; i < depth; i++)
        {
            out.append(INDENT);
        }
    }
}
