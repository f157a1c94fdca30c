package io.sluice.itests.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorRegistry.ExecutorInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent.BatchCompleted;
import io.sluice.receiver.Await;
import io.sluice.scheduler.ExecutorCluster;
import io.sluice.storage.StorageLevel;
import io.sluice.testkit.ReplayingNumberServer;
import io.sluice.testkit.ReplayingNumberServer.Delivery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, point 3: with the receiver write-ahead log on, no acknowledged record is lost or counted twice while
 * executors are SIGKILLed at random moments, again and again.
 *
 * <p>{@code local-cluster[2,1,512]}: the receiver takes the core of one executor, tasks run on the other, and each
 * block is replicated to that other one ({@code MEMORY_AND_DISK_SER_2}). A seeded schedule ({@code -Dsluice.test.seed})
 * runs four rounds of two kills: once the cluster is whole, after a random amount of the source's progress and a
 * random delay, the receiver's executor or the other one (which holds the replicas and runs the tasks) is killed;
 * soon after, again at a random point, the receiver's executor, before the local cluster replaced the first one, so
 * the receiver ran alone, without a peer for copies. Blocks whose every copy was in killed executors, given to a
 * batch or not yet, exist only in the write-ahead log: they must still reach their batch, read from the log.
 *
 * <p>The source ({@link ReplayingNumberServer}) resends what was not acknowledged, and the receiver
 * ({@link TaggedNumberReceiver}) tags each record with its connection, so the check is exact: every chunk the source
 * saw acknowledged appears in exactly one batch's output, a record of a chunk sent twice (stored, but its
 * acknowledgement died with the executor) at most once per sending, and no batch ran twice.
 */
class ExecutorKillsWithWriteAheadLogTest {
    private static final Logger LOG = LogManager.getLogger(ExecutorKillsWithWriteAheadLogTest.class);
    private static final long SEED = Long.getLong("sluice.test.seed", 20_250_611L);
    private static final long TOTAL = 4_000;
    /** Generous: on a loaded machine a killed executor's replacement has taken 40 s to register. */
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final Duration BATCH = Duration.ofSeconds(1);

    private enum Victim { RECEIVER_EXECUTOR, OTHER_EXECUTOR }

    /** Every output of every batch, and failed output operations. */
    private static final class Outputs implements StreamingListener {
        final List<Map.Entry<Time, List<String>>> batches = Collections.synchronizedList(new ArrayList<>());
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onBatchCompleted(BatchCompleted event) {
            event.batchInfo().outputOperationInfos().values().forEach(op -> {
                if (op.failureReason() != null) {
                    failures.add(op.batchTime() + ": " + op.failureReason());
                }
            });
        }

        List<String> records() {
            synchronized (batches) {
                return batches.stream().flatMap(e -> e.getValue().stream()).toList();
            }
        }
    }

