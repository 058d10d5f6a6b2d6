package io.bgdeploy.lbagent.render;

import io.bgdeploy.events.HostName;
import io.bgdeploy.lb.model.ConfigSafety;
import io.bgdeploy.events.Keys.AppRef;
import io.bgdeploy.lb.model.BackendConfig;
import io.bgdeploy.lb.model.FrontendConfig;
import io.bgdeploy.lbagent.model.LayoutPlanner;
import io.bgdeploy.lbagent.model.ProxyLayout;
import io.bgdeploy.lbagent.model.RuntimeCommand;
import io.bgdeploy.lbagent.model.HealthCheckInterval;
import io.bgdeploy.lbagent.model.RuntimePlan;
import io.bgdeploy.lbagent.model.RuntimeState;
import io.bgdeploy.lb.model.LbModel;
import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;
import io.bgdeploy.events.lb.ServerSpec;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.lbagent.haproxy.ConfigValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Throws thousands of random and crafted values at every field that reaches haproxy.cfg, the hosts
 * map or a Runtime API command. Each value is either rejected with a reason (by its type, or by
 * {@link ConfigSafety} as a command would be), or it stays confined to its field on both paths: the
 * rendered file has the same lines, the same directives and the same number of words on every line
 * as a file rendered with a harmless value, and the Runtime API commands that bring an empty HAProxy
 * to it are the same commands with the same number of words; only the words that carry the value
 * differ.
 */
class HostileInputTest {

    private static final long SEED = 20261124L;
    private static final int RANDOM_VALUES_PER_FIELD = 3000;
    private static final String SPECIALS = "\r\n\t \"'$#%\\`{}[];:/.-_@!&()*+,=~<>|^?";
    private static final String[] UNICODE = {"é", "\u2028", "\u0000", "\u00a0", "ß", "İ", "\uFEFF", "\uD83D\uDE00", "\u202E", "ａ"};
    private static final List<String> CRAFTED = List.of(
            "shop.example.com\nbackend evil", "shop.example.com\r\nuse_backend evil", "x\" if TRUE", "x' if TRUE",
            "$HOME", "${HOME}", "\"$HOME\"", "#comment", "a # b", "%[src]", "%{+Q}o", "a\\", "a\\nb", "a b", "a\tb",
            "www.a.com use_backend x", "}{", "{ always_true }", "10.0.0.1:80 check", "10.0.0.1\n", "::1\nfoo",
            "/health\nhttp-request deny", "/health bar", "/h?x=1", "/h#x", "/../etc/passwd", "/etc/haproxy/../../x",
            "X-A: b", "X-A\nX-B", "", " ", "-", "a..b", ".a", "a.", "A".repeat(300), "value with spaces",
            "max-age=31536000; includeSubDomains", "default-shop-1", "shop-1-a", "10.0.0.1", "fd00::1", "/health",
            "xn--bcher-kva.example", "UPPER.Example.COM", "\u0000", "\u2028use_backend x", "ｓｈｏｐ.example.com");

    private final HaproxyConfigRenderer renderer = new HaproxyConfigRenderer();
    private final HaproxySettings settings = HaproxySettings.localDefaults();

    /** A field of the model: a harmless value and how to build a whole model around any value. */
    private record Field(String name, String harmless, Function<String, LbModel> model) {
    }

    private static final AppRef SHOP = new AppRef("default", "shop");
    private static final String MAP = "/run/bgdeploy-lb/hosts.map";

    private static LbModel frontendModel(String hostname, HttpHeader header, String cert) {
        FrontendSpec spec = new FrontendSpec(HostName.of(hostname), true, true, List.of(header), true,
                cert == null ? TlsMode.HTTP_ONLY : TlsMode.BOTH, cert);
        return new LbModel(List.of(new FrontendConfig(spec, "default-shop-1")), List.of(backend("default-shop-1",
                new ServerSpec("s1", "10.0.0.1", 8080), new HttpHeader("X-B", "b"), "/health", SHOP)));
    }

    private static BackendConfig backend(String id, ServerSpec server, HttpHeader header, String path, AppRef app) {
        return new BackendConfig(new BackendSpec(id, List.of(server), true, List.of(header), path), app);
    }

    private static LbModel backendModel(String id, ServerSpec server, HttpHeader header, String path) {
        return new LbModel(List.of(new FrontendConfig(FrontendSpec.http("shop.example.com"), id)),
                List.of(backend(id, server, header, path, SHOP)));
    }

