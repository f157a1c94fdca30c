package io.sluice.api;

import io.sluice.api.function.Function2;
import io.sluice.batch.Dataset;
import io.sluice.batch.SluiceContext;
import io.sluice.checkpoint.CheckpointFiles;
import io.sluice.checkpoint.CheckpointWriter;
import io.sluice.checkpoint.MetadataCheckpoint;
import io.sluice.conf.SluiceConf;
import io.sluice.control.ExecutorAllocationController;
import io.sluice.control.RateController;
import io.sluice.control.RateEstimator;
import io.sluice.dstream.ConstantInputDStream;
import io.sluice.dstream.FileInputDStream;
import io.sluice.dstream.InputDStream;
import io.sluice.dstream.PluggableInputDStream;
import io.sluice.dstream.QueueInputDStream;
import io.sluice.dstream.ReceiverInputDStream;
import io.sluice.dstream.SocketInputDStream;
import io.sluice.dstream.StatefulDStream;
import io.sluice.dstream.TransformedDStream;
import io.sluice.dstream.UnionDStream;
import io.sluice.listener.ListenerBus;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.receiver.Receiver;
import io.sluice.receiver.ReceiverSupervisor;
import io.sluice.receiver.ReceiverTracker;
import io.sluice.scheduler.DStreamGraph;
import io.sluice.scheduler.InputInfoTracker;
import io.sluice.scheduler.JobGenerator;
import io.sluice.scheduler.JobScheduler;
import io.sluice.scheduler.CheckpointRecovery;
import io.sluice.scheduler.MetadataCheckpointer;
import io.sluice.scheduler.StateCheckpointer;
import io.sluice.state.StateSnapshots;
import io.sluice.storage.StorageLevel;
import io.sluice.util.Clock;
import io.sluice.util.ManualClock;
import io.sluice.util.SystemClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The entry point of a streaming application: creates input streams, holds the DStream graph, and once
 * {@link #start() started} turns the graph into one job per batch interval until {@link #stop(boolean) stopped}.
 *
 * <pre>{@code
 * var ssc = new StreamingContext(new SluiceConf().setMaster("local[2]").setAppName("wc"), Durations.seconds(1));
 * ssc.socketTextStream("localhost", 9999)
 *    .flatMap(l -> Arrays.asList(l.split(" ")).iterator())
 *    .mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum)
 *    .print();
 * ssc.start();
 * ssc.awaitTermination();
 * }</pre>
 */
