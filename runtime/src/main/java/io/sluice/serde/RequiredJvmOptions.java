package io.sluice.serde;

import java.util.List;

/**
 * The JVM options without which Kryo cannot (de)serialize lambdas, JDK collections and state snapshots: every JVM that
 * ships tasks or writes state (the driver with a checkpoint directory, every executor) must be started with them. The
 * executor launch plan adds them; a driver started by hand gets them from {@code bin/} scripts or its own command line,
 * and a streaming context that needs them checks them at start.
 */
public final class RequiredJvmOptions {
    /** The packages of {@code java.base} Kryo reflects into. */
    public static final List<String> PACKAGES = List.of("java.lang", "java.lang.invoke", "java.util");
    /** {@code --add-opens java.base/<package>=ALL-UNNAMED} for each package, as separate arguments. */
    public static final List<String> OPTIONS = PACKAGES.stream()
            .flatMap(p -> java.util.stream.Stream.of("--add-opens", "java.base/" + p + "=ALL-UNNAMED")).toList();
    /** {@link #OPTIONS} as one line, to copy into a java command. */
    public static final String TEXT = String.join(" ", OPTIONS);

    private RequiredJvmOptions() {
    }

    /** The packages of {@link #PACKAGES} that this JVM does not open to Sluice's classes; empty when all are open. */
    public static List<String> missing() {
        Module sluice = RequiredJvmOptions.class.getModule();
        return PACKAGES.stream().filter(p -> !Object.class.getModule().isOpen(p, sluice)).toList();
    }
}
