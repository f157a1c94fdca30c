package io.sluice.bench;

import io.sluice.api.Durations;
import io.sluice.api.StreamingContext;
import io.sluice.batch.Dataset;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs one workload of {@code WORKLOADS.md} (W1–W4) on Sluice, the same way the Spark Streaming baseline does.
 *
 * <p>Usage: {@code Bench W1|W2|W3|W4 [batches] [discard]}. Input is generated up front (SplittableRandom seeded
 * with 42, one generator for the whole run, batches in order) and fed one batch per 1 s interval through
 * {@code queueStream(queue, oneAtATime = true)}, 2 partitions per batch, master {@code local[2]}. Each batch's
 * processing time is its {@link BatchInfo#processingDelay()} as reported to a {@link StreamingListener}.
 *
 * <p>Prints one line on stdout: {@code W1 median_ms=… p90_ms=… records_per_s=… peak_rss_mb=…}; the peak RSS is
 * left out when {@code -Dsluice.bench.externalRss=true} (the run script then measures it with
 * {@code /usr/bin/time -v}, as the Spark baseline's does). Per-batch timings go to stderr.
 * System properties: {@code sluice.bench.master} (default {@code local[2]}); {@code sluice.bench.source}
 * ({@code queue}, the default, or {@code receiver}: the same batches through {@link PacedBatchReceiver}, to measure the
 * write-ahead log); {@code sluice.bench.checkpointInterval} (seconds, for the state of W2–W4; default the engine's);
 * any other {@code sluice.*} property is passed to the configuration (e.g.
 * {@code -Dsluice.streaming.receiver.writeAheadLog.enable=true}).
 */
public final class Bench {
    private static final Logger LOG = LogManager.getLogger(Bench.class);

    static final long SEED = 42L;
    static final int WORDS_PER_LINE = 10;
    static final int INPUT_PARTITIONS = 2;
    static final int REDUCE_PARTITIONS = 4;

    private Bench() {
    }

    /** The shape of one workload's input. */
    record Spec(String id, int vocab, int recordsPerBatch, int wordsPerRecord, int batches, int discard) {
        static Spec of(String id, String[] args) {
            String w = id.toUpperCase(Locale.ROOT);
            int defBatches = w.equals("W2") ? 60 : 40;
            int defDiscard = w.equals("W2") ? 30 : 10;
            int batches = args.length > 1 ? Integer.parseInt(args[1]) : defBatches;
            int discard = args.length > 2 ? Integer.parseInt(args[2]) : defDiscard;
            if (discard >= batches) {
                throw new IllegalArgumentException("discard (" + discard + ") must be below batches (" + batches + ")");
            }
            return switch (w) {
                case "W1" -> new Spec(w, 10_000, 100_000, WORDS_PER_LINE, batches, discard);
                case "W2" -> new Spec(w, 10_000, 20_000, WORDS_PER_LINE, batches, discard);
                case "W3" -> new Spec(w, 100_000, 20_000, WORDS_PER_LINE, batches, discard);
                case "W4" -> new Spec(w, 1_000_000, 200_000, 1, batches, discard);
                default -> throw new IllegalArgumentException("unknown workload " + id + " (expected W1..W4)");
            };
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Bench W1|W2|W3|W4 [batches] [discard]");
            System.exit(2);
        }
        Spec spec = Spec.of(args[0], args);
        String master = System.getProperty("sluice.bench.master", "local[2]");

        var conf = new SluiceConf(false).setMaster(master).setAppName("sluice-bench-" + spec.id());
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("sluice.") && !key.startsWith("sluice.bench.")) {
                conf.set(key, System.getProperty(key));
            }
        }
        boolean viaReceiver = System.getProperty("sluice.bench.source", "queue").equals("receiver");
        StreamingContext ssc;
        try {
            ssc = new StreamingContext(conf, Durations.seconds(1));
        } catch (IllegalArgumentException e) {
            System.err.println("master '" + master + "' is not supported by this runtime: " + e.getMessage());
            System.exit(3);
            return;
        }
        // after the context, so that an unsupported master fails before the input is generated
        long t0 = System.nanoTime();
        List<List<String>> data = generate(spec);
        System.err.printf(Locale.ROOT, "generated %d batches x %d records in %.1f s%n",
                spec.batches(), spec.recordsPerBatch(), (System.nanoTime() - t0) / 1e9);

        Path checkpointDir = Files.createTempDirectory("sluice-bench-ckpt-");
        if (!spec.id().equals("W1")) {
            ssc.checkpoint(checkpointDir.toString());
        }

        io.sluice.api.DStream<String> input;
        if (viaReceiver) {
            input = ssc.receiverStream(new PacedBatchReceiver(data, 1000)).repartition(INPUT_PARTITIONS);
        } else {
            Queue<Dataset<String>> queue = new LinkedList<>();
            for (List<String> lines : data) {
                queue.add(ssc.parallelize(lines, INPUT_PARTITIONS));
            }
            input = ssc.queueStream(queue, true);
        }
        data = null;
        String interval = System.getProperty("sluice.bench.checkpointInterval");
        Workloads.define(spec.id(), input, REDUCE_PARTITIONS,
                interval == null ? null : java.time.Duration.ofSeconds(Long.parseLong(interval)));

        TreeMap<Long, Long> delays = new TreeMap<>(); // batch time ms -> processing delay ms
        CountDownLatch done = new CountDownLatch(1);
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(StreamingListenerEvent.BatchCompleted e) {
                BatchInfo info = e.batchInfo();
                long pd = info.processingDelay().orElse(-1);
                long sd = info.schedulingDelay().orElse(-1);
                synchronized (delays) {
                    delays.put(info.batchTime().milliseconds(), pd);
                    int n = delays.size();
                    System.err.printf("batch %d time=%d processing_ms=%d scheduling_ms=%d%s%n", n,
                            info.batchTime().milliseconds(), pd, sd, info.failed() ? " FAILED" : "");
                    if (info.failed()) {
                        info.outputOperationInfos().values().forEach(o -> {
                            if (o.failureReason() != null) {
                                System.err.println(o.failureReason());
                            }
                        });
                    }
                    if (n >= spec.batches()) {
                        done.countDown();
                    }
                }
            }
        });

        long start = System.nanoTime();
        ssc.start();
        boolean ok = done.await(30, TimeUnit.MINUTES);
        long wall = System.nanoTime() - start;
        ssc.stop(false);
        deleteRecursively(checkpointDir);
        if (!ok) {
            LOG.error("Timed out waiting for {} batches", spec.batches());
            System.exit(1);
        }

        List<Long> all;
        synchronized (delays) {
            all = new ArrayList<>(delays.values());
        }
        List<Long> sorted = new ArrayList<>(all.subList(spec.discard(), Math.min(all.size(), spec.batches())));
        sorted.sort(Comparator.naturalOrder());
        double median = percentile(sorted, 50);
        double p90 = percentile(sorted, 90);
        System.err.println("all processing_ms (batch order): " + all);
        System.err.printf(Locale.ROOT, "records_per_batch=%d measured_batches=%d min_ms=%d max_ms=%d wall_s=%.1f%n",
                spec.recordsPerBatch(), sorted.size(), sorted.get(0), sorted.get(sorted.size() - 1), wall / 1e9);
        var line = new StringBuilder(String.format(Locale.ROOT, "%s median_ms=%.1f p90_ms=%.1f records_per_s=%.0f",
                spec.id(), median, p90, spec.recordsPerBatch() / (Math.max(median, 0.5) / 1000.0)));
        if (!Boolean.getBoolean("sluice.bench.externalRss")) {
            line.append(" peak_rss_mb=").append(peakRssMb());
        }
        System.out.println(line);
        System.out.flush();
    }

    /** The input of every batch, generated exactly as the Spark baseline and the floor do. */
    static List<List<String>> generate(Spec spec) {
        String[] words = new String[spec.vocab()];
        for (int i = 0; i < words.length; i++) {
            words[i] = "w" + i;
        }
        var rnd = new SplittableRandom(SEED);
        var data = new ArrayList<List<String>>(spec.batches());
        var sb = new StringBuilder(128);
        for (int b = 0; b < spec.batches(); b++) {
            var lines = new ArrayList<String>(spec.recordsPerBatch());
            for (int l = 0; l < spec.recordsPerBatch(); l++) {
                sb.setLength(0);
                for (int k = 0; k < spec.wordsPerRecord(); k++) {
                    if (k > 0) {
                        sb.append(' ');
                    }
                    sb.append(words[rnd.nextInt(spec.vocab())]);
                }
                lines.add(sb.toString());
            }
            data.add(lines);
        }
        return data;
    }

    /** Median: mean of the two middle values for even n; other percentiles: nearest rank. */
    static double percentile(List<Long> sorted, int p) {
        int n = sorted.size();
        if (p == 50) {
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
        }
        int rank = (int) Math.ceil(p / 100.0 * n);
        return sorted.get(Math.max(0, rank - 1));
    }

    /** This process's peak resident set size (VmHWM) in MiB, or -1 where /proc is not available. */
    static long peakRssMb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Could not read peak RSS: {}", e.toString());
        }
        return -1;
    }

    static void deleteRecursively(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp folder is harmless
        }
    }
}
