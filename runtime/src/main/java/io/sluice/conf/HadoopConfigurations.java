package io.sluice.conf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** Builds the Hadoop configuration of an application: each {@code sluice.hadoop.X} key becomes {@code X}. */
public final class HadoopConfigurations {
    private static final String PREFIX = SluiceConf.HADOOP_PREFIX;
    /** The environment variables naming directories of Hadoop client configuration files, in the order they are read. */
    public static final List<String> CONF_DIR_VARIABLES = List.of("HADOOP_CONF_DIR", "YARN_CONF_DIR");
    private static final List<String> SITE_FILES = List.of("core-site.xml", "hdfs-site.xml", "yarn-site.xml");

    private HadoopConfigurations() {
    }

    /** The class path's Hadoop configuration with {@code conf}'s {@code sluice.hadoop.*} settings on top. */
    public static Configuration from(SluiceConf conf) {
        return withSluiceSettings(new Configuration(), conf);
    }

    /**
     * What a submitter talks to: the class path's Hadoop configuration, then the site files ({@code core-site.xml},
     * {@code hdfs-site.xml}, {@code yarn-site.xml}) of {@code $HADOOP_CONF_DIR} and {@code $YARN_CONF_DIR} in
     * {@code environment}, then {@code conf}'s {@code sluice.hadoop.*} settings.
     */
    public static Configuration fromEnvironment(Map<String, String> environment, SluiceConf conf) {
        var h = new Configuration();
        for (String var : CONF_DIR_VARIABLES) {
            String dir = environment.get(var);
            if (dir == null || dir.isBlank()) {
                continue;
            }
            for (String site : SITE_FILES) {
                Path p = Path.of(dir, site);
                if (Files.isReadable(p)) {
                    h.addResource(new org.apache.hadoop.fs.Path(p.toUri()));
                }
            }
        }
        return withSluiceSettings(h, conf);
    }

    private static Configuration withSluiceSettings(Configuration h, SluiceConf conf) {
        conf.asMap().forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                h.set(k.substring(PREFIX.length()), v);
            }
        });
        return h;
    }
}
