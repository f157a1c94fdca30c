package io.sluice.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes samples in the Prometheus text exposition format 0.0.4: per family one {@code # HELP} and one
 * {@code # TYPE} line, then one line per label set, {@code name{label="value",...} value}. Label names are sorted,
 * label values and help texts escaped as the format requires. Families appear in the order first seen.
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private PrometheusText() {
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** {@code name} with every character Prometheus does not allow replaced by {@code _}. */
    public static String sanitize(String name) {
        var b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
            b.append(ok ? c : '_');
        }
        return b.isEmpty() ? "_" : b.toString();
    }

    public static String write(List<Sample> samples) {
        var families = new LinkedHashMap<String, List<Sample>>();
        for (Sample s : samples) {
            families.computeIfAbsent(s.family(), f -> new java.util.ArrayList<>()).add(s);
        }
        var out = new StringBuilder(4096);
        for (var e : families.entrySet()) {
            Sample first = e.getValue().get(0);
            out.append("# HELP ").append(e.getKey()).append(' ').append(escapeHelp(first.help())).append('\n');
            out.append("# TYPE ").append(e.getKey()).append(' ').append(first.type().prometheusName()).append('\n');
            for (Sample s : e.getValue()) {
                out.append(e.getKey());
                Map<String, String> labels = new TreeMap<>(s.labels());
                if (!labels.isEmpty()) {
                    out.append('{');
                    boolean firstLabel = true;
                    for (var l : labels.entrySet()) {
                        if (!LABEL.matcher(l.getKey()).matches() || l.getKey().startsWith("__")) {
                            throw new IllegalArgumentException("not a valid Prometheus label name: " + l.getKey());
                        }
                        if (!firstLabel) {
                            out.append(',');
                        }
                        firstLabel = false;
                        out.append(l.getKey()).append("=\"").append(escapeLabelValue(l.getValue())).append('"');
                    }
                    out.append('}');
                }
                out.append(' ').append(formatValue(s.value())).append('\n');
            }
        }
        return out.toString();
    }

    static String formatValue(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "+Inf" : "-Inf";
            }
            return Double.toString(d);
        }
        return n.toString();
    }

    private static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String escapeLabelValue(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
