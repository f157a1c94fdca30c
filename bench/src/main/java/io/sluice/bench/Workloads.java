package io.sluice.bench;

import io.sluice.api.DStream;
import io.sluice.api.Durations;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.State;
import io.sluice.api.StateSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The DStream pipelines of W1–W4 ({@code WORKLOADS.md}), each ending in a {@code count()} of every batch. */
final class Workloads {
    private Workloads() {
    }

    /**
     * Adds workload {@code id}'s pipeline and output operation on top of {@code input}; {@code checkpointInterval}
     * (null: the engine's default) is how often the state of W2–W4 is saved.
     */
    static void define(String id, DStream<String> input, int reducePartitions, java.time.Duration checkpointInterval) {
        switch (id) {
            case "W1" -> {
                PairDStream<String, Integer> counts = input
                        .flatMap(line -> Arrays.asList(line.split(" ")).iterator())
                        .mapToPair(w -> Pair.of(w, 1))
                        .reduceByKey(Integer::sum, reducePartitions);
                counts.foreachRDD(ds -> {
                    ds.count();
                });
            }
            case "W2" -> {
                PairDStream<String, Integer> counts = input
                        .flatMap(line -> Arrays.asList(line.split(" ")).iterator())
                        .mapToPair(w -> Pair.of(w, 1))
                        .reduceByKeyAndWindow(
                                Integer::sum,
                                (a, b) -> a - b,
                                Durations.seconds(30),
                                Durations.seconds(1),
                                reducePartitions,
                                kv -> kv.value() != 0);
                if (checkpointInterval != null) {
                    counts.checkpoint(checkpointInterval);
                }
                counts.foreachRDD(ds -> {
                    ds.count();
                });
            }
            case "W3" -> {
                PairDStream<String, Long> state = input
                        .flatMap(line -> Arrays.asList(line.split(" ")).iterator())
                        .mapToPair(w -> Pair.of(w, 1))
                        .updateStateByKey((List<Integer> vals, Optional<Long> st) -> {
                            long c = st.orElse(0L);
                            for (Integer v : vals) {
                                c += v;
                            }
                            return Optional.of(c);
                        });
                if (checkpointInterval != null) {
                    state.checkpoint(checkpointInterval);
                }
                state.foreachRDD(ds -> {
                    ds.count();
                });
            }
            case "W4" -> {
                StateSpec<String, Integer, Long, Pair<String, Long>> spec = StateSpec
                        .function((String key, Optional<Integer> one, State<Long> st) -> {
                            long c = (st.exists() ? st.get() : 0L) + one.orElse(0);
                            st.update(c);
                            return Optional.of(Pair.of(key, c));
                        })
                        .numPartitions(reducePartitions);
                DStream<Pair<String, Long>> mapped = input
                        .mapToPair(w -> Pair.of(w, 1))
                        .mapWithState(spec);
                if (checkpointInterval != null) {
                    mapped.checkpoint(checkpointInterval);
                }
                mapped.foreachRDD(ds -> {
                    ds.count();
                });
            }
            default -> throw new IllegalArgumentException("unknown workload " + id);
        }
    }
}
