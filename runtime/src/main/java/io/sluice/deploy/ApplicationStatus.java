package io.sluice.deploy;

import java.util.Objects;

/**
 * What a cluster manager says about one application.
 *
 * @param appId       the cluster manager's id of the application
 * @param name        its name ({@code sluice.app.name})
 * @param location    where in the cluster manager it runs, for people (YARN: {@code queue default}); empty if nothing
 *                    to say
 * @param state       the generic state
 * @param nativeState the cluster manager's own words for it (YARN: {@code RUNNING}, {@code FINISHED/SUCCEEDED})
 * @param trackingUrl the driver's UI ({@code http://host:port}) once it serves one, else the cluster manager's page of
 *                    the application; empty when there is none
 * @param managerUrl  the cluster manager's page of the application (YARN: the ResourceManager's proxy in front of the
 *                    driver UI); empty when there is none
 * @param diagnostics why it failed, or what the cluster manager says; empty when nothing
 */
public record ApplicationStatus(String appId, String name, String location, ApplicationState state, String nativeState,
                                String trackingUrl, String managerUrl, String diagnostics) {
    public ApplicationStatus {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(state, "state");
        name = name == null ? "" : name;
        location = location == null ? "" : location;
        nativeState = nativeState == null || nativeState.isBlank() ? state.name() : nativeState;
        trackingUrl = trackingUrl == null ? "" : trackingUrl.strip();
        managerUrl = managerUrl == null ? "" : managerUrl.strip();
        diagnostics = diagnostics == null ? "" : diagnostics.strip();
    }

    /** True once the application ended (succeeded, failed or was killed). */
    public boolean ended() {
        return state.isTerminal();
    }

    public boolean succeeded() {
        return state == ApplicationState.SUCCEEDED;
    }

    /** One line for people: id, name, location, state, tracking URL and diagnostics. */
    public String describe() {
        return appId + " (" + name + (location.isEmpty() ? "" : ", " + location) + "): " + nativeState
                + (trackingUrl.isBlank() ? "" : ", tracking URL " + trackingUrl)
                + (diagnostics.isBlank() ? "" : ", diagnostics: " + diagnostics);
    }
}
