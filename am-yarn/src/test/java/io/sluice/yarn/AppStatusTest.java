package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.junit.jupiter.api.Test;

class AppStatusTest {

    private static ApplicationReport report(String tracking, String original) {
        var r = mock(ApplicationReport.class);
        when(r.getApplicationId()).thenReturn(ApplicationId.newInstance(1L, 7));
        when(r.getName()).thenReturn("wc");
        when(r.getQueue()).thenReturn("default");
        when(r.getYarnApplicationState()).thenReturn(YarnApplicationState.RUNNING);
        when(r.getFinalApplicationStatus()).thenReturn(FinalApplicationStatus.UNDEFINED);
        when(r.getTrackingUrl()).thenReturn(tracking);
        when(r.getOriginalTrackingUrl()).thenReturn(original);
        return r;
    }

    @Test
    void theTrackingUrlIsTheOneTheApplicationMasterRegisteredTheDriverUi() {
        AppStatus st = AppStatus.of(report("http://rm:8088/proxy/application_1_0007/", "http://node-1:4040"));
        assertThat(st.trackingUrl()).isEqualTo("http://node-1:4040");
        assertThat(st.proxyUrl()).isEqualTo("http://rm:8088/proxy/application_1_0007/");
        assertThat(st.describe()).isEqualTo("application_1_0007 (wc, queue default): RUNNING, tracking URL http://node-1:4040");
    }

    @Test
    void withoutADriverUiItIsTheResourceManagersAndNAIsNoUrl() {
        assertThat(AppStatus.of(report("http://rm:8088/proxy/application_1_0007/", "N/A")).trackingUrl())
                .isEqualTo("http://rm:8088/proxy/application_1_0007/");
        AppStatus none = AppStatus.of(report(null, "N/A"));
        assertThat(none.trackingUrl()).isEmpty();
        assertThat(none.describe()).doesNotContain("tracking URL");
    }
}
