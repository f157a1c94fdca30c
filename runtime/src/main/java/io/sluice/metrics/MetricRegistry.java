package io.sluice.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The metric sources of one application (one instance per driver, passed to whoever reports; no global registry).
 * Every sample gets the registry's common labels (e.g. {@code app_id}, {@code app_name}); a source's own labels win
 * on a clash. Thread-safe.
 */
public final class MetricRegistry {
    private static final Logger LOG = LogManager.getLogger(MetricRegistry.class);

    private final Map<String, String> commonLabels;
    private final List<MetricSource> sources = new CopyOnWriteArrayList<>();

    public MetricRegistry(Map<String, String> commonLabels) {
        this.commonLabels = Map.copyOf(commonLabels);
    }

    public void register(MetricSource source) {
        sources.add(source);
    }

    public void remove(MetricSource source) {
        sources.remove(source);
    }

    /** Every source's samples, in registration order; a source that throws is logged and skipped. */
    public List<Sample> collect() {
        var out = new ArrayList<Sample>();
        for (MetricSource s : sources) {
            List<Sample> samples;
            try {
                samples = s.collect();
            } catch (RuntimeException e) {
                LOG.warn("Metric source {} failed; its metrics are left out of this scrape", s, e);
                continue;
            }
            for (Sample x : samples) {
                var labels = new LinkedHashMap<>(commonLabels);
                labels.putAll(x.labels());
                out.add(new Sample(x.key(), x.family(), x.type(), x.help(), labels, x.value()));
            }
        }
        return out;
    }
}
