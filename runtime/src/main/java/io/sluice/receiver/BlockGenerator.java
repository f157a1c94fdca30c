package io.sluice.receiver;

import io.sluice.util.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Cuts the records a receiver stores one at a time into blocks, one per block interval
 * ({@code sluice.streaming.blockInterval}), on a timer driven by the injected {@link Clock}.
 *
 * <p>Ticks fall on multiples of the interval. At the tick at time {@code T} the records stored since the previous
 * tick become one block with block time {@code T − interval} (the start of the interval it covers) and are handed
 * to the {@link BlockPusher} on the timer thread; an interval in which nothing was stored makes no block.
 *
 * <p>Rate limit ({@code sluice.streaming.receiver.maxRate}, or backpressure's estimate): {@link #addData} first waits
 * for a permit of the {@link RateLimiter} (which spreads records over time), then, since the limit is enforced at
 * block creation, for room in the current block: a block holds at most {@code rate × interval} records (the
 * fraction of a record left over carries to the next block, so a block never holds more than
 * {@code ceil(rate × interval)} records and the long-run rate is exactly {@code rate}). A full block stops reading
 * until the next tick; allowance not used in one interval is not carried over. {@link #offer} is the non-blocking
 * form, for sources that keep what they cannot hand over (pull-based sources).
 *
 * <p>Lifecycle: {@link #start()} once, {@link #addData} from any thread while active, then {@link #stop(boolean)}
 * (idempotent), which either pushes what is still buffered as a last block or drops it.
 */
public final class BlockGenerator<T> {
    private static final Logger LOG = LogManager.getLogger(BlockGenerator.class);
    private static final long TIMER_WAIT_SLICE_MS = 200;
    private static final long STOP_JOIN_TIMEOUT_MS = 10_000;

    /** Receives each block as it is cut, on the generator's timer thread (or the stopping thread for the last one). */
    @FunctionalInterface
    public interface BlockPusher<T> {
        void push(long blockTimeMs, List<T> records);
    }

    private enum State { NEW, ACTIVE, STOPPED }

    private final int streamId;
    private final Clock clock;
    private final long intervalMs;
    private final RateLimiter rateLimiter;
    private final BlockPusher<T> pusher;
    private final Object bufferLock = new Object();
    /** Held while a buffer is cut and pushed, so that blocks reach the pusher in time order. */
    private final Object cutLock = new Object();
    private ArrayList<T> buffer = new ArrayList<>();
    /** The fraction of a record the previous blocks' quotas left over (guarded by bufferLock), in [0, 1). */
    private double quotaCarry;
    private State state = State.NEW;
    private Thread timer;
    private volatile long nextTickMs;
    private volatile long lastTickMs = -1;

    public BlockGenerator(int streamId, Clock clock, Duration blockInterval, RateLimiter rateLimiter,
                          BlockPusher<T> pusher) {
        if (blockInterval.toMillis() <= 0) {
            throw new IllegalArgumentException("sluice.streaming.blockInterval: expected > 0 ms, got "
                    + blockInterval.toMillis() + " ms");
        }
        this.streamId = streamId;
        this.clock = clock;
        this.intervalMs = blockInterval.toMillis();
        this.rateLimiter = rateLimiter;
        this.pusher = pusher;
    }

    /** Starts the timer; the first tick is the next multiple of the block interval. */
    public void start() {
        synchronized (bufferLock) {
            if (state != State.NEW) {
                throw new IllegalStateException("BlockGenerator of stream " + streamId + " cannot start: it is " + state);
            }
            state = State.ACTIVE;
        }
        nextTickMs = (Math.floorDiv(clock.currentTimeMillis(), intervalMs) + 1) * intervalMs;
        timer = new Thread(this::runTimer, "sluice-block-generator-" + streamId);
        timer.setDaemon(true);
        timer.start();
        LOG.info("Block generator of stream {} started: a block every {} ms, {}", streamId, intervalMs, rateLimiter);
    }

    /**
     * Buffers one record for the current block, first waiting until the rate limit allows it.
     *
     * @throws IllegalStateException if the generator is not active, or the thread is interrupted while waiting
     */
    public void addData(T record) {
        try {
            if (!rateLimiter.acquire(this::isActive)) {
                synchronized (bufferLock) {
                    checkActive();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting to store a record of stream " + streamId
                    + " under " + rateLimiter, e);
        }
        synchronized (bufferLock) {
            while (true) {
                checkActive();
                if (buffer.size() < blockQuota()) {
                    buffer.add(record);
                    return;
                }
                try {
                    bufferLock.wait(TIMER_WAIT_SLICE_MS); // notified when the block is cut or the generator stops
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for room in the next block of stream "
                            + streamId + " under " + rateLimiter, e);
                }
            }
        }
    }

    /**
     * Buffers one record for the current block if the rate limit allows it now; never waits.
     *
     * @return false, without keeping the record, when the current block is full or no permit is available
     * @throws IllegalStateException if the generator is not active
     */
    public boolean offer(T record) {
        synchronized (bufferLock) {
            checkActive();
            if (buffer.size() >= blockQuota() || !rateLimiter.tryAcquire()) {
                return false;
            }
            buffer.add(record);
            return true;
        }
    }

    private void checkActive() {
        if (state != State.ACTIVE) {
            throw new IllegalStateException("Cannot store data of stream " + streamId + ": its block generator is "
                    + (state == State.NEW ? "not started" : "stopped"));
        }
    }

    /** Records the current block may hold under the current rate (caller holds bufferLock). */
    private long blockQuota() {
        long rate = rateLimiter.rate();
        return rate == 0 ? Long.MAX_VALUE : (long) Math.floor(exactQuota(rate));
    }

    private double exactQuota(long rate) {
        return rate * (double) intervalMs / 1000.0 + quotaCarry;
    }

    /**
     * One timer tick at time {@code tickMs}: turns what was stored since the last tick into a block with time
     * {@code tickMs − interval}. Exposed so tests can step the generator without its thread.
     */
    public void runOnce(long tickMs) {
        synchronized (cutLock) {
            List<T> cut = takeBuffer();
            if (!cut.isEmpty()) {
                pusher.push(tickMs - intervalMs, cut);
            }
            lastTickMs = tickMs;
        }
    }

    /** The time of the last tick processed, or -1 before the first (for monitoring and tests). */
    public long lastTickMillis() {
        return lastTickMs;
    }

    public long blockIntervalMillis() {
        return intervalMs;
    }

    /**
     * Stops accepting records and stops the timer. With {@code flush}, records still buffered become one last block
     * (graceful stop: everything received gets processed); otherwise they are dropped. Idempotent.
     */
    public void stop(boolean flush) {
        synchronized (bufferLock) {
            if (state == State.STOPPED) {
                return;
            }
            state = State.STOPPED;
            bufferLock.notifyAll();
        }
        Thread t = timer;
        if (t != null) {
            t.interrupt();
            try {
                t.join(STOP_JOIN_TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("Block generator timer of stream {} did not stop within {} ms", streamId, STOP_JOIN_TIMEOUT_MS);
            }
        }
        synchronized (cutLock) {
            List<T> rest = takeBuffer();
            if (rest.isEmpty()) {
                LOG.info("Block generator of stream {} stopped", streamId);
            } else if (flush) {
                pusher.push(nextTickMs - intervalMs, rest);
                LOG.info("Block generator of stream {} stopped after pushing its last {} record(s)", streamId, rest.size());
            } else {
                LOG.warn("Block generator of stream {} stopped, dropping {} record(s) not yet in a block", streamId,
                        rest.size());
            }
        }
    }

    private List<T> takeBuffer() {
        synchronized (bufferLock) {
            long rate = rateLimiter.rate();
            if (rate > 0) {
                double exact = exactQuota(rate);
                quotaCarry = exact - Math.floor(exact);
            } else {
                quotaCarry = 0;
            }
            bufferLock.notifyAll();
            if (buffer.isEmpty()) {
                return List.of();
            }
            ArrayList<T> cut = buffer;
            buffer = new ArrayList<>();
            return cut;
        }
    }

    private void runTimer() {
        while (isActive()) {
            long target = nextTickMs;
            long now = clock.waitTillTime(target, TIMER_WAIT_SLICE_MS);
            if (Thread.currentThread().isInterrupted() || !isActive()) {
                return;
            }
            if (now >= target) {
                try {
                    runOnce(target);
                } catch (RuntimeException e) {
                    // A failing pusher must not kill the timer: later blocks would silently stop.
                    LOG.error("Error pushing block of stream {} at {}", streamId, target - intervalMs, e);
                }
                nextTickMs = target + intervalMs;
            }
        }
    }

    private boolean isActive() {
        synchronized (bufferLock) {
            return state == State.ACTIVE;
        }
    }
}
