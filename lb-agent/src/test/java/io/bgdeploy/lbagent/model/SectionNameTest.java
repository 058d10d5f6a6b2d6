package io.bgdeploy.lbagent.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SectionNameTest {

    /** The check that replaced a regular expression on the path of every switch says what it said. */
    @Test
    void aSectionNameIsCheckedAsThePatternSaysWithoutOne() {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");
        java.util.Random random = new java.util.Random(12);
        String alphabet = "aZ09_.-/ \n#$%'\"\u00e9\u0000{}";
        List<String> names = new java.util.ArrayList<>(List.of("", "a", "_", ".a", "-a", "a.b-c_d", "A".repeat(255),
                "A".repeat(256), "default-shop-1_a"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder name = new StringBuilder();
            int length = random.nextInt(8) == 0 ? 250 + random.nextInt(10) : random.nextInt(12);
            for (int c = 0; c < length; c++) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            names.add(name.toString());
        }
        for (String name : names) {
            assertThat(SectionName.isValid(name)).as("'%s'", name).isEqualTo(pattern.matcher(name).matches());
        }
    }
}
