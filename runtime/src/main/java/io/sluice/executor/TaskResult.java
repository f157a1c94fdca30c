package io.sluice.executor;

import io.sluice.cluster.ExecutorId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;

/**
 * How a task ended: with a value (a map task's {@link io.sluice.shuffle.MapStatus}, an action's result), unable to
 * fetch a map output, unable to restore saved state, or with another failure.
 */
public sealed interface TaskResult<U> {

    /** The task returned {@code value}. */
    record Success<U>(U value) implements TaskResult<U> {
    }

    /**
     * The task could not get the output of map {@code mapId} of shuffle {@code shuffleId} from {@code location}
     * (see {@link io.sluice.shuffle.ShuffleFetchException}): the scheduler runs that map again, rather than
     * retrying this task against the same missing output.
     */
    record FetchFailed<U>(ExecutorId location, int shuffleId, int mapId, int reduceId, String message)
            implements TaskResult<U> {
    }

    /**
     * The task could not restore partition {@code partition} of the state kept under {@code storeKey} at version
     * {@code versionMs} from its saved copy in {@code snapshot} (see {@link io.sluice.state.StateRestoreException}):
     * no fault of the executor, and no use retrying against the same copy. The driver falls back to an older saved
     * version plus the batches since and runs the job again.
     */
    record StateRestoreFailed<U>(String storeKey, int partition, long versionMs, String snapshot, String message)
            implements TaskResult<U> {
    }

    /**
     * The task threw. The exception's class, message and printed stack trace are plain strings, so they reach the
     * driver even when the exception class exists only in the application's jar on the executor. The exception
     * itself is kept only in the process that ran the task (a transient field, not serialized), so that local mode
     * reports the original exception as the cause. Not a record: records cannot have transient components.
     */
    final class Failure<U> implements TaskResult<U> {
        private final String exceptionClass;
        private final String message;
        private final String stackTrace;
        private final transient Throwable exception;

        public Failure(String exceptionClass, String message, String stackTrace) {
            this(exceptionClass, message, stackTrace, null);
        }

        private Failure(String exceptionClass, String message, String stackTrace, Throwable exception) {
            this.exceptionClass = exceptionClass;
            this.message = message;
            this.stackTrace = stackTrace;
            this.exception = exception;
        }

        public static <U> Failure<U> of(Throwable t) {
            var trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            return new Failure<>(t.getClass().getName(), t.getMessage(), trace.toString(), t);
        }

        public String exceptionClass() {
            return exceptionClass;
        }

        /** The exception's message; null if it had none. */
        public String message() {
            return message;
        }

        /** The printed stack trace, with causes. */
        public String stackTrace() {
            return stackTrace;
        }

        /** The exception itself, when the task ran in this process. */
        public Optional<Throwable> exception() {
            return Optional.ofNullable(exception);
        }

        /** {@code class: message}, as {@link Throwable#toString()} prints it. */
        public String describe() {
            return message == null ? exceptionClass : exceptionClass + ": " + message;
        }

        @Override
        public String toString() {
            return "Failure(" + describe() + ")";
        }
    }
}
