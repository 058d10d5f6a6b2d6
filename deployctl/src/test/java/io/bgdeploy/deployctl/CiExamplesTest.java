package io.bgdeploy.deployctl;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The CI examples in examples/ci/ call deployctl with options it has, on a descriptor it accepts. */
class CiExamplesTest {

    static final Path EXAMPLES = Path.of("../examples/ci");

    @Test
    void theExampleDescriptorIsValidInEveryNamespaceItIsPromotedTo() throws Exception {
        for (String namespace : List.of("test", "production")) {
            var descriptor = DescriptorFile.read(EXAMPLES.resolve("descriptor.json"), Optional.of(namespace));
            assertThat(DescriptorFile.problems(descriptor)).as(namespace).isEmpty();
            assertThat(descriptor.podspec().toString()).contains("IMAGE_TAG");
        }
    }

    @Test
    void everyDeployctlCallInTheCiJobsParses() throws Exception {
        for (String file : List.of("github-actions.yml", "gitlab-ci.yml")) {
            List<List<String>> calls = deployctlCalls(Files.readString(EXAMPLES.resolve(file)));
            assertThat(calls).as(file).isNotEmpty();
            List<String> namespaces = new ArrayList<>();
            for (List<String> args : calls) {
                Options o = Options.parse(args, Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"));
                assertThat(o.descriptor()).as(file).hasToString("descriptor.json");
                assertThat(o.timeout()).as(file).isPositive();
                o.namespace().ifPresent(namespaces::add);
            }
            assertThat(String.join(" ", namespaces) + Files.readString(EXAMPLES.resolve(file)))
                    .as("%s deploys to test, then production", file).contains("test", "production");
        }
    }

    /** The arguments after "deployctl.jar", continuation lines joined, CI expressions as placeholders. */
    static List<List<String>> deployctlCalls(String yaml) {
        String joined = yaml.replaceAll("\\\\\\n\\s*", " ").replaceAll("\\n\\s{8,}--", " --");
        List<List<String>> calls = new ArrayList<>();
        Matcher m = Pattern.compile("java -jar deployctl\\.jar (deploy[^\\n]*)").matcher(joined);
        while (m.find()) {
            String line = m.group(1).replaceAll("\\$\\{\\{[^}]*}}", "x").replaceAll("\\$\\w+", "x");
            List<String> args = new ArrayList<>();
            Matcher token = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
            while (token.find()) {
                args.add(token.group(1) != null ? token.group(1) : token.group(2));
            }
            calls.add(args);
        }
        return calls;
    }
}
