package io.sluice.yarn;

import io.sluice.deploy.ApplicationState;
import io.sluice.deploy.ApplicationStatus;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;

/**
 * What the ResourceManager says about one application, in the generic {@link ApplicationStatus}: the state mapped onto
 * {@link ApplicationState} (YARN's own words, {@code STATE} or {@code STATE/FINAL STATUS} once ended, kept as the native
 * state); the tracking URL the ApplicationMaster registered (for Sluice: the driver's UI, {@code http://host:port}, once
 * the streaming context started with {@code sluice.ui.enabled}), else the ResourceManager's; the ResourceManager's
 * tracking URL (its web proxy) as the manager URL.
 */
public final class YarnStatus {
    private YarnStatus() {
    }

    public static ApplicationStatus of(ApplicationReport r) {
        String proxy = url(r.getTrackingUrl());
        String original = url(r.getOriginalTrackingUrl());
        ApplicationState state = state(r.getYarnApplicationState(), r.getFinalApplicationStatus(),
                r.getCurrentApplicationAttemptId() == null ? 1 : r.getCurrentApplicationAttemptId().getAttemptId());
        return new ApplicationStatus(r.getApplicationId().toString(), r.getName(), "queue " + r.getQueue(), state,
                r.getYarnApplicationState() + (state.isTerminal() ? "/" + r.getFinalApplicationStatus() : ""),
                original.isEmpty() ? proxy : original, proxy, r.getDiagnostics());
    }

    /**
     * YARN's state and final status as the generic state: accepted with an attempt above the first is a restart (YARN
     * starts the ApplicationMaster, so the driver, again); FINISHED is SUCCEEDED only with that final status.
     */
    static ApplicationState state(YarnApplicationState s, FinalApplicationStatus finalStatus, int attempt) {
        return switch (s) {
            case NEW, NEW_SAVING, SUBMITTED -> ApplicationState.SUBMITTED;
            case ACCEPTED -> attempt > 1 ? ApplicationState.RESTARTING : ApplicationState.STARTING;
            case RUNNING -> ApplicationState.RUNNING;
            case FINISHED -> finalStatus == FinalApplicationStatus.SUCCEEDED ? ApplicationState.SUCCEEDED
                    : finalStatus == FinalApplicationStatus.KILLED ? ApplicationState.KILLED : ApplicationState.FAILED;
            case FAILED -> ApplicationState.FAILED;
            case KILLED -> ApplicationState.KILLED;
        };
    }

    /** YARN writes "N/A" for an application without a URL. */
    private static String url(String u) {
        return u == null || u.isBlank() || u.equals("N/A") ? "" : u.strip();
    }
}
