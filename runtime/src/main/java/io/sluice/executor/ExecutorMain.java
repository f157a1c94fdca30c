package io.sluice.executor;

import io.sluice.conf.SluiceConf;
import io.sluice.util.SystemClock;
import java.time.Duration;
import org.apache.logging.log4j.LogManager;

/**
 * The executor JVM's entry point, the same for every cluster manager: a backend only decides where the JVM runs and
 * sets the environment described in {@link ExecutorLaunchSettings}. {@code sluice.*} system properties configure
 * the executor before it registers (the transport, {@code sluice.network.timeout}); everything else comes from the
 * driver at registration.
 *
 * <p>Exit codes are {@link ExecutorExitCode}s: 0 when stopped by the driver, 2 when the environment is invalid (the
 * message names the variable), 10–12 when the driver rejects, is unreachable or forgot the executor. On SIGTERM the
 * executor closes its server and connections within a bounded time and the JVM exits with the signal's status.
 */
public final class ExecutorMain {
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(15);

    private ExecutorMain() {
    }

    public static void main(String[] args) {
        ExecutorLaunchSettings settings;
        try {
            settings = ExecutorLaunchSettings.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("Cannot start the executor: " + e.getMessage());
            System.exit(ExecutorExitCode.BAD_ENVIRONMENT.code());
            return;
        }
        SluiceConf conf = new SluiceConf();
        var process = new ExecutorProcess(settings, conf, new SystemClock(), new TaskService());
        Thread hook = new Thread(() -> {
            process.terminate("the JVM is shutting down (SIGTERM)");
            try {
                if (!process.awaitStopped(SHUTDOWN_WAIT)) {
                    System.err.println("Executor " + settings.executorId() + " did not stop within " + SHUTDOWN_WAIT.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LogManager.shutdown();
        }, "sluice-executor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        ExecutorExitCode code = process.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return; // the JVM is already shutting down (SIGTERM): the hook finishes the job, exit() would block
        }
        LogManager.shutdown();
        System.exit(code.code());
    }
}
