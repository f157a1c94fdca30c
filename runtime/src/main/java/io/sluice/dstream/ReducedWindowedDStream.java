package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.Time;
import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import io.sluice.batch.Dataset;
import io.sluice.batch.Partitioner;
import io.sluice.state.StateTransaction;
import io.sluice.storage.StorageLevel;
import io.sluice.util.Sneaky;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * {@code reduceByKeyAndWindow} with an inverse function: the window at t is the previous window's result with the
 * batches that entered reduced in and the batches that left inverse-reduced out. Only that result (in the state
 * store) and the per-batch reduced values of the last window + slide are kept. Keys are never dropped by the
 * inverse: a key whose values all left stays, with the "zero" the inverse produces, unless the filter removes it.
 *
 * <p>The filter is meant to drop keys whose value is the neutral element (such as count 0): a dropped key must not
 * still have values in the window, since there is no previous value to take them out of. Such values are ignored.
 */
public final class ReducedWindowedDStream<K, V> extends StatefulDStream<K, V> {
    private final DStream<Pair<K, V>> reduced;
    private final Function2<V, V, V> reduceFunc;
    private final Function2<V, V, V> invReduceFunc;
    private final Function<Pair<K, V>, Boolean> filterFunc;
    private final Duration window;
    private final Duration slide;

    public ReducedWindowedDStream(PairDStream<K, V> parent, Function2<V, V, V> reduceFunc,
                                  Function2<V, V, V> invReduceFunc, Duration window, Duration slide,
                                  Partitioner partitioner, Function<Pair<K, V>, Boolean> filterFunc) {
        super(parent.context(), "reduceByKeyAndWindow", partitioner);
        // each batch's reduced values are read twice, when they enter and when they leave the window
        this.reduced = parent.reduceByKey(reduceFunc, partitioner).persist(StorageLevel.MEMORY_ONLY_SER);
        this.reduceFunc = reduceFunc;
        this.invReduceFunc = invReduceFunc;
        this.filterFunc = filterFunc;
        this.window = window;
        this.slide = slide;
        addClosure("reduceByKeyAndWindow", reduceFunc);
        addClosure("reduceByKeyAndWindow", invReduceFunc);
        addClosure("reduceByKeyAndWindow", filterFunc);
    }

    public Duration windowDuration() {
        return window;
    }

    @Override
    public Duration slideDuration() {
        return slide;
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of(reduced);
    }

    @Override
    protected Duration parentRememberDuration() {
        // the batches leaving the window at t lie up to window + slide back
        return rememberDuration().plus(window);
    }

    @Override
    public void validateAtStart() {
        WindowedDStream.validateWindow(window, slide, reduced.slideDuration());
        super.validateAtStart();
    }

    @Override
    protected Step<K, V> step(Time time, boolean first) {
        Duration batch = reduced.slideDuration();
        Time previous = time.minus(slide);
        // entering: in (t - window, t] but not in (t - slide - window, t - slide]; leaving: the other way round
        Time enterFrom = latest(previous, time.minus(window)).plus(batch);
        Time leaveFrom = previous.minus(window).plus(batch);
        Time leaveTo = earliest(time.minus(window), previous);
        List<Dataset<Pair<K, V>>> entering = sliceReduced(enterFrom, time);
        List<Dataset<Pair<K, V>>> leaving = sliceReduced(leaveFrom, leaveTo);
        var inputs = new ArrayList<Dataset<?>>(entering);
        inputs.addAll(leaving);
        var f = reduceFunc;
        var invF = invReduceFunc;
        var filter = filterFunc;
        return new Step<>(inputs, (tx, partition, ctx) -> {
            BiFunction<V, V, V> merge = (a, b) -> call(f, a, b);
            Map<K, V> olds = new HashMap<>();
            for (Dataset<Pair<K, V>> ds : leaving) {
                ds.iterate(partition, ctx, kv -> olds.merge(kv.key(), kv.value(), merge));
            }
            Map<K, V> news = new HashMap<>();
            for (Dataset<Pair<K, V>> ds : entering) {
                ds.iterate(partition, ctx, kv -> news.merge(kv.key(), kv.value(), merge));
            }
            for (var e : olds.entrySet()) {
                K key = e.getKey();
                var prev = tx.get(key);
                V added = news.remove(key);
                V value;
                if (prev == null) {
                    // the filter dropped this key earlier: nothing to take the leaving values out of
                    if (added == null) {
                        continue;
                    }
                    value = added;
                } else {
                    value = invF.call(prev.value(), e.getValue());
                    if (added != null) {
                        value = f.call(value, added);
                    }
                }
                set(tx, key, value, filter);
            }
            for (var e : news.entrySet()) {
                var prev = tx.get(e.getKey());
                set(tx, e.getKey(), prev == null ? e.getValue() : f.call(prev.value(), e.getValue()), filter);
            }
        });
    }

    private static <K, V> void set(StateTransaction<K, V> tx, K key, V value,
                                   Function<Pair<K, V>, Boolean> filter) throws Exception {
        if (filter != null && !filter.call(new Pair<>(key, value))) {
            tx.remove(key);
        } else {
            tx.put(key, value);
        }
    }

    private List<Dataset<Pair<K, V>>> sliceReduced(Time from, Time to) {
        return from.isAfter(to) || !to.isAfter(zeroTime()) ? List.of() : reduced.slice(from, to);
    }

    private static <V> V call(Function2<V, V, V> f, V a, V b) {
        try {
            return f.call(a, b);
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
    }

    private static Time latest(Time a, Time b) {
        return a.isAfter(b) ? a : b;
    }

    private static Time earliest(Time a, Time b) {
        return a.isBefore(b) ? a : b;
    }
}
