package io.sluice.conf;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The configuration of one Sluice application. Runtime's {@code sluice.*} keys are declared here, typed, with their
 * default and documentation; each backend module declares its own (as {@link ConfigKey} constants listed by a
 * {@link ConfigKeyProvider}). Values are set as strings (from files, {@code --conf}, system properties or code) and
 * parsed on read, so a bad value fails with a message naming the key; a value set under a key's deprecated name is
 * read too. {@link #validateAtStart} checks every value at once and warns of unknown and deprecated keys.
 *
 * <p>Not thread-safe for writes; an application configures it before creating its context.
 */
public final class SluiceConf {
    /** The module name of runtime's keys in the documentation. */
    public static final String MODULE = "sluice-runtime";
    private static final Map<String, ConfigKey<?>> KEYS = new LinkedHashMap<>();

    public static final ConfigKey<String> MASTER = string("sluice.master", "local[2]",
            "Where the application runs: local[N], local[*], local-cluster[E,C,M], yarn, k8s://https://host:port, mesos://host:port.");
    public static final ConfigKey<String> APP_NAME = string("sluice.app.name", "sluice-app",
            "The application's name, shown in logs, the UI and the cluster manager.");
    public static final ConfigKey<Integer> DEFAULT_PARALLELISM = integer("sluice.default.parallelism", 0, 0,
            "Partitions of shuffle results when an operation names none; 0 means the number of task slots.");
    public static final ConfigKey<Duration> BLOCK_INTERVAL = duration("sluice.streaming.blockInterval", Duration.ofMillis(200), Duration.ofMillis(1),
            "How often a receiver cuts the data it received into a block; each block is one partition of the batch.");
    public static final ConfigKey<String> CLOCK = string("sluice.streaming.clock", "system",
            "The clock that drives batches: 'system', or 'manual' for tests that advance time themselves.");
    public static final ConfigKey<Long> RECEIVER_MAX_RATE = longKey("sluice.streaming.receiver.maxRate", 0L, 0L,
            "Records per second each receiver may store at most; 0 means no limit. Enforced at block creation: a block "
                    + "holds at most this rate times the block interval, and a receiver whose block is full waits for the "
                    + "next one (nothing is signalled to the source).");
    public static final ConfigKey<Boolean> BACKPRESSURE_ENABLED = bool("sluice.streaming.backpressure.enabled", false,
            "Backpressure: after each batch a rate estimator computes, per receiver input stream, how many records per "
                    + "second the next batch should ingest (from the last batch's record count, processing delay and "
                    + "scheduling delay), and the stream's receiver obeys it, never above " + RECEIVER_MAX_RATE.name() + ".");
    public static final ConfigKey<Long> BACKPRESSURE_INITIAL_RATE = longKey("sluice.streaming.backpressure.initialRate", 0L, 0L,
            "With backpressure, the records per second each receiver may store before the first estimate (capped by "
                    + RECEIVER_MAX_RATE.name() + "); 0 means only " + RECEIVER_MAX_RATE.name() + " applies. Set it "
                    + "slightly above the best estimate of the stream's throughput.");
    public static final ConfigKey<String> BACKPRESSURE_RATE_ESTIMATOR = string("sluice.streaming.backpressure.rateEstimator", "pid",
            "The rate estimator of backpressure: 'pid', or the name of a class implementing io.sluice.control.RateEstimator "
                    + "(public, with a public constructor taking (SluiceConf, java.time.Duration batchInterval) or none), "
                    + "on the driver's classpath.");
    public static final ConfigKey<Double> BACKPRESSURE_PID_PROPORTIONAL = doubleKey("sluice.streaming.backpressure.pid.proportional", 1.0, 0.0, false,
            "Weight of the PID rate estimator's proportional term (the last batch's error: ingestion rate minus "
                    + "processing rate); usually between 0 and 1.");
    public static final ConfigKey<Double> BACKPRESSURE_PID_INTEGRAL = doubleKey("sluice.streaming.backpressure.pid.integral", 0.2, 0.0, false,
            "Weight of the PID rate estimator's integral term (the accumulated error: records waiting because of "
                    + "scheduling delay); usually between 0 and 1. The default lets each batch work off a fifth of the backlog.");
    public static final ConfigKey<Double> BACKPRESSURE_PID_DERIVATIVE = doubleKey("sluice.streaming.backpressure.pid.derivative", 0.0, 0.0, false,
            "Weight of the PID rate estimator's derivative term (how fast the error changes); non-zero helps streams "
                    + "whose throughput changes fast and irregularly.");
    public static final ConfigKey<Double> BACKPRESSURE_PID_MIN_RATE = doubleKey("sluice.streaming.backpressure.pid.minRate", 100.0, 0.0, true,
            "The lowest rate, in records per second, the PID rate estimator ever asks for, so that a stream never stops.");
    public static final ConfigKey<Integer> LISTENER_BUS_CAPACITY = integer("sluice.streaming.listenerBus.capacity", 10_000, 1,
            "Events the listener bus holds for delivery to streaming listeners; when a slow listener lets it fill up, "
                    + "further events are dropped (counted and logged) rather than delaying batches.");
    public static final ConfigKey<Duration> RECEIVER_RESTART_DELAY = duration("sluice.streaming.receiver.restartDelay", Duration.ofSeconds(2), Duration.ofMillis(1),
            "How long a receiver that asked to be restarted (for example after losing its connection) stays stopped before it starts again.");
    public static final ConfigKey<Duration> RECEIVER_MAX_RESTART_DELAY = duration("sluice.streaming.receiver.maxRestartDelay", Duration.ofSeconds(30), Duration.ofMillis(1),
            "The longest delay between two attempts of a receiver that keeps failing to connect; the delay doubles from "
                    + RECEIVER_RESTART_DELAY.name() + " up to this bound.");
    public static final ConfigKey<Boolean> STOP_GRACEFULLY_ON_SHUTDOWN = bool("sluice.streaming.stopGracefullyOnShutdown", false,
            "On JVM shutdown (SIGTERM), stop the streaming context gracefully: finish received data first.");
    public static final ConfigKey<Duration> STOP_TIMEOUT = duration("sluice.streaming.gracefulStopTimeout", Duration.ofSeconds(30), Duration.ofMillis(1),
            "How long a graceful stop waits for received data to be processed before giving up.");
    public static final ConfigKey<Boolean> UNPERSIST = bool("sluice.streaming.unpersist", true,
            "Release the data of old batches automatically once no window or output needs it.");
    public static final ConfigKey<Duration> FILE_MIN_REMEMBER = duration("sluice.streaming.fileStream.minRememberDuration", Duration.ofSeconds(60),
            "How far back textFileStream remembers the files it has seen, so that a file is never read twice.");
    public static final ConfigKey<Duration> JOB_TIMEOUT = duration("sluice.streaming.awaitBatchTimeout", Duration.ofMinutes(10), Duration.ofMillis(1),
            "The longest a batch's job may wait for its tasks before the batch is failed.");

    public static final ConfigKey<String> KRYO_REGISTRATOR = string("sluice.kryo.registrator", "",
            "Comma-separated classes implementing io.sluice.serde.KryoRegistrator that register application classes with Kryo.");
    public static final ConfigKey<Boolean> KRYO_REGISTRATION_REQUIRED = bool("sluice.kryo.registrationRequired", false,
            "Fail when Kryo meets a class that was not registered, instead of writing its name with every record.");

    public static final ConfigKey<Boolean> DYN_ALLOC_ENABLED = bool("sluice.dynamicAllocation.enabled", false,
            "Let the driver change the number of executors with the load: more when batches take longer than the "
                    + "batch interval allows or queue up, fewer when they leave executors idle.");
    public static final ConfigKey<Integer> DYN_ALLOC_MIN = integer("sluice.dynamicAllocation.minExecutors", 0, 0,
            "The fewest executors dynamic allocation keeps. It never goes below what the receivers need plus one "
                    + "core for tasks, so a stream cannot starve itself.");
    public static final ConfigKey<Integer> DYN_ALLOC_MAX = integer("sluice.dynamicAllocation.maxExecutors", Integer.MAX_VALUE, 0,
            "The most executors dynamic allocation asks for, whatever the load; the default means no limit.");
    public static final ConfigKey<Integer> DYN_ALLOC_INITIAL = integer("sluice.dynamicAllocation.initialExecutors", -1, -1,
            "The executors asked for when the application starts, before any batch has been measured; -1 means "
                    + DYN_ALLOC_MIN.name() + " (at least 1). Must lie between the minimum and the maximum. On "
                    + "local-cluster[E,C,M] the master URL's E is the initial count, and on other cluster masters "
                    + "sluice.executor.instances when it is set: leave this unset or make the two equal.");
    public static final ConfigKey<Duration> DYN_ALLOC_INTERVAL = duration("sluice.dynamicAllocation.scalingInterval", Duration.ofSeconds(10), Duration.ofMillis(100),
            "How often dynamic allocation looks at the batches completed since its last look and decides the executor count "
                    + "(scale-downs happen only then). A scale-up does not wait for it: as soon as the last two batches "
                    + "each need more executors it asks for them and starts a new interval. Keep it well above an "
                    + "executor's start-up time (JVM start and registration, a few seconds).");
    public static final ConfigKey<Double> DYN_ALLOC_UP_RATIO = fraction("sluice.dynamicAllocation.scaleUpRatio", 0.9,
            "Processing time per batch, as a fraction of the batch interval, that dynamic allocation aims for: when "
                    + "the mean over an interval, or each of the last two batches, is above it (or batches queue up), it "
                    + "asks in one step for the executors that bring it back under.");
    public static final ConfigKey<Double> DYN_ALLOC_DOWN_RATIO = fraction("sluice.dynamicAllocation.scaleDownRatio", 0.5,
            "Executors are released only when every batch of a whole scaling interval took less than this fraction of "
                    + "the batch interval and none was waiting. Must be below " + DYN_ALLOC_UP_RATIO.name() + "; "
                    + "the gap between the two keeps the count from oscillating.");
    public static final ConfigKey<Integer> DYN_ALLOC_DOWN_STEP = integer("sluice.dynamicAllocation.scaleDownStep", 1, 1,
            "The most executors released in one scaling interval, so that the count falls gradually.");
    public static final ConfigKey<Integer> DYN_ALLOC_DRAIN_INTERVALS = integer("sluice.dynamicAllocation.backlogDrainIntervals", 3, 1,
            "When batches are waiting, dynamic allocation adds the executors that would process them within this many "
                    + "scaling intervals, on top of those that keep up with new batches.");

    public static final ConfigKey<Integer> RPC_MAX_FRAME_BYTES = integer("sluice.rpc.maxFrameBytes", 16 * 1024 * 1024, 1024,
            "The largest RPC frame (header and body) a connection accepts or sends; a peer sending a larger frame is disconnected. "
                    + "Large data (blocks, files) travels as streams of chunks instead.");
    public static final ConfigKey<Integer> RPC_STREAM_CHUNK_BYTES = integer("sluice.rpc.streamChunkBytes", 512 * 1024, 1024,
            "The largest chunk of a stream (shuffle block, file); a stream never holds more than a few chunks in memory on "
                    + "either side. Must leave room for the frame header below " + RPC_MAX_FRAME_BYTES.name() + ".");
    public static final ConfigKey<Duration> RPC_ASK_TIMEOUT = duration("sluice.rpc.askTimeout", Duration.ofSeconds(60), Duration.ofMillis(1),
            "How long an RPC ask waits for its reply when the caller names no timeout.");
    public static final ConfigKey<Duration> RPC_CONNECT_TIMEOUT = duration("sluice.rpc.connectTimeout", Duration.ofSeconds(10), Duration.ofMillis(1),
            "How long opening an RPC connection may take.");
    public static final ConfigKey<Duration> RPC_IDLE_TIMEOUT = duration("sluice.rpc.idleTimeout", Duration.ofSeconds(120), Duration.ofMillis(1),
            "A connection with requests or streams outstanding that sees no traffic for this long is closed as dead; "
                    + "idle connections without outstanding requests stay open. Keep it above " + RPC_ASK_TIMEOUT.name() + ".");
    public static final ConfigKey<Integer> RPC_IO_THREADS = integer("sluice.rpc.ioThreads", 0, 0,
            "Netty event-loop threads shared by the RPC server and client connections of one process; 0 means the number of cores.");
    public static final ConfigKey<Integer> RPC_DISPATCHER_THREADS = integer("sluice.rpc.dispatcherThreads", 0, 0,
            "Threads that run RPC endpoints (each endpoint sees its messages one at a time, in order); 0 means the number of cores, at least 2.");

    public static final ConfigKey<String> LOCAL_DIR = string("sluice.local.dir", "",
            "Directory for an executor's scratch files (map outputs that do not fit in its shuffle memory); empty means the JVM's java.io.tmpdir.");
    public static final ConfigKey<Long> SHUFFLE_MEMORY_BYTES = longKey("sluice.shuffle.memoryBytes", 256L << 20, 0L,
            "Bytes of serialized map outputs an executor keeps in memory; a map output that does not fit is written to a file under "
                    + LOCAL_DIR.name() + " instead. Local mode keeps map outputs as objects and does not use this.");
    public static final ConfigKey<Long> STORAGE_MEMORY_BYTES = longKey("sluice.storage.memoryBytes", 128L << 20, 0L,
            "Bytes of serialized blocks (received data with a *_SER storage level, and its replicated copies) an executor "
                    + "keeps in memory; beyond it, blocks whose level allows disk (MEMORY_AND_DISK_SER_2, the receivers' "
                    + "default) are written to files under " + LOCAL_DIR.name() + " and read back from there. Local mode "
                    + "keeps blocks as objects and does not use this.");
    public static final ConfigKey<String> APP_ID = string("sluice.app.id", "",
            "The application's id, unique per run; names its executors (<app>-exec-<attempt>-<n>), and executors refuse to "
                    + "register with a driver of another application. Required when executors run outside the driver "
                    + "(local-cluster, YARN, Kubernetes, Mesos).");
    public static final ConfigKey<Integer> APP_ATTEMPT = integer("sluice.app.attempt", 1, 1,
            "The attempt number of the driver (a cluster manager restarting the driver increments it); part of executor ids.");
    public static final ConfigKey<String> DRIVER_HOST = string("sluice.driver.host", "127.0.0.1",
            "The address the driver's RPC server binds to and executors connect to; must be reachable from every executor.");
    public static final ConfigKey<Integer> DRIVER_PORT = integer("sluice.driver.port", 0, 0,
            "The port of the driver's RPC server; 0 picks a free one.");
    public static final ConfigKey<String> DRIVER_RESTART_POLICY = register(new ConfigKey<>("sluice.driver.restart.policy",
            String.class, s -> s, "onFailure",
            "When the driver's supervisor (YARN's ApplicationMaster; sluice-submit --supervise with a local master) starts "
                    + "the driver again after it ended: 'never'; 'onFailure' (after a failure worth retrying, within "
                    + "the failure budget); 'always' (also after it succeeded). A permanent failure (its main class does "
                    + "not exist) and a kill are never retried.",
            v -> List.of("never", "onfailure", "always").contains(v.toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", ""))
                    ? null : "expected never, onFailure or always"));
    public static final ConfigKey<Integer> DRIVER_RESTART_MAX_FAILURES = integer("sluice.driver.restart.maxFailures", 3, 0,
            "Driver failures tolerated within sluice.driver.restart.failureWindow; the next one fails the application, "
                    + "with the reason. Failures before the driver was last healthy (sluice.driver.restart.healthyAfter) "
                    + "do not count.");
    public static final ConfigKey<Duration> DRIVER_RESTART_FAILURE_WINDOW = duration("sluice.driver.restart.failureWindow",
            Duration.ofHours(1), Duration.ofMillis(1),
            "The sliding window over which " + DRIVER_RESTART_MAX_FAILURES.name() + " is counted.");
    public static final ConfigKey<Duration> DRIVER_RESTART_BACKOFF = duration("sluice.driver.restart.backoff",
            Duration.ofSeconds(2), Duration.ofMillis(1),
            "How long the supervisor waits before starting a failed driver again; it doubles with each further failure "
                    + "in a row, up to sluice.driver.restart.maxBackoff, and starts again from here once the driver was "
                    + "healthy.");
    public static final ConfigKey<Duration> DRIVER_RESTART_MAX_BACKOFF = duration("sluice.driver.restart.maxBackoff",
            Duration.ofMinutes(1), Duration.ofMillis(1),
            "The longest wait before starting a failed driver again; at least " + DRIVER_RESTART_BACKOFF.name() + ".");
    public static final ConfigKey<Duration> DRIVER_RESTART_HEALTHY_AFTER = duration("sluice.driver.restart.healthyAfter",
            Duration.ofMinutes(10), Duration.ZERO,
            "A driver that has been completing batches for this long (from its first completed batch to its latest) is "
                    + "healthy: the failures before count no more, neither towards " + DRIVER_RESTART_MAX_FAILURES.name()
                    + " nor for the backoff, so a job that ran for a week is not ended by its third crash in a month.");
    public static final ConfigKey<String> DRIVER_EVENT_LOG_DIR = string("sluice.driver.eventLogDir", "",
            "Where the driver's supervisor writes the driver's lifecycle events (submitted, starting, running, backing "
                    + "off, healthy, succeeded, failed, killed) as <dir>/<app id>/attempt-<n>.events, on any Hadoop file "
                    + "system (hdfs://..., file:/...); empty means they are only logged.");
    public static final ConfigKey<String> DRIVER_PROGRESS_FILE = string("sluice.driver.progressFile", "",
            "Set by the driver's supervisor, not by users: a local file where the driver's streaming context records "
                    + "when it started and when batches completed, from which the supervisor judges its health.");
    public static final ConfigKey<Integer> EXECUTOR_CORES = integer("sluice.executor.cores", 1, 1,
            "Cores (task slots) of each executor; with local-cluster[E,C,M], C is used instead.");
    public static final ConfigKey<Integer> EXECUTOR_MEMORY_MB = integer("sluice.executor.memory", 1024, 64,
            "Heap of each executor JVM, in MiB; with local-cluster[E,C,M], M is used instead.");
    public static final ConfigKey<Duration> EXECUTOR_HEARTBEAT_INTERVAL = duration("sluice.executor.heartbeatInterval", Duration.ofSeconds(10), Duration.ofMillis(10),
            "How often an executor reports to the driver that it is alive (with its memory figures). Must be well below "
                    + "sluice.executor.lostTimeout.");
    public static final ConfigKey<Duration> EXECUTOR_LOST_TIMEOUT = duration("sluice.executor.lostTimeout", Duration.ofSeconds(120), Duration.ofMillis(10),
            "An executor the driver has not heard from for this long is declared lost (even if its process still runs), "
                    + "its tasks are rescheduled and the allocator replaces it. Must be above " + EXECUTOR_HEARTBEAT_INTERVAL.name() + ".");
    public static final ConfigKey<Duration> NETWORK_TIMEOUT = duration("sluice.network.timeout", Duration.ofSeconds(120), Duration.ofMillis(10),
            "How long an executor keeps trying to reach the driver (to register, then to heartbeat) before it exits with "
                    + "an error, so that executors of a dead driver do not linger.");
    public static final ConfigKey<Duration> EXECUTOR_REGISTRATION_TIMEOUT = duration("sluice.executor.registrationTimeout", Duration.ofSeconds(60), Duration.ofMillis(10),
            "How long an executor that started (its process, container or pod runs) has to register with the driver before the "
                    + "allocator releases it and counts a failure.");
    public static final ConfigKey<Duration> EXECUTOR_LAUNCH_TIMEOUT = register(ConfigKey.key("sluice.executor.launchTimeout")
            .durationType().atLeast(Duration.ofMillis(1)).defaultValue(Duration.ofMinutes(10))
            .doc("How long an executor the cluster manager accepted may take to start (a YARN container to be allocated "
                    + "and started, a Kubernetes pod to be scheduled) before the allocator gives it up and asks for "
                    + "another; not counted as a failure. Once started, it has sluice.executor.registrationTimeout to "
                    + "register."));
    public static final ConfigKey<Integer> EXECUTOR_MAX_PENDING_LAUNCHES = register(ConfigKey.key("sluice.executor.maxPendingLaunches")
            .intType().atLeast(0).defaultValue(0)
            .doc("The most executor launches in flight at once (asked of the cluster manager, not yet started); further "
                    + "executors are asked for as those start, so that a slow cluster manager is not flooded with "
                    + "requests. 0 means no limit."));
    public static final ConfigKey<Integer> EXECUTOR_MAX_FAILURES = integer("sluice.executor.maxFailures", 8, 0,
            "Executor failures (exits, launch failures, registration or heartbeat timeouts; never preemption or release "
                    + "by the driver) tolerated within sluice.executor.failureWindow before the application fails.");
    public static final ConfigKey<Duration> EXECUTOR_FAILURE_WINDOW = duration("sluice.executor.failureWindow", Duration.ofMinutes(10), Duration.ofMillis(1),
            "The sliding window over which " + EXECUTOR_MAX_FAILURES.name() + " is counted.");
    public static final ConfigKey<Duration> EXECUTOR_FAILURE_BACKOFF = duration("sluice.executor.failureBackoff", Duration.ofSeconds(1), Duration.ofMillis(1),
            "After an executor failure the allocator waits this long before launching again, doubling with each further "
                    + "failure in a row, so that a broken cluster never turns into a tight launch loop.");
    public static final ConfigKey<Duration> EXECUTOR_MAX_FAILURE_BACKOFF = duration("sluice.executor.maxFailureBackoff", Duration.ofMinutes(1), Duration.ofMillis(1),
            "The longest wait between launches after failures in a row; must be at least " + EXECUTOR_FAILURE_BACKOFF.name() + ".");
    public static final ConfigKey<Duration> EXECUTOR_STOP_GRACE = duration("sluice.executor.stopGracePeriod", Duration.ofSeconds(10), Duration.ofMillis(1),
            "How long a released executor process may take to exit after SIGTERM before it is killed (SIGKILL).");
    public static final ConfigKey<Integer> EXECUTOR_INSTANCES = integer("sluice.executor.instances", 2, 1,
            "Executors a cluster master other than local-cluster (yarn, k8s, mesos) starts with. With dynamic "
                    + "allocation, the initial count when set; unset, " + DYN_ALLOC_INITIAL.name() + " decides.");
    public static final ConfigKey<Integer> EXECUTOR_MEMORY_OVERHEAD_MB = register(ConfigKey.key("sluice.executor.memoryOverhead")
            .intType().atLeast(0).defaultValue(256).deprecatedNames("sluice.yarn.memoryOverhead")
            .doc("MiB each executor's container (YARN container, Kubernetes pod, Mesos task) asks for on top of the "
                    + "executor's heap (metaspace, thread stacks, direct buffers); the cluster manager kills a container "
                    + "exceeding heap plus overhead. local-cluster does not use it."));
    public static final ConfigKey<String> EXECUTOR_JAVA_OPTIONS = register(ConfigKey.key("sluice.executor.extraJavaOptions")
            .stringType().defaultValue("").deprecatedNames("sluice.yarn.executor.extraJavaOptions")
            .doc("Extra JVM options (space-separated) of every executor JVM, on every cluster master (local-cluster too), "
                    + "after the options Sluice sets (heap, --add-opens, startup settings)."));
    public static final ConfigKey<String> LOCAL_CLUSTER_WORK_DIR = string("sluice.localCluster.workDir", "",
            "Where local-cluster[E,C,M] writes each executor's stdout and stderr (<dir>/<executor id>/); empty means "
                    + "<java.io.tmpdir>/sluice-local-cluster/<app id>.");

    public static final ConfigKey<Integer> TASK_MAX_FAILURES = integer("sluice.task.maxFailures", 4, 1,
            "How many times one task may fail (throw) on executors before its job fails with the task's exception; each "
                    + "retry prefers another executor. A task whose executor was lost is rescheduled without counting. "
                    + "Local mode runs each task once.");
    public static final ConfigKey<Integer> STAGE_MAX_ATTEMPTS = integer("sluice.stage.maxConsecutiveAttempts", 4, 1,
            "How many times a job re-plans its missing map stages after fetch failures or lost executors before it fails.");
    public static final ConfigKey<Integer> EXCLUDE_MAX_TASK_FAILURES = integer("sluice.excludeOnFailure.maxTaskFailures", 2, 1,
            "Task failures on one executor within sluice.excludeOnFailure.timeout after which no task is placed on it until "
                    + "that timeout passed (unless every executor is excluded).");
    public static final ConfigKey<Duration> EXCLUDE_TIMEOUT = duration("sluice.excludeOnFailure.timeout", Duration.ofSeconds(60), Duration.ofMillis(1),
            "How long an executor stays excluded after repeated task failures; also the window over which its failures count.");
    public static final ConfigKey<Integer> CHECKPOINT_MAX_FAILURES = integer("sluice.streaming.checkpoint.maxFailures", 5, 1,
            "Metadata checkpoints in a row that could not be written (each tried 3 times, with a growing pause from sluice.streaming.checkpoint.retryBackoff) before the streaming context fails: without them a restarted driver cannot recover.");
    public static final ConfigKey<Duration> CHECKPOINT_RETRY_BACKOFF = duration("sluice.streaming.checkpoint.retryBackoff", Duration.ofMillis(500), Duration.ofMillis(1),
            "The first pause before writing a metadata checkpoint again after a failure; it doubles with each attempt.");
    public static final ConfigKey<Boolean> CHECKPOINT_LEASE_ENABLED = bool("sluice.streaming.checkpoint.lease", true,
            "Take an exclusive lease on the checkpoint directory at start (a file _lease naming the driver's application, host and pid, renewed while it runs): a second driver on the same directory refuses to start, naming the holder. Turn off only for a file system whose create-if-absent is not atomic.");
    public static final ConfigKey<Duration> CHECKPOINT_LEASE_TIMEOUT = duration("sluice.streaming.checkpoint.leaseTimeout", Duration.ofSeconds(30), Duration.ofSeconds(1),
            "A checkpoint directory lease not renewed for this long has expired (it is renewed every third of it). A driver restarted on the same host after its predecessor died, or as a later attempt of the same application, takes the lease over at once; another waits up to this long to see whether the holder still renews it.");
    public static final ConfigKey<Integer> RECOVERY_MAX_QUEUED_BATCHES = integer("sluice.streaming.recovery.maxQueuedBatches", 2, 1,
            "While a restarted driver catches up on the batches it had not completed and those due while it was down, at most this many of them are generated and waiting to complete at once; the rest are generated as earlier ones complete, so that progress is checkpointed during the catch-up.");
    public static final ConfigKey<Duration> LOCALITY_WAIT = duration("sluice.locality.wait", Duration.ofSeconds(3), Duration.ZERO,
            "How long a task whose input blocks are on particular executors waits for a free slot there before it runs on any executor (reading the blocks over the network).");

    public static final ConfigKey<Boolean> UI_ENABLED = bool("sluice.ui.enabled", true,
            "Serve the driver's HTTP server (REST API under /api/v1, metrics under /metrics/json and /metrics/prometheus) "
                    + "while a streaming context runs.");
    public static final ConfigKey<Integer> UI_PORT = integer("sluice.ui.port", 4040, 0,
            "The port of the driver's HTTP server; when it is taken the next ports up are tried (4041, 4042, ...), "
                    + "at most sluice.port.maxRetries more. 0 picks a free port.");
    public static final ConfigKey<Integer> PORT_MAX_RETRIES = integer("sluice.port.maxRetries", 16, 0,
            "How many further ports (one up each time) a server tries when its configured port is taken, before it fails.");
    public static final ConfigKey<Integer> UI_RETAINED_BATCHES = integer("sluice.streaming.ui.retainedBatches", 1000, 1,
            "How many completed batches the REST API, the metrics and the UI remember; averages in the statistics are over these.");

    public static final ConfigKey<Boolean> RECEIVER_WAL_ENABLE = bool("sluice.streaming.receiver.writeAheadLog.enable", false,
            "Write every block a receiver stores to a write-ahead log under <checkpoint dir>/receivedData/<stream id> "
                    + "before it is acknowledged, so that a batch can read its received data back after the executors "
                    + "holding it are lost. Needs a checkpoint directory.");
    public static final ConfigKey<Integer> RECEIVER_WAL_ROLLING_INTERVAL = integer("sluice.streaming.receiver.writeAheadLog.rollingIntervalSecs", 60, 1,
            "Seconds of block time covered by one segment of a received-data write-ahead log; old data is deleted a "
                    + "whole segment at a time.");
    public static final ConfigKey<Integer> DRIVER_WAL_ROLLING_INTERVAL = integer("sluice.streaming.driver.writeAheadLog.rollingIntervalSecs", 60, 1,
            "Seconds of batch time covered by one segment of the driver's block metadata log "
                    + "(<checkpoint dir>/receivedBlockMetadata).");
    public static final ConfigKey<Integer> WAL_MAX_RETRIES = integer("sluice.streaming.writeAheadLog.maxRetries", 5, 0,
            "How many times a failed write to a write-ahead log is retried (each time in a new segment, after a growing "
                    + "pause) before the write fails and, with it, the receiver or the driver.");
    public static final ConfigKey<Duration> WAL_RETRY_BACKOFF = duration("sluice.streaming.writeAheadLog.retryBackoff", Duration.ofMillis(200), Duration.ofMillis(1),
            "The pause before the first retry of a failed write-ahead log write; it doubles with each further retry.");
    public static final ConfigKey<Duration> WAL_MAX_RETRY_BACKOFF = duration("sluice.streaming.writeAheadLog.maxRetryBackoff", Duration.ofSeconds(5), Duration.ofMillis(1),
            "The longest pause between retries of a failed write-ahead log write.");

    // ---------------------------------------------------------------- drivers a cluster manager starts, and submission
    public static final ConfigKey<String> DEPLOY_MODE = string("sluice.submit.deployMode", "cluster",
            "Where the driver runs on a cluster master: 'cluster' (the cluster manager starts and supervises it: on YARN "
                    + "inside the ApplicationMaster) or 'client' (in the submitting process; on YARN the ApplicationMaster "
                    + "only manages executors). Local masters always run the driver in the submitting process.");
    public static final ConfigKey<Integer> DRIVER_MEMORY_MB = register(ConfigKey.key("sluice.driver.memory").intType()
            .atLeast(64).defaultValue(512).deprecatedNames("sluice.yarn.am.memory")
            .doc("Heap of the driver JVM, in MiB, when the cluster manager starts the driver (cluster deploy mode; on YARN "
                    + "the ApplicationMaster, which hosts the driver; on YARN client mode the ApplicationMaster that launches "
                    + "the executors). The driver's container asks for this plus " + "sluice.driver.memoryOverhead. A driver "
                    + "you start yourself (local masters, client mode) gets its heap from its own java command (-Xmx)."));
    public static final ConfigKey<Integer> DRIVER_CORES = register(ConfigKey.key("sluice.driver.cores").intType()
            .atLeast(1).defaultValue(1).deprecatedNames("sluice.yarn.am.cores")
            .doc("Cores of the driver's container when the cluster manager starts the driver (on YARN: the "
                    + "ApplicationMaster's virtual cores)."));
    public static final ConfigKey<Integer> DRIVER_MEMORY_OVERHEAD_MB = register(ConfigKey.key("sluice.driver.memoryOverhead")
            .intType().atLeast(0).defaultValue(256).deprecatedNames("sluice.yarn.memoryOverhead")
            .doc("MiB the driver's container asks for on top of the driver's heap (metaspace, thread stacks, direct "
                    + "buffers), when the cluster manager starts the driver; a container exceeding its limit is killed."));
    public static final ConfigKey<String> DRIVER_JAVA_OPTIONS = register(ConfigKey.key("sluice.driver.extraJavaOptions")
            .stringType().defaultValue("").deprecatedNames("sluice.yarn.am.extraJavaOptions")
            .doc("Extra JVM options (space-separated) of the driver JVM the cluster manager starts (on YARN: the "
                    + "ApplicationMaster, in either deploy mode)."));
    public static final ConfigKey<String> SUBMIT_APP_JAR = register(ConfigKey.key("sluice.submit.appJar").stringType()
            .defaultValue("").deprecatedNames("sluice.yarn.appJar")
            .doc("Client deploy mode: the application jar (on this machine) that the executors get; sluice-submit sets it "
                    + "from its jar argument."));
    public static final ConfigKey<String> SUBMIT_JARS = string("sluice.submit.jars", "",
            "Comma-separated jars (on the submitting machine) for the class path of the driver and every executor, "
                    + "besides the application jar (sluice-submit --jars); staged with the application on cluster masters.");
    public static final ConfigKey<String> SUBMIT_FILES = string("sluice.submit.files", "",
            "Comma-separated files (on the submitting machine) placed in the working directory of the driver the "
                    + "cluster manager starts and of every executor, under their own names (sluice-submit --files).");
    public static final ConfigKey<String> SUBMIT_STAGING_DIR = register(ConfigKey.key("sluice.submit.stagingDir")
            .stringType().defaultValue("").deprecatedNames("sluice.yarn.stagingDir")
            .doc("Where a submission stages the application's files on the cluster's file system (<dir>/<app id>/); "
                    + "empty means <home directory of the submitting user>/.sluice. Removed when the application ends."));
    public static final ConfigKey<String> SUBMIT_SLUICE_JARS = register(ConfigKey.key("sluice.submit.sluiceJars")
            .stringType().defaultValue("").deprecatedNames("sluice.yarn.jars")
            .doc("Comma-separated jars (or class directories) shipped to the cluster as Sluice's own jars (for the driver "
                    + "the cluster manager starts and the executors); empty means the submitting JVM's class path."));
    public static final ConfigKey<String> SUBMIT_JAR_CACHE_DIR = register(ConfigKey.key("sluice.submit.jarCacheDir")
            .stringType().defaultValue("").deprecatedNames("sluice.yarn.jarCacheDir")
            .doc("Where Sluice's jars (" + SUBMIT_SLUICE_JARS.name() + ") are kept on the cluster's file system between "
                    + "submissions, each as <dir>/<sha256 of its content>/<file name>: a jar whose hash is there is not "
                    + "uploaded again. Shared by concurrent submitters (written to a temporary name, then renamed) and never "
                    + "removed with an application; empty means .sluice-cache in the staging base directory ("
                    + SUBMIT_STAGING_DIR.name() + ", by default <home directory>/.sluice)."));
    public static final ConfigKey<String> SUBMIT_LOG4J_CONFIG = register(ConfigKey.key("sluice.submit.log4jConfig")
            .stringType().defaultValue("").deprecatedNames("sluice.yarn.log4jConfig")
            .doc("A log4j2 configuration file on the submitting machine that the driver the cluster manager starts and "
                    + "every executor log with (staged as conf/log4j2.xml; log to the console so that the cluster "
                    + "manager's log collection gets it); empty means log4j2's defaults."));
    public static final ConfigKey<Boolean> SUBMIT_WAIT_FOR_COMPLETION = register(ConfigKey.key("sluice.submit.waitAppCompletion")
            .booleanType().defaultValue(true).deprecatedNames("sluice.yarn.submit.waitAppCompletion")
            .doc("In cluster deploy mode, whether sluice-submit follows the application until it ends (printing its "
                    + "state changes, exiting 1 unless it succeeded) or returns once the cluster manager accepted it."));
    public static final ConfigKey<Duration> SUBMIT_STATUS_INTERVAL = register(ConfigKey.key("sluice.submit.statusInterval")
            .durationType().atLeast(Duration.ofMillis(10)).defaultValue(Duration.ofSeconds(1))
            .deprecatedNames("sluice.yarn.report.interval")
            .doc("How often a submitter following an application asks the cluster manager for its status."));

    private final Map<String, String> values = new TreeMap<>();

    /** A configuration with defaults, plus any {@code sluice.*} Java system properties. */
    public SluiceConf() {
        this(true);
    }

    public SluiceConf(boolean loadSystemProperties) {
        if (loadSystemProperties) {
            for (String name : System.getProperties().stringPropertyNames()) {
                if (name.startsWith("sluice.")) {
                    values.put(name, System.getProperty(name));
                }
            }
        }
    }

    public SluiceConf set(String key, String value) {
        values.put(key, value);
        return this;
    }

    public <T> SluiceConf set(ConfigKey<T> key, T value) {
        values.put(key.name(), value instanceof Duration d ? d.toMillis() + "ms" : String.valueOf(value));
        return this;
    }

    public SluiceConf setMaster(String master) {
        return set(MASTER, master);
    }

    public SluiceConf setAppName(String name) {
        return set(APP_NAME, name);
    }

    /**
     * The value of {@code key}: set under its name, else under one of its deprecated names, else its default.
     *
     * @throws IllegalArgumentException naming the key (as it was set) when the value does not parse or is out of range
     */
    public <T> T get(ConfigKey<T> key) {
        String raw = values.get(key.name());
        if (raw != null) {
            return key.parse(raw);
        }
        for (String old : key.deprecatedNames()) {
            raw = values.get(old);
            if (raw != null) {
                return key.parse(old, raw);
            }
        }
        return key.defaultValue();
    }

    /** True if {@code key} is set, under its name or a deprecated one. */
    public boolean contains(ConfigKey<?> key) {
        if (values.containsKey(key.name())) {
            return true;
        }
        return key.deprecatedNames().stream().anyMatch(values::containsKey);
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** Reads a {@code key value} / {@code key=value} file such as {@code conf/sluice-defaults.conf}; set keys win. */
    public SluiceConf loadDefaults(Path file) throws IOException {
        var props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        }
        for (String name : props.stringPropertyNames()) {
            values.putIfAbsent(name, props.getProperty(name));
        }
        return this;
    }

    /**
     * What is wrong with this configuration, checked against every key the modules on the class path declare: errors
     * (values that do not parse or are out of range, all at once) and warnings (unknown {@code sluice.*} keys, naming
     * the closest known key; deprecated names).
     */
    public record Report(List<String> errors, List<String> warnings) {
        public Report {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    /** Checks every set {@code sluice.*} key against {@code registry} (see {@link Report}). */
    public Report check(ConfigRegistry registry) {
        var errors = new ArrayList<String>();
        var warnings = new ArrayList<String>();
        for (var e : values.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("sluice.")) {
                continue;
            }
            var declared = registry.find(name);
            if (declared.isPresent()) {
                parseInto(errors, declared.get(), name, e.getValue());
                continue;
            }
            List<ConfigKey<?>> replacements = registry.replacements(name);
            if (replacements.isEmpty()) {
                if (!registry.isOpen(name)) {
                    warnings.add(name + ": unknown configuration key, ignored"
                            + registry.closest(name).map(k -> "; did you mean " + k.name() + "?").orElse(""));
                }
                continue;
            }
            List<ConfigKey<?>> unset = replacements.stream().filter(k -> !values.containsKey(k.name())).toList();
            List<String> names = replacements.stream().map(ConfigKey::name).toList();
            if (unset.isEmpty()) {
                warnings.add(name + " is deprecated and ignored: " + String.join(", ", names) + " is set too");
                continue;
            }
            warnings.add(name + " is deprecated; use " + String.join(", ", names) + " (its value is used"
                    + (unset.size() == replacements.size() ? "" : " for " + String.join(", ",
                    unset.stream().map(ConfigKey::name).toList())) + ")");
            for (ConfigKey<?> key : unset) {
                parseInto(errors, key, name, e.getValue());
            }
        }
        return new Report(errors, warnings);
    }

    private static void parseInto(List<String> errors, ConfigKey<?> key, String as, String value) {
        try {
            key.parse(as, value);
        } catch (IllegalArgumentException ex) {
            if (!errors.contains(ex.getMessage())) {
                errors.add(ex.getMessage());
            }
        }
    }

    /**
     * Parses every set {@code sluice.*} key and reports all errors at once (against the keys of every module on the
     * class path); unknown keys are warnings, see {@link #check}.
     */
    public List<String> validate() {
        return check(ConfigRegistry.load()).errors();
    }

    /**
     * The check an application's start runs ({@code SluiceContext}): logs every warning (unknown keys with the closest
     * known one, deprecated names) and fails on the first look at a bad value, listing every error.
     *
     * @param what names what is starting, for the messages (e.g. the application's name)
     * @throws IllegalArgumentException listing every invalid value
     */
    public Report validateAtStart(String what) {
        Report report = check(ConfigRegistry.load());
        // looked up here, not held in a static: the documentation generator loads this class without log4j
        Logger log = LogManager.getLogger(SluiceConf.class);
        for (String w : report.warnings()) {
            log.warn("Configuration of {}: {}", what, w);
        }
        if (!report.errors().isEmpty()) {
            throw new IllegalArgumentException("Invalid configuration of " + what + ": " + String.join("; ", report.errors()));
        }
        return report;
    }

    public SluiceConf copy() {
        var c = new SluiceConf(false);
        c.values.putAll(values);
        return c;
    }

    /**
     * Settings under this prefix are Hadoop settings: {@code sluice.hadoop.fs.defaultFS=hdfs://nn:8020} sets
     * {@code fs.defaultFS} in the Hadoop configuration a YARN client builds (after {@code $HADOOP_CONF_DIR}'s files).
     */
    public static final String HADOOP_PREFIX = "sluice.hadoop.";

    /**
     * Every key the modules on the class path declare (runtime's first, in declaration order), for documentation and
     * {@code --conf} checks; see {@link ConfigRegistry}.
     */
    public static List<ConfigKey<?>> keys() {
        return ConfigRegistry.load().keys();
    }

    /** Runtime's own keys, as a provider (the registry always includes it). */
    static ConfigKeyProvider provider() {
        return new ConfigKeyProvider() {
            @Override
            public String module() {
                return MODULE;
            }

            @Override
            public List<ConfigKey<?>> keys() {
                return List.copyOf(KEYS.values());
            }

            @Override
            public List<String> openPrefixes() {
                return List.of(HADOOP_PREFIX, USER_PREFIX);
            }
        };
    }

    /** Keys under this prefix are the application's own; Sluice never reports them as unknown. */
    public static final String USER_PREFIX = "sluice.user.";

    private static <T> ConfigKey<T> register(ConfigKey<T> key) {
        if (KEYS.putIfAbsent(key.name(), key) != null) {
            throw new IllegalStateException("configuration key declared twice: " + key.name());
        }
        return key;
    }

    static ConfigKey<String> string(String name, String def, String doc) {
        return register(new ConfigKey<>(name, String.class, s -> s, def, doc));
    }

    static ConfigKey<Integer> integer(String name, int def, String doc) {
        return register(new ConfigKey<>(name, Integer.class, Integer::valueOf, def, doc));
    }

    static ConfigKey<Long> longKey(String name, long def, String doc) {
        return register(new ConfigKey<>(name, Long.class, Long::valueOf, def, doc));
    }

    static ConfigKey<Boolean> bool(String name, boolean def, String doc) {
        return register(new ConfigKey<>(name, Boolean.class, s -> {
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Boolean.valueOf(s);
            }
            throw new IllegalArgumentException("expected true or false");
        }, def, doc));
    }

    static ConfigKey<Integer> integer(String name, int def, int min, String doc) {
        return register(new ConfigKey<>(name, Integer.class, Integer::valueOf, def, doc,
                v -> v < min ? "expected >= " + min : null));
    }

    static ConfigKey<Long> longKey(String name, long def, long min, String doc) {
        return register(new ConfigKey<>(name, Long.class, Long::valueOf, def, doc,
                v -> v < min ? "expected >= " + min : null));
    }

    /** A number at least {@code min} (above it, with {@code exclusive}). */
    static ConfigKey<Double> doubleKey(String name, double def, double min, boolean exclusive, String doc) {
        return register(new ConfigKey<>(name, Double.class, Double::valueOf, def, doc,
                v -> Double.isNaN(v) || Double.isInfinite(v) || (exclusive ? v <= min : v < min)
                        ? "expected a number " + (exclusive ? "> " : ">= ") + min : null));
    }

    /** A number in (0, 1], such as a fraction of the batch interval. */
    static ConfigKey<Double> fraction(String name, double def, String doc) {
        return register(new ConfigKey<>(name, Double.class, Double::valueOf, def, doc,
                v -> v > 0 && v <= 1 ? null : "expected a fraction > 0 and <= 1"));
    }

    static ConfigKey<Duration> duration(String name, Duration def, Duration min, String doc) {
        return register(new ConfigKey<>(name, Duration.class, ConfigKey::parseDuration, def, doc,
                v -> v.compareTo(min) < 0 ? "expected >= " + min.toMillis() + " ms" : null));
    }

    static ConfigKey<Duration> duration(String name, Duration def, String doc) {
        return register(new ConfigKey<>(name, Duration.class, ConfigKey::parseDuration, def, doc));
    }

    @Override
    public String toString() {
        return "SluiceConf" + values;
    }
}
