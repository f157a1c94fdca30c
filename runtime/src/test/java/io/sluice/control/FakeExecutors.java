package io.sluice.control;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@link ExecutorAllocationClient} whose executors appear and go the moment they are asked for (unless a test
 * sets {@link #running} itself); records every request.
 */
final class FakeExecutors implements ExecutorAllocationClient {
    final List<Integer> requests = new ArrayList<>();
    int running;
    boolean followRequests = true;

    FakeExecutors(int running) {
        this.running = running;
    }

    @Override
    public int runningExecutors() {
        return running;
    }

    @Override
    public void requestTotalExecutors(int total) {
        requests.add(total);
        if (followRequests) {
            running = total;
        }
    }
}
