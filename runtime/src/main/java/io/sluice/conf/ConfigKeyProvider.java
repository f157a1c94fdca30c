package io.sluice.conf;

import java.util.List;

/**
 * The configuration keys one module declares, found through {@link java.util.ServiceLoader} (the module lists its
 * provider in {@code META-INF/services/io.sluice.conf.ConfigKeyProvider}), so that validation at start, the unknown-key
 * warning and the generated documentation ({@link ConfigDocs}) include the keys of every module on the class path.
 * Runtime's own keys come through the same door ({@link SluiceConf}'s provider).
 */
public interface ConfigKeyProvider {

    /** The module declaring the keys, as users know it (e.g. {@code sluice-am-yarn}); shown in the documentation. */
    String module();

    /** The module's keys, in the order the documentation lists them. */
    List<ConfigKey<?>> keys();

    /**
     * Prefixes under which this module reads keys it does not declare one by one (e.g. {@code sluice.hadoop.}: every
     * key below is a Hadoop setting); such keys are never reported as unknown.
     */
    default List<String> openPrefixes() {
        return List.of();
    }
}
