package io.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorLaunchSettings;
import io.sluice.serde.RequiredJvmOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one executor launch plan every backend starts executors from. */
class ExecutorLaunchPlanTest {
    private static final ExecutorSpec SPEC = new ExecutorSpec(3, 768, Map.of(ExecutorLaunchSettings.DRIVER_URL, "10.0.0.1:7077",
            ExecutorLaunchSettings.APP_ID, "app-9", "EXTRA", "x"));

    private static SluiceConf conf() {
        return new SluiceConf(false)
                .set("sluice.rpc.askTimeout", "30s")
                .set("sluice.kryo.registrator", "com.example.Reg")
                .set("sluice.network.timeout", "2min")
                .set("sluice.ui.port", "4041")
                .set(SluiceConf.EXECUTOR_JAVA_OPTIONS.name(), " -XX:+UseG1GC  -Dmy.prop=a ");
    }

    @Test
    void theJvmOptionsAreHeapOomExitAddOpensStartupSettingsThenTheExtraOptions() {
        var plan = ExecutorLaunchPlan.of(conf(), SPEC, ExecutorIds.of("app-9", 2, 5), "app-9", 2);
        assertThat(plan.jvmOptions()).startsWith("-Xmx768m", "-XX:+ExitOnOutOfMemoryError", "-Dlog4j2.shutdownHookEnabled=false")
                .containsSubsequence(RequiredJvmOptions.OPTIONS)
                .contains("-Dsluice.rpc.askTimeout=30s", "-Dsluice.kryo.registrator=com.example.Reg", "-Dsluice.network.timeout=2min")
                .doesNotContain("-Dsluice.ui.port=4041")
                .endsWith("-XX:+UseG1GC", "-Dmy.prop=a");
        assertThat(plan.heapMb()).isEqualTo(768);
        assertThat(plan.cores()).isEqualTo(3);
        assertThat(plan.mainClass()).isEqualTo("io.sluice.executor.ExecutorMain");
    }

    @Test
    void theEnvironmentCarriesTheDriverTheApplicationItsAttemptTheExecutorAndItsCores() {
        var plan = ExecutorLaunchPlan.of(conf(), SPEC, ExecutorIds.of("app-9", 2, 5), "app-other", 2);
        assertThat(plan.environment()).containsEntry(ExecutorLaunchSettings.DRIVER_URL, "10.0.0.1:7077")
                .containsEntry(ExecutorLaunchSettings.APP_ID, "app-9") // the driver's, from the spec
                .containsEntry(ExecutorLaunchSettings.EXECUTOR_ID, "app-9-exec-2-5")
                .containsEntry(ExecutorLaunchSettings.CORES, "3")
                .containsEntry(ExecutorLaunchSettings.APP_ATTEMPT, "2")
                .containsEntry("EXTRA", "x");
        // what the executor reads back
        var settings = ExecutorLaunchSettings.fromEnvironment(plan.environment());
        assertThat(settings.executorId()).isEqualTo(plan.executorId());
        assertThat(settings.attempt()).isEqualTo(2);
        assertThat(settings.cores()).isEqualTo(3);
    }

    @Test
    void theCommandRunsTheMainClassWithOrWithoutAClassPathAndAsAShellLineWithItsLogs() {
        var plan = ExecutorLaunchPlan.of(new SluiceConf(false).set("sluice.rpc.connectTimeout", "5 s"), SPEC,
                ExecutorIds.of("app-9", 1, 1), "app-9", 1);
        List<String> argv = plan.command("/jdk/bin/java", "/a.jar:/b/*", List.of("-Dlog=x"));
        assertThat(argv.get(0)).isEqualTo("/jdk/bin/java");
        assertThat(argv.subList(argv.size() - 4, argv.size())).containsExactly("-Dlog=x", "-cp", "/a.jar:/b/*",
                "io.sluice.executor.ExecutorMain");
        assertThat(plan.command("java", null, List.of())).doesNotContain("-cp").last().isEqualTo("io.sluice.executor.ExecutorMain");

        String line = plan.shellCommand("$JAVA_HOME/bin/java", null, List.of(), "<LOG_DIR>");
        assertThat(line).startsWith("$JAVA_HOME/bin/java -Xmx768m ")
                .contains(" --add-opens java.base/java.lang=ALL-UNNAMED ")
                .contains(" '-Dsluice.rpc.connectTimeout=5 s' ")
                .endsWith(" io.sluice.executor.ExecutorMain 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr");
        assertThat(ExecutorLaunchPlan.quoteIfNeeded("it's")).isEqualTo("'it'\\''s'");
        assertThat(ExecutorLaunchPlan.logDirectory(Path.of("/work"), plan.executorId())).isEqualTo(Path.of("/work/app-9-exec-1-1"));
    }

    @Test
    void executorIdsNameTheApplicationAndAttemptAndNeverRepeat() {
        var ids = new ExecutorIds("application_1_0002", 3);
        assertThat(ids.next().value()).isEqualTo("application_1_0002-exec-3-1");
        assertThat(ids.next().value()).isEqualTo("application_1_0002-exec-3-2");
        assertThat(ids.next().value()).startsWith(ExecutorIds.attemptPrefix("application_1_0002", 3));
    }

    @Test
    void aSpecThatDoesNotNameTheDriverIsRefused() {
        assertThatThrownBy(() -> ExecutorLaunchPlan.of(new SluiceConf(false), new ExecutorSpec(1, 128, Map.of()),
                ExecutorIds.of("a", 1, 1), "a", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ExecutorLaunchSettings.DRIVER_URL);
    }
}
