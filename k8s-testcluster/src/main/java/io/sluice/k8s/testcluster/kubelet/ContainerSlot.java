package io.sluice.k8s.testcluster.kubelet;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** One container of a pod on the kubelet: its current run, restarts and the states the kubelet reports for it. */
final class ContainerSlot {
  /** A run that ended. */
  record Termination(int exitCode, String reason, String message, Instant startedAt, Instant finishedAt,
      String containerId) {}

  final String name;
  final String image;
  final boolean init;
  ContainerRun run;
  /** Paper pods: running without a process since this time. */
  Instant paperSince;
  int restartCount;
  int runs;
  Termination last;
  Termination terminated;
  String waitingReason = "ContainerCreating";
  String waitingMessage;
  Instant nextStartAt = Instant.EPOCH;
  boolean done;
  int pullAttempts;

  ContainerSlot(String name, String image, boolean init) {
    this.name = name;
    this.image = image;
    this.init = init;
  }

  boolean running() {
    return (run != null && run.running()) || paperSince != null;
  }

  boolean everStarted() {
    return runs > 0 || paperSince != null;
  }

  ContainerStatus status(boolean ready) {
    ContainerStateBuilder state = new ContainerStateBuilder();
    String containerId = null;
    if (paperSince != null) {
      containerId = "standin://paper-" + name;
      state.withNewRunning().withStartedAt(time(paperSince)).endRunning();
    } else if (run != null) {
      containerId = "standin://" + run.pid();
      state.withNewRunning().withStartedAt(time(run.startedAt)).endRunning();
    } else if (terminated != null) {
      containerId = terminated.containerId();
      state.withTerminated(terminatedState(terminated));
    } else {
      state.withNewWaiting().withReason(waitingReason).withMessage(waitingMessage).endWaiting();
    }
    ContainerState lastState = last == null ? new ContainerState()
        : new ContainerStateBuilder().withTerminated(terminatedState(last)).build();
    return new ContainerStatusBuilder().withName(name).withImage(image)
        .withImageID(everStarted() ? "standin://" + image : "").withContainerID(containerId)
        .withReady(ready && running()).withStarted(running()).withRestartCount(restartCount)
        .withState(state.build()).withLastState(lastState).build();
  }

  private static io.fabric8.kubernetes.api.model.ContainerStateTerminated terminatedState(Termination t) {
    return new io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder().withExitCode(t.exitCode())
        .withReason(t.reason()).withMessage(t.message()).withStartedAt(time(t.startedAt()))
        .withFinishedAt(time(t.finishedAt())).withContainerID(t.containerId()).build();
  }

  static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
