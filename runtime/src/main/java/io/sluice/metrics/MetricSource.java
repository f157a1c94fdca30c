package io.sluice.metrics;

import java.util.List;

/** A group of metrics read together at each scrape (one consistent snapshot per source). */
@FunctionalInterface
public interface MetricSource {
    /** The current values; called on an HTTP I/O thread, so it must be quick and must not block. */
    List<Sample> collect();
}
