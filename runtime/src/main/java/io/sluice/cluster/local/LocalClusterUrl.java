package io.sluice.cluster.local;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code local-cluster[E,C,M]} master URL: E executor JVMs with C cores and M MiB of heap each.
 *
 * @param executors E, at least 1
 * @param cores     C, at least 1
 * @param memoryMb  M, at least 64
 */
public record LocalClusterUrl(int executors, int cores, int memoryMb) {
    public static final String PREFIX = "local-cluster";
    /** Every master URL form Sluice knows, for error messages. */
    public static final String ACCEPTED_FORMS = "local, local[N], local[*], local-cluster[E,C,M] (e.g. local-cluster[2,1,512]), "
            + "yarn, k8s://https://host:port, mesos://host:port";
    private static final Pattern FORM = Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*]");

    public LocalClusterUrl {
        if (executors < 1 || cores < 1 || memoryMb < 64) {
            throw new IllegalArgumentException("local-cluster[" + executors + "," + cores + "," + memoryMb
                    + "] needs at least 1 executor, 1 core and 64 MiB per executor");
        }
    }

    /** True for every URL this form claims, well-formed or not (so that a typo gets this parser's message). */
    public static boolean claims(String url) {
        return url != null && url.trim().startsWith(PREFIX);
    }

    /** Parses {@code url}, or fails with a message that shows the expected form and lists the accepted ones. */
    public static LocalClusterUrl parse(String url) {
        String u = url == null ? "" : url.trim();
        Matcher m = FORM.matcher(u);
        if (!m.matches()) {
            throw new IllegalArgumentException("Could not parse master URL '" + url + "': expected local-cluster[E,C,M] "
                    + "with E executors, C cores and M MiB of memory each, all positive integers. Accepted forms: " + ACCEPTED_FORMS);
        }
        try {
            return new LocalClusterUrl(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid master URL '" + url + "': a number is too large", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid master URL '" + url + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return PREFIX + "[" + executors + "," + cores + "," + memoryMb + "]";
    }
}
