package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.sluice.cluster.ExecutorEventHandler;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorLaunchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.protocolrecords.RegisterApplicationMasterResponse;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.ContainerState;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.NodeId;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.apache.hadoop.yarn.client.api.async.AMRMClientAsync;
import org.apache.hadoop.yarn.client.api.async.NMClientAsync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

/** The YARN backend against fake ResourceManager and NodeManager clients whose callbacks the test fires. */
class YarnClusterBackendTest {
    private static final ApplicationAttemptId ATTEMPT = ApplicationAttemptId.newInstance(ApplicationId.newInstance(1L, 1), 1);
    private static final ExecutorSpec SPEC = new ExecutorSpec(1, 256, Map.of(ExecutorLaunchSettings.DRIVER_URL, "10.0.0.1:7077"));

    @SuppressWarnings("unchecked")
    private final AMRMClientAsync<ContainerRequest> rm = mock(AMRMClientAsync.class);
    private final NMClientAsync nm = mock(NMClientAsync.class);
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private AMRMClientAsync.AbstractCallbackHandler rmEvents;
    private NMClientAsync.AbstractCallbackHandler nmEvents;
    private YarnClusterBackend backend;

    @BeforeEach
    void start(@TempDir Path staging) throws Exception {
        Files.createDirectories(staging.resolve("libs"));
        Files.writeString(staging.resolve("libs/sluice-runtime.jar"), "jar");
        when(rm.registerApplicationMaster(anyString(), anyInt(), anyString())).thenReturn(mock(RegisterApplicationMasterResponse.class));
        var clients = new YarnClients() {
            @Override
            public AMRMClientAsync<ContainerRequest> resourceManager(int heartbeatMillis, AMRMClientAsync.AbstractCallbackHandler h) {
                rmEvents = h;
                return rm;
            }

            @Override
            public NMClientAsync nodeManagers(NMClientAsync.AbstractCallbackHandler h) {
                nmEvents = h;
                return nm;
            }
        };
        var conf = new SluiceConf(false).set(SluiceConf.EXECUTOR_MEMORY_OVERHEAD_MB.name(), "100");
        backend = new YarnClusterBackend(conf, new Configuration(false), clients, "application_1_0001", 1,
                new org.apache.hadoop.fs.Path(staging.toUri()), "am-host");
        backend.start(new ExecutorEventHandler() {
            @Override
            public void executorLaunched(ExecutorId id, String host) {
                events.add("launched " + id + " on " + host);
            }

            @Override
            public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                events.add("lost " + id + " " + reason);
            }

            @Override
            public void executorsRecovered(List<ExecutorId> ids) {
                events.add("recovered " + ids);
            }

            @Override
            public void fatalError(Throwable error) {
                events.add("fatal " + error.getMessage());
            }
        }, Runnable::run, Runnable::run);
        verify(rm).registerApplicationMaster("am-host", 0, "");
    }

    @AfterEach
    void stop() {
        backend.stop();
    }

    private static Container container(int n) {
        return Container.newInstance(ContainerId.newContainerId(ATTEMPT, n), NodeId.newInstance("node-" + n, 8041),
                "node-" + n + ":8042", Resource.newInstance(356, 1), Priority.newInstance(1), null);
    }

    private String nextEvent() throws InterruptedException {
        String e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("an event within 10 s").isNotNull();
        return e;
    }

    @Test
    void theDriverUiBecomesTheTrackingUrlAfterRegisteringWithoutOne() throws Exception {
        verify(rm).registerApplicationMaster("am-host", 0, "");
        backend.publishDriverUi(java.net.URI.create("http://am-host:4040"));
        verify(rm, timeout(30_000)).updateTrackingUrl("http://am-host:4040");
    }

    @Test
    void deregisteringUnregistersWithTheFinalStatusAndTheDriverUiAndRefusesLaunches() throws Exception {
        backend.publishDriverUi(java.net.URI.create("http://am-host:4040"));
        verify(rm, timeout(30_000)).updateTrackingUrl("http://am-host:4040");
        backend.deregister(io.sluice.cluster.FinalStatus.FAILED, "executors keep failing");
        verify(rm).unregisterApplicationMaster(org.apache.hadoop.yarn.api.records.FinalApplicationStatus.FAILED,
                "executors keep failing", "http://am-host:4040");
        assertThat(backend.finalStatus()).contains(io.sluice.cluster.FinalStatus.FAILED);
        assertThat(backend.launchExecutor(SPEC)).isCompletedExceptionally();
        backend.deregister(io.sluice.cluster.FinalStatus.SUCCEEDED, "again");
        verify(rm, org.mockito.Mockito.times(1)).unregisterApplicationMaster(any(), anyString(), anyString());
    }

    @Test
    void aLaunchRequestsAContainerStartsExecutorMainInItAndReportsItsEnd() throws Exception {
        ExecutorId id = backend.launchExecutor(SPEC).get(10, TimeUnit.SECONDS);
        assertThat(id.value()).isEqualTo("application_1_0001-exec-1-1");
        var request = ArgumentCaptor.forClass(ContainerRequest.class);
        verify(rm, timeout(30_000)).addContainerRequest(request.capture());
        assertThat(request.getValue().getCapability()).isEqualTo(Resource.newInstance(356, 1));

        Container c = container(2);
        rmEvents.onContainersAllocated(List.of(c));
        var ctx = ArgumentCaptor.forClass(ContainerLaunchContext.class);
        verify(nm, timeout(30_000)).startContainerAsync(any(), ctx.capture());
        verify(rm).removeContainerRequest(request.getValue());
        assertThat(ctx.getValue().getEnvironment()).containsEntry(ExecutorLaunchSettings.EXECUTOR_ID, id.value())
                .containsEntry(ExecutorLaunchSettings.DRIVER_URL, "10.0.0.1:7077")
                .containsEntry(ExecutorLaunchSettings.APP_ID, "application_1_0001")
                .containsEntry(ExecutorLaunchSettings.CORES, "1");
        assertThat(ctx.getValue().getCommands().get(0)).contains("-Xmx256m").contains("io.sluice.executor.ExecutorMain")
                .contains("<LOG_DIR>/stderr");
        assertThat(ctx.getValue().getLocalResources()).containsKey("__sluice_libs__/sluice-runtime.jar");

        nmEvents.onContainerStarted(c.getId(), Map.of());
        assertThat(nextEvent()).isEqualTo("launched " + id + " on node-2");
        rmEvents.onContainersCompleted(List.of(ContainerStatus.newInstance(c.getId(), ContainerState.COMPLETE,
                "preempted", ContainerExitStatus.PREEMPTED)));
        assertThat(nextEvent()).isEqualTo("lost " + id + " PREEMPTED");
    }

    @Test
    void aReleaseBeforeAllocationWithdrawsTheRequestAndAReleasedContainerEndsAsReleased() throws Exception {
        ExecutorId first = backend.launchExecutor(SPEC).get(10, TimeUnit.SECONDS);
        ExecutorId second = backend.launchExecutor(SPEC).get(10, TimeUnit.SECONDS);
        backend.releaseExecutor(first);
        assertThat(nextEvent()).isEqualTo("lost " + first + " LAUNCH_FAILED");

        Container c = container(3);
        rmEvents.onContainersAllocated(List.of(c, container(4))); // one for `second`, one surplus
        verify(rm, timeout(30_000)).releaseAssignedContainer(container(4).getId());
        verify(nm, timeout(30_000)).startContainerAsync(any(), any());
        nmEvents.onContainerStarted(c.getId(), Map.of());
        assertThat(nextEvent()).isEqualTo("launched " + second + " on node-3");

        backend.releaseExecutor(second);
        verify(rm, timeout(30_000)).releaseAssignedContainer(c.getId());
        rmEvents.onContainersCompleted(List.of(ContainerStatus.newInstance(c.getId(), ContainerState.COMPLETE,
                "Container released by application", ContainerExitStatus.ABORTED)));
        assertThat(nextEvent()).isEqualTo("lost " + second + " RELEASED_BY_DRIVER");
    }

    @Test
    void preferredHostsBecomeNodesWithRelaxedLocalityAndAContainerGoesToTheExecutorThatPrefersItsHost() throws Exception {
        ExecutorId anywhere = backend.launchExecutor(SPEC).get(10, TimeUnit.SECONDS);
        ExecutorId near = backend.launchExecutor(SPEC.withPreferredHosts(List.of("node-7", "node-8"))).get(10, TimeUnit.SECONDS);
        var requests = ArgumentCaptor.forClass(ContainerRequest.class);
        verify(rm, timeout(30_000).times(2)).addContainerRequest(requests.capture());
        ContainerRequest anywhereRequest = requests.getAllValues().get(0);
        ContainerRequest nearRequest = requests.getAllValues().get(1);
        assertThat(anywhereRequest.getNodes()).isNullOrEmpty();
        assertThat(nearRequest.getNodes()).containsExactly("node-7", "node-8");
        assertThat(nearRequest.getRelaxLocality()).as("a preference, never a requirement").isTrue();
        assertThat(nearRequest.getCapability()).isEqualTo(Resource.newInstance(356, 1));

        // a container on node-7 goes to the executor that prefers node-7, though the other one asked first
        Container onPreferred = container(7);
        rmEvents.onContainersAllocated(List.of(onPreferred));
        verify(rm, timeout(30_000)).removeContainerRequest(nearRequest);
        verify(nm, timeout(30_000)).startContainerAsync(any(), any());
        nmEvents.onContainerStarted(onPreferred.getId(), Map.of());
        assertThat(nextEvent()).isEqualTo("launched " + near + " on node-7");

        // the target drops before YARN allocated the other: its request is withdrawn, and a container YARN still
        // hands out for it is surplus, returned at once
        backend.releaseExecutor(anywhere);
        assertThat(nextEvent()).isEqualTo("lost " + anywhere + " LAUNCH_FAILED");
        verify(rm, timeout(30_000)).removeContainerRequest(anywhereRequest);
        rmEvents.onContainersAllocated(List.of(container(9)));
        verify(rm, timeout(30_000)).releaseAssignedContainer(container(9).getId());
        assertThat(events.poll(200, TimeUnit.MILLISECONDS)).as("no event for a surplus container").isNull();
    }

    @Test
    void aContainerOnAnUnwantedHostGoesToAnExecutorWithoutPreferenceFirst() throws Exception {
        ExecutorId elsewhere = backend.launchExecutor(SPEC.withPreferredHosts(List.of("node-7"))).get(10, TimeUnit.SECONDS);
        ExecutorId anywhere = backend.launchExecutor(SPEC).get(10, TimeUnit.SECONDS);
        Container c = container(4);
        rmEvents.onContainersAllocated(List.of(c));
        verify(nm, timeout(30_000)).startContainerAsync(any(), any());
        nmEvents.onContainerStarted(c.getId(), Map.of());
        assertThat(nextEvent()).isEqualTo("launched " + anywhere + " on node-4");

        // with only a preferring executor left, a container elsewhere still serves it (relaxed locality)
        Container other = container(5);
        rmEvents.onContainersAllocated(List.of(other));
        verify(nm, timeout(30_000).times(2)).startContainerAsync(any(), any());
        nmEvents.onContainerStarted(other.getId(), Map.of());
        assertThat(nextEvent()).isEqualTo("launched " + elsewhere + " on node-5");
    }

    @Test
    void aContainerTheNodeManagerCannotStartIsALaunchFailureAndAnRmErrorIsFatal() throws Exception {
        ExecutorId id = backend.launchExecutor(SPEC).get(10, TimeUnit.SECONDS);
        Container c = container(5);
        rmEvents.onContainersAllocated(List.of(c));
        verify(nm, timeout(30_000)).startContainerAsync(any(), any());
        nmEvents.onStartContainerError(c.getId(), new RuntimeException("NodeManager down"));
        assertThat(nextEvent()).isEqualTo("lost " + id + " LAUNCH_FAILED");
        verify(rm, timeout(30_000)).releaseAssignedContainer(c.getId());

        rmEvents.onError(new RuntimeException("RM gone"));
        assertThat(nextEvent()).isEqualTo("fatal RM gone");
    }
}