public class StreamingContext implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(StreamingContext.class);

    /** The lifecycle of a context: streams may be added only while INITIALIZED; STOPPED is final. */
    public enum State { INITIALIZED, ACTIVE, STOPPED }

    private final SluiceContext sc;
    private final boolean ownsContext;
    private final Duration batchDuration;
    private final DStreamGraph graph;
    private final Clock clock;
    private final ListenerBus listenerBus;
    private final InputInfoTracker inputInfoTracker = new InputInfoTracker();
    private final Object stateLock = new Object();
    private volatile State state = State.INITIALIZED;
    private volatile String checkpointDir;
    private JobScheduler jobScheduler;
    private JobGenerator jobGenerator;
    private StateCheckpointer stateCheckpointer;
    private CheckpointWriter checkpointWriter;
    private io.sluice.checkpoint.CheckpointLease checkpointLease;
    private MetadataCheckpointer metadataCheckpointer;
    private volatile MetadataCheckpoint recovery;
    private volatile ReceiverTracker receiverTracker;
    private volatile Map<Integer, RateController> rateControllers = Map.of();
    private volatile ExecutorAllocationController allocationController;
    private volatile AutoCloseable allocationDriver;
    private volatile io.sluice.ui.StreamingJobProgressListener progressListener;
    private volatile io.sluice.ui.UiServer uiServer;
    private Runnable shutdownHook;
    /**
     * Above Hadoop's FileSystem cache (10), whose hook closes every FileSystem: a graceful stop on SIGTERM still
     * writes its last blocks, batches and checkpoints to HDFS.
     */
    private static final int SHUTDOWN_HOOK_PRIORITY = 51;
    /** The first error reported and not yet thrown by awaitTermination. Not guarded by stateLock (see reportError). */
    private final java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();
    /** Waiters for the end of the context or an error wait here; never held while anything else is waited for. */
    private final Object terminationLock = new Object();

    public StreamingContext(SluiceConf conf, Duration batchDuration) {
        this(newContext(conf, batchDuration), batchDuration, true);
    }

    // the duration is checked before the batch context starts, so that a bad one leaves no threads behind
    private static SluiceContext newContext(SluiceConf conf, Duration batchDuration) {
        if (batchDuration == null || batchDuration.toMillis() <= 0) {
            throw new IllegalArgumentException("Batch duration must be positive, got " + batchDuration);
        }
        return new SluiceContext(conf);
    }

    public StreamingContext(String master, String appName, Duration batchDuration) {
        this(new SluiceConf().setMaster(master).setAppName(appName), batchDuration);
    }

    /** Wraps an existing batch context, which {@link #stop(boolean, boolean)} may leave running. */
    public StreamingContext(SluiceContext sc, Duration batchDuration) {
        this(sc, batchDuration, false);
    }

    private StreamingContext(SluiceContext sc, Duration batchDuration, boolean ownsContext) {
        this.sc = Objects.requireNonNull(sc);
        this.ownsContext = ownsContext;
        this.batchDuration = batchDuration;
        this.graph = new DStreamGraph(batchDuration);
        this.listenerBus = new ListenerBus(sc.appId(), sc.conf().get(SluiceConf.LISTENER_BUS_CAPACITY));
        String clockName = sc.conf().get(SluiceConf.CLOCK);
        this.clock = switch (clockName) {
            case "system" -> new SystemClock();
            case "manual" -> new ManualClock();
            default -> throw new IllegalArgumentException(SluiceConf.CLOCK.name() + ": expected 'system' or 'manual', got '"
                    + clockName + "'");
        };
    }

    // ================================================================ accessors

    /** The batch engine under this streaming context. */
    public SluiceContext context() {
        return sc;
    }

    public SluiceConf conf() {
        return sc.conf();
    }

    public Duration batchDuration() {
        return batchDuration;
    }

    /** The clock that drives batches; a {@link ManualClock} when {@code sluice.streaming.clock=manual}. */
    public Clock clock() {
        return clock;
    }

    public State getState() {
        return state;
    }

    public String checkpointDir() {
        return checkpointDir;
    }

    /** Engine-internal: the DStream graph. */
    public DStreamGraph graph() {
        return graph;
    }

    /** Engine-internal: per-batch input records. */
    public InputInfoTracker inputInfoTracker() {
        return inputInfoTracker;
    }

    /** Engine-internal: the batch runner, with the bookkeeping of completed batches. Null before start. */
    public JobScheduler jobScheduler() {
        return jobScheduler;
    }

    public ListenerBus listenerBus() {
        return listenerBus;
    }

    /** Engine-internal: runs the receivers and tracks their blocks. Null before start, or without receivers. */
    public ReceiverTracker receiverTracker() {
        return receiverTracker;
    }

    // ================================================================ datasets

    public <T> Dataset<T> parallelize(List<T> data, int numSlices) {
        return sc.parallelize(data, numSlices);
    }

    public <T> Dataset<T> parallelize(List<T> data) {
        return sc.parallelize(data);
    }

    // ================================================================ input streams

    /** One dataset from the queue per batch (or the default/empty dataset when the queue is empty). */
    public <T> DStream<T> queueStream(Queue<Dataset<T>> queue) {
        return queueStream(queue, true);
    }

    public <T> DStream<T> queueStream(Queue<Dataset<T>> queue, boolean oneAtATime) {
        return queueStream(queue, oneAtATime, null);
    }

    public <T> DStream<T> queueStream(Queue<Dataset<T>> queue, boolean oneAtATime, Dataset<T> defaultDataset) {
        return new QueueInputDStream<>(this, queue, oneAtATime, defaultDataset);
    }

    /**
     * The lines of text sent by a TCP server at {@code host:port}, one record per line (UTF-8), stored
     * {@link StorageLevel#MEMORY_AND_DISK_SER_2}. The receiver reconnects when the connection fails.
     */
    public DStream<String> socketTextStream(String host, int port) {
        return socketTextStream(host, port, StorageLevel.MEMORY_AND_DISK_SER_2);
    }

    public DStream<String> socketTextStream(String host, int port, StorageLevel storageLevel) {
        return new SocketInputDStream(this, host, port, storageLevel);
    }

    /**
     * The lines of the files that appear in {@code directory} (any Hadoop file system URI, e.g. {@code file:///...}
     * or {@code hdfs://...}) after the context starts. Files must be moved or renamed into the directory atomically;
     * names starting with {@code .} or {@code _} are ignored. See {@link FileInputDStream}.
     */
    public DStream<String> textFileStream(String directory) {
        return new FileInputDStream(this, directory);
    }

    /** The data stored by a custom {@link Receiver}, which runs on its own threads while the context is active. */
    public <T> DStream<T> receiverStream(Receiver<T> receiver) {
        return new PluggableInputDStream<>(this, receiver);
    }

    /** The same dataset every batch. */
    public <T> DStream<T> constantStream(Dataset<T> dataset) {
        return new ConstantInputDStream<>(this, dataset);
    }

    /** The same batch of several streams side by side. */
    @SafeVarargs
    public final <T> DStream<T> union(DStream<T>... streams) {
        return union(Arrays.asList(streams));
    }

    public <T> DStream<T> union(List<DStream<T>> streams) {
        return new UnionDStream<>(streams);
    }

    /** Applies a driver-side function to the same batch of several streams. */
    public <T> DStream<T> transform(List<DStream<?>> streams, Function2<List<Dataset<?>>, Time, Dataset<T>> f) {
        return new TransformedDStream<>(new ArrayList<>(streams), "transform", f, f);
    }

    // ================================================================ configuration

    /** Sets the directory (on any Hadoop file system) where state and metadata are checkpointed. */
    public void checkpoint(String directory) {
        assertCanAddStreams();
        this.checkpointDir = directory;
    }

    /** Keeps every stream's datasets for at least {@code duration}, so that slice() can reach back that far. */
    public void remember(Duration duration) {
        assertCanAddStreams();
        graph.remember(duration);
    }

    public void addStreamingListener(StreamingListener listener) {
        listenerBus.addListener(listener);
    }

    public void removeStreamingListener(StreamingListener listener) {
        listenerBus.removeListener(listener);
    }

    /** Engine-internal: fails with Spark's message when the graph can no longer change. */
    public void assertCanAddStreams() {
        State s = state;
        if (s == State.ACTIVE) {
            throw new IllegalStateException("Adding new inputs, transformations, and output operations after "
                    + "starting a context is not supported");
        }
        if (s == State.STOPPED) {
            throw new IllegalStateException("Adding new inputs, transformations, and output operations after "
                    + "stopping a context is not supported");
        }
    }

    // ================================================================ lifecycle

    /**
     * Validates the graph and starts generating batches. A validation error stops the context and is thrown with
     * the message that names the problem.
     */
    public void start() {
        synchronized (stateLock) {
            if (state == State.ACTIVE) {
                LOG.warn("StreamingContext has already been started");
                return;
            }
            if (state == State.STOPPED) {
                throw new IllegalStateException("StreamingContext has already been stopped");
            }
            try {
                validate();
                checkJvmOptions(); // before the lease: a refused start leaves no lease behind
                acquireCheckpointLease();
                if (recovery != null) {
                    prepareRecovery(recovery);
                }
                var estimators = rateEstimators();
                jobScheduler = new JobScheduler(clock, listenerBus, sc.appId(), this::reportError);
                jobGenerator = new JobGenerator(graph, clock, jobScheduler, inputInfoTracker, sc.appId(),
                        this::beforeBatch, this::reportError);
                jobGenerator.setMaxQueuedCatchUpBatches(conf().get(SluiceConf.RECOVERY_MAX_QUEUED_BATCHES));
                startStateCheckpointer();
                startUi();
                String progressFile = conf().get(SluiceConf.DRIVER_PROGRESS_FILE);
                if (!progressFile.isBlank()) { // a supervisor judges this driver's health by it
                    listenerBus.addListener(new io.sluice.supervision.DriverProgressWriter(java.nio.file.Path.of(progressFile)));
                }
                listenerBus.start();
                startDynamicAllocation();
                // before the receivers start, so that listeners see the start before any receiver event
                listenerBus.post(new StreamingListenerEvent.StreamingStarted(clock.currentTimeMillis()));
                startInputs();
                startBackpressure(estimators);
                startCheckpointWriter();
                if (recovery != null) {
                    jobGenerator.restart(recovery.zeroTime(), recovery.completedTime());
                } else {
                    jobGenerator.start();
                }
                state = State.ACTIVE;
            } catch (RuntimeException e) {
                LOG.error("Error starting the context, marking it as stopped", e);
                state = State.STOPPED;
                stopComponents(false);
                throw e;
            }
            shutdownHook = this::stopOnShutdown;
            ShutdownHookManager.get().addShutdownHook(shutdownHook, SHUTDOWN_HOOK_PRIORITY,
                    conf().get(SluiceConf.STOP_TIMEOUT).toMillis() + 30_000, TimeUnit.MILLISECONDS);
            LOG.info("[{}] StreamingContext started", sc.appId());
        }
    }

    /**
     * With dynamic allocation on (a cluster master and {@code sluice.dynamicAllocation.enabled}), registers an
     * {@link ExecutorAllocationController} on the listener bus before the first batch and has the cluster run it every
     * batch interval on the allocator's thread, reading this context's clock.
     */
    private void startDynamicAllocation() {
        var host = sc.executorAllocation();
        if (host.isEmpty()) {
            return;
        }
        var h = host.get();
        int receivers = receiverStreams().size();
        var controller = new ExecutorAllocationController(h.config(), batchDuration, h.executorCores(), receivers,
                h.client());
        listenerBus.addListener(controller);
        allocationController = controller;
        allocationDriver = h.drive(controller, batchDuration, clock::currentTimeMillis);
        LOG.info("[{}] Dynamic allocation on: {} executor cores, {} receivers, decisions every {} ms", sc.appId(),
                h.executorCores(), receivers, h.config().scalingInterval().toMillis());
    }

    /**
     * The context of an application that survives driver restarts. {@code factory} builds the application's context
     * and DStream graph, every time: checkpoints hold data, not code. If {@code checkpointDir} holds a checkpoint of
     * an earlier run, the context continues it when started: the same batch times; the batches that run had not
     * completed (and those due while it was down) run; stateful operators continue from their saved state by operator
     * id (pin ids with {@code name(...)}/{@code uid(...)} to keep state across code changes); and with the
     * received-data write-ahead log on, the data the earlier run had received is read back from the log. Otherwise it
     * is a new context that checkpoints to {@code checkpointDir}.
     *
     * @throws IllegalStateException when the checkpoint cannot be used (another format version, another batch
     *                               interval, an operator whose state changed kind or partitioning); the context
     *                               {@code factory} made is stopped and the checkpoint left as it was
     */
    public static StreamingContext getOrCreate(String checkpointDir, java.util.function.Supplier<StreamingContext> factory) {
        StreamingContext ssc = factory.get();
        try {
            if (ssc.checkpointDir == null) {
                ssc.checkpoint(checkpointDir);
            } else if (!ssc.checkpointDir.equals(checkpointDir)) {
                throw new IllegalArgumentException("getOrCreate(" + checkpointDir + ", ...) was given a context that "
                        + "checkpoints to " + ssc.checkpointDir + "; use one directory");
            }
            var dir = new org.apache.hadoop.fs.Path(checkpointDir);
            var files = new CheckpointFiles(dir.getFileSystem(ssc.sc.hadoopConf()), dir);
            files.readLatest().ifPresent(ssc::recoverFrom);
        } catch (java.io.IOException | RuntimeException e) {
            ssc.stop(true, false);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("Cannot recover from the checkpoint in " + checkpointDir + ": "
                    + e.getMessage(), e);
        }
        return ssc;
    }

    /** Makes this not-yet-started context continue the run {@code cp} was written by. */
    private void recoverFrom(MetadataCheckpoint cp) {
        if (cp.batchDurationMs() != batchDuration.toMillis()) {
            throw new IllegalStateException("The checkpoint in " + checkpointDir + " was written with a batch interval "
                    + "of " + cp.batchDurationMs() + " ms; this application has " + batchDuration.toMillis() + " ms. "
                    + "Keep the batch interval, or start with a new checkpoint directory.");
        }
        LOG.info("[{}] Recovering from the checkpoint of batch {} in {} (zero time {}, {} batch(es) were pending)",
                sc.appId(), cp.completedTime(), checkpointDir, cp.zeroTime(), cp.pendingTimes().size());
        this.recovery = cp;
    }

    /** True when this context continues an earlier run from its checkpoint (see {@link #getOrCreate}). */
    public boolean isRecovering() {
        return recovery != null;
    }

    /**
     * Checks the operators of the checkpoint against this graph's stateful streams, points each at its newest saved
     * state, and gives the inputs their positions (see {@link CheckpointRecovery}).
     */
    private void prepareRecovery(MetadataCheckpoint cp) {
        new CheckpointRecovery(graph, checkpointDir, sc.hadoopConf(), sc.appId()).prepare(cp);
    }

    /**
     * With a checkpoint directory, takes this driver's lease on it before anything is written there (a second driver
     * on the same directory refuses to start; see {@link io.sluice.checkpoint.CheckpointLease}).
     */
    private void acquireCheckpointLease() {
        if (checkpointDir == null || !conf().get(SluiceConf.CHECKPOINT_LEASE_ENABLED)) {
            return;
        }
        var dir = new org.apache.hadoop.fs.Path(checkpointDir);
        checkpointLease = io.sluice.checkpoint.CheckpointLease.acquire(checkpointFileSystem(dir), dir,
                io.sluice.checkpoint.CheckpointLease.Holder.thisProcess(sc.appId()),
                io.sluice.checkpoint.CheckpointLease.Settings.of(conf().get(SluiceConf.CHECKPOINT_LEASE_TIMEOUT)),
                lost -> reportError("The checkpoint directory was taken over", lost));
    }

    /**
     * With a checkpoint directory, takes metadata checkpoints: when a new run starts, after each batch is generated
     * (when an input saves its position) and after each completed batch (see {@link MetadataCheckpointer}).
     */
    private void startCheckpointWriter() {
        if (checkpointDir == null) {
            return;
        }
        var dir = new org.apache.hadoop.fs.Path(checkpointDir);
        var files = new CheckpointFiles(checkpointFileSystem(dir), dir);
        checkpointWriter = new CheckpointWriter(files, sc.appId(),
                conf().get(SluiceConf.CHECKPOINT_MAX_FAILURES), conf().get(SluiceConf.CHECKPOINT_RETRY_BACKOFF),
                this::reportError);
        MetadataCheckpoint cp = recovery;
        String runId = cp != null ? cp.runId() : java.util.UUID.randomUUID().toString();
        var checkpointer = new MetadataCheckpointer(graph, jobScheduler, checkpointWriter, sc.appId(),
                conf().get(SluiceConf.APP_NAME), runId, cp == null ? null : cp.completedTime(),
                conf().get(SluiceConf.CHECKPOINT_RETRY_BACKOFF));
        metadataCheckpointer = checkpointer;
        jobGenerator.setOnZeroTime(zero -> {
            try {
                checkpointer.started(zero);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("Cannot checkpoint to " + checkpointDir + ": " + e.getMessage(), e);
            }
        });
        jobGenerator.setAfterGenerated(checkpointer::generated);
        jobGenerator.setAfterBatchCompleted(checkpointer::completed);
    }

    /**
     * Fails the start when this JVM cannot write (or read back) what the job needs to be durable: the state of
     * stateful streams saved to the checkpoint directory, and received blocks in the write-ahead log, are written with
     * Kryo, which needs {@link io.sluice.serde.RequiredJvmOptions}. Without them every checkpoint would fail and a
     * restarted driver would replay from the beginning; better to refuse, naming the options to add.
     */
    private void checkJvmOptions() {
        if (checkpointDir == null) {
            return;
        }
        var stateful = graph.allStreams().stream().filter(s -> s instanceof StatefulDStream<?, ?>).map(String::valueOf).toList();
        boolean wal = conf().get(SluiceConf.RECEIVER_WAL_ENABLE);
        if (stateful.isEmpty() && !wal) {
            return;
        }
        var missing = io.sluice.serde.RequiredJvmOptions.missing();
        if (missing.isEmpty()) {
            return;
        }
        String what = !stateful.isEmpty() ? "saves the state of " + stateful + " to " + checkpointDir
                : "writes received blocks to the write-ahead log under " + checkpointDir;
        throw new IllegalStateException("This streaming job " + what + " with Kryo, which needs the JVM started with "
                + "these options: " + io.sluice.serde.RequiredJvmOptions.TEXT + " (java.base does not open " + missing
                + " to Sluice). Add them to the java command (bin/sluice-submit and Sluice's cluster backends pass them); "
                + "without them no state would be saved and a restarted driver would start over.");
    }

    private org.apache.hadoop.fs.FileSystem checkpointFileSystem(org.apache.hadoop.fs.Path dir) {
        try {
            return dir.getFileSystem(sc.hadoopConf());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Cannot use the checkpoint directory " + checkpointDir + ": " + e, e);
        }
    }

    /** With stateful streams, saves their state to the checkpoint directory every checkpoint interval. */
    private void startStateCheckpointer() {
        var stateful = graph.statefulStreams();
        if (stateful.isEmpty() || checkpointDir == null) {
            return;
        }
        var dir = new org.apache.hadoop.fs.Path(checkpointDir);
        var fs = checkpointFileSystem(dir);
        stateCheckpointer = new StateCheckpointer(new StateSnapshots(fs, dir), new CheckpointFiles(fs, dir), sc.appId());
        stateful.forEach(s -> s.saveStatesWith(stateCheckpointer));
    }

    private void stopDynamicAllocation() {
        AutoCloseable driver = allocationDriver;
        allocationDriver = null;
        if (driver != null) {
            try {
                driver.close();
            } catch (Exception e) {
                LOG.warn("[{}] Stopping dynamic allocation failed", sc.appId(), e);
            }
        }
        ExecutorAllocationController controller = allocationController;
        if (controller != null) {
            listenerBus.removeListener(controller);
        }
    }

    /**
     * Registers the {@link io.sluice.ui.StreamingJobProgressListener} (before any event is delivered) and, with
     * {@code sluice.ui.enabled}, starts the driver's HTTP server (REST API and metrics) on {@code sluice.ui.port}.
     */
    private void startUi() {
        var receivers = new LinkedHashMap<Integer, String>();
        for (ReceiverInputDStream<?> r : receiverStreams()) {
            String simple = r.getReceiver().getClass().getSimpleName(); // named as ReceiverSupervisor names it
            receivers.put(r.inputId(), (simple.isEmpty() ? r.getReceiver().getClass().getName() : simple) + "-" + r.inputId());
        }
        var listener = new io.sluice.ui.StreamingJobProgressListener(batchDuration,
                conf().get(SluiceConf.UI_RETAINED_BATCHES), receivers);
        listenerBus.addListener(listener);
        progressListener = listener;
        if (!conf().get(SluiceConf.UI_ENABLED)) {
            return;
        }
        var app = new io.sluice.ui.rest.StreamingRestApi.ApplicationInfo(sc.appId(), conf().get(SluiceConf.APP_NAME),
                conf().get(SluiceConf.APP_ATTEMPT), System.getProperty("user.name", ""), System.currentTimeMillis());
        uiServer = io.sluice.ui.UiServer.start(conf(), app, listener, this::executorsForMetrics, System::currentTimeMillis);
        LOG.info("[{}] Driver HTTP server (REST API, metrics) at {}", sc.appId(), uiServer.url());
        sc.publishDriverUi(uiServer.url());
    }

    private List<io.sluice.metrics.ExecutorMetrics.Executor> executorsForMetrics() {
        if (!(sc.taskScheduler() instanceof io.sluice.scheduler.ExecutorCluster cluster)) {
            return List.of();
        }
        var out = new ArrayList<io.sluice.metrics.ExecutorMetrics.Executor>();
        for (var e : cluster.executors().registeredExecutors()) {
            var m = e.lastMetrics();
            out.add(new io.sluice.metrics.ExecutorMetrics.Executor(e.id().value(), e.host(), e.cores(),
                    m == null ? -1 : m.heapUsedBytes(), m == null ? -1 : m.heapMaxBytes(), m == null ? -1 : m.liveThreads(),
                    m == null ? -1 : m.uptimeMs(), m == null ? 0 : m.activeTasks(), m == null ? 0 : m.completedTasks(),
                    m == null ? 0 : m.failedTasks(), m == null ? -1 : e.lastHeartbeatMs()));
        }
        return out;
    }

    private void stopUi() {
        io.sluice.ui.UiServer ui = uiServer;
        uiServer = null;
        if (ui != null) {
            ui.close();
        }
    }

    /** The driver's HTTP server (REST API, metrics) while the context runs with {@code sluice.ui.enabled}, else empty. */
    public java.util.Optional<io.sluice.ui.UiServer> uiServer() {
        return java.util.Optional.ofNullable(uiServer);
    }

    /** The listener behind the REST API, metrics and UI; null before start. */
    public io.sluice.ui.StreamingJobProgressListener progressListener() {
        return progressListener;
    }

    /** The dynamic allocation controller while the context runs with it, else null (for tests and the UI). */
    public ExecutorAllocationController executorAllocationController() {
        return allocationController;
    }

    /** Checks made before anything starts; see {@link DStreamGraph#validate}. */
    protected void validate() {
        graph.validate(checkpointDir);
        io.sluice.wal.ReceiverWal.requireCheckpointDirIfEnabled(conf(), checkpointDir);
        ReceiverTracker.checkTaskSlots(conf().get(SluiceConf.MASTER), sc.slots(), receiverStreams().size());
    }

    private List<ReceiverInputDStream<?>> receiverStreams() {
        return graph.receiverStreams();
    }

    /** Starts the input streams (receivers are placed here). */
    protected void startInputs() {
        for (InputDStream<?> in : graph.inputStreams()) {
            in.start();
        }
        List<ReceiverInputDStream<?>> receiverStreams = receiverStreams();
        if (!receiverStreams.isEmpty()) {
            Map<Integer, Receiver<?>> receivers = new LinkedHashMap<>();
            for (ReceiverInputDStream<?> r : receiverStreams) {
                receivers.put(r.inputId(), r.getReceiver());
            }
            var settings = ReceiverSupervisor.Settings.from(conf());
            ReceiverTracker.ReceiverLauncher launcher = null;
            if (sc.runsTasksOnExecutors() && sc.taskScheduler() instanceof io.sluice.scheduler.ExecutorCluster cluster) {
                launcher = new io.sluice.scheduler.ClusterReceivers(sc.appId(), cluster.scheduler(),
                        cluster.driverEndpoints(), sc.env().serializer(), settings,
                        cluster.driverEndpoints().transport().settings().askTimeout());
            }
            var wal = io.sluice.wal.ReceiverWal.open(conf(), checkpointDir, sc.hadoopConf(), sc.env().serializer(), clock);
            var tracker = new ReceiverTracker(receivers, clock, settings, sc.blockStore(), listenerBus::post, launcher, wal);
            receiverTracker = tracker;
            if (recovery != null && wal.metadata() != null) {
                tracker.recover(wal.metadata().recover(), wal.data() != null);
            }
            tracker.start();
        }
    }

    /**
     * With {@code sluice.streaming.backpressure.enabled}, one rate estimator per receiver input stream, built (and so
     * checked) before anything starts; else none.
     */
    private Map<Integer, RateEstimator> rateEstimators() {
        var estimators = new LinkedHashMap<Integer, RateEstimator>();
        if (conf().get(SluiceConf.BACKPRESSURE_ENABLED)) {
            for (ReceiverInputDStream<?> r : receiverStreams()) {
                estimators.put(r.inputId(), RateEstimator.create(conf(), batchDuration));
            }
        }
        return estimators;
    }

    /**
     * Registers one {@link RateController} per estimator, which publishes each new rate to the stream's receiver
     * through the tracker. Before the first batch completes, so that no estimate is missed.
     */
    private void startBackpressure(Map<Integer, RateEstimator> estimators) {
        ReceiverTracker tracker = receiverTracker;
        if (estimators.isEmpty() || tracker == null) {
            return;
        }
        var controllers = new LinkedHashMap<Integer, RateController>();
        estimators.forEach((id, estimator) -> controllers.put(id, new RateController(sc.appId(), id, estimator,
                rate -> tracker.updateRateLimit(id, rate))));
        controllers.values().forEach(listenerBus::addListener);
        rateControllers = Map.copyOf(controllers);
        LOG.info("[{}] Backpressure on for streams {}: {}, initial rate {} records/s, max rate {} records/s (0: none)",
                sc.appId(), controllers.keySet(), estimators.values().iterator().next(),
                conf().get(SluiceConf.BACKPRESSURE_INITIAL_RATE), conf().get(SluiceConf.RECEIVER_MAX_RATE));
    }

    /** The backpressure controller of input stream {@code streamId}, while backpressure is on; else empty. */
    public java.util.Optional<RateController> rateController(int streamId) {
        return java.util.Optional.ofNullable(rateControllers.get(streamId));
    }

    /** Called on the generator thread at each batch time before the graph computes that batch. */
    protected void beforeBatch(Time time) {
        ReceiverTracker tracker = receiverTracker;
        if (tracker != null) {
            tracker.allocateBlocksToBatch(time);
        }
    }

    /**
     * Records an error for the waiters. Never takes stateLock: it is called from the threads (batches, checkpoint
     * writer) that a stop holding stateLock waits for.
     */
    private void reportError(String message, Throwable t) {
        error.compareAndSet(null, t);
        signalWaiters();
    }

    private void signalWaiters() {
        synchronized (terminationLock) {
            terminationLock.notifyAll();
        }
    }

    /**
     * Blocks until the context is stopped, or throws the first error reported while it runs: an output operation
     * whose job failed ({@link io.sluice.scheduler.OutputOperationFailedException}, its cause the operation's error),
     * metadata checkpoints that could not be written, a batch that could not be generated. As in Spark, the context
     * itself keeps running after such an error (later operations and batches still run) until the application stops
     * it; an application that just waits therefore fails, and its supervisor (YARN, {@code sluice-submit --supervise})
     * restarts it by its restart policy. Each error is thrown once.
     */
    public void awaitTermination() throws InterruptedException {
        while (!awaitTerminationOrTimeout(Long.MAX_VALUE / 4)) {
            // keep waiting
        }
    }

    /**
     * Waits up to {@code timeoutMillis}; true if the context stopped. Throws an error reported meanwhile, as
     * {@link #awaitTermination()} does.
     */
    public boolean awaitTerminationOrTimeout(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        synchronized (terminationLock) {
            while (state != State.STOPPED && error.get() == null) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                terminationLock.wait(Math.min(left, 1_000));
            }
            Throwable e = error.getAndSet(null);
            if (e != null) {
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                if (e instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e);
            }
            return true;
        }
    }

    /** Stops immediately, and stops the batch context too. */
    public void stop() {
        stop(true, false);
    }

    /**
     * Stops the context and its batch context. With {@code stopGracefully}, inputs stop first and everything they
     * received is processed before the context stops (up to {@code sluice.streaming.gracefulStopTimeout}).
     */
    public void stop(boolean stopGracefully) {
        stop(true, stopGracefully);
    }

    public void stop(boolean stopContext, boolean stopGracefully) {
        synchronized (stateLock) {
            if (state == State.STOPPED) {
                if (stopContext && ownsContext) {
                    sc.close();
                }
                return;
            }
            if (state == State.INITIALIZED) {
                state = State.STOPPED;
                LOG.info("StreamingContext stopped before it started");
            } else {
                stopComponents(stopGracefully);
                state = State.STOPPED;
                LOG.info("[{}] StreamingContext stopped {}", sc.appId(), stopGracefully ? "gracefully" : "");
            }
            if (shutdownHook != null && !ShutdownHookManager.get().isShutdownInProgress()) {
                try {
                    ShutdownHookManager.get().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already exiting
                }
            }
            if (stopContext) {
                sc.close();
            }
        }
        signalWaiters();
    }

    private void stopComponents(boolean graceful) {
        Duration timeout = conf().get(SluiceConf.STOP_TIMEOUT);
        stopDynamicAllocation();
        if (metadataCheckpointer != null) {
            metadataCheckpointer.stopping();
        }
        if (jobGenerator != null) {
            if (graceful) {
                stopInputs(true);
                awaitReceivedDataProcessed(timeout);
            }
            jobGenerator.stop(graceful);
        }
        if (jobScheduler != null) {
            jobScheduler.stop(graceful, timeout);
        }
        ReceiverTracker tracker = receiverTracker;
        if (tracker != null) {
            tracker.closeLogs(); // no batch is generated any more
        }
        if (checkpointWriter != null) {
            checkpointWriter.close(timeout);
        }
        if (stateCheckpointer != null) {
            stateCheckpointer.close(timeout);
        }
        if (checkpointLease != null) {
            checkpointLease.close(); // after the last checkpoint and state writes
        }
        if (!graceful) {
            stopInputs(false);
        }
        rateControllers.values().forEach(listenerBus::removeListener);
        listenerBus.stop(Duration.ofSeconds(10));
        stopUi();
    }

    /** Stops input streams; with {@code graceful}, what they already received still goes into batches. */
    protected void stopInputs(boolean graceful) {
        for (InputDStream<?> in : graph.inputStreams()) {
            try {
                in.stop();
            } catch (RuntimeException e) {
                LOG.warn("Error stopping input {}", in, e);
            }
        }
        ReceiverTracker tracker = receiverTracker;
        if (tracker != null) {
            tracker.stop(graceful);
        }
    }

    /** True while an input holds data not yet given to a batch (receivers override through the tracker). */
    protected boolean hasUnallocatedInput() {
        ReceiverTracker tracker = receiverTracker;
        return tracker != null && tracker.hasUnallocatedBlocks();
    }

    private void awaitReceivedDataProcessed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (hasUnallocatedInput() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Time last = jobGenerator.stopAfterNextBatch();
            while (System.nanoTime() < deadline) {
                Time done = jobScheduler.lastCompletedTime();
                if (done != null && !done.isBefore(last)) {
                    return;
                }
                Thread.sleep(20);
            }
            LOG.warn("[{}] Graceful stop timed out after {} ms before batch {} completed", sc.appId(),
                    timeout.toMillis(), last);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopOnShutdown() {
        boolean graceful = conf().get(SluiceConf.STOP_GRACEFULLY_ON_SHUTDOWN);
        LOG.info("Stopping StreamingContext on JVM shutdown (gracefully: {})", graceful);
        stop(true, graceful);
    }

    @Override
    public void close() {
        stop(true, false);
    }
}
