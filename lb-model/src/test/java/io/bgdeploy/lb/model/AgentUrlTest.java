package io.bgdeploy.lb.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentUrlTest {

    @Test
    void aSchemeHostAndPortIsTakenAndPathsAreBuiltFromItOnly() {
        AgentUrl url = AgentUrl.parse("http://10.0.0.7:8083/");
        assertThat(url.toString()).isEqualTo("http://10.0.0.7:8083");
        assertThat(url.resolve("/served-revision", "atLeast=42&waitMs=5000"))
                .hasToString("http://10.0.0.7:8083/served-revision?atLeast=42&waitMs=5000");
        assertThat(AgentUrl.parse("https://lb-agent-0.lb-agent:8083").toString()).isEqualTo("https://lb-agent-0.lb-agent:8083");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://10.0.0.7:8083", "10.0.0.7:8083", "http://10.0.0.7", "http://user:secret@10.0.0.7:8083",
            "http://10.0.0.7:8083/admin", "http://10.0.0.7:8083?x=1", "http://10.0.0.7:8083#f", "http://10.0.0.7:8083/\r\nX: y",
            "http://:8083", "not a url"})
    void anythingElseIsRefusedWithWhatIsExpected(String text) {
        assertThatThrownBy(() -> AgentUrl.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://10.0.0.7:8083");
    }
}
