package io.sluice.conf;

import org.apache.hadoop.conf.Configuration;

/** Builds the Hadoop configuration of an application: each {@code sluice.hadoop.X} key becomes {@code X}. */
public final class HadoopConfigurations {
    private static final String PREFIX = "sluice.hadoop.";

    private HadoopConfigurations() {
    }

    public static Configuration from(SluiceConf conf) {
        var h = new Configuration();
        conf.asMap().forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                h.set(k.substring(PREFIX.length()), v);
            }
        });
        return h;
    }
}