    @Test
    void executorsKilledAtRandomLoseNoAcknowledgedRecordAndCountNoneTwice(@TempDir Path workDir,
                                                                         @TempDir Path checkpoint) throws Exception {
        var conf = new SluiceConf(false).setMaster("local-cluster[2,1,512]").setAppName("wal-executor-kills")
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString())
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.RECEIVER_RESTART_DELAY, Duration.ofMillis(200))
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(120))
                // a batch waits while both executors are being replaced; a timed-out batch would lose its records
                .set(SluiceConf.JOB_TIMEOUT, Duration.ofMinutes(15))
                .set(SluiceConf.RECEIVER_WAL_ENABLE, true);
        var random = new Random(SEED);
        var firstVictims = new ArrayList<>(List.of(Victim.RECEIVER_EXECUTOR, Victim.RECEIVER_EXECUTOR,
                Victim.OTHER_EXECUTOR, Victim.OTHER_EXECUTOR));
        Collections.shuffle(firstVictims, random);
        var outputs = new Outputs();
        var killed = new ArrayList<String>();
        List<Delivery> acknowledged;
        List<Delivery> sent;
        try (var sc = new SluiceContext(conf);
             var server = new ReplayingNumberServer(TOTAL, 10, Duration.ofMillis(40))) {
            var ssc = new StreamingContext(sc, BATCH);
            ssc.checkpoint(checkpoint.toUri().toString());
            ssc.receiverStream(new TaggedNumberReceiver(server.host(), server.port(), StorageLevel.MEMORY_AND_DISK_SER_2))
                    .foreachRDD((ds, time) -> {
                        List<String> records = ds.collect();
                        outputs.batches.add(Map.entry(time, records));
                    });
            ssc.addStreamingListener(outputs);
            try {
                ssc.start();
                long ackedAtKill = 0;
                for (Victim first : firstVictims) {
                    // A round: once the cluster is whole again and the source got on, one executor is killed at a
                    // random moment; then, soon after, the receiver's, which runs without a peer for copies now
                    awaitWholeCluster(sc, server);
                    ackedAtKill = kill(sc, server, first, ackedAtKill + 100 + random.nextInt(300),
                            random.nextInt(1_000), killed);
                    ackedAtKill = kill(sc, server, Victim.RECEIVER_EXECUTOR, ackedAtKill + 30 + random.nextInt(120),
                            random.nextInt(500), killed);
                }
                assertThat(server.awaitAcked(TOTAL, WAIT)).as("the source delivered everything").isTrue();
                acknowledged = server.acknowledged();
                sent = server.sent();
                // Every acknowledged block was reported before now, so it is in a batch up to the next batch time;
                // batches complete in order: once one two intervals later completed, all of those did.
                long after = System.currentTimeMillis() + 2 * BATCH.toMillis();
                Await.until("the batch at " + after + " ms completed", () -> {
                    synchronized (outputs.batches) {
                        return outputs.batches.stream().anyMatch(e -> e.getKey().milliseconds() >= after);
                    }
                }, WAIT);
            } finally {
                ssc.stop(false, false);
            }
        }
        LOG.info("Chaos (seed {}): kills {}", SEED, killed);
        assertThat(killed).hasSize(2 * firstVictims.size());

        var batchTimes = new HashMap<Time, Integer>();
        outputs.batches.forEach(e -> batchTimes.merge(e.getKey(), 1, Integer::sum));
        assertThat(batchTimes).as("no batch ran twice").allSatisfy((time, runs) -> assertThat(runs).isEqualTo(1));

        var counts = new HashMap<String, Integer>();
        outputs.records().forEach(r -> counts.merge(r, 1, Integer::sum));
        assertThat(counts).as("no record counted twice").allSatisfy((record, n) -> assertThat(n).isEqualTo(1));

        var missing = new ArrayList<String>();
        long acknowledgedNumbers = 0;
        for (Delivery d : acknowledged) {
            for (long n = d.from(); n < d.from() + d.count(); n++) {
                acknowledgedNumbers++;
                if (!counts.containsKey(n + "@" + d.connection())) {
                    missing.add(n + "@" + d.connection());
                }
            }
        }
        assertThat(acknowledgedNumbers).as("the acknowledged chunks cover every number once").isEqualTo(TOTAL);
        assertThat(missing).as("acknowledged records missing from every batch (failed outputs: " + outputs.failures + ")")
                .isEmpty();

        var sentRecords = new HashSet<String>();
        for (Delivery d : sent) {
            for (long n = d.from(); n < d.from() + d.count(); n++) {
                sentRecords.add(n + "@" + d.connection());
            }
        }
        assertThat(sentRecords).as("every output record was sent on its connection").containsAll(counts.keySet());
        LOG.info("Chaos (seed {}): {} records output for {} numbers ({} sent again after an acknowledgement was lost)",
                SEED, counts.size(), TOTAL, counts.size() - TOTAL);
    }

    /**
     * Kills the executor in the victim's role once the source acknowledged {@code progress} numbers and
     * {@code delayMs} more passed; returns how many numbers were acknowledged then.
     */
    private static long kill(SluiceContext sc, ReplayingNumberServer server, Victim victim, long progress, long delayMs,
                             List<String> killed) throws Exception {
        assertThat(server.awaitAcked(progress, WAIT)).as("the source got to " + progress).isTrue();
        TimeUnit.MILLISECONDS.sleep(delayMs); // not a wait for a condition: the moment of the fault
        long pid = awaitVictim(sc, server, victim);
        long acked = server.acked();
        LOG.info("Chaos (seed {}): killing the {} (pid {}), {} of {} numbers acknowledged", SEED, victim, pid, acked,
                TOTAL);
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        killed.add(victim + " at " + acked);
        return acked;
    }

    /** Waits until two live executors are registered and the receiver is connected from one of them. */
    private static void awaitWholeCluster(SluiceContext sc, ReplayingNumberServer server) {
        Await.until("two live executors, one running the receiver", () -> {
            Set<Long> live = livePids(sc);
            List<Long> connected = server.receiverPids();
            return live.size() == 2 && !connected.isEmpty() && live.contains(connected.get(connected.size() - 1));
        }, WAIT);
    }

    /**
     * The pid of a live executor in the victim's role, waiting until there is one (the cluster may be replacing the
     * executors killed before): the executor the receiver is connected from, or one that does not run the receiver.
     */
    private static long awaitVictim(SluiceContext sc, ReplayingNumberServer server, Victim victim) {
        long[] pid = {-1};
        Await.until("a live " + victim, () -> {
            Set<Long> live = livePids(sc);
            List<Long> connected = server.receiverPids();
            long receiver = connected.isEmpty() ? -1 : connected.get(connected.size() - 1);
            if (victim == Victim.RECEIVER_EXECUTOR) {
                pid[0] = live.contains(receiver) ? receiver : -1;
            } else {
                pid[0] = live.stream().filter(p -> p != receiver).findFirst().orElse(-1L);
            }
            return pid[0] > 0;
        }, WAIT);
        return pid[0];
    }

    private static Set<Long> livePids(SluiceContext sc) {
        var result = new HashSet<Long>();
        for (ExecutorInfo info : ((ExecutorCluster) sc.taskScheduler()).executors().registeredExecutors()) {
            if (ProcessHandle.of(info.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                result.add(info.pid());
            }
        }
        return result;
    }
}
