package io.sluice.testkit;

import io.sluice.api.DStream;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.conf.SluiceConf;
import io.sluice.util.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A deterministic harness for unit-testing streaming logic, with no sleeps: feed lists of input batches, apply an
 * operation to one or two input streams, run N batches on a manual clock, and get back every output batch.
 *
 * <pre>{@code
 * List<List<Integer>> out = StreamingTestKit.create()
 *     .run(List.of(List.of(1, 2), List.of(3)), s -> s.map(x -> x * 10), 2).outputs();
 * // [[10, 20], [30]]
 * }</pre>
 *
 * A batch given as {@link #noData()} produces no data at all (the input stream has nothing for that batch), which
 * differs from an empty list (an empty batch). Batches beyond the given input are empty.
 */
public final class StreamingTestKit {
    private static final List<?> NO_DATA = new ArrayList<>(0);

    private String master = "local[2]";
    private Duration batchDuration = Duration.ofSeconds(1);
    private int numPartitions = 2;
    private Duration timeout = Duration.ofSeconds(60);
    private boolean checkpoint = true;
    private final List<Consumer<SluiceConf>> confChanges = new ArrayList<>();
    private io.sluice.batch.SluiceContext shared;

    private StreamingTestKit() {
    }

    public static StreamingTestKit create() {
        return new StreamingTestKit();
    }

    /** Marks a batch for which the input has no data at all (not even an empty dataset). */
    @SuppressWarnings("unchecked")
    public static <T> List<T> noData() {
        return (List<T>) NO_DATA;
    }

    static boolean isNoData(List<?> batch) {
        return batch == NO_DATA;
    }

    public StreamingTestKit master(String master) {
        this.master = master;
        return this;
    }

    /**
     * Runs on an existing batch context (for example one {@code local-cluster} shared by a test class) instead of a
     * new one per run; the context must use the manual clock ({@code sluice.streaming.clock=manual}), its master
     * and configuration apply ({@link #master} and {@link #conf} are not allowed with it), and it stays open after
     * the run.
     */
    public StreamingTestKit context(io.sluice.batch.SluiceContext sc) {
        if (!"manual".equals(sc.conf().get(SluiceConf.CLOCK))) {
            throw new IllegalArgumentException("a shared context for the test kit needs " + SluiceConf.CLOCK.name() + "=manual");
        }
        this.shared = sc;
        return this;
    }

    public StreamingTestKit batchDuration(Duration batchDuration) {
        this.batchDuration = batchDuration;
        return this;
    }

    /** How many partitions each input batch is split into (contiguous slices). */
    public StreamingTestKit numPartitions(int numPartitions) {
        this.numPartitions = numPartitions;
        return this;
    }

    /** Whether a temporary checkpoint directory is set (stateful operations need one); default true. */
    public StreamingTestKit checkpoint(boolean checkpoint) {
        this.checkpoint = checkpoint;
        return this;
    }

    public StreamingTestKit conf(String key, String value) {
        confChanges.add(c -> c.set(key, value));
        return this;
    }

    public StreamingTestKit timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** The outputs of a run: one list per output batch, with the batch times. */
    public record Result<R>(List<Time> times, List<List<R>> outputs) {
    }

    /** Runs {@code operation} on one input stream for {@code numBatches} batches. */
    public <T, R> Result<R> run(List<List<T>> input, Function<DStream<T>, DStream<R>> operation, int numBatches) {
        return runWith(ssc -> operation.apply(new TestInputDStream<>(ssc, input, numPartitions)), numBatches);
    }

    /** Runs a two-input {@code operation} for {@code numBatches} batches. */
    public <T, U, R> Result<R> run(List<List<T>> input1, List<List<U>> input2,
                                   BiFunction<DStream<T>, DStream<U>, DStream<R>> operation, int numBatches) {
        return runWith(ssc -> operation.apply(new TestInputDStream<>(ssc, input1, numPartitions),
                new TestInputDStream<>(ssc, input2, numPartitions)), numBatches);
    }

    /** Runs whatever graph {@code build} makes on the context, collecting the stream it returns. */
    public <R> Result<R> runWith(Function<StreamingContext, DStream<R>> build, int numBatches) {
        var collected = new CollectedOutput<R>();
        try (var harness = open()) {
            DStream<R> out = build.apply(harness.context());
            out.foreachRDD((ds, time) -> collected.add(time, ds.collect()));
            harness.runBatches(numBatches);
        }
        return collected.result();
    }

    /** Opens a context on a manual clock, for tests that need more control than {@link #run}. */
    public Harness open() {
        StreamingContext ssc;
        if (shared != null) {
            if (!confChanges.isEmpty()) {
                throw new IllegalStateException("conf(...) cannot change a shared context; set it when creating the context");
            }
            ssc = new StreamingContext(shared, batchDuration);
        } else {
            var conf = new SluiceConf(false).setMaster(master).setAppName("sluice-test")
                    .set(SluiceConf.CLOCK, "manual")
                    .set(SluiceConf.UI_PORT, 0); // many test contexts, some at once: never compete for 4040
            confChanges.forEach(c -> c.accept(conf));
            ssc = new StreamingContext(conf, batchDuration);
        }
        Path dir = null;
        if (checkpoint) {
            try {
                dir = Files.createTempDirectory("sluice-test-checkpoint");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ssc.checkpoint(dir.toUri().toString());
        }
        return new Harness(ssc, dir, timeout, shared == null);
    }

    /** A running test context: start it, advance its clock batch by batch, and stop it. */
    public static final class Harness implements AutoCloseable {
        private final StreamingContext ssc;
        private final Path checkpointDir;
        private final Duration timeout;
        private final boolean ownsContext;

        Harness(StreamingContext ssc, Path checkpointDir, Duration timeout, boolean ownsContext) {
            this.ownsContext = ownsContext;
            this.ssc = ssc;
            this.checkpointDir = checkpointDir;
            this.timeout = timeout;
        }

        public StreamingContext context() {
            return ssc;
        }

        public ManualClock clock() {
            return (ManualClock) ssc.clock();
        }

        /** Starts the context if needed, then advances the clock one batch at a time until n batches completed. */
        public void runBatches(int n) {
            if (ssc.getState() == StreamingContext.State.INITIALIZED) {
                ssc.start();
            }
            long already = ssc.jobScheduler().completedBatchCount();
            long step = ssc.batchDuration().toMillis();
            try {
                for (int i = 1; i <= n; i++) {
                    clock().advance(step);
                    if (!ssc.jobScheduler().awaitCompletedBatches(already + i, timeout)) {
                        throw new AssertionError("batch " + (already + i) + " did not complete within "
                                + timeout.toMillis() + " ms");
                    }
                }
                ssc.listenerBus().waitUntilEmpty(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while running batches", e);
            }
        }

        @Override
        public void close() {
            ssc.stop(ownsContext, false); // a shared batch context stays open
            if (checkpointDir != null) {
                try (Stream<Path> walk = Files.walk(checkpointDir)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // best effort: a temp folder
                }
            }
        }
    }

    private static final class CollectedOutput<R> {
        private final List<Time> times = new ArrayList<>();
        private final List<List<R>> outputs = new ArrayList<>();

        synchronized void add(Time time, List<R> batch) {
            times.add(time);
            outputs.add(batch);
        }

        synchronized Result<R> result() {
            return new Result<>(List.copyOf(times), List.copyOf(outputs));
        }
    }
}
