package io.sluice.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The generator of {@code conf/sluice-defaults.conf} and README's configuration table, with runtime's keys. That both
 * files hold exactly the keys of every module is checked where every module is on the class path:
 * {@code ConfigDocsCompletenessTest} in {@code submit}.
 */
class ConfigDocsTest {
    private static final String HOW_TO_FIX = "lacks runtime's keys; regenerate it from the repository root with: "
            + ConfigDocs.HOW_TO_REGENERATE;

    @Test
    void defaultsFileAndReadmeListEveryRuntimeKeyAsTheGeneratorWritesIt() throws IOException {
        var runtimeOnly = ConfigRegistry.of(List.of(SluiceConf.provider()));
        String defaults = Files.readString(repositoryRoot().resolve(ConfigDocs.DEFAULTS_FILE), StandardCharsets.UTF_8);
        String generatedDefaults = ConfigDocs.defaultsFile(runtimeOnly);
        String runtimeSection = generatedDefaults.substring(generatedDefaults.indexOf("# ======== " + SluiceConf.MODULE));
        assertThat(defaults).as(ConfigDocs.DEFAULTS_FILE + " " + HOW_TO_FIX).contains(runtimeSection.strip());

        String readme = Files.readString(repositoryRoot().resolve(ConfigDocs.README_FILE), StandardCharsets.UTF_8);
        for (String row : ConfigDocs.markdownTable(runtimeOnly).split("\n")) {
            if (row.startsWith("| `")) {
                assertThat(readme).as("the configuration table of " + ConfigDocs.README_FILE + " " + HOW_TO_FIX).contains(row);
            }
        }
    }

    @Test
    void theGeneratedDocumentsNameEachKeysModuleAndItsDeprecatedNames() {
        var renamed = ConfigKey.key("sluice.test.newName").intType().defaultValue(2)
                .deprecatedNames("sluice.test.oldName").doc("A renamed key.");
        var registry = ConfigRegistry.of(List.of(SluiceConf.provider(), new ConfigKeyProvider() {
            @Override
            public String module() {
                return "sluice-test-backend";
            }

            @Override
            public List<ConfigKey<?>> keys() {
                return List.of(renamed);
            }
        }));
        assertThat(ConfigDocs.markdownTable(registry)).contains("| `sluice.test.newName` | sluice-test-backend | int | `2` | "
                + "A renamed key. Formerly sluice.test.oldName (still read, with a deprecation warning at start). |");
        String defaults = ConfigDocs.defaultsFile(registry);
        assertThat(defaults.indexOf("# ======== sluice-test-backend")).isGreaterThan(defaults.indexOf("# ======== sluice-runtime"));
        assertThat(defaults).contains("#sluice.test.newName 2");
    }

    @Test
    void everyKeyIsDocumentedAndItsDefaultParses() {
        for (ConfigKey<?> key : SluiceConf.keys()) {
            assertThat(key.name()).startsWith("sluice.");
            assertThat(key.doc()).as("doc of " + key.name()).isNotBlank();
            if (key.defaultValue() != null) {
                assertThat((Object) key.parse(key.defaultText())).as("default of " + key.name())
                        .isEqualTo(key.defaultValue());
            }
        }
    }

    @Test
    void uncommentedDefaultsFileLoadsEveryKeyWithItsDefault() throws IOException {
        // what a user gets after uncommenting every key that has a default: SluiceConf reads back the same defaults
        var uncommented = new StringBuilder();
        for (String line : ConfigDocs.defaultsFile(ConfigRegistry.of(List.of(SluiceConf.provider()))).split("\n")) {
            boolean keyLine = line.startsWith("#sluice.");
            boolean hasDefault = keyLine && SluiceConf.provider().keys().stream()
                    .anyMatch(k -> line.startsWith("#" + k.name() + " ") && k.defaultValue() != null);
            uncommented.append(hasDefault ? line.substring(1) : line).append('\n');
        }
        Path file = Files.createTempFile("sluice-defaults", ".conf");
        try {
            Files.writeString(file, uncommented);
            var conf = new SluiceConf(false).loadDefaults(file);
            assertThat(conf.validate()).isEmpty();
            for (ConfigKey<?> key : SluiceConf.provider().keys()) {
                if (key.defaultValue() == null) {
                    continue;
                }
                assertThat(conf.contains(key.name())).as(key.name()).isTrue();
                assertThat((Object) conf.get(key)).as(key.name()).isEqualTo(key.defaultValue());
            }
            var props = new Properties();
            props.load(new StringReader(uncommented.toString()));
            assertThat(props.stringPropertyNames())
                    .hasSize((int) SluiceConf.provider().keys().stream().filter(k -> k.defaultValue() != null).count());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The directory of the parent pom: tests run in {@code runtime/}, but any module directory works. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("runtime"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root (a directory with pom.xml and runtime/) above " + dir);
    }
}
