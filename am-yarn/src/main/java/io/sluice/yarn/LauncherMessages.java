package io.sluice.yarn;

import java.util.List;
import java.util.Map;

/**
 * Client deploy mode: the messages between the driver's {@link YarnClientModeBackend} (in the submitting JVM) and the
 * {@link ExecutorLauncher} (the ApplicationMaster, which only manages executor containers).
 *
 * <p>Sequence: the launcher connects to the driver's {@value #DRIVER_ENDPOINT} endpoint and asks {@link Ready} with
 * the address of its own server; the driver asks the launcher's {@value #LAUNCHER_ENDPOINT} endpoint with
 * {@link Launch} (reply: the executor id) and sends {@link Release} and {@link DriverUi}; the launcher sends {@link Launched},
 * {@link Lost} and {@link Fatal} back, in the order its backend reported them; the driver ends it with
 * {@link Shutdown} (reply: true), after which the launcher unregisters SUCCEEDED.
 */
public final class LauncherMessages {
    public static final String DRIVER_ENDPOINT = "yarn-launcher-events";
    public static final String LAUNCHER_ENDPOINT = "yarn-launcher";

    private LauncherMessages() {
    }

    public record Ready(String host, int port) {
    }

    /** One executor to launch; {@code preferredHosts} as in {@link io.sluice.cluster.ExecutorSpec#preferredHosts()}. */
    public record Launch(int cores, int memoryMb, Map<String, String> environment, List<String> preferredHosts) {
    }

    public record Release(String executorId) {
    }

    /** The driver is done: the launcher unregisters with {@code finalStatus} (a {@code FinalStatus} name). */
    public record Shutdown(String reason, String finalStatus, String diagnostics) {
    }

    /** The driver's HTTP server serves at {@code url}: the launcher makes it the application's tracking URL. */
    public record DriverUi(String url) {
    }

    public record Launched(String executorId, String host) {
    }

    public record Lost(String executorId, String reason, String diagnostics) {
    }

    public record Fatal(String message) {
    }
}
