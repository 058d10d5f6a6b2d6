package io.bgdeploy.deployer.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantityTest {

    @Test
    void quantitiesAreReadAsKubernetesReadsThem() {
        assertThat(Quantity.bytes("128Mi")).isEqualTo(128L * 1024 * 1024);
        assertThat(Quantity.bytes("0.5Gi")).isEqualTo(512L * 1024 * 1024);
        assertThat(Quantity.bytes("1G")).isEqualTo(1_000_000_000L);
        assertThat(Quantity.bytes("64k")).isEqualTo(64_000L);
        assertThat(Quantity.bytes("2Ki")).isEqualTo(2048L);
        assertThat(Quantity.bytes("12e6")).isEqualTo(12_000_000L);
        assertThat(Quantity.bytes("1000")).isEqualTo(1000L);
        assertThat(Quantity.parse("500m")).isEqualTo(0.5);
        assertThatThrownBy(() -> Quantity.bytes("128K")).hasMessageContaining("'128K' is not a Kubernetes quantity");
        assertThatThrownBy(() -> Quantity.bytes("lots")).hasMessageContaining("e.g. 128Mi");
        assertThatThrownBy(() -> Quantity.bytes("-1Mi")).hasMessageContaining("negative");
    }
}
