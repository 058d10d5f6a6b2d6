package io.bgdeploy.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bgdeploy.events.deploy.DeployRequested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An unknown or malformed record is rejected with a reason, never half-read. */
class MalformedEventsTest {

    private static String mutate(EventType type, Consumer<ObjectNode> change) throws Exception {
        ObjectNode root = (ObjectNode) EventCodec.mapper().readTree(GoldenEventsTest.golden(type));
        change.accept(root);
        return EventCodec.mapper().writeValueAsString(root);
    }

    private static String reasonFor(String json) {
        try {
            EventCodec.decode(json);
        } catch (MalformedEventException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + json);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "                                        | record has no value",
            "not json                                | not JSON",
            "[1,2]                                   | not a JSON object",
            "{\"specversion\":\"1.0\"}               | CloudEvent attribute 'type' is missing",
    })
    void garbageIsRejectedWithAReason(String value, String reason) {
        assertThat(reasonFor(value == null ? "" : value)).contains(reason);
    }

    @Test
    void unknownTypeIsRejected() throws Exception {
        String json = mutate(EventType.POD_GONE, r -> r.put("type", "io.bgdeploy.pod.exploded"));
        assertThat(reasonFor(json)).isEqualTo("unknown event type 'io.bgdeploy.pod.exploded'");
    }

    @Test
    void unknownFieldInDataIsRejectedWithItsName() throws Exception {
        String json = mutate(EventType.POD_GONE, r -> ((ObjectNode) r.get("data")).put("colour", "blue"));
        assertThat(reasonFor(json)).contains("unknown field 'colour'");
    }

    @Test
    void unknownEnvelopeAttributeIsRejected() throws Exception {
        String json = mutate(EventType.POD_GONE, r -> r.put("extra", "x"));
        assertThat(reasonFor(json)).contains("unknown CloudEvent attribute 'extra'");
    }

    @Test
    void missingRequiredFieldIsNamed() throws Exception {
        String json = mutate(EventType.LB_COMMAND_REJECTED, r -> ((ObjectNode) r.get("data")).remove("reason"));
        assertThat(reasonFor(json)).contains("reason is required");
    }

    @Test
    void invalidValueInsideDataIsNamed() throws Exception {
        String json = mutate(EventType.POD_STARTED, r -> ((ObjectNode) r.get("data")).put("address", "10.0.0.1\nbackend evil"));
        assertThat(reasonFor(json)).contains("address").contains("\\x0a").doesNotContain("\n");
    }

    @Test
    void switchCarryingAnotherBackendThanItSwitchesToIsRejected() throws Exception {
        String json = mutate(EventType.SWITCH_FRONTEND,
                r -> ((ObjectNode) r.get("data").get("backend")).put("id", "default-shop-4"));
        assertThat(reasonFor(json)).contains("backend default-shop-4 carried by the switch is not the backendId default-shop-3");
    }

    @Test
    void wrongSpecVersionTrailingTextAndDuplicatesAreRejected() throws Exception {
        assertThat(reasonFor(mutate(EventType.POD_GONE, r -> r.put("specversion", "0.3")))).contains("specversion");
        String good = GoldenEventsTest.golden(EventType.POD_GONE);
        assertThat(reasonFor(good + "{}")).contains("not JSON");
        assertThat(reasonFor(good.replaceFirst("\\{", "{\"id\":\"x\","))).contains("Duplicate field 'id'");
    }

    @Test
    void typeMustMatchData() throws Exception {
        String json = mutate(EventType.POD_GONE, r -> r.put("type", EventType.POD_RESTARTED.type()));
        assertThat(reasonFor(json)).startsWith("invalid io.bgdeploy.pod.restarted");
    }

    @Test
    void decodingAsAnotherTypeIsRejected() throws Exception {
        String json = GoldenEventsTest.golden(EventType.POD_GONE);
        assertThatThrownBy(() -> EventCodec.decode(json, DeployRequested.class))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("expected io.bgdeploy.deploy.requested but got io.bgdeploy.pod.gone");
    }
}
