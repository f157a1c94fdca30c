package io.sluice.yarn;

import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.apache.hadoop.yarn.client.api.async.AMRMClientAsync;
import org.apache.hadoop.yarn.client.api.async.NMClientAsync;

/**
 * Makes the ApplicationMaster's clients of the ResourceManager and the NodeManagers (not yet initialized); injected
 * into {@link YarnClusterBackend} so tests can hand it fakes.
 */
public interface YarnClients {

    AMRMClientAsync<ContainerRequest> resourceManager(int heartbeatMillis, AMRMClientAsync.AbstractCallbackHandler handler);

    NMClientAsync nodeManagers(NMClientAsync.AbstractCallbackHandler handler);

    /** The real clients. */
    static YarnClients real() {
        return new YarnClients() {
            @Override
            public AMRMClientAsync<ContainerRequest> resourceManager(int heartbeatMillis, AMRMClientAsync.AbstractCallbackHandler handler) {
                return AMRMClientAsync.createAMRMClientAsync(heartbeatMillis, handler);
            }

            @Override
            public NMClientAsync nodeManagers(NMClientAsync.AbstractCallbackHandler handler) {
                return NMClientAsync.createNMClientAsync(handler);
            }
        };
    }
}
