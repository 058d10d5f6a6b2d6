package io.bgdeploy.events;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicsTest {

    @Test
    void everyEventTypeIsPublishedOnAKnownTopic() {
        var topics = Arrays.stream(EventType.values()).map(EventType::topic).collect(Collectors.toSet());
        assertThat(Topics.ALL).containsAll(topics);
        assertThat(Topics.ALL).containsExactly("deploy-requests", "deploy-events", "pod-events", "pod-health",
                "lb-commands", "lb-events", "container-logs", "health-reports");
    }

    @Test
    void deadLetterTopicsAreNamedAfterTheirTopic() {
        assertThat(Topics.dlq(Topics.DEPLOY_REQUESTS)).isEqualTo("deploy-requests-dlq").isEqualTo(Topics.DEPLOY_REQUESTS_DLQ);
        assertThatThrownBy(() -> Topics.dlq("nope")).hasMessageContaining("unknown topic");
    }

    @Test
    void appKeysRoundTripAndRejectNonsense() {
        assertThat(Keys.app("default", "shop")).isEqualTo("default/shop");
        assertThat(Keys.parseApp("prod/shop")).isEqualTo(new Keys.AppRef("prod", "shop"));
        assertThatThrownBy(() -> Keys.parseApp("a/b/c")).hasMessageContaining("<namespace>/<appName>");
        assertThatThrownBy(() -> Keys.app("default", "Shop")).hasMessageContaining("appName 'Shop' is not valid");
    }
}
