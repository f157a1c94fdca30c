package io.sluice.state;

import io.sluice.api.Time;
import io.sluice.util.Sneaky;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * A {@link StateStore} in this JVM's memory. Each partition holds its latest version as one mutable hash map and,
 * for every retained older version, an undo log: the entries that the following version overwrote or removed.
 * Writing a version therefore costs O(keys touched), never a copy of the partition; reading the latest version
 * iterates the map, and reading an older one overlays the undo logs written since. A failed update is undone from
 * its own log.
 *
 * <p>When {@code trackIdle} is set, each partition also indexes its keys by the time of their last update, so that
 * finding the keys idle since a threshold costs O(keys updated in the meantime) instead of a scan of the state.
 *
 * <p>One lock per partition serializes the writers and readers of that partition.
 */
public final class InMemoryStateStore<K, S> implements StateStore<K, S> {
    private final String operatorId;
    private final List<Partition<K, S>> partitions;
    private final boolean trackIdle;

    public InMemoryStateStore(String operatorId, int numPartitions, Time initialVersion, boolean trackIdle) {
        if (numPartitions <= 0) {
            throw new IllegalArgumentException("A state store needs at least one partition, got " + numPartitions);
        }
        this.operatorId = operatorId;
        this.trackIdle = trackIdle;
        var list = new ArrayList<Partition<K, S>>(numPartitions);
        for (int i = 0; i < numPartitions; i++) {
            list.add(new Partition<>(initialVersion.milliseconds()));
        }
        this.partitions = List.copyOf(list);
    }

    @Override
    public String operatorId() {
        return operatorId;
    }

    @Override
    public int numPartitions() {
        return partitions.size();
    }

    @Override
    public Time latestVersion(int partition) {
        Partition<K, S> p = partition(partition);
        p.lock.lock();
        try {
            return new Time(p.version);
        } finally {
            p.lock.unlock();
        }
    }

