package io.sluice.supervision;

import java.util.Locale;

/** When a driver is started again after it ended ({@code sluice.driver.restart.policy}). */
public enum RestartMode {
    /** Never: the first end is final. */
    NEVER("never"),
    /** After a failure worth retrying, within the failure budget; a success, a permanent failure or a kill is final. */
    ON_FAILURE("onFailure"),
    /** Also after a success (a driver that must always run); a permanent failure or a kill is still final. */
    ALWAYS("always");

    private final String configName;

    RestartMode(String configName) {
        this.configName = configName;
    }

    /** The value as written in the configuration. */
    public String configName() {
        return configName;
    }

    /** {@code never}, {@code onFailure} (or {@code on-failure}, {@code on_failure}) or {@code always}, in any case. */
    public static RestartMode parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (RestartMode m : values()) {
            if (m.configName.toLowerCase(Locale.ROOT).equals(v)) {
                return m;
            }
        }
        throw new IllegalArgumentException("expected never, onFailure or always, got '" + value + "'");
    }
}
