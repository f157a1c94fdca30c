package io.sluice.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates the configuration documentation from {@link SluiceConf#keys()}: the commented
 * {@code conf/sluice-defaults.conf} and the configuration table of the top-level {@code README.md}. Both files are
 * checked against this generator by {@code ConfigDocsTest}; after adding or changing a key, regenerate them with
 *
 * <pre>{@code
 * mvn -q -B -pl runtime compile && java -cp runtime/target/classes io.sluice.conf.ConfigDocs .
 * }</pre>
 */
public final class ConfigDocs {
    /** The defaults file, relative to the repository root. */
    public static final String DEFAULTS_FILE = "conf/sluice-defaults.conf";
    /** The README, relative to the repository root, with the table between these two markers. */
    public static final String README_FILE = "README.md";
    public static final String TABLE_BEGIN = "<!-- sluice-config-table: generated from SluiceConf.keys() by io.sluice.conf.ConfigDocs; do not edit -->";
    public static final String TABLE_END = "<!-- /sluice-config-table -->";

    private static final int WRAP = 100;

    private ConfigDocs() {
    }

    /** The full text of {@code conf/sluice-defaults.conf}: every key commented out with its doc and default. */
    public static String defaultsFile() {
        var sb = new StringBuilder();
        sb.append("""
                # Sluice configuration: every sluice.* key with its documentation and default value.
                #
                # Generated from io.sluice.conf.SluiceConf by io.sluice.conf.ConfigDocs; do not edit by hand.
                # Copy this file, uncomment the keys to change, and load it with SluiceConf.loadDefaults(path):
                # keys set in code, with -Dsluice.*=... or on the command line take precedence over this file.
                # Format: one "key value" (or key=value) per line. Durations are written 200ms, 10s, 1min or 1h.
                """);
        for (ConfigKey<?> key : SluiceConf.keys()) {
            sb.append('\n');
            for (String line : wrap(key.doc(), WRAP - 2)) {
                sb.append("# ").append(line).append('\n');
            }
            sb.append("# Type: ").append(typeName(key)).append(". Default: ")
                    .append(key.defaultText().isEmpty() ? "(empty)" : key.defaultText()).append('\n');
            sb.append("#").append(key.name()).append(' ').append(key.defaultValue() == null ? "" : key.defaultText())
                    .append('\n');
        }
        return sb.toString();
    }

    /** The Markdown table of every key, default and doc, including the begin and end markers. */
    public static String markdownTable() {
        var sb = new StringBuilder();
        sb.append(TABLE_BEGIN).append('\n');
        sb.append("| key | type | default | description |\n");
        sb.append("|---|---|---|---|\n");
        for (ConfigKey<?> key : SluiceConf.keys()) {
            String def = key.defaultText();
            sb.append("| `").append(key.name()).append("` | ").append(typeName(key)).append(" | ")
                    .append(def.isEmpty() ? "(empty)" : "`" + def + "`").append(" | ").append(key.doc().replace("|", "\\|")).append(" |\n");
        }
        sb.append(TABLE_END).append('\n');
        return sb.toString();
    }

    /** {@code readme} with the text between the markers (markers included) replaced by {@link #markdownTable()}. */
    public static String withTable(String readme) {
        int begin = readme.indexOf(TABLE_BEGIN);
        int end = readme.indexOf(TABLE_END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(README_FILE + " has no configuration table markers: add the lines\n"
                    + TABLE_BEGIN + "\n" + TABLE_END + "\nwhere the table belongs");
        }
        int after = end + TABLE_END.length();
        if (after < readme.length() && readme.charAt(after) == '\n') {
            after++;
        }
        return readme.substring(0, begin) + markdownTable() + readme.substring(after);
    }

    static String typeName(ConfigKey<?> key) {
        return switch (key.type().getSimpleName()) {
            case "String" -> "string";
            case "Integer" -> "int";
            case "Long" -> "long";
            case "Boolean" -> "boolean";
            case "Double" -> "double";
            case "Duration" -> "duration";
            default -> key.type().getSimpleName();
        };
    }

    private static List<String> wrap(String text, int width) {
        var lines = new ArrayList<String>();
        var line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** Rewrites {@value #DEFAULTS_FILE} and the table in {@value #README_FILE} under the given repository root. */
    public static void write(Path root) throws IOException {
        Path defaults = root.resolve(DEFAULTS_FILE);
        Files.createDirectories(defaults.getParent());
        Files.writeString(defaults, defaultsFile(), StandardCharsets.UTF_8);
        Path readme = root.resolve(README_FILE);
        Files.writeString(readme, withTable(Files.readString(readme, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /** {@code ConfigDocs <repository root>}: regenerates both files. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        write(root);
        System.out.println("Wrote " + root.resolve(DEFAULTS_FILE) + " and the configuration table of "
                + root.resolve(README_FILE));
    }
}
