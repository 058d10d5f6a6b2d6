package io.bgdeploy.events;

import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.RemoveFrontend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostNameTest {

    @ParameterizedTest
    @CsvSource({
            "shop.example.com, shop.example.com",
            "Shop.Example.COM, shop.example.com",
            "a, a",
            "xn--bcher-kva.example, xn--bcher-kva.example",
            "a-b.c-d.e, a-b.c-d.e",
            "123.example, 123.example"})
    void acceptsHostNamesInLowerCase(String given, String value) {
        HostName host = HostName.of(given);

        assertThat(host.value()).isEqualTo(value);
        assertThat(host).hasToString(value).isEqualTo(HostName.of(value));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "shop.example.com.   | ends with '.': leave out the trailing dot",
            "a..b                | has an empty label",
            ".a                  | has an empty label",
            "'shop example.com'  | contains a space",
            "shop.example.com#x  | contains '#'",
            "shop.example.com:80 | contains ':'",
            "shop.example.com/x  | contains '/'",
            "*.example.com       | wildcards (a frontend serves exactly one host name)",
            "https://shop.example.com | contains '://': give the host name only, e.g. app.example.com",
            "-shop.example.com   | has a label starting or ending with '-'",
            "shop-.example.com   | has a label starting or ending with '-'",
            "a\"b                | contains '\"'",
            "$HOME               | contains '$'",
            "%[src]              | contains '%'"})
    void rejectsWhatIsNoHostNameSayingWhy(String given, String reason) {
        assertThatThrownBy(() -> HostName.of(given))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
        assertThat(HostName.problem(given)).get().asString().contains(reason);
        assertThat(HostName.isValid(given)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shop.example.com\nbackend evil", "shop.example.com\r\nuse_backend evil", "a\tb", "a\u0000b"})
    void controlCharactersAreRejectedAndNamedWithoutBeingEchoed(String given) {
        assertThatThrownBy(() -> HostName.of(given))
                .hasMessageContaining("contains the control character \\x")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r", "\t", "\u0000"));
    }

    @Test
    void emptyAndMissingAreRejected() {
        assertThatThrownBy(() -> HostName.of("")).hasMessage("host name '' is empty: give a host name such as app.example.com");
        assertThatThrownBy(() -> HostName.of(null)).hasMessage("host name is required: give a host name such as app.example.com");
    }

    @Test
    void labelsHaveAtMost63CharactersAndTheNameAtMost253() {
        String label63 = "a".repeat(63);
        assertThat(HostName.of(label63 + ".example").value()).startsWith(label63);
        assertThatThrownBy(() -> HostName.of("a".repeat(64) + ".example"))
                .hasMessageContaining("has a label of 64 characters: each dot-separated part has at most 63");

        String name253 = String.join(".", label63, label63, label63, "a".repeat(61));
        assertThat(name253).hasSize(253);
        assertThat(HostName.isValid(name253)).isTrue();
        assertThatThrownBy(() -> HostName.of(name253 + "a"))
                .hasMessageContaining("is 254 characters long: a host name has at most 253");
    }

    @Test
    void unicodeIsRejectedWithItsAsciiFormAsTheFix() {
        assertThatThrownBy(() -> HostName.of("bücher.example"))
                .hasMessageContaining("is not ASCII: give an internationalised name in its IDNA form ('xn--bcher-kva.example')");
        assertThatThrownBy(() -> HostName.of("ｓｈｏｐ.example.com")).hasMessageContaining("is not ASCII");
        // characters whose lower case is ASCII must not slip in as another name: KELVIN SIGN, dotted capital I
        assertThatThrownBy(() -> HostName.of("\u212Aelvin.example")).hasMessageContaining("is not ASCII");
        assertThatThrownBy(() -> HostName.of("\u0130stanbul.example")).hasMessageContaining("is not ASCII");
        assertThatThrownBy(() -> HostName.of("shop\u2028use_backend.example")).hasMessageContaining("is not ASCII");
        assertThatThrownBy(() -> HostName.of("\uD83D\uDE00.example")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whatIsAcceptedCanOnlyBeAPlainLowerCaseHostName() {
        Random random = new Random(20261201L);
        String alphabet = "aZ09-.-.\r\n\"'\\$#% `\t\0;{}*:/_é\u212A";
        int accepted = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + random.nextInt(12);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (HostName.isValid(sb.toString())) {
                accepted++;
                assertThat(HostName.of(sb.toString()).value()).matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
            }
        }
        assertThat(accepted).as("some random values are valid, so the check is not vacuous").isPositive();
    }

    @Test
    void onTheWireItIsAString() throws Exception {
        assertThat(new String(EventCodec.write(HostName.of("Shop.Example.com")), StandardCharsets.UTF_8))
                .isEqualTo("\"shop.example.com\"");
        assertThat(EventCodec.read(utf8("\"Shop.Example.com\""), HostName.class))
                .isEqualTo(HostName.of("shop.example.com"));
    }

    @Test
    void aCommandIsDecodedWithItsHostNameValidatedAndLowerCased() throws Exception {
        FrontendSpec spec = EventCodec.read(utf8("{\"hostname\":\"Shop.Example.com\",\"redirectWww\":true,\"compression\":false,"
                + "\"headers\":[],\"stickySessions\":false,\"tls\":\"HTTP_ONLY\"}"), FrontendSpec.class);
        assertThat(spec.host()).isEqualTo(HostName.of("shop.example.com"));

        assertThatThrownBy(() -> EventCodec.read(utf8("{\"commandId\":\"c1\",\"namespace\":\"default\",\"appName\":\"shop\","
                + "\"hostname\":\"shop.example.com\\nbackend evil\"}"), RemoveFrontend.class))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("host name 'shop.example.com\\x0abackend evil' contains the control character \\x0a");
        assertThatThrownBy(() -> EventCodec.read(utf8("{\"commandId\":\"c1\",\"namespace\":\"default\",\"appName\":\"shop\"}"),
                RemoveFrontend.class))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("hostname is required");
    }

    private static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
