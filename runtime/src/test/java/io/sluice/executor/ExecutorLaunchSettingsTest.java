package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.cluster.ExecutorId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExecutorLaunchSettingsTest {
    private static Map<String, String> valid() {
        return new HashMap<>(ExecutorLaunchSettings.environment("10.0.0.5:7077", "app-7", new ExecutorId("app-7-exec-1-3"), 4));
    }

    @Test
    void readsEveryVariable() {
        var s = ExecutorLaunchSettings.fromEnvironment(valid());
        assertThat(s.driver().getHostString()).isEqualTo("10.0.0.5");
        assertThat(s.driver().getPort()).isEqualTo(7077);
        assertThat(s.appId()).isEqualTo("app-7");
        assertThat(s.executorId()).isEqualTo(new ExecutorId("app-7-exec-1-3"));
        assertThat(s.cores()).isEqualTo(4);
        assertThat(s.bindHost()).isNull();

        var env = valid();
        env.put(ExecutorLaunchSettings.DRIVER_URL, "[::1]:7077");
        env.put(ExecutorLaunchSettings.BIND_HOST, "127.0.0.1");
        var v6 = ExecutorLaunchSettings.fromEnvironment(env);
        assertThat(v6.driver().getHostString()).isEqualTo("::1");
        assertThat(v6.bindHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void eachMissingVariableIsNamed() {
        for (String name : List.of(ExecutorLaunchSettings.DRIVER_URL, ExecutorLaunchSettings.APP_ID,
                ExecutorLaunchSettings.EXECUTOR_ID, ExecutorLaunchSettings.CORES)) {
            var env = valid();
            env.remove(name);
            assertThatThrownBy(() -> ExecutorLaunchSettings.fromEnvironment(env))
                    .isInstanceOfSatisfying(ExecutorLaunchSettings.InvalidEnvironmentException.class,
                            e -> assertThat(e.variable()).isEqualTo(name))
                    .hasMessageContaining("environment variable " + name + " is not set");
        }
    }

    @Test
    void invalidValuesAreNamedWithTheValue() {
        var env = valid();
        env.put(ExecutorLaunchSettings.DRIVER_URL, "driver-host");
        assertThatThrownBy(() -> ExecutorLaunchSettings.fromEnvironment(env))
                .hasMessageContaining("SLUICE_DRIVER_URL must be host:port, got 'driver-host'");
        env.put(ExecutorLaunchSettings.DRIVER_URL, "driver-host:http");
        assertThatThrownBy(() -> ExecutorLaunchSettings.fromEnvironment(env))
                .hasMessageContaining("SLUICE_DRIVER_URL must hold a port").hasMessageContaining("'http'");
        env.put(ExecutorLaunchSettings.DRIVER_URL, "driver-host:70000");
        assertThatThrownBy(() -> ExecutorLaunchSettings.fromEnvironment(env))
                .hasMessageContaining("SLUICE_DRIVER_URL must be between 1 and 65535, got 70000");
        env.put(ExecutorLaunchSettings.DRIVER_URL, "driver-host:7077");
        env.put(ExecutorLaunchSettings.CORES, "0");
        assertThatThrownBy(() -> ExecutorLaunchSettings.fromEnvironment(env))
                .isInstanceOfSatisfying(ExecutorLaunchSettings.InvalidEnvironmentException.class,
                        e -> assertThat(e.variable()).isEqualTo(ExecutorLaunchSettings.CORES))
                .hasMessageContaining("SLUICE_EXECUTOR_CORES must be between 1 and 4096, got 0");
    }

    @Test
    void executorMainExitsWithCode2NamingTheVariable() throws Exception {
        var pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), ExecutorMain.class.getName());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_"));
        pb.environment().putAll(valid());
        pb.environment().put(ExecutorLaunchSettings.CORES, "many");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("executor main exited").isTrue();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(output).isEqualTo(ExecutorExitCode.BAD_ENVIRONMENT.code());
            assertThat(output).contains("SLUICE_EXECUTOR_CORES").contains("'many'");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void exitCodesAreDescribedForDiagnostics() {
        assertThat(ExecutorExitCode.describe(11)).contains("sluice.network.timeout");
        assertThat(ExecutorExitCode.describe(137)).isEqualTo("exit code 137: killed by signal 9 (SIGKILL)");
        assertThat(ExecutorExitCode.describe(42)).isEqualTo("exit code 42");
    }
}
