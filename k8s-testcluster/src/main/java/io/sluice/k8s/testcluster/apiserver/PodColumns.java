package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;

/** The READY, STATUS and RESTARTS columns of {@code kubectl get pods}, computed as kubectl's pod printer does. */
final class PodColumns {
  private PodColumns() {}

  static String ready(JsonNode pod) {
    int total = pod.path("spec").path("containers").size();
    int ready = 0;
    for (JsonNode cs : pod.path("status").path("containerStatuses")) {
      if (cs.path("ready").asBoolean(false)) {
        ready++;
      }
    }
    return ready + "/" + total;
  }

  static String status(JsonNode pod) {
    JsonNode status = pod.path("status");
    String reason = status.path("reason").asText("");
    if (reason.isEmpty()) {
      reason = status.path("phase").asText("Pending");
    }
    int initTotal = pod.path("spec").path("initContainers").size();
    int i = 0;
    boolean initializing = false;
    for (JsonNode cs : status.path("initContainerStatuses")) {
      JsonNode term = cs.path("state").path("terminated");
      JsonNode wait = cs.path("state").path("waiting");
      if (!term.isMissingNode() && term.path("exitCode").asInt() == 0) {
        i++;
        continue;
      }
      if (!term.isMissingNode()) {
        reason = "Init:" + term.path("reason").asText("ExitCode:" + term.path("exitCode").asInt());
      } else if (!wait.isMissingNode() && !wait.path("reason").asText("").isEmpty()
          && !wait.path("reason").asText().equals("PodInitializing")) {
        reason = "Init:" + wait.path("reason").asText();
      } else {
        reason = "Init:" + i + "/" + initTotal;
      }
      initializing = true;
      break;
    }
    if (!initializing) {
      boolean hasRunning = false;
      JsonNode statuses = status.path("containerStatuses");
      for (int k = statuses.size() - 1; k >= 0; k--) {
        JsonNode st = statuses.get(k).path("state");
        JsonNode wait = st.path("waiting");
        JsonNode term = st.path("terminated");
        if (!wait.isMissingNode() && !wait.path("reason").asText("").isEmpty()) {
          reason = wait.path("reason").asText();
        } else if (!term.isMissingNode() && !term.path("reason").asText("").isEmpty()) {
          reason = term.path("reason").asText();
        } else if (!term.isMissingNode()) {
          reason = term.path("signal").asInt(0) != 0 ? "Signal:" + term.path("signal").asInt()
              : "ExitCode:" + term.path("exitCode").asInt();
        } else if (!st.path("running").isMissingNode() && statuses.get(k).path("ready").asBoolean(false)) {
          hasRunning = true;
        }
      }
      if (reason.equals("Completed") && hasRunning) {
        reason = "Running";
      }
    }
    if (pod.path("metadata").has("deletionTimestamp")) {
      reason = "NodeLost".equals(status.path("reason").asText()) ? "Unknown" : "Terminating";
    }
    return reason;
  }

  static String restarts(JsonNode pod) {
    int restarts = 0;
    Instant last = null;
    for (JsonNode cs : pod.path("status").path("containerStatuses")) {
      restarts += cs.path("restartCount").asInt(0);
      String finished = cs.path("lastState").path("terminated").path("finishedAt").asText(null);
      if (finished != null) {
        Instant t = Instant.parse(finished);
        if (last == null || t.isAfter(last)) {
          last = t;
        }
      }
    }
    if (restarts > 0 && last != null) {
      return restarts + " (" + TableRenderer.humanDuration(Duration.between(last, Instant.now())) + " ago)";
    }
    return String.valueOf(restarts);
  }
}
