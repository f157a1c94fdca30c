package io.sluice.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates the configuration documentation from the keys of every module on the class path
 * ({@link ConfigRegistry}): the commented {@code conf/sluice-defaults.conf} and the configuration table of the
 * top-level {@code README.md}. Both files are checked against this generator by {@code ConfigDocsCompletenessTest} in
 * {@code submit} (the module that depends on every backend, so it sees every module's keys); after adding or changing a
 * key, regenerate them from the repository root with
 *
 * <pre>{@code
 * mvn -q -B -o -DskipTests package -pl submit -am && java -cp 'submit/target/*:submit/target/lib/*' io.sluice.conf.ConfigDocs .
 * }</pre>
 *
 * (Run from runtime's classes alone it would document runtime's keys only.)
 */
public final class ConfigDocs {
    /** The defaults file, relative to the repository root. */
    public static final String DEFAULTS_FILE = "conf/sluice-defaults.conf";
    /** The README, relative to the repository root, with the table between these two markers. */
    public static final String README_FILE = "README.md";
    public static final String TABLE_BEGIN = "<!-- sluice-config-table: generated from every module's keys by io.sluice.conf.ConfigDocs; do not edit -->";
    /** How to regenerate both files, for messages. */
    public static final String HOW_TO_REGENERATE = "mvn -q -B -o -DskipTests package -pl submit -am && "
            + "java -cp 'submit/target/*:submit/target/lib/*' io.sluice.conf.ConfigDocs .";
    public static final String TABLE_END = "<!-- /sluice-config-table -->";

    private static final int WRAP = 100;

    private ConfigDocs() {
    }

    /** {@link #defaultsFile(ConfigRegistry)} of the modules on this class path. */
    public static String defaultsFile() {
        return defaultsFile(ConfigRegistry.load());
    }

    /** The full text of {@code conf/sluice-defaults.conf}: every key commented out with its doc and default. */
    public static String defaultsFile(ConfigRegistry registry) {
        var sb = new StringBuilder();
        sb.append("""
                # Sluice configuration: every sluice.* key with its documentation and default value.
                #
                # Generated from the keys of every module by io.sluice.conf.ConfigDocs; do not edit by hand.
                # Copy this file, uncomment the keys to change, and load it with SluiceConf.loadDefaults(path):
                # keys set in code, with -Dsluice.*=... or on the command line take precedence over this file.
                # Format: one "key value" (or key=value) per line. Durations are written 200ms, 10s, 1min or 1h.
                """);
        for (ConfigRegistry.Module module : registry.modules()) {
            sb.append("\n# ======== ").append(module.name()).append('\n');
            for (ConfigKey<?> key : module.keys()) {
                appendDefaults(sb, key);
            }
        }
        return sb.toString();
    }

    private static void appendDefaults(StringBuilder sb, ConfigKey<?> key) {
        sb.append('\n');
        for (String line : wrap(doc(key), WRAP - 2)) {
            sb.append("# ").append(line).append('\n');
        }
        sb.append("# Type: ").append(typeName(key)).append(". Default: ")
                .append(key.defaultText().isEmpty() ? "(empty)" : key.defaultText()).append('\n');
        sb.append("#").append(key.name()).append(' ').append(key.defaultValue() == null ? "" : key.defaultText())
                .append('\n');
    }

    /** The key's documentation, plus its deprecated names. */
    static String doc(ConfigKey<?> key) {
        if (key.deprecatedNames().isEmpty()) {
            return key.doc();
        }
        return key.doc() + " Formerly " + String.join(", ", key.deprecatedNames())
                + " (still read, with a deprecation warning at start).";
    }

    /** {@link #markdownTable(ConfigRegistry)} of the modules on this class path. */
    public static String markdownTable() {
        return markdownTable(ConfigRegistry.load());
    }

    /** The Markdown table of every key (module, type, default, doc), including the begin and end markers. */
    public static String markdownTable(ConfigRegistry registry) {
        var sb = new StringBuilder();
        sb.append(TABLE_BEGIN).append('\n');
        sb.append("| key | module | type | default | description |\n");
        sb.append("|---|---|---|---|---|\n");
        for (ConfigRegistry.Module module : registry.modules()) {
            for (ConfigKey<?> key : module.keys()) {
                String def = key.defaultText();
                sb.append("| `").append(key.name()).append("` | ").append(module.name()).append(" | ").append(typeName(key))
                        .append(" | ").append(def.isEmpty() ? "(empty)" : "`" + def + "`").append(" | ")
                        .append(doc(key).replace("|", "\\|")).append(" |\n");
            }
        }
        sb.append(TABLE_END).append('\n');
        return sb.toString();
    }

    /** {@link #withTable(String, ConfigRegistry)} with the modules on this class path. */
    public static String withTable(String readme) {
        return withTable(readme, ConfigRegistry.load());
    }

    /** {@code readme} with the text between the markers (markers included) replaced by {@link #markdownTable}. */
    public static String withTable(String readme, ConfigRegistry registry) {
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
        return readme.substring(0, begin) + markdownTable(registry) + readme.substring(after);
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
    public static void write(Path root, ConfigRegistry registry) throws IOException {
        Path defaults = root.resolve(DEFAULTS_FILE);
        Files.createDirectories(defaults.getParent());
        Files.writeString(defaults, defaultsFile(registry), StandardCharsets.UTF_8);
        Path readme = root.resolve(README_FILE);
        Files.writeString(readme, withTable(Files.readString(readme, StandardCharsets.UTF_8), registry), StandardCharsets.UTF_8);
    }

    /** {@code ConfigDocs <repository root>}: regenerates both files. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        ConfigRegistry registry = ConfigRegistry.load(ConfigDocs.class.getClassLoader());
        if (registry.modules().size() == 1) {
            // run from runtime's classes alone: writing now would drop every backend's keys from both files
            System.err.println("ConfigDocs: only " + SluiceConf.MODULE + "'s keys are on this class path; nothing written. "
                    + "Run it with every module on the class path, from the repository root: " + HOW_TO_REGENERATE);
            System.exit(2);
        }
        write(root, registry);
        System.out.println("Wrote " + root.resolve(DEFAULTS_FILE) + " and the configuration table of "
                + root.resolve(README_FILE) + " with the keys of " + registry.modules().stream().map(ConfigRegistry.Module::name).toList()
                + " (run it with every module on the class path: " + HOW_TO_REGENERATE + ")");
    }
}
