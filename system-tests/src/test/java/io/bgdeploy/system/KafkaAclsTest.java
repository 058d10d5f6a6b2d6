package io.bgdeploy.system;

import io.bgdeploy.events.Topics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kafka/acls.sh, the ACLs a production Kafka cluster needs, checked against the code: every
 * channel of every service (its topic, consumer group and dead-letter topic) and the deployer's
 * live tails are allowed to that service's principal; only CI writes deploy-requests and only the
 * deployer reads them; nothing names a topic the suite does not have.
 */
class KafkaAclsTest {

    record Acl(String principal, String operation, String resourceType, String name) {
        @Override
        public String toString() {
            return principal + " " + operation + " " + resourceType + " " + name;
        }
    }

    private static final Pattern ALLOW = Pattern.compile("allow\\s+([a-z][a-z-]*)\\s+(Read|Write)\\s+(topic|group)\\s+([a-z][a-z-]*)\\s*");
    private static final Pattern CHANNEL = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(topic|group\\.id|dead-letter-queue\\.topic)");

    static Path root;
    static List<Acl> acls;

    @BeforeAll
    static void read() throws IOException {
        root = DockerComposeFileTest.repositoryRoot();
        acls = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("deploy/kafka/acls.sh"))) {
            if (line.startsWith("allow ")) {
                Matcher m = ALLOW.matcher(line);
                assertThat(m.matches()).as("'%s' is: allow <principal> Read|Write topic|group <name>", line).isTrue();
                acls.add(new Acl(m.group(1), m.group(2), m.group(3), m.group(4)));
            }
        }
        assertThat(acls).isNotEmpty();
    }

    @Test
    void everyTopicNamedIsATopicOfTheSuite() {
        Set<String> topics = new TreeSet<>(Topics.ALL);
        Topics.ALL.forEach(t -> topics.add(Topics.dlq(t)));
        assertThat(acls).filteredOn(a -> a.resourceType().equals("topic")).extracting(Acl::name).allMatch(topics::contains);
        assertThat(acls).doesNotHaveDuplicates();
    }

    @Test
    void everyChannelOfEveryServiceIsAllowedToItsPrincipal() {
        for (String module : DockerComposeFileTest.SERVICE_MODULES) {
            DockerComposeFileTest.ServiceSettings settings = DockerComposeFileTest.ServiceSettings.of(root, module);
            List<Acl> expected = new ArrayList<>();
            for (String key : settings.keys()) {
                Matcher m = CHANNEL.matcher(key);
                if (!m.matches()) {
                    continue;
                }
                String value = settings.value(key).trim();
                switch (m.group(3)) {
                    case "topic" -> expected.add(new Acl(module, m.group(1).equals("incoming") ? "Read" : "Write", "topic", value));
                    case "group.id" -> expected.add(new Acl(module, "Read", "group", value));
                    default -> expected.add(new Acl(module, "Write", "topic", value));
                }
            }
            settings.keys().stream().filter(k -> !k.startsWith("%") && k.endsWith(".group-id"))
                    .forEach(k -> expected.add(new Acl(module, "Read", "group", settings.value(k).trim())));
            assertThat(expected).as("%s uses Kafka", module).isNotEmpty();
            assertThat(acls).as("ACLs of %s", module).containsAll(expected);
        }
    }

    @Test
    void theDeployersLiveTailsMayReadTheirTopicsAndWriteTheirDeadLetters() throws IOException {
        Path liveTails;
        try (Stream<Path> files = Files.walk(root.resolve("deployer-service/src/main/java"))) {
            liveTails = files.filter(f -> f.getFileName().toString().equals("LiveTails.java")).findFirst().orElseThrow();
        }
        Matcher m = Pattern.compile("LiveTail\\.start\\([^,]+,\\s*Topics\\.([A-Z_]+)").matcher(Files.readString(liveTails));
        Set<String> tailed = new TreeSet<>();
        while (m.find()) {
            try {
                tailed.add((String) Topics.class.getField(m.group(1)).get(null));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("Topics." + m.group(1), e);
            }
        }
        assertThat(tailed).as("topics the deployer tails (%s)", liveTails).isNotEmpty();
        for (String topic : tailed) {
            assertThat(acls).contains(new Acl("deployer-service", "Read", "topic", topic),
                    new Acl("deployer-service", "Write", "topic", Topics.dlq(topic)));
        }
    }

    @Test
    void onlyCiWritesDeployRequestsOnlyTheDeployerReadsThemAndCiMayDoNothingElseButReadTheAnswers() {
        assertThat(principals("Write", Topics.DEPLOY_REQUESTS)).containsExactly("ci");
        assertThat(principals("Read", Topics.DEPLOY_REQUESTS)).containsExactly("deployer-service");
        assertThat(acls).filteredOn(a -> a.principal().equals("ci")).containsExactlyInAnyOrder(
                new Acl("ci", "Write", "topic", Topics.DEPLOY_REQUESTS), new Acl("ci", "Read", "topic", Topics.DEPLOY_EVENTS));
    }

    private static Set<String> principals(String operation, String topic) {
        return acls.stream().filter(a -> a.operation().equals(operation) && a.resourceType().equals("topic") && a.name().equals(topic))
                .map(Acl::principal).collect(Collectors.toCollection(TreeSet::new));
    }
}