    private static LbModel appModel(AppRef app) {
        return new LbModel(List.of(new FrontendConfig(FrontendSpec.http("shop.example.com"), "default-shop-1")),
                List.of(backend("default-shop-1", new ServerSpec("s1", "10.0.0.1", 8080), new HttpHeader("X-B", "b"),
                        "/health", app)));
    }

    private static List<Field> fields() {
        ServerSpec s1 = new ServerSpec("s1", "10.0.0.1", 8080);
        HttpHeader h = new HttpHeader("X-B", "b");
        return List.of(
                new Field("frontend hostname", "shop.example.com", v -> frontendModel(v, new HttpHeader("X-F", "f"), null)),
                new Field("frontend header name", "X-F", v -> frontendModel("shop.example.com", new HttpHeader(v, "f"), null)),
                new Field("frontend header value", "f", v -> frontendModel("shop.example.com", new HttpHeader("X-F", v), null)),
                new Field("certificate path", "/etc/haproxy/site.pem",
                        v -> frontendModel("shop.example.com", new HttpHeader("X-F", "f"), v)),
                new Field("backend id", "default-shop-1", v -> backendModel(v, s1, h, "/health")),
                new Field("server name", "s1", v -> backendModel("default-shop-1", new ServerSpec(v, "10.0.0.1", 8080), h, "/health")),
                new Field("server address", "10.0.0.1",
                        v -> backendModel("default-shop-1", new ServerSpec("s1", v, 8080), h, "/health")),
                new Field("backend header name", "X-B", v -> backendModel("default-shop-1", s1, new HttpHeader(v, "b"), "/health")),
                new Field("backend header value", "b", v -> backendModel("default-shop-1", s1, new HttpHeader("X-B", v), "/health")),
                new Field("health-check path", "/health", v -> backendModel("default-shop-1", s1, h, v)),
                new Field("app namespace", "default", v -> appModel(new AppRef(v, "shop"))),
                new Field("app name", "shop", v -> appModel(new AppRef("default", v))));
    }

    @Test
    void everyHostileValueIsRejectedWithAReasonOrStaysInsideItsField() {
        Random random = new Random(SEED);
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (Field field : fields()) {
            List<List<String>> baseline = tokenize(render(field.model().apply(field.harmless())));
            List<List<String>> baselineCommands = commands(field.model().apply(field.harmless()));
            List<String> values = new ArrayList<>(CRAFTED);
            for (int i = 0; i < RANDOM_VALUES_PER_FIELD; i++) {
                values.add(i % 2 == 0 ? randomValue(random) : mutate(field.harmless(), random));
            }
            int[] acceptedRejected = new int[2];
            for (String value : values) {
                LbModel model;
                try {
                    model = field.model().apply(value);
                    List<String> problems = ConfigSafety.problems(model);
                    if (!problems.isEmpty()) {
                        throw new IllegalArgumentException(String.join("; ", problems));
                    }
                } catch (IllegalArgumentException rejected) {
                    assertThat(rejected.getMessage()).as("reason for rejecting %s", field.name()).isNotBlank();
                    acceptedRejected[1]++;
                    continue;
                }
                acceptedRejected[0]++;
                assertConfined(field, value, baseline, tokenize(render(model)));
                assertConfined(field, value, baselineCommands, commands(model));
            }
            counts.put(field.name(), acceptedRejected);
        }
        counts.forEach((field, c) -> assertThat(c[1]).as("%s rejects some values", field).isPositive());
        counts.forEach((field, c) -> assertThat(c[0]).as("%s accepts some values", field).isPositive());
    }

    /** A Runtime API command built around one value: a harmless value and how to build it around any value. */
    private record CommandField(String name, String harmless, Function<String, RuntimeCommand> command) {
    }

