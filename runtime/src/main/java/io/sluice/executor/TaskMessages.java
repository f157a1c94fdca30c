package io.sluice.executor;

import com.esotericsoftware.kryo.Kryo;
import io.sluice.cluster.ExecutorId;
import io.sluice.shuffle.MapStatus;
import java.util.Map;

/**
 * The messages of task execution between the driver and its executors, and the endpoint names they go to.
 *
 * <p>An executor that registered asks the driver's {@value #SCHEDULER_ENDPOINT} endpoint with {@link ExecutorReady}
 * once its {@value #TASKS_ENDPOINT} endpoint is up (registration comes first, so that the executor runs with the
 * driver's settings); the driver places tasks only on registered executors that said so.
 *
 * <p>The driver asks an executor's {@value #TASKS_ENDPOINT} endpoint with {@link LaunchTask} and gets the
 * serialized {@link TaskResult} back as a {@link TaskOutcome} once the task ran; it sends {@link ReleaseShuffle} and
 * {@link ReleaseDataset} one-way when a shuffle's or a persisted dataset's data is no longer needed. A reducer's
 * executor asks the driver's {@value #MAP_OUTPUTS_ENDPOINT} endpoint with {@link GetMapOutputs} where the map outputs
 * of a shuffle are, and fetches their blocks from the executors that hold them as streams named by
 * {@link ShuffleStreams}.
 */
public final class TaskMessages {
    /** The executor's endpoint tasks are launched on. */
    public static final String TASKS_ENDPOINT = "tasks";
    /** The driver's endpoint that says where map outputs are. */
    public static final String MAP_OUTPUTS_ENDPOINT = "map-outputs";
    /** The driver's endpoint executors report to once they can run tasks. */
    public static final String SCHEDULER_ENDPOINT = "task-scheduler";

    private TaskMessages() {
    }

    /**
     * Run a task.
     *
     * @param taskId  unique within the application, for logs
     * @param attempt 0 for the first launch of this task, counting every relaunch
     * @param epoch   the driver's map-output epoch: it grows whenever map outputs were lost, and an executor that sees a
     *                higher epoch than before drops the map-output locations it cached
     * @param task    the {@link io.sluice.batch.Task}, serialized with the application's Kryo serializer (so that a
     *                task the executor cannot deserialize fails as a task, not as the RPC)
     */
    public record LaunchTask(long taskId, int attempt, long epoch, byte[] task) {
    }

    /** The executor's task endpoint and block streams are up; the reply is {@code Boolean.TRUE}. */
    public record ExecutorReady(ExecutorId id) {
    }

    /** How a launched task ended: its {@link TaskResult}, serialized with the application's serializer. */
    public record TaskOutcome(byte[] result) {
    }

    /** Drop every block of a shuffle (one-way). */
    public record ReleaseShuffle(int shuffleId) {
    }

    /** Drop every cached partition of a persisted dataset (one-way). */
    public record ReleaseDataset(int datasetId) {
    }

    /**
     * Versions up to {@code upToMs} of the state (and mapWithState records) kept under {@code storeKey} are no longer
     * read: drop them (one-way; the driver sends it when it forgets a batch).
     */
    public record ForgetState(String storeKey, long upToMs) {
    }

    /** Where are the map outputs of {@code shuffleId}? Answered with {@link MapOutputs}. */
    public record GetMapOutputs(int shuffleId) {
    }

    /**
     * The statuses of every map output of a shuffle, in map order ({@code null} for an output that is missing: its
     * executor was lost and the map has not run again yet), and the RPC address ({@code host:port}) of every executor
     * they name.
     */
    public record MapOutputs(int shuffleId, MapStatus[] statuses, Map<ExecutorId, String> addresses) {
    }

    /** Names of the block streams an executor serves: {@code shuffle/<shuffleId>/<reduceId>/<map>,<map>,...}. */
    public static final class ShuffleStreams {
        private static final String PREFIX = "shuffle/";

        private ShuffleStreams() {
        }

        public static String streamId(int shuffleId, int reduceId, int[] mapIds) {
            var sb = new StringBuilder(PREFIX).append(shuffleId).append('/').append(reduceId).append('/');
            for (int i = 0; i < mapIds.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(mapIds[i]);
            }
            return sb.toString();
        }

        /** {@code {shuffleId, reduceId, maps...}}, or an {@link IllegalArgumentException} naming the malformed id. */
        public static int[] parse(String streamId) {
            try {
                if (!streamId.startsWith(PREFIX)) {
                    throw new IllegalArgumentException("not a shuffle stream");
                }
                String[] parts = streamId.substring(PREFIX.length()).split("/");
                if (parts.length != 3 || parts[2].isEmpty()) {
                    throw new IllegalArgumentException("expected shuffle/<shuffleId>/<reduceId>/<maps>");
                }
                String[] maps = parts[2].split(",");
                int[] result = new int[2 + maps.length];
                result[0] = Integer.parseInt(parts[0]);
                result[1] = Integer.parseInt(parts[1]);
                for (int i = 0; i < maps.length; i++) {
                    result[2 + i] = Integer.parseInt(maps[i]);
                }
                return result;
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Unknown stream id '" + streamId + "': " + e.getMessage(), e);
            }
        }
    }

    /** Registers these messages with Kryo, so they work with {@code sluice.kryo.registrationRequired}. */
    public static void registerWith(Kryo kryo) {
        kryo.register(LaunchTask.class);
        kryo.register(TaskOutcome.class);
        kryo.register(ReleaseShuffle.class);
        kryo.register(ReleaseDataset.class);
        kryo.register(ForgetState.class);
        kryo.register(GetMapOutputs.class);
        kryo.register(MapOutputs.class);
        kryo.register(MapStatus[].class);
        kryo.register(ExecutorReady.class);
    }
}
