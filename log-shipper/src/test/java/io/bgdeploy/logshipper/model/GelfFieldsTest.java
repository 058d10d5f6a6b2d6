package io.bgdeploy.logshipper.model;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GelfFieldsTest {

    @Test
    void fieldsKeepTheOrderAddedAndLeaveOutAbsentValues() {
        GelfFields fields = GelfFields.builder().put("_namespace", "shop").put("_app", null).put("_pod", "cart-1").build();

        assertThat(fields.size()).isEqualTo(2);
        assertThat(fields.name(0)).isEqualTo("_namespace");
        assertThat(fields.value(1)).isEqualTo("cart-1");
        assertThat(fields.get("_app")).isNull();
        assertThat(fields.contains("_pod")).isTrue();
        assertThat(fields.asMap()).containsExactly(Map.entry("_namespace", "shop"), Map.entry("_pod", "cart-1"));
    }

    @Test
    void aNameAddedAgainReplacesItsValueInPlaceAndNullRemovesIt() {
        GelfFields fields = GelfFields.builder().put("_a", "1").put("_b", "2").put("_a", "3").put("_b", null).build();

        assertThat(fields.asMap()).containsExactly(Map.entry("_a", "3"));
    }

    @Test
    void aNameGelfForbidsIsRefusedWhenAdded() {
        for (String name : new String[]{"_id", "app", "_with space", "_", null}) {
            assertThatThrownBy(() -> GelfFields.builder().put(name, "x")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void fieldsBuiltFromAMapOrAnotherBuilderAreEqual() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("_x", "1");
        map.put("_y", "2");
        GelfFields fromMap = GelfFields.of(map);

        assertThat(fromMap).isEqualTo(GelfFields.builder().put("_x", "1").put("_y", "2").build())
                .hasSameHashCodeAs(fromMap.toBuilder().build());
        assertThat(fromMap.toBuilder().put("_z", "3").build().size()).isEqualTo(3);
        assertThat(fromMap.size()).isEqualTo(2);
    }
}