    private static List<CommandField> commandFields() {
        String be = "be_default.shop.1";
        return List.of(
                new CommandField("set map: host", "shop.example.com", v -> new RuntimeCommand.MapEntry(false, MAP, HostName.of(v), be)),
                new CommandField("set map: section", be, v -> new RuntimeCommand.MapEntry(false, MAP, HostName.of("shop.example.com"), v)),
                new CommandField("set map: map file", MAP, v -> new RuntimeCommand.MapEntry(false, v, HostName.of("shop.example.com"), be)),
                new CommandField("add map: host", "shop.example.com", v -> new RuntimeCommand.MapEntry(true, MAP, HostName.of(v), be)),
                new CommandField("del map: host", "shop.example.com", v -> new RuntimeCommand.DeleteMapEntry(MAP, HostName.of(v))),
                new CommandField("add server: section", be, v -> new RuntimeCommand.AddServer(v, "s1", "10.0.0.1", 8080, true)),
                new CommandField("add server: name", "s1", v -> new RuntimeCommand.AddServer(be, v, "10.0.0.1", 8080, true)),
                new CommandField("add server: address", "10.0.0.1", v -> new RuntimeCommand.AddServer(be, "s1", v, 8080, true)),
                new CommandField("set server addr: address", "10.0.0.1", v -> new RuntimeCommand.SetServerAddress(be, "s1", v, 8080)),
                new CommandField("enable server: name", "s1", v -> RuntimeCommand.enableServer(be, v)),
                new CommandField("enable health: name", "s1", v -> RuntimeCommand.enableHealth(be, v)),
                new CommandField("set server state: name", "s1", v -> RuntimeCommand.maintenance(be, v)),
                new CommandField("shutdown sessions: name", "s1", v -> RuntimeCommand.shutdownSessions(be, v)),
                new CommandField("del server: section", be, v -> RuntimeCommand.delete(v, "s1")));
    }

    @Test
    void everyRuntimeApiCommandRefusesAWordThatWouldChangeItsMeaning() {
        Random random = new Random(SEED + 1);
        for (CommandField field : commandFields()) {
            List<List<String>> baseline = List.of(List.of(field.command().apply(field.harmless()).line().split(" ", -1)));
            List<String> values = new ArrayList<>(CRAFTED);
            for (int i = 0; i < RANDOM_VALUES_PER_FIELD / 3; i++) {
                values.add(i % 2 == 0 ? randomValue(random) : mutate(field.harmless(), random));
            }
            int rejected = 0;
            for (String value : values) {
                String line;
                try {
                    line = field.command().apply(value).line();
                } catch (IllegalArgumentException refused) {
                    assertThat(refused.getMessage()).as("reason for refusing %s", field.name()).isNotBlank();
                    rejected++;
                    continue;
                }
                assertThat(line).as("%s '%s'", field.name(), value).doesNotContain(";", "\\", "\n", "\r", "#", "\"", "'");
                assertConfined(new Field(field.name(), field.harmless(), null), value, baseline,
                        List.of(List.of(line.split(" ", -1))));
            }
            assertThat(rejected).as("%s refuses some values", field.name()).isPositive();
        }
    }

    @Test
    void acceptedValuesWithSpacesAndPunctuationStillMakeAValidConfig(@TempDir Path dir) throws Exception {
        List<HttpHeader> headers = new ArrayList<>();
        Random random = new Random(SEED);
        while (headers.size() < 200) {
            String value = mutate("max-age=31536000; includeSubDomains", random);
            try {
                headers.add(new HttpHeader("X-H" + headers.size(), value));
            } catch (IllegalArgumentException rejected) {
                assertThat(rejected.getMessage()).isNotBlank();
            }
        }
        FrontendSpec spec = new FrontendSpec(HostName.of("shop.example.com"), true, true, headers, true, TlsMode.HTTP_ONLY, null);
        LbModel model = new LbModel(List.of(new FrontendConfig(spec, "default-shop-1")),
                List.of(new BackendConfig(new BackendSpec("default-shop-1", List.of(new ServerSpec("s1", "10.0.0.1", 8080)), false,
                        headers, "/a/b.c;d=e:f@g"), SHOP)));
        Path file = RenderedConfigIsValidTest.writeWithMap(dir, model, settings);

        assertThat(new ConfigValidator(RenderedConfigIsValidTest.HAPROXY).problems(file)).isNull();
    }

    /** The file followed by the hosts map. */
    private String render(LbModel model) {
        ProxyLayout layout = LayoutPlanner.plan(model, List.of(), true);
        return renderer.render(layout, settings, MAP) + renderer.renderMap(layout);
    }

