package io.sluice.yarn;

import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;

/** What the ResourceManager says about one application. */
public record AppStatus(String appId, String name, String queue, YarnApplicationState state, FinalApplicationStatus finalStatus,
                        String trackingUrl, String diagnostics) {

    static AppStatus of(ApplicationReport r) {
        return new AppStatus(r.getApplicationId().toString(), r.getName(), r.getQueue(), r.getYarnApplicationState(),
                r.getFinalApplicationStatus(), r.getTrackingUrl() == null ? "" : r.getTrackingUrl(),
                r.getDiagnostics() == null ? "" : r.getDiagnostics().strip());
    }

    /** FINISHED, FAILED or KILLED. */
    public boolean ended() {
        return state == YarnApplicationState.FINISHED || state == YarnApplicationState.FAILED
                || state == YarnApplicationState.KILLED;
    }

    /** Ended with final status SUCCEEDED. */
    public boolean succeeded() {
        return state == YarnApplicationState.FINISHED && finalStatus == FinalApplicationStatus.SUCCEEDED;
    }

    /** One line for people: id, state, final status, tracking URL and diagnostics. */
    public String describe() {
        return appId + " (" + name + ", queue " + queue + "): " + state + (ended() ? "/" + finalStatus : "")
                + (trackingUrl.isBlank() ? "" : ", tracking URL " + trackingUrl)
                + (diagnostics.isBlank() ? "" : ", diagnostics: " + diagnostics);
    }
}
