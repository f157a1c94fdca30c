package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.sluice.deploy.ApplicationState;
import io.sluice.deploy.ApplicationStatus;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.junit.jupiter.api.Test;

class YarnStatusTest {

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
        ApplicationStatus st = YarnStatus.of(report("http://rm:8088/proxy/application_1_0007/", "http://node-1:4040"));
        assertThat(st.trackingUrl()).isEqualTo("http://node-1:4040");
        assertThat(st.managerUrl()).isEqualTo("http://rm:8088/proxy/application_1_0007/");
        assertThat(st.describe()).isEqualTo("application_1_0007 (wc, queue default): RUNNING, tracking URL http://node-1:4040");
    }

    @Test
    void withoutADriverUiItIsTheResourceManagersAndNAIsNoUrl() {
        assertThat(YarnStatus.of(report("http://rm:8088/proxy/application_1_0007/", "N/A")).trackingUrl())
                .isEqualTo("http://rm:8088/proxy/application_1_0007/");
        ApplicationStatus none = YarnStatus.of(report(null, "N/A"));
        assertThat(none.trackingUrl()).isEmpty();
        assertThat(none.describe()).doesNotContain("tracking URL");
    }

    @Test
    void yarnStatesMapOntoTheGenericOnesKeepingYarnsWords() {
        var r = report("N/A", "N/A");
        when(r.getYarnApplicationState()).thenReturn(YarnApplicationState.FINISHED);
        when(r.getFinalApplicationStatus()).thenReturn(FinalApplicationStatus.FAILED);
        when(r.getDiagnostics()).thenReturn(" the driver failed \n");
        ApplicationStatus failed = YarnStatus.of(r);
        assertThat(failed.state()).isEqualTo(ApplicationState.FAILED);
        assertThat(failed.nativeState()).isEqualTo("FINISHED/FAILED");
        assertThat(failed.describe()).isEqualTo("application_1_0007 (wc, queue default): FINISHED/FAILED, diagnostics: the driver failed");

        assertThat(YarnStatus.state(YarnApplicationState.FINISHED, FinalApplicationStatus.SUCCEEDED, 1)).isEqualTo(ApplicationState.SUCCEEDED);
        assertThat(YarnStatus.state(YarnApplicationState.FINISHED, FinalApplicationStatus.KILLED, 1)).isEqualTo(ApplicationState.KILLED);
        assertThat(YarnStatus.state(YarnApplicationState.KILLED, FinalApplicationStatus.KILLED, 1)).isEqualTo(ApplicationState.KILLED);
        assertThat(YarnStatus.state(YarnApplicationState.SUBMITTED, FinalApplicationStatus.UNDEFINED, 1)).isEqualTo(ApplicationState.SUBMITTED);
        assertThat(YarnStatus.state(YarnApplicationState.ACCEPTED, FinalApplicationStatus.UNDEFINED, 1)).isEqualTo(ApplicationState.STARTING);

        when(r.getYarnApplicationState()).thenReturn(YarnApplicationState.ACCEPTED);
        when(r.getCurrentApplicationAttemptId()).thenReturn(ApplicationAttemptId.newInstance(ApplicationId.newInstance(1L, 7), 2));
        assertThat(YarnStatus.of(r).state()).as("a second attempt being started").isEqualTo(ApplicationState.RESTARTING);
        assertThat(YarnStatus.of(r).ended()).isFalse();
    }
}
