package io.sluice.deploy;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Submits applications to one cluster manager and asks it about them: what {@code sluice-submit} does with a cluster
 * master, whatever the master. Made by the {@link SubmitterFactory} that claims the master URL.
 *
 * <pre>{@code
 * try (Submitter s = Submitters.forMaster("yarn", loader).orElseThrow().create(conf, System.getenv(), out::println)) {
 *     String id = s.submit(request);                          // checked, staged, accepted
 *     ApplicationStatus end = s.awaitCompletion(id, timeout, st -> out.println(st.describe()));
 * }
 * }</pre>
 *
 * <p>Errors are {@link SubmitException}s whose message names the problem and the setting to change; a cluster manager
 * that cannot be reached fails each call within a bounded time. Implementations are used by one thread at a time.
 */
public interface Submitter extends AutoCloseable {

    /**
     * Checks {@code request} (everything it can before the cluster manager is asked), stages its files and submits
     * it; returns the application's id once the cluster manager accepted it.
     */
    String submit(SubmitRequest request);

    /** The application's current status. */
    ApplicationStatus status(String appId);

    /** Asks the cluster manager to kill the application, and removes what its submission left ({@link #cleanUp}). */
    void kill(String appId);

    /** The Sluice applications the cluster manager knows. */
    List<ApplicationStatus> list();

    /**
     * Removes what the submission of {@code appId} left behind (its staging directory), once it ended; idempotent,
     * never throws (a failure is logged).
     */
    void cleanUp(String appId);

    /** How often {@link #awaitCompletion} asks for the status ({@code sluice.submit.statusInterval}). */
    Duration statusInterval();

    /**
     * Follows {@code appId} until it ended or {@code timeout} passed, telling {@code changes} the first status and
     * each change; cleans up once it ended. Returns the last status.
     */
    default ApplicationStatus awaitCompletion(String appId, Duration timeout, Consumer<ApplicationStatus> changes)
            throws InterruptedException {
        return new StatusPoll(this, statusInterval()).awaitEnd(appId, timeout, changes);
    }

    /** Closes the clients of the cluster manager; idempotent. */
    @Override
    void close();
}
