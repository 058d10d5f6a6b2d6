package io.bgdeploy.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"demo.example.com", "a", "xn--bcher-kva.example", "a-b.c-d.e"})
    void hostNames(String s) {
        assertThat(Names.isHostName(s)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "http://a.b", "a..b", "-a.b", "a.b:80", "a b", "a.b\n", "a\"b", "a$b", "a#b", "ä.com"})
    void notHostNames(String s) {
        assertThat(Names.isHostName(s)).isFalse();
    }

    @Test
    void addresses() {
        assertThat(Names.isIpAddress("127.0.0.1")).isTrue();
        assertThat(Names.isIpAddress("::1")).isTrue();
        assertThat(Names.isIpAddress("fe80::1:2")).isTrue();
        assertThat(Names.isIpAddress("256.0.0.1")).isFalse();
        assertThat(Names.isIpAddress("localhost")).isFalse();
        assertThat(Names.isIpAddress("1.2.3.4 ")).isFalse();
    }

    @Test
    void noValidatedValueCanCarryConfigSyntax() {
        Random random = new Random(42);
        String dangerous = "\r\n\"'\\$#% `\t\0;{}";
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + random.nextInt(20);
            for (int j = 0; j < len; j++) {
                sb.append(random.nextInt(4) == 0 ? dangerous.charAt(random.nextInt(dangerous.length()))
                        : (char) (32 + random.nextInt(95)));
            }
            String s = sb.toString();
            for (boolean ok : new boolean[]{Names.isHostName(s), Names.isHeaderName(s), Names.isHeaderValue(s),
                    Names.isUrlPath(s), Names.isBackendId(s), Names.isServerName(s), Names.isSafeFilePath(s),
                    Names.isIpAddress(s), Names.isEnvName(s)}) {
                if (ok) {
                    accepted++;
                    assertThat(s).doesNotContain("\r", "\n", "\"", "'", "\\", "$", "#", "%", "`", "\0");
                }
            }
        }
        assertThat(accepted).as("some random values are valid, so the check is not vacuous").isPositive();
    }

    @Test
    void printableEscapesControlCharactersAndCutsLongText() {
        assertThat(Names.printable("a\nb")).isEqualTo("a\\x0ab");
        assertThat(Names.printable("x".repeat(200))).hasSize(83).endsWith("...");
    }
}
