package io.bgdeploy.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/grafana/bgdeploy-dashboard.json is valid, every panel queries Prometheus, and every
 * metric a query names is one the services expose: a meter registered in a service's code
 * (Micrometer name, dots to underscores, with the Prometheus suffix of its type) or one of the
 * few that Quarkus' Micrometer binders register for every service (HTTP server, Kafka clients,
 * JVM), as scraped from /q/metrics of the running services, or one of HAProxy's own exporter.
 */
class GrafanaDashboardTest {

    /** Registered by quarkus-micrometer's binders in every service (seen on /q/metrics). */
    static final Set<String> FRAMEWORK_METRICS = Set.of(
            "http_server_requests_seconds_count", "http_server_requests_seconds_sum", "http_server_requests_seconds_max",
            "kafka_consumer_fetch_manager_records_lag_max", "kafka_consumer_fetch_manager_records_consumed_total",
            "jvm_memory_used_bytes", "jvm_memory_max_bytes", "process_cpu_usage");

    /**
     * Served by HAProxy's own Prometheus exporter, which the rendered haproxy.cfg enables on the
     * stats listener (names as HAProxy 2.6 on this machine serves them).
     */
    static final Set<String> HAPROXY_METRICS = Set.of("haproxy_frontend_http_responses_total",
            "haproxy_backend_http_responses_total", "haproxy_backend_active_servers");

    /** What Micrometer's Prometheus registry appends to a meter's name, by meter type. */
    static final List<String> SUFFIXES = List.of("", "_total", "_seconds_count", "_seconds_sum", "_seconds_max",
            "_seconds_bucket", "_count", "_sum", "_max", "_bucket", "_seconds", "_bytes");

    private static final Pattern METER = Pattern.compile(
            "(?:\\.builder|\\bcounter|\\btimer|\\bgauge|\\bsummary|@Counted|@Timed)\\(\\s*(?:value\\s*=\\s*|name\\s*=\\s*)?\"([a-z][a-z0-9_.]*)\"");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "and", "or", "unless", "inf", "nan");

    static Path root;
    static JsonNode dashboard;

    @BeforeAll
    static void read() throws IOException {
        root = DockerComposeFileTest.repositoryRoot();
        dashboard = new ObjectMapper().readTree(root.resolve("deploy/grafana/bgdeploy-dashboard.json").toFile());
    }

    @Test
    void isADashboardWithPanelsThatQueryPrometheus() {
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("uid").asText()).matches("[a-zA-Z0-9_-]{1,40}");
        assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
        assertThat(dashboard.path("templating").path("list").findValuesAsText("name")).contains("datasource");

        List<JsonNode> queryPanels = queryPanels();
        assertThat(queryPanels).hasSizeGreaterThanOrEqualTo(10);
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique").isTrue();
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
        }
        for (JsonNode panel : queryPanels) {
            String title = panel.path("title").asText();
            assertThat(title).isNotBlank();
            assertThat(panel.path("datasource").path("type").asText()).as(title).isEqualTo("prometheus");
            assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(title).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as(title).isNotBlank();
                assertThat(balanced(target.path("expr").asText())).as("brackets of %s", target.path("expr").asText()).isTrue();
            }
        }
    }

    @Test
    void everyMetricItQueriesIsExposedByTheServices() throws IOException {
        Set<String> meters = metersInCode();
        assertThat(meters).as("meters registered in the services' code").isNotEmpty();
        Map<String, String> unknown = new LinkedHashMap<>();
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : queryPanels()) {
            for (JsonNode target : panel.path("targets")) {
                for (String metric : metricNames(target.path("expr").asText())) {
                    used.add(metric);
                    if (!FRAMEWORK_METRICS.contains(metric) && !HAPROXY_METRICS.contains(metric) && !fromCode(metric, meters)) {
                        unknown.put(metric, panel.path("title").asText());
                    }
                }
            }
        }
        assertThat(unknown).as("metrics no service exposes (metric -> panel); meters in code: %s", meters).isEmpty();
        assertThat(used).as("the dashboard covers HTTP, Kafka lag and the probe latency histogram")
                .contains("http_server_requests_seconds_count", "kafka_consumer_fetch_manager_records_lag_max",
                        "health_probe_latency_seconds_bucket");
        if (used.stream().anyMatch(HAPROXY_METRICS::contains)) {
            assertThat(DockerComposeFileTest.read(root.resolve(
                    "lb-agent/src/main/resources/io/bgdeploy/lbagent/render/haproxy.cfg.qute")))
                    .as("the rendered haproxy.cfg serves the HAProxy metrics the dashboard shows")
                    .contains("use-service prometheus-exporter");
        }
        for (String module : DockerComposeFileTest.SERVICE_MODULES) {
            assertThat(DockerComposeFileTest.read(root.resolve(module).resolve("pom.xml")))
                    .as("%s exposes Prometheus metrics", module).contains("quarkus-micrometer-registry-prometheus");
            DockerComposeFileTest.ServiceSettings settings = DockerComposeFileTest.ServiceSettings.of(root, module);
            for (String binder : List.of("http-server", "kafka", "jvm")) {
                assertThat(settings.value("quarkus.micrometer.binder." + binder + ".enabled"))
                        .as("%s keeps the %s metrics the dashboard shows", module, binder).isNotEqualTo("false");
            }
        }
    }

    @Test
    void metricNamesAreReadFromQueriesWithoutFunctionsLabelsOrRanges() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (le) (rate(health_probe_latency_seconds_bucket[$__rate_interval])))"))
                .containsExactly("health_probe_latency_seconds_bucket");
        assertThat(metricNames("sum by (job, uri) (rate(http_server_requests_seconds_count{status=~\"5..\", uri!=\"/q/x\"}[5m])) / 60"))
                .containsExactly("http_server_requests_seconds_count");
        assertThat(fromCode("health_probes_total", Set.of("health.probes"))).isTrue();
        assertThat(fromCode("health_probes_bogus", Set.of("health.probes"))).isFalse();
    }

    static List<JsonNode> queryPanels() {
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (!"row".equals(panel.path("type").asText())) {
                result.add(panel);
            }
            for (JsonNode nested : panel.path("panels")) {
                result.add(nested);
            }
        }
        return result;
    }

    /** Metric names of a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(?=\\s*(\\()?)").matcher(e);
        while (m.find()) {
            boolean function = m.group(1) != null;
            String word = m.group();
            if (!function && !PROMQL_WORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    static boolean fromCode(String metric, Set<String> meters) {
        for (String meter : meters) {
            String base = meter.replace('.', '_');
            for (String suffix : SUFFIXES) {
                if (metric.equals(base + suffix)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Names of the meters the services register: Counter.builder("x"), registry.timer("x"), @Counted("x"), ... */
    static Set<String> metersInCode() throws IOException {
        Set<String> meters = new TreeSet<>();
        for (String module : DockerComposeFileTest.SERVICE_MODULES) {
            try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(file);
                    if (!source.contains("io.micrometer")) {
                        continue;
                    }
                    Matcher m = METER.matcher(source);
                    while (m.find()) {
                        meters.add(m.group(1));
                    }
                }
            }
        }
        return meters;
    }

    private static boolean balanced(String expr) {
        int depth = 0;
        for (char c : expr.toCharArray()) {
            depth += c == '(' || c == '{' || c == '[' ? 1 : c == ')' || c == '}' || c == ']' ? -1 : 0;
            if (depth < 0) {
                return false;
            }
        }
        return depth == 0;
    }
}
