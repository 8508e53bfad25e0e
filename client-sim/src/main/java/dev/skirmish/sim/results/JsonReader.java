package dev.skirmish.sim.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict little JSON parser for reading {@code summary.json} back, so the tool needs no JSON library. Objects
 * become {@link LinkedHashMap} (member order kept), arrays {@link ArrayList}, numbers {@link Long} when integral
 * and {@link Double} otherwise, {@code null} stays null.
 */
public final class JsonReader
{
    private static final int MAX_DEPTH = 64;

    private final String text;
    private int position;
    private int depth;

    private JsonReader(final String text)
    {
        this.text = text;
    }

    /**
     * Parse one JSON document.
     *
     * @param text the document.
     * @return its value.
     * @throws IllegalArgumentException naming the offset when the text is not JSON.
     */
    public static Object parse(final String text)
    {
        final JsonReader reader = new JsonReader(text);
        final Object value = reader.value();
        reader.skipWhitespace();
        if (reader.position != text.length())
        {
            throw reader.error("trailing characters");
        }

        return value;
    }

    /**
     * Parse a document whose top level must be an object.
     *
     * @param text the document.
     * @return the object.
     * @throws IllegalArgumentException when the text is not JSON or not an object.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(final String text)
    {
        final Object value = parse(text);
        if (!(value instanceof Map))
        {
            throw new IllegalArgumentException("not a JSON object");
        }

        return (Map<String, Object>)value;
    }

    private Object value()
    {
        skipWhitespace();
        if (position >= text.length())
        {
            throw error("unexpected end");
        }

        final char c = text.charAt(position);
        switch (c)
        {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private Map<String, Object> object()
    {
        enter();
        final Map<String, Object> object = new LinkedHashMap<>();
        position++;
        skipWhitespace();
        if (peek() == '}')
        {
            position++;
            depth--;
            return object;
        }
        while (true)
        {
            skipWhitespace();
            if (peek() != '"')
            {
                throw error("expected a member name");
            }
            final String name = string();
            skipWhitespace();
            expect(':');
            object.put(name, value());
            skipWhitespace();
            if (peek() == ',')
            {
                position++;
            }
            else
            {
                expect('}');
                depth--;
                return object;
            }
        }
    }

    private List<Object> array()
    {
        enter();
        final List<Object> array = new ArrayList<>();
        position++;
        skipWhitespace();
        if (peek() == ']')
        {
            position++;
            depth--;
            return array;
        }
        while (true)
        {
            array.add(value());
            skipWhitespace();
            if (peek() == ',')
            {
                position++;
            }
            else
            {
                expect(']');
                depth--;
                return array;
            }
        }
    }

    private String string()
    {
        position++;
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            if (position >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(position++);
            if (c == '"')
            {
                return sb.toString();
            }
            if (c < 0x20)
            {
                throw error("control character in string");
            }
            if (c != '\\')
            {
                sb.append(c);
                continue;
            }
            if (position >= text.length())
            {
                throw error("unterminated escape");
            }
            final char escaped = text.charAt(position++);
            switch (escaped)
            {
                case '"':
                case '\\':
                case '/':
                    sb.append(escaped);
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'u':
                    if (position + 4 > text.length())
                    {
                        throw error("short \\u escape");
                    }
                    try
                    {
                        sb.append((char)Integer.parseInt(text.substring(position, position + 4), 16));
                    }
                    catch (final NumberFormatException ex)
                    {
                        throw error("bad \\u escape");
                    }
                    position += 4;
                    break;
                default:
                    throw error("bad escape \\" + escaped);
            }
        }
    }

    private Object number()
    {
        final int start = position;
        boolean integral = true;
        while (position < text.length())
        {
            final char c = text.charAt(position);
            if (c == '.' || c == 'e' || c == 'E')
            {
                integral = false;
            }
            else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9')))
            {
                break;
            }
            position++;
        }
        if (start == position)
        {
            throw error("unexpected character '" + text.charAt(position) + "'");
        }

        final String number = text.substring(start, position);
        try
        {
            if (integral)
            {
                return Long.parseLong(number);
            }
            return Double.parseDouble(number);
        }
        catch (final NumberFormatException ex)
        {
            position = start;
            throw error("bad number '" + number + "'");
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, position))
        {
            throw error("unexpected character '" + text.charAt(position) + "'");
        }
        position += word.length();

        return value;
    }

    private void enter()
    {
        if (++depth > MAX_DEPTH)
        {
            throw error("nested deeper than " + MAX_DEPTH);
        }
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("expected '" + c + "'");
        }
        position++;
    }

    private char peek()
    {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void skipWhitespace()
    {
        while (position < text.length() && Character.isWhitespace(text.charAt(position)))
        {
            position++;
        }
    }

    private IllegalArgumentException error(final String message)
    {
        return new IllegalArgumentException(message + " at offset " + position);
    }
}
