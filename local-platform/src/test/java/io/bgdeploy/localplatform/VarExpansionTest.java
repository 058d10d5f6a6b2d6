package io.bgdeploy.localplatform;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class VarExpansionTest {

    private final Map<String, String> vars = Map.of("PORT", "31000", "NAME", "shop");

    @Test
    void definedVariablesAreReplaced() {
        assertThat(VarExpansion.expand("--port=$(PORT) --name $(NAME)", vars)).isEqualTo("--port=31000 --name shop");
    }

    @Test
    void undefinedVariablesStayAsWritten() {
        assertThat(VarExpansion.expand("$(MISSING)-$(PORT)", vars)).isEqualTo("$(MISSING)-31000");
    }

    @Test
    void doubleDollarEscapes() {
        assertThat(VarExpansion.expand("$$(PORT) costs $$5", vars)).isEqualTo("$(PORT) costs $5");
    }

    @Test
    void shellSyntaxIsNotInterpreted() {
        assertThat(VarExpansion.expand("$PORT ${PORT} `id` $(PORT", vars)).isEqualTo("$PORT ${PORT} `id` $(PORT");
    }
}
