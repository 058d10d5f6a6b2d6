package io.bgdeploy.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Graylog can run on the build machines, so this reads the content pack that Compose installs
 * (and that a user imports into an existing Graylog) and checks it against the code: the GELF HTTP
 * input is where log-shipper sends and takes its requests, the stream and the dashboard use
 * fields the shipper writes, and the pack's references hold together.
 */
class GraylogContentPackTest {

    private static final Path LOG_SHIPPER = Path.of("log-shipper/src/main/java/io/bgdeploy/logshipper");

    static Path root;
    static JsonNode pack;

    @BeforeAll
    static void read() throws IOException {
        DockerComposeFileTest.read();
        root = DockerComposeFileTest.repositoryRoot();
        pack = new ObjectMapper().readTree(root.resolve("deploy/graylog/bgdeploy-content-pack.json").toFile());
    }

    /** The default of a log-shipper setting, read from its @ConfigMapping interface. */
    static int logShipperDefault(String method) {
        String source = DockerComposeFileTest.read(DockerComposeFileTest.repositoryRoot().resolve(LOG_SHIPPER)
                .resolve("config/LogShipperConfig.java"));
        Matcher m = Pattern.compile("@WithDefault\\(\"(\\d+)\"\\)\\s+int " + method + "\\(\\)").matcher(source);
        assertThat(m.find()).as("default of %s in LogShipperConfig", method).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** The default port of the content pack's GELF HTTP input. */
    static int gelfHttpPort() {
        try {
            JsonNode parameters = new ObjectMapper().readTree(DockerComposeFileTest.repositoryRoot()
                    .resolve("deploy/graylog/bgdeploy-content-pack.json").toFile()).get("parameters");
            for (JsonNode p : parameters) {
                if (p.get("name").asText().equals("GELF_HTTP_PORT")) {
                    return p.get("default_value").asInt();
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("the content pack declares no GELF_HTTP_PORT");
    }

    /** The fields Graylog stores for every shipped message: GELF's additional fields without their underscore. */
    static Set<String> shippedFields() {
        String mapper = DockerComposeFileTest.read(root.resolve(LOG_SHIPPER).resolve("model/GelfMapper.java"));
        Matcher m = Pattern.compile("public static final String \\w+ = \"_([\\w.\\-]+)\";").matcher(mapper);
        Set<String> fields = new TreeSet<>(Set.of("source", "message", "full_message", "timestamp", "level"));
        while (m.find()) {
            fields.add(m.group(1));
        }
        assertThat(fields).contains("app", "version", "namespace", "pod");
        return fields;
    }

    private static JsonNode entity(String type) {
        List<JsonNode> found = new ArrayList<>();
        pack.get("entities").forEach(e -> {
            if (type.equals(e.path("type").path("name").asText())) {
                found.add(e);
            }
        });
        assertThat(found).as("%s entities in the content pack", type).hasSize(1);
        return found.get(0);
    }

    private static JsonNode value(JsonNode reference) {
        return reference.get("@value");
    }

    @Test
    void isAVersion1ContentPackForTheGraylogOfCompose() {
        assertThat(pack.get("v").asInt()).isEqualTo(1);
        assertThat(pack.get("rev").asInt()).isPositive();
        assertThat(pack.get("id").asText()).matches("[0-9a-f-]{36}");
        Set<String> ids = new HashSet<>();
        pack.get("entities").forEach(e -> {
            assertThat(ids.add(e.get("id").asText())).as("entity ids are unique").isTrue();
            assertThat(e.get("constraints").get(0).get("version").asText()).isEqualTo(">=6.1.0");
        });
        String graylogImage = String.valueOf(DockerComposeFileTest.services.get("graylog").get("image"));
        assertThat(graylogImage).startsWith("graylog/graylog:6.");
    }

    @Test
    void theInputIsGelfHttpInBulkModeWhereLogShipperSendsAndBigEnoughForItsRequests() {
        JsonNode input = entity("input").get("data");
        assertThat(value(input.get("type")).asText()).isEqualTo("org.graylog2.inputs.gelf.http.GELFHttpInput");
        assertThat(value(input.get("global")).asBoolean()).isTrue();
        JsonNode config = input.get("configuration");
        assertThat(value(config.get("enable_bulk_receiving")).asBoolean())
                .as("log-shipper sends newline-separated messages in one request").isTrue();
        assertThat(value(config.get("max_chunk_size")).asInt()).as("max_chunk_size against logshipper.shipper.http-batch-bytes")
                .isGreaterThanOrEqualTo(logShipperDefault("httpBatchBytes"));
        assertThat(value(config.get("decompress_size_limit")).asInt()).isGreaterThanOrEqualTo(value(config.get("max_chunk_size")).asInt());

        assertThat(config.get("port").get("@type").asText()).isEqualTo("parameter");
        String parameter = value(config.get("port")).asText();
        JsonNode declared = null;
        for (JsonNode p : pack.get("parameters")) {
            if (p.get("name").asText().equals(parameter)) {
                declared = p;
            }
        }
        assertThat(declared).as("parameter %s", parameter).isNotNull();
        URI gelf = URI.create(DockerComposeFileTest.environment(DockerComposeFileTest.services.get("log-shipper")).get("GRAYLOG_GELF_URL"));
        assertThat(declared.get("default_value").asInt()).as("the input's default port is the one Compose ships to").isEqualTo(gelf.getPort());
        assertThat(DockerComposeFileTest.environment(DockerComposeFileTest.services.get("graylog-init")))
                .containsEntry(parameter, String.valueOf(gelf.getPort()));
    }

    @Test
    void theStreamHoldsTheMessagesThatCarryTheFieldsEveryShippedLineHas() {
        JsonNode stream = entity("stream").get("data");
        assertThat(value(stream.get("matching_type")).asText()).isEqualTo("AND");
        assertThat(stream.get("stream_rules")).isNotEmpty();
        Set<String> shipped = shippedFields();
        for (JsonNode rule : stream.get("stream_rules")) {
            assertThat(value(rule.get("type")).asText()).isEqualTo("PRESENCE");
            assertThat(shipped).as("stream rule field").contains(value(rule.get("field")).asText());
        }
        String mapper = DockerComposeFileTest.read(root.resolve(LOG_SHIPPER).resolve("model/GelfMapper.java"));
        assertThat(mapper).as("the fields of the stream rules are set on every message")
                .contains("fields.put(NAMESPACE, record.namespace());", "fields.put(POD, record.pod());",
                        "fields.put(CONTAINER, record.container());");
    }

    @Test
    void theDashboardCountsMessagesAndErrorsPerAppAndVersionOfTheStream() {
        JsonNode dashboard = entity("dashboard");
        assertThat(dashboard.get("type").get("version").asText()).isEqualTo("2");
        String streamId = entity("stream").get("id").asText();
        JsonNode data = dashboard.get("data");
        assertThat(data.get("type").asText()).isEqualTo("DASHBOARD");
        JsonNode query = data.get("search").get("queries").get(0);
        JsonNode state = data.get("state").get(query.get("id").asText());
        assertThat(state).as("dashboard state of query %s", query.get("id")).isNotNull();

        Set<String> searchTypes = new HashSet<>();
        Set<String> shipped = shippedFields();
        for (JsonNode st : query.get("search_types")) {
            searchTypes.add(st.get("id").asText());
            assertThat(st.get("streams")).extracting(JsonNode::asText).containsExactly(streamId);
            for (String groups : List.of("row_groups", "column_groups")) {
                st.get(groups).forEach(g -> g.get("fields").forEach(f -> assertThat(shipped).contains(f.asText())));
            }
        }
        List<String> pivots = new ArrayList<>();
        List<String> queries = new ArrayList<>();
        for (JsonNode widget : state.get("widgets")) {
            String id = widget.get("id").asText();
            assertThat(widget.get("streams")).extracting(JsonNode::asText).containsExactly(streamId);
            assertThat(state.get("widget_mapping").get(id)).as("search types of widget %s", id).isNotEmpty()
                    .allSatisfy(st -> assertThat(searchTypes).contains(st.asText()));
            assertThat(state.get("positions").has(id)).isTrue();
            assertThat(state.get("titles").get("widget").get(id).asText()).isNotBlank();
            widget.get("config").get("row_pivots").forEach(p -> pivots.add(p.get("fields").toString()));
            queries.add(widget.get("query").isNull() ? "" : widget.get("query").get("query_string").asText());
        }
        assertThat(pivots).contains("[\"app\",\"version\"]");
        String errors = "level:<=" + errorLevel();
        assertThat(queries).as("widgets of all messages and of errors").contains("", errors);
    }

    /** The syslog level the shipper gives stderr lines that state none, and error lines: 3. */
    private static int errorLevel() {
        String levels = DockerComposeFileTest.read(root.resolve(LOG_SHIPPER).resolve("model/GelfLevels.java"));
        Matcher m = Pattern.compile("public static final int ERROR = (\\d+);").matcher(levels);
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
