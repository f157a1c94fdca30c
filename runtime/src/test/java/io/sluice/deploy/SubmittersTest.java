package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Runtime alone installs the local masters and local-cluster, and no submitter. */
class SubmittersTest {
    private final ClassLoader loader = SubmittersTest.class.getClassLoader();

    @Test
    void runtimeAloneInstallsTheLocalMastersAndNoSubmitter() {
        assertThat(Submitters.installedMasters(loader)).containsExactly("local", "local[N]", "local[*]", "local-cluster[E,C,M]");
        assertThat(Submitters.forMaster("yarn", loader)).isEmpty();
        assertThat(Submitters.forApplicationId("application_1_0001", loader)).isEmpty();
    }

    @Test
    void aMasterWithoutAnInstalledBackendGetsTheListOfInstalledOnes() {
        assertThat(Submitters.noBackendMessage("k8s://https://kube:6443", loader)).isEqualTo(
                "no backend installed for this master: 'k8s://https://kube:6443'; installed masters: local, local[N], "
                        + "local[*], local-cluster[E,C,M] (a cluster manager's backend is installed by putting its module on "
                        + "the class path)");
        assertThat(Submitters.isLocal("local[2]")).isTrue();
        assertThat(Submitters.isLocal("local-cluster[2,1,512]")).isTrue();
        assertThat(Submitters.isLocal("mesos://m:5050")).isFalse();
    }
}
