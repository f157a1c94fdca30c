package io.sluice.itests;

import io.sluice.testkit.ReplayingNumberServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** What the recovery tests read back from a job's files: batch outputs by batch time, and its newest checkpoint. */
public final class BatchOutputs {
    private BatchOutputs() {
    }

    /**
     * The lines of every completed ({@code _SUCCESS}) batch output {@code <dir>/<name>-<time>.txt}, by batch time; empty
     * if {@code dir} does not exist.
     */
    public static TreeMap<Long, List<String>> read(FileSystem fs, String dir, String name) throws IOException {
        var result = new TreeMap<Long, List<String>>();
        var root = new Path(dir);
        if (!fs.exists(root)) {
            return result;
        }
        for (FileStatus batch : fs.listStatus(root)) {
            String n = batch.getPath().getName();
            if (!n.startsWith(name + "-") || !n.endsWith(".txt") || !fs.exists(new Path(batch.getPath(), "_SUCCESS"))) {
                continue;
            }
            var lines = new ArrayList<String>();
            for (FileStatus part : fs.listStatus(batch.getPath(), p -> p.getName().startsWith("part-"))) {
                try (var in = new BufferedReader(new InputStreamReader(fs.open(part.getPath()), StandardCharsets.UTF_8))) {
                    in.lines().forEach(lines::add);
                }
            }
            result.put(Long.parseLong(n.substring(name.length() + 1, n.length() - 4)), lines);
        }
        return result;
    }

    /** The {@code key=value} lines of the newest batch output of {@code name}, as a sorted map; empty if none. */
    public static Map<String, String> lastCounts(FileSystem fs, String dir, String name) throws IOException {
        var all = read(fs, dir, name);
        var counts = new TreeMap<String, String>();
        if (!all.isEmpty()) {
            for (String line : all.lastEntry().getValue()) {
                String[] kv = line.split("=");
                counts.put(kv[0], kv[1]);
            }
        }
        return counts;
    }

    /**
     * Each number in the outputs of {@code name} with the batch it is in.
     *
     * @throws AssertionError if a number is in two batches' outputs (counted twice)
     */
    public static Map<Long, Long> numbersOnce(FileSystem fs, String dir, String name) throws IOException {
        var seen = new HashMap<Long, Long>();
        read(fs, dir, name).forEach((time, lines) -> lines.forEach(l -> seen.merge(Long.parseLong(l), time, (a, b) -> {
            throw new AssertionError("number " + l + " is in the output of batches " + a + " and " + b);
        })));
        return seen;
    }

    /**
     * How many batches' outputs of {@code name} hold each number, for a source that sends again what was not
     * acknowledged (a reliable receiver is at-least-once at its boundary: a block stored but whose acknowledgement
     * was lost with its driver or executor is sent, and stored, again).
     *
     * @throws AssertionError if a number is in more batches' outputs than the source sent it: the engine counted it
     *                        twice
     */
    public static Map<Long, Integer> numbersAtMostAsOftenAsSent(FileSystem fs, String dir, String name,
                                                              List<ReplayingNumberServer.Delivery> sent)
            throws IOException {
        var timesSent = new HashMap<Long, Integer>();
        for (var d : sent) {
            for (long n = d.from(); n < d.from() + d.count(); n++) {
                timesSent.merge(n, 1, Integer::sum);
            }
        }
        var batches = new HashMap<Long, List<Long>>();
        read(fs, dir, name).forEach((time, lines) -> lines.forEach(
                l -> batches.computeIfAbsent(Long.parseLong(l), k -> new ArrayList<>()).add(time)));
        var occurrences = new HashMap<Long, Integer>();
        batches.forEach((n, times) -> {
            int sentTimes = timesSent.getOrDefault(n, 0);
            if (times.size() > sentTimes) {
                throw new AssertionError("number " + n + " is in the outputs of batches " + times + " but was sent "
                        + sentTimes + " time(s): counted twice");
            }
            occurrences.put(n, times.size());
        });
        return occurrences;
    }

    /** How many of the numbers' occurrences fall on each key (n mod 10), as the count outputs print them. */
    public static Map<String, String> perKey(Map<Long, Integer> occurrences) {
        var counts = new TreeMap<Long, Long>();
        occurrences.forEach((n, times) -> counts.merge(n % 10, (long) times, Long::sum));
        var printed = new TreeMap<String, String>();
        counts.forEach((k, v) -> printed.put(Long.toString(k), Long.toString(v)));
        return printed;
    }

    /** The numbers in more than one batch's output (each explained by the source sending it again). */
    public static List<Long> resent(Map<Long, Integer> occurrences) {
        return occurrences.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    }

    /** The batch time of the newest metadata checkpoint under {@code checkpointDir}, or -1. */
    public static long latestCheckpoint(FileSystem fs, String checkpointDir) throws IOException {
        var dir = new Path(checkpointDir, "metadata");
        long latest = -1;
        if (fs.exists(dir)) {
            for (FileStatus st : fs.listStatus(dir)) {
                latest = Math.max(latest, io.sluice.checkpoint.CheckpointFiles.completedTimeOf(st.getPath().getName()));
            }
        }
        return latest;
    }
}
