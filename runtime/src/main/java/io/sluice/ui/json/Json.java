package io.sluice.ui.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A small JSON writer (and reader, for tests and tools) over plain Java values, so the HTTP endpoints need no
 * serialization library.
 *
 * <p>Writing: {@code null}, {@link String}, {@link Character}, {@link Boolean}, {@link Number}, {@link Map} (keys
 * written with {@code toString()}, in the map's iteration order), {@link Collection}, arrays of objects, and
 * {@link Optional}/{@link OptionalLong}/{@link OptionalDouble}. An empty optional as a map value leaves the member
 * out (as Spark's REST API does with absent values); elsewhere it is {@code null}. Non-finite doubles are written
 * as {@code null}, since JSON has no NaN or infinity. Any other type is an {@link IllegalArgumentException}.
 *
 * <p>Reading: objects become {@link LinkedHashMap}s, arrays {@link ArrayList}s, numbers {@link Long} when integral
 * and in range, else {@link Double}.
 */
public final class Json {
    private Json() {
    }

    public static String write(Object value) {
        var out = new StringBuilder(256);
        writeValue(out, value);
        return out.toString();
    }

    private static boolean isAbsent(Object v) {
        return v instanceof Optional<?> o && o.isEmpty()
                || v instanceof OptionalLong l && l.isEmpty()
                || v instanceof OptionalDouble d && d.isEmpty();
    }

    private static void writeValue(StringBuilder out, Object v) {
        if (v == null || isAbsent(v)) {
            out.append("null");
        } else if (v instanceof Optional<?> o) {
            writeValue(out, o.get());
        } else if (v instanceof OptionalLong l) {
            out.append(l.getAsLong());
        } else if (v instanceof OptionalDouble d) {
            writeDouble(out, d.getAsDouble());
        } else if (v instanceof CharSequence || v instanceof Character) {
            writeString(out, v.toString());
        } else if (v instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (v instanceof Double || v instanceof Float) {
            writeDouble(out, ((Number) v).doubleValue());
        } else if (v instanceof Number n) {
            out.append(n); // Integer, Long, Short, Byte, BigInteger, BigDecimal: their toString is valid JSON
        } else if (v instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (var e : m.entrySet()) {
                if (isAbsent(e.getValue())) {
                    continue;
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString(out, String.valueOf(e.getKey()));
                out.append(':');
                writeValue(out, e.getValue());
            }
            out.append('}');
        } else if (v instanceof Collection<?> c) {
            writeArray(out, c);
        } else if (v instanceof Object[] a) {
            writeArray(out, List.of(a));
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON: " + v);
        }
    }

    private static void writeArray(StringBuilder out, Collection<?> c) {
        out.append('[');
        boolean first = true;
        for (Object o : c) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeValue(out, o);
        }
        out.append(']');
    }

    private static void writeDouble(StringBuilder out, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            out.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d).append(".0");
        } else {
            out.append(d); // Double.toString: digits, '.', optional 'E' exponent — valid JSON
        }
    }

    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // control characters must be escaped; U+2028/2029 too, so the output is safe inside <script>
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || c == '<' || c == '>' || c == '&') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Parses one JSON value; fails with the offset of the first error. */
    public static Object parse(String text) {
        var p = new Parser(text);
        p.skipWs();
        Object v = p.value();
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("trailing characters");
        }
        return v;
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
        }

        void skipWs() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos);
        }

        void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        Object value() {
            char c = peek();
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
            return v;
        }

        Map<String, Object> object() {
            expect('{');
            var m = new LinkedHashMap<String, Object>();
            skipWs();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipWs();
                String k = string();
                skipWs();
                expect(':');
                skipWs();
                if (m.put(k, value()) != null) {
                    throw error("duplicate member " + k);
                }
                skipWs();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return m;
                }
            }
        }

        List<Object> array() {
            expect('[');
            var l = new ArrayList<>();
            skipWs();
            if (peek() == ']') {
                pos++;
                return l;
            }
            while (true) {
                skipWs();
                l.add(value());
                skipWs();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return l;
                }
            }
        }

        String string() {
            expect('"');
            var b = new StringBuilder();
            while (true) {
                char c = peek();
                pos++;
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("unescaped control character");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = peek();
                pos++;
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        Number number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            String t = s.substring(start, pos);
            if (t.isEmpty()) {
                throw error("unexpected character '" + peek() + "'");
            }
            try {
                if (t.indexOf('.') < 0 && t.indexOf('e') < 0 && t.indexOf('E') < 0) {
                    return Long.parseLong(t);
                }
                return Double.parseDouble(t);
            } catch (NumberFormatException ex) {
                throw error("bad number " + t);
            }
        }
    }
}
