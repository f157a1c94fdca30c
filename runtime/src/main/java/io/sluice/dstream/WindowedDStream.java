package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.storage.StorageLevel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every {@code slide}, the union of the parent's batches with times in (t − window, t]. Partial at the start of
 * the stream; keeps sliding (and emptying) after input stops.
 */
public final class WindowedDStream<T> extends DStream<T> {
    private final DStream<T> parent;
    private final Duration window;
    private final Duration slide;

    public WindowedDStream(DStream<T> parent, Duration window, Duration slide) {
        super(parent.context(), "window");
        this.parent = parent;
        this.window = window;
        this.slide = slide;
        // every parent batch is read by several windows: keep it rather than recomputing it each time
        if (parent.storageLevel() == StorageLevel.NONE) {
            parent.persist(StorageLevel.MEMORY_ONLY_SER);
        }
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
        return List.of(parent);
    }

    @Override
    protected Duration parentRememberDuration() {
        return rememberDuration().plus(window);
    }

    @Override
    public void validateAtStart() {
        validateWindow(window, slide, parent.slideDuration());
        super.validateAtStart();
    }

    /** The checks Spark Streaming makes of every windowed stream, with its messages. */
    public static void validateWindow(Duration window, Duration slide, Duration parentSlide) {
        long p = parentSlide.toMillis();
        if (window.toMillis() <= 0 || window.toMillis() % p != 0) {
            throw new IllegalArgumentException("The window duration of windowed DStream (" + window.toMillis()
                    + " ms) must be a multiple of the slide duration of parent DStream (" + p + " ms)");
        }
        if (slide.toMillis() <= 0 || slide.toMillis() % p != 0) {
            throw new IllegalArgumentException("The slide duration of windowed DStream (" + slide.toMillis()
                    + " ms) must be a multiple of the slide duration of parent DStream (" + p + " ms)");
        }
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        Time from = time.minus(window).plus(parent.slideDuration());
        List<Dataset<T>> inWindow = parent.slice(from, time);
        return Optional.of(inWindow.isEmpty() ? context().context().emptyDataset() : context().context().union(inWindow));
    }
}
