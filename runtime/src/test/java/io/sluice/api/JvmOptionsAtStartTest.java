package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.serde.RequiredJvmOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stateful job with a checkpoint directory in a JVM started without the options Kryo needs fails at start(), naming
 * them, instead of losing every state save; a job that needs no Kryo starts there.
 */
class JvmOptionsAtStartTest {
    @Test
    void aStatefulJobWithACheckpointFailsAtStartWithTheOptionsToAdd(@TempDir Path checkpoint) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                StartWithoutOpensMain.class.getName(), checkpoint.toUri().toString())).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("stateless: started")
                .contains("stateful: refused: This streaming job saves the state of")
                .contains("needs the JVM started with these options: " + RequiredJvmOptions.TEXT)
                .contains("stateful: STOPPED")
                .doesNotContain("stateful: started");
    }
}