    /** The Runtime API commands that bring an empty HAProxy of the same structure to the model, as words. */
    private static List<List<String>> commands(LbModel model) {
        ProxyLayout layout = LayoutPlanner.plan(model, List.of(), true);
        RuntimeState empty = new RuntimeState(Map.of(), Map.of());
        return RuntimePlan.between(empty, layout, MAP, HealthCheckInterval.DEFAULT_MILLIS).commands().stream()
                .map(c -> List.of(c.line().split(" ", -1))).toList();
    }

    private static void assertConfined(Field field, String value, List<List<String>> baseline, List<List<String>> actual) {
        if (actual.size() != baseline.size()) {
            fail("%s '%s' changed the number of lines: %d instead of %d", field.name(), value, actual.size(), baseline.size());
        }
        String needle = field.harmless();
        for (int line = 0; line < baseline.size(); line++) {
            List<String> expected = baseline.get(line);
            List<String> got = actual.get(line);
            if (got.size() != expected.size() || (!expected.isEmpty() && !got.get(0).equals(expected.get(0))
                    && !got.get(0).equals(expected.get(0).replace(needle, value))
                    && !got.get(0).equals(expected.get(0).replace(needle, value.toLowerCase(java.util.Locale.ROOT))))) {
                fail("%s '%s' changed line %d from %s to %s", field.name(), value, line + 1, expected, got);
            }
            for (int word = 0; word < expected.size(); word++) {
                String before = expected.get(word);
                String after = got.get(word);
                if (!before.equals(after)) {
                    String confined = before.replace(needle, value);
                    String confinedLower = before.replace(needle.toLowerCase(java.util.Locale.ROOT),
                            value.toLowerCase(java.util.Locale.ROOT));
                    String ipv6Server = "ipv6@[" + value + "]:8080";
                    String ipv6Command = before.replace(needle, "ipv6@[" + value + "]");
                    assertThat(after).as("%s '%s' on line %d", field.name(), value, line + 1)
                            .isIn(confined, confinedLower, ipv6Server, ipv6Command);
                }
            }
        }
    }

    /**
     * Splits a file into lines of words the way HAProxy reads it: blanks separate words, double and
     * single quotes group, a backslash escapes, {@code #} outside quotes starts a comment. A
     * {@code $} inside double quotes would be expanded by HAProxy: it is kept so a difference shows.
     */
    static List<List<String>> tokenize(String config) {
        List<List<String>> lines = new ArrayList<>();
        for (String line : config.split("\n", -1)) {
            List<String> words = new ArrayList<>();
            StringBuilder word = null;
            char quote = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote == 0 && c == '#') {
                    break;
                }
                if (c == '\\' && quote != '\'' && i + 1 < line.length()) {
                    word = word == null ? new StringBuilder() : word;
                    word.append(line.charAt(++i));
                } else if (quote != 0 && c == quote) {
                    quote = 0;
                } else if (quote == 0 && (c == '"' || c == '\'')) {
                    quote = c;
                    word = word == null ? new StringBuilder() : word;
                } else if (quote == 0 && (c == ' ' || c == '\t' || c == '\r')) {
                    if (word != null) {
                        words.add(word.toString());
                        word = null;
                    }
                } else {
                    word = word == null ? new StringBuilder() : word;
                    word.append(c);
                }
            }
            if (word != null) {
                words.add(word.toString());
            }
            lines.add(words);
        }
        return lines;
    }

    private static String randomValue(Random random) {
        int length = random.nextInt(40);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 5) {
                out.append((char) ('a' + random.nextInt(26)));
            } else if (kind < 6) {
                out.append((char) ('0' + random.nextInt(10)));
            } else if (kind < 9) {
                out.append(SPECIALS.charAt(random.nextInt(SPECIALS.length())));
            } else {
                out.append(UNICODE[random.nextInt(UNICODE.length)]);
            }
        }
        return out.toString();
    }

    /** A valid value with one character inserted, replaced or appended: the cases near the boundary. */
    private static String mutate(String valid, Random random) {
        String pool = SPECIALS + "aZ09" + String.join("", UNICODE);
        int at = random.nextInt(valid.length() + 1);
        int cp = pool.codePointAt(pool.offsetByCodePoints(0, random.nextInt(pool.codePointCount(0, pool.length()))));
        String insert = new String(Character.toChars(cp));
        return random.nextBoolean()
                ? valid.substring(0, at) + insert + valid.substring(at)
                : valid.substring(0, at) + insert + valid.substring(Math.min(valid.length(), at + 1));
    }
}