    /** True if every partition has committed {@code version} (or a later one). */
    public boolean isCommitted(Time version) {
        for (int i = 0; i < partitions.size(); i++) {
            if (latestVersion(i).isBefore(version)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean commitVersion(int partition, Time base, Time version, Update<K, S> update) {
        Partition<K, S> p = partition(partition);
        p.lock.lock();
        try {
            if (p.version >= version.milliseconds()) {
                return false;
            }
            if (p.version != base.milliseconds()) {
                throw new IllegalStateException("Cannot write version " + version + " of partition " + partition
                        + " of the state of '" + operatorId + "' on top of version " + base + ": its latest version is "
                        + new Time(p.version));
            }
            var tx = new Transaction(p, version.milliseconds());
            try {
                update.apply(tx);
            } catch (Throwable t) {
                tx.rollback();
                throw Sneaky.rethrow(t);
            }
            tx.commit();
            return true;
        } finally {
            p.lock.unlock();
        }
    }

    @Override
    public void snapshot(int partition, Time version, BiConsumer<? super K, ? super StateEntry<S>> visitor) {
        Partition<K, S> p = partition(partition);
        long v = version.milliseconds();
        p.lock.lock();
        try {
            if (v > p.version) {
                throw new IllegalStateException("Version " + version + " of partition " + partition + " of the state of '"
                        + operatorId + "' has not been written yet (latest is " + new Time(p.version) + ")");
            }
            if (v == p.version) {
                p.current.forEach(visitor);
                return;
            }
            // the undo logs of the versions after v, oldest first; the oldest one must start from v
            var newer = new ArrayList<UndoLog<K, S>>();
            for (UndoLog<K, S> log : p.logs) {
                if (log.version > v) {
                    newer.add(log);
                }
            }
            if (newer.isEmpty() || newer.get(0).base != v) {
                throw new StateVersionNotRetainedException("Version " + version + " of partition " + partition + " of the state of '"
                        + operatorId + "' is no longer retained (oldest readable version: "
                        + new Time(p.logs.isEmpty() ? p.version : p.logs.peekFirst().base) + ")");
            }
            // the oldest before-image of a key is its entry at version v (null: absent then)
            var overlay = new HashMap<K, StateEntry<S>>();
            for (int i = newer.size() - 1; i >= 0; i--) {
                newer.get(i).overlayInto(overlay);
            }
            p.current.forEach((k, e) -> {
                if (!overlay.containsKey(k)) {
                    visitor.accept(k, e);
                }
            });
            overlay.forEach((k, e) -> {
                if (e != null) {
                    visitor.accept(k, e);
                }
            });
        } finally {
            p.lock.unlock();
        }
    }

    @Override
    public boolean restoreIfBehind(int partition, Time version,
                                   java.util.function.Supplier<Map<K, StateEntry<S>>> supplier) {
        Partition<K, S> p = partition(partition);
        p.lock.lock();
        try {
            if (p.version >= version.milliseconds()) {
                return false;
            }
            Map<K, StateEntry<S>> entries = supplier.get();
            p.current.clear();
            p.logs.clear();
            p.updatedAt.clear();
            p.current.putAll(entries);
            if (trackIdle) {
                entries.forEach((k, e) -> p.updatedAt.computeIfAbsent(e.updatedAt(), t -> new ArrayList<>()).add(k));
            }
            p.version = version.milliseconds();
            return true;
        } finally {
            p.lock.unlock();
        }
    }

    @Override
    public void forgetUpTo(Time time) {
        long t = time.milliseconds();
        for (Partition<K, S> p : partitions) {
            p.lock.lock();
            try {
                while (!p.logs.isEmpty() && p.logs.peekFirst().base <= t) {
                    p.logs.removeFirst();
                }
            } finally {
                p.lock.unlock();
            }
        }
    }

    @Override
    public long size() {
        long n = 0;
        for (Partition<K, S> p : partitions) {
            p.lock.lock();
            try {
                n += p.current.size();
            } finally {
                p.lock.unlock();
            }
        }
        return n;
    }

    /** The number of older versions a partition can still read; for tests and diagnostics. */
    public int retainedVersions(int partition) {
        Partition<K, S> p = partition(partition);
        p.lock.lock();
        try {
            return p.logs.size();
        } finally {
            p.lock.unlock();
        }
    }

    private Partition<K, S> partition(int i) {
        if (i < 0 || i >= partitions.size()) {
            throw new IndexOutOfBoundsException("The state of '" + operatorId + "' has " + partitions.size()
                    + " partitions, not " + i);
        }
        return partitions.get(i);
    }

    /** One partition: its latest version, the undo logs of older ones (oldest first), and the idle index. */
    private static final class Partition<K, S> {
        final ReentrantLock lock = new ReentrantLock();
        final HashMap<K, StateEntry<S>> current = new HashMap<>();
        final ArrayDeque<UndoLog<K, S>> logs = new ArrayDeque<>();
        /** Keys by the time of an update; an entry is stale when the key was updated again since. */
        final TreeMap<Long, ArrayList<K>> updatedAt = new TreeMap<>();
        long version;

        Partition(long initialVersion) {
            this.version = initialVersion;
        }
    }

    /**
     * What writing {@code version} on top of {@code base} overwrote, in the order of the writes: for each write the
     * key and its previous entry (null: absent). A key written twice appears twice; its first before-image is its
     * entry at {@code base}. Appending is cheaper than a map on the write path; readers of old versions pay instead.
     */
    private static final class UndoLog<K, S> {
        final long base;
        final long version;
        final ArrayList<K> keys = new ArrayList<>();
        final ArrayList<StateEntry<S>> before = new ArrayList<>();

        UndoLog(long base, long version) {
            this.base = base;
            this.version = version;
        }

        void add(K key, StateEntry<S> old) {
            keys.add(key);
            before.add(old);
        }

        /** Puts every key's first before-image into {@code overlay}, over what is there. */
        void overlayInto(HashMap<K, StateEntry<S>> overlay) {
            for (int i = keys.size() - 1; i >= 0; i--) {
                overlay.put(keys.get(i), before.get(i));
            }
        }

        /** Restores the before-images, last write first. */
        void undo(HashMap<K, StateEntry<S>> map) {
            for (int i = keys.size() - 1; i >= 0; i--) {
                StateEntry<S> old = before.get(i);
                if (old == null) {
                    map.remove(keys.get(i));
                } else {
                    map.put(keys.get(i), old);
                }
            }
        }
    }

    private final class Transaction implements StateTransaction<K, S> {
        private final Partition<K, S> p;
        private final long version;
        private final UndoLog<K, S> log;
        private ArrayList<K> updatedNow;
        private long polledBefore = Long.MIN_VALUE;

        Transaction(Partition<K, S> p, long version) {
            this.p = p;
            this.version = version;
            this.log = new UndoLog<>(p.version, version);
        }

        @Override
        public Time version() {
            return new Time(version);
        }

        @Override
        public StateEntry<S> get(K key) {
            return p.current.get(key);
        }

        @Override
        public void put(K key, S value) {
            var entry = new StateEntry<>(value, version);
            StateEntry<S> old = p.current.put(key, entry);
            touched(key, old, entry);
        }

        @Override
        public void remove(K key) {
            StateEntry<S> old = p.current.remove(key);
            if (old != null) {
                record(key, old);
            }
        }

        @Override
        public void updateEach(BiFunction<? super K, ? super S, ? extends S> f) {
            Iterator<Map.Entry<K, StateEntry<S>>> it = p.current.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<K, StateEntry<S>> e = it.next();
                StateEntry<S> old = e.getValue();
                S value = f.apply(e.getKey(), old.value());
                if (value == null) {
                    it.remove();
                    record(e.getKey(), old);
                } else {
                    var entry = new StateEntry<S>(value, version);
                    e.setValue(entry);
                    touched(e.getKey(), old, entry);
                }
            }
        }

        @Override
        public List<K> pollIdleKeys(Time threshold) {
            if (!trackIdle) {
                throw new IllegalStateException("The state of '" + operatorId + "' does not track idle keys");
            }
            long t = threshold.milliseconds();
            var idle = new ArrayList<K>();
            for (var bucket : p.updatedAt.headMap(t, false).entrySet()) {
                long at = bucket.getKey();
                for (K k : bucket.getValue()) {
                    StateEntry<S> e = p.current.get(k);
                    if (e != null && e.updatedAt() == at) {
                        idle.add(k);
                    }
                }
            }
            polledBefore = Math.max(polledBefore, t);
            return idle;
        }

        @Override
        public int size() {
            return p.current.size();
        }

        private void touched(K key, StateEntry<S> old, StateEntry<S> entry) {
            record(key, old);
            if (trackIdle && (old == null || old.updatedAt() != version)) {
                if (updatedNow == null) {
                    updatedNow = p.updatedAt.computeIfAbsent(version, v -> new ArrayList<>());
                }
                updatedNow.add(key);
            }
        }

        private void record(K key, StateEntry<S> old) {
            log.add(key, old);
        }

        void commit() {
            p.logs.addLast(log);
            p.version = version;
            if (polledBefore != Long.MIN_VALUE) {
                p.updatedAt.headMap(polledBefore, false).clear();
            }
        }

        void rollback() {
            log.undo(p.current);
            // index entries added for this version are stale now: the restored entries carry older times
            p.updatedAt.remove(version);
        }
    }
}
