package io.sluice.yarn.helper;

import java.util.Locale;

/**
 * A helper class that YarnSubmissionOptionsTest ships in a jar of its own ({@code --jars}), not in the application
 * jar; {@link io.sluice.yarn.app.YarnSubmitOptionsApp} loads it by name on the driver and the executors.
 */
public final class Shouter {
    private Shouter() {
    }

    public static String shout(String s) {
        return s.toUpperCase(Locale.ROOT) + "!";
    }
}
