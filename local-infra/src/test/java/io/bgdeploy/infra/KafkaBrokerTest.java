package io.bgdeploy.infra;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaBrokerTest {

    @Test
    void clusterIdsAreSixteenRandomBytesThatTheStorageToolCannotMistakeForAnOption() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String id = KafkaBroker.clusterId();
            assertThat(id).doesNotStartWith("-").hasSize(22);
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
            ids.add(id);
        }
        assertThat(ids).hasSize(20_000);
    }
}
