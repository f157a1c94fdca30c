package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one status loop: reports changes only, cleans up once the application ended, gives up at the deadline. */
class StatusPollTest {
    private long nanos;
    private final List<Duration> sleeps = new ArrayList<>();

    /** A submitter whose status answers come from a script; records clean-ups. */
    private static class ScriptedSubmitter implements Submitter {
        final Deque<ApplicationStatus> answers = new ArrayDeque<>();
        final List<String> cleanedUp = new ArrayList<>();
        ApplicationStatus last;

        @Override
        public String submit(SubmitRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ApplicationStatus status(String appId) {
            if (!answers.isEmpty()) {
                last = answers.poll();
            }
            return last;
        }

        @Override
        public void kill(String appId) {
        }

        @Override
        public List<ApplicationStatus> list() {
            return List.of();
        }

        @Override
        public void cleanUp(String appId) {
            cleanedUp.add(appId);
        }

        @Override
        public Duration statusInterval() {
            return Duration.ofSeconds(1);
        }

        @Override
        public void close() {
        }
    }

    private static ApplicationStatus status(ApplicationState state, String nativeState) {
        return new ApplicationStatus("app-1", "wc", "", state, nativeState, "", "", "");
    }

    private StatusPoll poll(Submitter s) {
        return new StatusPoll(s, Duration.ofMillis(250), () -> nanos, d -> {
            sleeps.add(d);
            nanos += d.toNanos();
        });
    }

    @Test
    void reportsTheFirstStatusAndEachChangeThenCleansUpOnceEnded() throws Exception {
        var s = new ScriptedSubmitter();
        s.answers.addAll(List.of(status(ApplicationState.STARTING, "ACCEPTED"), status(ApplicationState.STARTING, "ACCEPTED"),
                status(ApplicationState.RUNNING, "RUNNING"), status(ApplicationState.RUNNING, "RUNNING"),
                status(ApplicationState.SUCCEEDED, "FINISHED/SUCCEEDED")));
        var changes = new ArrayList<String>();
        ApplicationStatus end = poll(s).awaitEnd("app-1", Duration.ofMinutes(1), st -> changes.add(st.nativeState()));
        assertThat(end.state()).isEqualTo(ApplicationState.SUCCEEDED);
        assertThat(changes).containsExactly("ACCEPTED", "RUNNING", "FINISHED/SUCCEEDED");
        assertThat(s.cleanedUp).containsExactly("app-1");
        assertThat(sleeps).hasSize(4).allMatch(d -> d.equals(Duration.ofMillis(250)));
    }

    @Test
    void aDeadlineReturnsTheLastStatusWithoutCleaningUp() throws Exception {
        var s = new ScriptedSubmitter();
        s.answers.add(status(ApplicationState.RUNNING, "RUNNING"));
        ApplicationStatus last = poll(s).awaitEnd("app-1", Duration.ofSeconds(2), st -> { });
        assertThat(last.state()).isEqualTo(ApplicationState.RUNNING);
        assertThat(s.cleanedUp).isEmpty();
        assertThat(sleeps).hasSize(8);
    }

    @Test
    void aFailingStatusCallEndsTheLoopWithItsError() {
        var s = new ScriptedSubmitter() {
            @Override
            public ApplicationStatus status(String appId) {
                throw new SubmitException("no answer from the cluster manager");
            }
        };
        assertThatThrownBy(() -> poll(s).awaitEnd("app-1", Duration.ofMinutes(1), st -> { }))
                .hasMessage("no answer from the cluster manager");
        assertThatThrownBy(() -> new StatusPoll(s, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
