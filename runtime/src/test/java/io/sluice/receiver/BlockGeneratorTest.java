package io.sluice.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BlockGeneratorTest {
    private record Block(long time, List<String> records) {
    }

    private final ManualClock clock = new ManualClock(0);
    private final LinkedBlockingQueue<Block> pushed = new LinkedBlockingQueue<>();
    private BlockGenerator<String> generator;

    @BeforeEach
    void start() {
        generator = new BlockGenerator<>(7, clock, Duration.ofMillis(200), new RateLimiter(clock, 0),
                (time, records) -> pushed.add(new Block(time, List.copyOf(records))));
        generator.start();
    }

    @AfterEach
    void stop() {
        generator.stop(false);
    }

    private Block nextBlock() throws InterruptedException {
        Block b = pushed.poll(10, TimeUnit.SECONDS);
        assertThat(b).as("a block was pushed").isNotNull();
        return b;
    }

    private void tickTo(long time) {
        clock.setTime(time);
        Await.until("the generator processed the tick at " + time, () -> generator.lastTickMillis() >= time);
    }

    @Test
    void recordsStoredBetweenTicksLandInOneBlock() throws InterruptedException {
        generator.addData("a");
        generator.addData("b");
        generator.addData("c");
        tickTo(200);

        assertThat(nextBlock()).isEqualTo(new Block(0, List.of("a", "b", "c")));
        assertThat(pushed).isEmpty();

        generator.addData("d");
        tickTo(400);
        assertThat(nextBlock()).as("the block's time is the start of its interval").isEqualTo(new Block(200, List.of("d")));
    }

    @Test
    void emptyIntervalsMakeNoBlock() throws InterruptedException {
        generator.addData("a");
        tickTo(200);
        assertThat(nextBlock().records()).containsExactly("a");

        tickTo(400);
        tickTo(600);
        assertThat(pushed).as("no block for intervals without records").isEmpty();

        generator.addData("b");
        tickTo(800);
        assertThat(nextBlock()).isEqualTo(new Block(600, List.of("b")));
    }

    @Test
    void aClockJumpOverSeveralIntervalsMakesOneBlock() throws InterruptedException {
        generator.addData("x");
        generator.addData("y");
        tickTo(1_000);

        assertThat(nextBlock()).isEqualTo(new Block(0, List.of("x", "y")));
        assertThat(pushed).isEmpty();
    }

    @Test
    void flushingStopPushesTheBufferedRecordsAsALastBlock() throws InterruptedException {
        generator.addData("a");
        tickTo(200);
        nextBlock();
        generator.addData("late-1");
        generator.addData("late-2");

        generator.stop(true);

        assertThat(nextBlock()).isEqualTo(new Block(200, List.of("late-1", "late-2")));
        assertThatThrownBy(() -> generator.addData("after stop"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stream 7")
                .hasMessageContaining("stopped");
    }

    @Test
    void nonFlushingStopDropsTheBufferedRecords() {
        generator.addData("dropped");
        generator.stop(false);
        assertThat(pushed).isEmpty();
    }

    @Test
    void addDataWaitsForTheRateLimit() throws InterruptedException {
        generator.stop(false);
        var limited = new BlockGenerator<String>(8, clock, Duration.ofMillis(200), new RateLimiter(clock, 10),
                (time, records) -> pushed.add(new Block(time, List.copyOf(records))));
        limited.start();
        try {
            limited.addData("first");
            var second = new Thread(() -> limited.addData("second"), "block-generator-test-producer");
            second.start();
            Await.until("the producer waits for a permit", () -> second.getState() == Thread.State.TIMED_WAITING);
            assertThat(second.isAlive()).as("no permit while the clock stands still").isTrue();

            clock.setTime(100);
            second.join(10_000);
            assertThat(second.isAlive()).isFalse();
            clock.setTime(200);
            assertThat(nextBlock().records()).containsExactly("first", "second");
        } finally {
            limited.stop(false);
        }
    }
}
