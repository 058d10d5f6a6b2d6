package io.bgdeploy.logshipper.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class CriLineTest {

    @Test
    void parsesFullAndPartialLines() {
        CriLine full = CriLine.parse("2026-11-24T10:15:30.123456789Z stdout F hello world").orElseThrow();
        assertThat(full.time()).isEqualTo(Instant.parse("2026-11-24T10:15:30.123456789Z"));
        assertThat(full.stream()).isEqualTo("stdout");
        assertThat(full.partial()).isFalse();
        assertThat(full.text()).isEqualTo("hello world");

        CriLine partial = CriLine.parse("2026-11-24T11:15:30.5+01:00 stderr P  two  spaces ").orElseThrow();
        assertThat(partial.time()).isEqualTo(Instant.parse("2026-11-24T10:15:30.5Z"));
        assertThat(partial.partial()).isTrue();
        assertThat(partial.text()).isEqualTo(" two  spaces ");

        assertThat(CriLine.parse("2026-11-24T10:15:30Z stdout F").orElseThrow().text()).isEmpty();
    }

    @Test
    void rejectsWhatIsNotACriLine() {
        assertThat(CriLine.parse("plain text")).isEmpty();
        assertThat(CriLine.parse("2026-11-24T10:15:30Z stdlog F x")).isEmpty();
        assertThat(CriLine.parse("yesterday stdout F x")).isEmpty();
        assertThat(CriLine.parse("2026-11-24T10:15:30Z stdout X x")).isEmpty();
    }

    @Test
    void fileNameGivesPodNamespaceAndContainer() {
        LogFileName name = LogFileName.parse(
                "cart-3-7f9c4d-x2b_shop_app-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log").orElseThrow();
        assertThat(name.pod()).isEqualTo("cart-3-7f9c4d-x2b");
        assertThat(name.namespace()).isEqualTo("shop");
        assertThat(name.container()).isEqualTo("app");
        assertThat(LogFileName.parse("not-a-container-log.log")).isEmpty();
        assertThat(LogFileName.parse("a_b_c-0123456789abcdef.log.20261124")).isEmpty();
    }
}
