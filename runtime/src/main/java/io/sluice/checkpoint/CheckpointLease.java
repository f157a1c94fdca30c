package io.sluice.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One driver's exclusive use of a checkpoint directory: a file {@code _lease} naming its holder (application, host,
 * pid), rewritten every renewal interval. Two drivers on one directory would interleave their state versions and
 * checkpoints, so a second one refuses to start, naming the holder.
 *
 * <p>A lease whose holder is gone is taken over without manual cleanup: at once when the holder ran on this host and
 * its process has ended, or when it is an earlier attempt of the same application (a cluster manager restarted the
 * driver); otherwise once it has not been renewed for the lease timeout. A holder is judged alive when its lease
 * changes while a new driver watches it (no clocks compared), or when its last renewal is younger than the timeout
 * by this host's clock.
 *
 * <p>A driver that finds its lease taken over by another fails through {@code onLost}; a renewal that cannot be
 * written (the file system is briefly unreachable) is only logged, since nobody else can take the lease before it
 * expires.
 */
public final class CheckpointLease implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(CheckpointLease.class);
    static final String FILE = "_lease";

    private final FileSystem fs;
    private final Path file;
    private final Holder me;
    private final Settings settings;
    private final Consumer<Throwable> onLost;
    private final ScheduledExecutorService renewer;
    private long renewals; // renewer thread only, after acquire
    private volatile boolean lost;

    /** Who holds a lease, as its file says. {@code token} is unique per driver run. */
    public record Holder(String token, String appId, String host, long pid) {
        public Holder {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(host, "host");
        }

        /** This process, running application {@code appId}, with a new token. */
        public static Holder thisProcess(String appId) {
            return new Holder(java.util.UUID.randomUUID().toString(), appId, localHost(), ProcessHandle.current().pid());
        }

        @Override
        public String toString() {
            return "application " + appId + " (host " + host + ", pid " + pid + ")";
        }
    }

    /**
     * @param timeout       a lease not renewed for this long is expired
     * @param renewInterval how often the holder rewrites its lease; well under {@code timeout}
     * @param pollInterval  how often a driver waiting for a lease looks at it again
     */
    public record Settings(Duration timeout, Duration renewInterval, Duration pollInterval) {
        public Settings {
            if (renewInterval.compareTo(timeout) >= 0) {
                throw new IllegalArgumentException("the lease renewal interval " + renewInterval
                        + " must be shorter than its timeout " + timeout);
            }
        }

        /** Renewed every third of {@code timeout}, looked at every second (or more often for short timeouts). */
        public static Settings of(Duration timeout) {
            var poll = timeout.dividedBy(10).compareTo(Duration.ofSeconds(1)) < 0 ? timeout.dividedBy(10)
                    : Duration.ofSeconds(1);
            return new Settings(timeout, timeout.dividedBy(3), poll);
        }
    }

    private CheckpointLease(FileSystem fs, Path dir, Holder me, Settings settings, Consumer<Throwable> onLost) {
        this.fs = fs;
        this.file = new Path(dir, FILE);
        this.me = me;
        this.settings = settings;
        this.onLost = onLost;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "sluice-checkpoint-lease-" + me.appId());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Takes the lease on checkpoint directory {@code dir} (created if missing) and keeps renewing it until
     * {@link #close()}; waits at most about the lease timeout for a lease whose holder may be gone.
     *
     * @param onLost told once if another driver took the lease over while this one held it
     * @throws IllegalStateException if another driver holds the lease (the message names it), or if the directory
     *                               cannot be written (the message names it and the cause)
     */
    public static CheckpointLease acquire(FileSystem fs, Path dir, Holder me, Settings settings,
                                          Consumer<Throwable> onLost) {
        var lease = new CheckpointLease(fs, dir, me, settings, onLost);
        try {
            fs.mkdirs(dir);
            lease.take();
        } catch (IOException e) {
            lease.renewer.shutdownNow();
            throw new IllegalStateException("Cannot use the checkpoint directory " + dir + ": " + e.getMessage()
                    + ". Check that it is a directory this user can write to.", e);
        } catch (InterruptedException e) {
            lease.renewer.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted taking the lease on the checkpoint directory " + dir, e);
        } catch (RuntimeException e) {
            lease.renewer.shutdownNow();
            throw e;
        }
        long every = settings.renewInterval().toMillis();
        lease.renewer.scheduleWithFixedDelay(lease::renew, every, every, TimeUnit.MILLISECONDS);
        return lease;
    }

    /** The lease file of checkpoint directory {@code dir}. */
    public static Path fileOf(Path dir) {
        return new Path(dir, FILE);
    }

    private record Seen(String content, long modified, Holder holder) {
    }

    private void take() throws IOException, InterruptedException {
        Seen watched = null;
        long watchedSince = 0;
        Holder known = null; // the holder as last read whole: a read during a renewal may see a partial file
        while (true) {
            Optional<Seen> current = read();
            if (current.isEmpty()) {
                if (create()) {
                    LOG.info("[{}] Took the lease on checkpoint directory {}", me.appId(), file.getParent());
                    return;
                }
                continue; // another driver created it first: look at theirs
            }
            var seen = current.get();
            if (seen.holder() != null) {
                known = seen.holder();
            }
            String gone = goneReason(seen);
            if (gone == null && watched != null) {
                if (!watched.content().equals(seen.content()) || watched.modified() != seen.modified()) {
                    throw refusal(known, "it renewed its lease " + settings.renewInterval().toSeconds() + " s ago or "
                            + "less");
                }
                if (System.nanoTime() - watchedSince > settings.timeout().toNanos()) {
                    gone = "its lease was not renewed for " + settings.timeout().toSeconds() + " s";
                }
            }
            if (gone != null) {
                LOG.warn("[{}] Taking over the lease on checkpoint directory {} from {}: {}", me.appId(),
                        file.getParent(), seen.holder() == null ? "an unreadable lease" : seen.holder(), gone);
                fs.delete(file, false);
                if (create()) {
                    return;
                }
                watched = null;
                continue;
            }
            if (watched == null) {
                watched = seen;
                watchedSince = System.nanoTime();
                LOG.info("[{}] The checkpoint directory {} is leased to {}; waiting up to {} s to see whether it is "
                                + "still running", me.appId(), file.getParent(), known,
                        settings.timeout().toSeconds());
            }
            Thread.sleep(settings.pollInterval().toMillis());
        }
    }

    /** Why the holder of {@code seen} can be taken over from at once, or null. */
    private String goneReason(Seen seen) {
        Holder h = seen.holder();
        if (h == null) {
            return null; // being written, or damaged: judged by whether it changes
        }
        if (h.host().equals(me.host()) && !running(h.pid())) {
            return "its process " + h.pid() + " on this host has ended";
        }
        if (h.appId().equals(me.appId())) {
            return "it is an earlier attempt of this application";
        }
        long age = System.currentTimeMillis() - seen.modified();
        if (age > settings.timeout().toMillis()) {
            return "its lease was last renewed " + age / 1000 + " s ago (timeout " + settings.timeout().toSeconds()
                    + " s)";
        }
        return null;
    }

    private IllegalStateException refusal(Holder holder, String why) {
        return new IllegalStateException("The checkpoint directory " + file.getParent() + " is in use by "
                + (holder == null ? "another driver (its lease file could not be read)" : holder) + ": " + why + ". Two drivers on one checkpoint directory would corrupt each "
                + "other's state; stop that driver, or give this application a checkpoint directory of its own. A "
                + "lease not renewed for sluice.streaming.checkpoint.leaseTimeout (" + settings.timeout().toSeconds()
                + " s) expires.");
    }

    private boolean create() throws IOException {
        try (var out = fs.create(file, false)) {
            out.write(content(0));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            // HDFS reports a concurrent create of the same file in other ways (AlreadyBeingCreatedException)
            if (fs.exists(file)) {
                return false;
            }
            throw e;
        }
    }

    private Optional<Seen> read() throws IOException {
        long modified;
        byte[] bytes;
        try {
            modified = fs.getFileStatus(file).getModificationTime();
            try (var in = fs.open(file)) {
                bytes = in.readAllBytes();
            }
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
        String content = new String(bytes, StandardCharsets.UTF_8);
        return Optional.of(new Seen(content, modified, parse(content)));
    }

    private static Holder parse(String content) {
        var p = new Properties();
        try {
            p.load(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
            return new Holder(p.getProperty("token"), p.getProperty("appId"), p.getProperty("host"),
                    Long.parseLong(p.getProperty("pid")));
        } catch (IOException | RuntimeException e) {
            return null; // partly written or not a lease
        }
    }

    private byte[] content(long renewal) {
        var p = new Properties();
        p.setProperty("token", me.token());
        p.setProperty("appId", me.appId());
        p.setProperty("host", me.host());
        p.setProperty("pid", Long.toString(me.pid()));
        p.setProperty("renewal", Long.toString(renewal));
        var out = new ByteArrayOutputStream();
        try {
            p.store(out, "The driver using this checkpoint directory");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private void renew() {
        if (lost) {
            return;
        }
        try {
            var current = read();
            Holder h = current.map(Seen::holder).orElse(null);
            if (current.isPresent() && h != null && !h.token().equals(me.token())) {
                lost = true;
                LOG.error("[{}] Lost the lease on checkpoint directory {} to {}", me.appId(), file.getParent(), h);
                onLost.accept(new IllegalStateException("Another driver, " + h + ", took over the checkpoint "
                        + "directory " + file.getParent() + " from this one (whose lease it judged expired: this "
                        + "driver could not renew it for sluice.streaming.checkpoint.leaseTimeout); this driver "
                        + "stops so that the two do not corrupt each other's state"));
                return;
            }
            try (var out = fs.create(file, true)) {
                out.write(content(++renewals));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("[{}] Could not renew the lease on checkpoint directory {} (trying again in {} s): {}",
                    me.appId(), file.getParent(), settings.renewInterval().toSeconds(), e.toString());
        }
    }

    /** Whether another driver took this lease over. */
    public boolean lost() {
        return lost;
    }

    /** Stops renewing and gives the lease up (deletes it if it is still this driver's). */
    @Override
    public void close() {
        renewer.shutdown();
        try {
            if (!renewer.awaitTermination(10, TimeUnit.SECONDS)) {
                renewer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (lost) {
            return;
        }
        try {
            var current = read();
            if (current.isPresent() && current.get().holder() != null
                    && current.get().holder().token().equals(me.token())) {
                fs.delete(file, false);
                LOG.info("[{}] Gave up the lease on checkpoint directory {}", me.appId(), file.getParent());
            }
        } catch (IOException e) {
            LOG.warn("[{}] Could not give up the lease on checkpoint directory {}; it expires in {} s", me.appId(),
                    file.getParent(), settings.timeout().toSeconds(), e);
        }
    }

    /** Whether process {@code pid} of this host still runs: a zombie (killed, not yet reaped by its parent) does not. */
    private static boolean running(long pid) {
        if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
            return false;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return true; // no /proc here: as ProcessHandle says
        }
    }

    private static String localHost() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
