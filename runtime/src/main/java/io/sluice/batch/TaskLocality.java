package io.sluice.batch;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a task should run: on one of {@code preferred} (RPC addresses {@code host:port} of executors holding its
 * input blocks; a wish the scheduler waits a while for), and on the host of state slot {@code stateSlots} if it
 * reads operator state (a must: the state lives there). A task reads at most one state slot in practice; more than
 * one means it reads state partitions that may live in different processes.
 */
public record TaskLocality(List<String> preferred, Set<Integer> stateSlots) {
    /** No preference. */
    public static final TaskLocality ANY = new TaskLocality(List.of(), Set.of());

    public TaskLocality {
        preferred = List.copyOf(preferred);
        stateSlots = Set.copyOf(stateSlots);
    }

    /** A task that must run where state slot {@code slot} is hosted. */
    public static TaskLocality stateSlot(int slot) {
        return new TaskLocality(List.of(), Set.of(slot));
    }

    /** A task that would best run on one of these executors. */
    public static TaskLocality preferring(List<String> locations) {
        return locations.isEmpty() ? ANY : new TaskLocality(locations, Set.of());
    }

    public boolean isAny() {
        return preferred.isEmpty() && stateSlots.isEmpty();
    }

    /** What a task reading both needs: every state slot of either, and the preferred locations of both. */
    public TaskLocality and(TaskLocality other) {
        if (other.isAny()) {
            return this;
        }
        if (isAny()) {
            return other;
        }
        var locations = new LinkedHashSet<>(preferred);
        locations.addAll(other.preferred);
        var slots = new LinkedHashSet<>(stateSlots);
        slots.addAll(other.stateSlots);
        return new TaskLocality(new ArrayList<>(locations), slots);
    }
}
