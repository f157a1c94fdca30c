package io.sluice.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.ConfigDocs;
import io.sluice.conf.ConfigRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code conf/sluice-defaults.conf} and the configuration table of {@code README.md} in sync with the keys of
 * every module. It lives in {@code submit} because submit depends on every backend, so every module's
 * {@link io.sluice.conf.ConfigKeyProvider} is on this class path.
 */
class ConfigDocsCompletenessTest {
    private static final String HOW_TO_FIX = "is out of date with the declared keys; regenerate it from the repository "
            + "root with: " + ConfigDocs.HOW_TO_REGENERATE;
    private final ConfigRegistry registry = ConfigRegistry.load(ConfigDocsCompletenessTest.class.getClassLoader());

    @Test
    void everyBackendModulesKeysAreOnThisClassPath() {
        assertThat(registry.modules()).extracting(ConfigRegistry.Module::name).contains("sluice-runtime", "sluice-am-yarn");
    }

    @Test
    void defaultsFileMatchesTheDeclaredKeys() throws IOException {
        Path file = repositoryRoot().resolve(ConfigDocs.DEFAULTS_FILE);
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).as(ConfigDocs.DEFAULTS_FILE + " " + HOW_TO_FIX)
                .isEqualTo(ConfigDocs.defaultsFile(registry));
    }

    @Test
    void readmeTableMatchesTheDeclaredKeys() throws IOException {
        String readme = Files.readString(repositoryRoot().resolve(ConfigDocs.README_FILE), StandardCharsets.UTF_8);
        assertThat(readme).as("the configuration table of " + ConfigDocs.README_FILE + " " + HOW_TO_FIX)
                .isEqualTo(ConfigDocs.withTable(readme, registry));
    }

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
