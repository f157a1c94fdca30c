package io.sluice.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code conf/sluice-defaults.conf} and the configuration table of {@code README.md} in sync with
 * {@link SluiceConf#keys()}. When it fails, regenerate both with
 * {@code mvn -q -B -pl runtime compile && java -cp runtime/target/classes io.sluice.conf.ConfigDocs .}
 */
class ConfigDocsTest {
    private static final String HOW_TO_FIX = "is out of date with SluiceConf.keys(); regenerate it from the repository "
            + "root with: mvn -q -B -pl runtime compile && java -cp runtime/target/classes io.sluice.conf.ConfigDocs .";

    @Test
    void defaultsFileMatchesTheDeclaredKeys() throws IOException {
        Path file = repositoryRoot().resolve(ConfigDocs.DEFAULTS_FILE);
        assertThat(file).exists();
        assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .as(ConfigDocs.DEFAULTS_FILE + " " + HOW_TO_FIX)
                .isEqualTo(ConfigDocs.defaultsFile());
    }

    @Test
    void readmeTableMatchesTheDeclaredKeys() throws IOException {
        String readme = Files.readString(repositoryRoot().resolve(ConfigDocs.README_FILE), StandardCharsets.UTF_8);
        assertThat(readme).as("the configuration table of " + ConfigDocs.README_FILE + " " + HOW_TO_FIX)
                .isEqualTo(ConfigDocs.withTable(readme));
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
        for (String line : ConfigDocs.defaultsFile().split("\n")) {
            boolean keyLine = line.startsWith("#sluice.");
            boolean hasDefault = keyLine && SluiceConf.keys().stream()
                    .anyMatch(k -> line.startsWith("#" + k.name() + " ") && k.defaultValue() != null);
            uncommented.append(hasDefault ? line.substring(1) : line).append('\n');
        }
        Path file = Files.createTempFile("sluice-defaults", ".conf");
        try {
            Files.writeString(file, uncommented);
            var conf = new SluiceConf(false).loadDefaults(file);
            assertThat(conf.validate()).isEmpty();
            for (ConfigKey<?> key : SluiceConf.keys()) {
                if (key.defaultValue() == null) {
                    continue;
                }
                assertThat(conf.contains(key.name())).as(key.name()).isTrue();
                assertThat((Object) conf.get(key)).as(key.name()).isEqualTo(key.defaultValue());
            }
            var props = new Properties();
            props.load(new StringReader(uncommented.toString()));
            assertThat(props.stringPropertyNames())
                    .hasSize((int) SluiceConf.keys().stream().filter(k -> k.defaultValue() != null).count());
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
