package io.sluice.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void familiesGetOneHelpAndTypeLineAndSortedEscapedLabels() {
        var text = PrometheusText.write(List.of(
                Sample.gauge("a.x", "jvm_threads_live", "Live threads.", Map.of("executor_id", "driver", "app_id", "a"), 12L),
                Sample.counter("a.gc", "jvm_gc_collections_total", "GCs\\per \ncollector.", Map.of("gc", "G1 \"Young\"\\x\ny"), 3L),
                Sample.gauge("b.x", "jvm_threads_live", "ignored: the family's first help wins", Map.of("executor_id", "e-1"), 4L),
                Sample.gauge("c", "up_ratio", "A ratio.", Map.of(), 0.25)));
        assertThat(text).isEqualTo("""
                # HELP jvm_threads_live Live threads.
                # TYPE jvm_threads_live gauge
                jvm_threads_live{app_id="a",executor_id="driver"} 12
                jvm_threads_live{executor_id="e-1"} 4
                # HELP jvm_gc_collections_total GCs\\\\per \\ncollector.
                # TYPE jvm_gc_collections_total counter
                jvm_gc_collections_total{gc="G1 \\"Young\\"\\\\x\\ny"} 3
                # HELP up_ratio A ratio.
                # TYPE up_ratio gauge
                up_ratio 0.25
                """);
    }

    @Test
    void nonFiniteValuesUseTheFormatsSpelling() {
        assertThat(PrometheusText.formatValue(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.formatValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(PrometheusText.formatValue(-1L)).isEqualTo("-1");
    }

    @Test
    void sanitizeReplacesWhatPrometheusDoesNotAllow() {
        assertThat(PrometheusText.sanitize("lastCompletedBatch_processingDelay")).isEqualTo("lastCompletedBatch_processingDelay");
        assertThat(PrometheusText.sanitize("my-app.v2 total")).isEqualTo("my_app_v2_total");
        assertThat(PrometheusText.sanitize("2xx")).isEqualTo("_xx");
        assertThat(PrometheusText.isValidName(PrometheusText.sanitize("ä-ö.1"))).isTrue();
    }

    @Test
    void invalidNamesAreRefused() {
        assertThatThrownBy(() -> Sample.gauge("k", "bad-name", "h", Map.of(), 1)).hasMessageContaining("bad-name");
        assertThatThrownBy(() -> PrometheusText.write(List.of(Sample.gauge("k", "ok", "h", Map.of("bad-label", "v"), 1))))
                .hasMessageContaining("bad-label");
    }
}
