package io.sluice.executor;

import io.sluice.cluster.ExecutorId;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * What a backend tells the executor it launches, through environment variables (the launch plan,
 * {@link io.sluice.cluster.ExecutorLaunchPlan}, sets them): {@value #DRIVER_URL} ({@code host:port} of the driver's RPC
 * server), {@value #APP_ID}, {@value #EXECUTOR_ID}, {@value #CORES}, optionally {@value #APP_ATTEMPT} (the driver's
 * attempt, 1 when absent) and optionally {@value #BIND_HOST} (where the executor's own RPC server listens and what it
 * advertises; by default it listens on every interface and advertises the address it reaches the driver from).
 */
public record ExecutorLaunchSettings(InetSocketAddress driver, String appId, ExecutorId executorId, int cores,
                                     String bindHost, int attempt) {
    public static final String DRIVER_URL = "SLUICE_DRIVER_URL";
    public static final String APP_ID = "SLUICE_APP_ID";
    public static final String EXECUTOR_ID = "SLUICE_EXECUTOR_ID";
    public static final String CORES = "SLUICE_EXECUTOR_CORES";
    public static final String APP_ATTEMPT = "SLUICE_APP_ATTEMPT";
    public static final String BIND_HOST = "SLUICE_EXECUTOR_HOST";

    /** A missing or invalid environment variable; the message names it. */
    public static final class InvalidEnvironmentException extends IllegalArgumentException {
        private final String variable;

        InvalidEnvironmentException(String variable, String message) {
            super(message);
            this.variable = variable;
        }

        public String variable() {
            return variable;
        }
    }

    /** Reads the settings from {@code env} (the process environment in production). */
    public static ExecutorLaunchSettings fromEnvironment(Map<String, String> env) {
        String driverUrl = required(env, DRIVER_URL);
        int colon = driverUrl.lastIndexOf(':');
        if (colon <= 0 || colon == driverUrl.length() - 1) {
            throw new InvalidEnvironmentException(DRIVER_URL, DRIVER_URL + " must be host:port, got '" + driverUrl + "'");
        }
        String host = driverUrl.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // [::1]:7077
        }
        int port = parseInt(DRIVER_URL, driverUrl.substring(colon + 1), "a port in host:port", 1, 65535);
        String appId = required(env, APP_ID);
        ExecutorId id = new ExecutorId(required(env, EXECUTOR_ID));
        int cores = parseInt(CORES, required(env, CORES), "a number of cores", 1, 4096);
        String bind = env.getOrDefault(BIND_HOST, "").trim();
        String attempt = env.getOrDefault(APP_ATTEMPT, "").trim();
        return new ExecutorLaunchSettings(InetSocketAddress.createUnresolved(host, port), appId, id, cores,
                bind.isEmpty() ? null : bind, attempt.isEmpty() ? 1 : parseInt(APP_ATTEMPT, attempt, "an attempt number", 1, Integer.MAX_VALUE));
    }

    /** The environment a backend sets for these settings (the inverse of {@link #fromEnvironment}). */
    public static Map<String, String> environment(String driverHostPort, String appId, ExecutorId id, int cores) {
        return Map.of(DRIVER_URL, driverHostPort, APP_ID, appId, EXECUTOR_ID, id.value(), CORES, Integer.toString(cores));
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new InvalidEnvironmentException(name, "environment variable " + name + " is not set; the cluster backend "
                    + "that launches an executor must set " + DRIVER_URL + ", " + APP_ID + ", " + EXECUTOR_ID + " and " + CORES);
        }
        return v.trim();
    }

    private static int parseInt(String name, String raw, String what, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new InvalidEnvironmentException(name, name + " must hold " + what + ", got '" + raw + "'");
        }
        if (v < min || v > max) {
            throw new InvalidEnvironmentException(name, name + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }
}
