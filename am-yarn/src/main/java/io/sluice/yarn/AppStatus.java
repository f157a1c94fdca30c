package io.sluice.yarn;

import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;

/**
 * What the ResourceManager says about one application.
 *
 * @param trackingUrl the URL the ApplicationMaster registered (for Sluice: the driver's UI, {@code http://host:port},
 *                    once the streaming context started with {@code sluice.ui.enabled}); else the ResourceManager's
 *                    tracking URL; empty when there is none
 * @param proxyUrl    the ResourceManager's tracking URL (its web proxy in front of {@code trackingUrl}, or the
 *                    application's page there); empty when there is none
 */
public record AppStatus(String appId, String name, String queue, YarnApplicationState state, FinalApplicationStatus finalStatus,
                        String trackingUrl, String diagnostics, String proxyUrl) {

    static AppStatus of(ApplicationReport r) {
        String proxy = url(r.getTrackingUrl());
        String original = url(r.getOriginalTrackingUrl());
        return new AppStatus(r.getApplicationId().toString(), r.getName(), r.getQueue(), r.getYarnApplicationState(),
                r.getFinalApplicationStatus(), original.isEmpty() ? proxy : original,
                r.getDiagnostics() == null ? "" : r.getDiagnostics().strip(), proxy);
    }

    /** YARN writes "N/A" for an application without a URL. */
    private static String url(String u) {
        return u == null || u.isBlank() || u.equals("N/A") ? "" : u.strip();
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
