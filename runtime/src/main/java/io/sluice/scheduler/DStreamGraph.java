package io.sluice.scheduler;

import io.sluice.api.DStream;
import io.sluice.api.Time;
import io.sluice.checkpoint.SourcePosition;
import io.sluice.dstream.ForEachDStream;
import io.sluice.dstream.StatefulDStream;
import io.sluice.dstream.InputDStream;
import io.sluice.dstream.Job;
import io.sluice.dstream.ReceiverInputDStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The DStream graph of one context: its input streams and output operations (in declaration order). Validated
 * and frozen at start; asked for each batch's jobs and to forget old batches.
 */
public final class DStreamGraph {
    private static final Logger LOG = LogManager.getLogger(DStreamGraph.class);

    private final List<InputDStream<?>> inputStreams = new ArrayList<>();
    private final List<ForEachDStream<?>> outputStreams = new ArrayList<>();
    private final AtomicInteger nextStreamId = new AtomicInteger();
    private final Duration batchDuration;
    private Duration rememberDuration;
    private Time zeroTime;
    private volatile List<StatefulDStream<?, ?>> statefulAfterStart;

    public DStreamGraph(Duration batchDuration) {
        if (batchDuration == null || batchDuration.toMillis() <= 0) {
            throw new IllegalArgumentException("Batch duration must be positive, got " + batchDuration);
        }
        this.batchDuration = batchDuration;
    }

    public int nextStreamId() {
        return nextStreamId.getAndIncrement();
    }

    public synchronized int addInputStream(InputDStream<?> s) {
        inputStreams.add(s);
        return inputStreams.size() - 1;
    }

    public synchronized int addOutputStream(ForEachDStream<?> s) {
        outputStreams.add(s);
        return outputStreams.size() - 1;
    }

    public synchronized List<InputDStream<?>> inputStreams() {
        return List.copyOf(inputStreams);
    }

    public synchronized List<ForEachDStream<?>> outputStreams() {
        return List.copyOf(outputStreams);
    }

    public Duration batchDuration() {
        return batchDuration;
    }

    public synchronized Time zeroTime() {
        return zeroTime;
    }

    /** Asks every stream to keep at least {@code duration} of history (for slice() and late queries). */
    public synchronized void remember(Duration duration) {
        rememberDuration = duration;
    }

    /** Checks the graph before start; every problem the seed describes fails here with its message. */
    public synchronized void validate(String checkpointDir) {
        if (outputStreams.isEmpty()) {
            throw new IllegalArgumentException("requirement failed: No output operations registered, so nothing to execute");
        }
        for (DStream<?> s : allStreams()) {
            if (s.mustCheckpoint() && checkpointDir == null) {
                throw new IllegalArgumentException("requirement failed: The checkpoint directory has not been set. "
                        + "Please set it by StreamingContext.checkpoint().");
            }
        }
        checkClosuresSerializable();
    }

    /** Initializes every stream with the zero time, sets remember durations and runs the start-time checks. */
    public synchronized void start(Time zero) {
        this.zeroTime = zero;
        this.statefulAfterStart = null;
        for (ForEachDStream<?> out : outputStreams) {
            out.initialize(zero);
        }
        for (ForEachDStream<?> out : outputStreams) {
            out.remember(rememberDuration);
        }
        for (ForEachDStream<?> out : outputStreams) {
            out.validateAtStart();
        }
        startCheck.run();
        for (InputDStream<?> in : inputStreams) {
            in.initialize(zero);
        }
        statefulAfterStart = List.copyOf(statefulStreams()); // the graph no longer changes; asked every batch
    }

    private Runnable startCheck = () -> { };

    /**
     * A check {@link #start} runs after the streams' own start-time checks and before the inputs initialize (what the
     * context's runtime cannot run yet, for example); it fails the start by throwing.
     */
    public synchronized void setStartCheck(Runnable check) {
        this.startCheck = check;
    }

    /** The jobs of batch {@code time}, one per output operation that has data, in declaration order. */
    public List<Job> generateJobs(Time time) {
        List<ForEachDStream<?>> outputs;
        synchronized (this) {
            outputs = List.copyOf(outputStreams);
        }
        var jobs = new ArrayList<Job>(outputs.size());
        for (ForEachDStream<?> out : outputs) {
            out.generateJob(time).ifPresent(jobs::add);
        }
        return jobs;
    }

    public void clearMetadata(Time time) {
        List<ForEachDStream<?>> outputs;
        synchronized (this) {
            outputs = List.copyOf(outputStreams);
        }
        for (ForEachDStream<?> out : outputs) {
            out.clearMetadata(time);
        }
    }

    /** The input streams fed by receivers, in input order. */
    public synchronized List<ReceiverInputDStream<?>> receiverStreams() {
        var result = new ArrayList<ReceiverInputDStream<?>>();
        for (InputDStream<?> in : inputStreams) {
            if (in instanceof ReceiverInputDStream<?> r) {
                result.add(r);
            }
        }
        return result;
    }

    /** The stateful operators of the graph (updateStateByKey, mapWithState, windows with an inverse), each once. */
    public List<StatefulDStream<?, ?>> statefulStreams() {
        List<StatefulDStream<?, ?>> frozen = statefulAfterStart;
        if (frozen != null) {
            return frozen;
        }
        var result = new ArrayList<StatefulDStream<?, ?>>();
        for (DStream<?> s : allStreams()) {
            if (s instanceof StatefulDStream<?, ?> st) {
                result.add(st);
            }
        }
        return result;
    }

    /**
     * The newest batch time after which every stateful operator can be rebuilt from its saved state, as of batch
     * {@code now}: the oldest of the operators' newest saved versions (their zero time before the first save), but no
     * further back than ten checkpoint intervals (saves that keep failing must not hold inputs forever). Empty without
     * stateful operators.
     */
    public Optional<Time> replayHorizon(Time now) {
        Time horizon = null;
        for (StatefulDStream<?, ?> st : statefulStreams()) {
            if (st.zeroTime() == null || st.checkpointDuration() == null) {
                continue; // not initialized yet
            }
            Time base = st.lastSavedVersion().orElse(st.zeroTime());
            Time floor = now.minus(st.checkpointDuration().multipliedBy(10));
            if (base.isBefore(floor)) {
                base = floor;
            }
            if (horizon == null || base.isBefore(horizon)) {
                horizon = base;
            }
        }
        return Optional.ofNullable(horizon);
    }

    /**
     * The positions of the inputs that save one in checkpoints, in input order.
     *
     * @throws IllegalStateException if two inputs have the same source id (the message names them)
     */
    public synchronized List<SourcePosition> sourcePositions() {
        var result = new ArrayList<SourcePosition>();
        var ids = new java.util.HashMap<String, InputDStream<?>>();
        for (InputDStream<?> in : inputStreams) {
            var position = in.position();
            if (position.isEmpty()) {
                continue;
            }
            var other = ids.putIfAbsent(position.get().sourceId(), in);
            if (other != null) {
                throw new IllegalStateException("Two inputs have the same source id '" + position.get().sourceId()
                        + "' (" + other + " and " + in + "): give one of them a name with name(...)");
            }
            result.add(position.get());
        }
        return result;
    }

    /** Every stream reachable from the output operations (and the inputs), each once. */
    public synchronized List<DStream<?>> allStreams() {
        var seen = new HashSet<Integer>();
        var result = new ArrayList<DStream<?>>();
        var stack = new ArrayList<DStream<?>>(outputStreams);
        stack.addAll(inputStreams);
        while (!stack.isEmpty()) {
            DStream<?> s = stack.remove(stack.size() - 1);
            if (seen.add(s.id())) {
                result.add(s);
                stack.addAll(s.dependencies());
            }
        }
        return result;
    }

    private void checkClosuresSerializable() {
        Set<Object> checked = new HashSet<>();
        for (DStream<?> s : allStreams()) {
            for (DStream.Closure c : s.closures()) {
                if (!checked.add(c.function())) {
                    continue;
                }
                try (var out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
                    out.writeObject(c.function());
                } catch (NotSerializableException e) {
                    throw new IllegalArgumentException("Task not serializable: the function of operation '" + c.operation()
                            + "' (" + s + ") captures an object of class " + e.getMessage()
                            + ", which is not serializable. Make it Serializable, mark the field transient, "
                            + "or create the object inside the function.", e);
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException("Task not serializable: the function of operation '" + c.operation()
                            + "' (" + s + ") cannot be serialized: " + e, e);
                }
            }
        }
        LOG.debug("Checked {} functions for serializability", checked.size());
    }
}
