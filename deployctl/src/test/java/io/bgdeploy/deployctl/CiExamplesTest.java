package io.bgdeploy.deployctl;

import io.bgdeploy.events.deploy.Descriptor;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI examples in examples/ci/ as their CI server would run them: every deployctl command line,
 * with the CI's variables filled in, is read by deployctl's own parser, and the descriptor it would
 * send carries the build's image (no sed) and is one the deployer accepts.
 */
class CiExamplesTest {

    static final Path EXAMPLES = Path.of("../examples/ci");
    static final String BUILT_IMAGE = "registry.example.com/shop/web:4f1c2e9";
    static final List<String> CI_FILES = List.of("github-actions.yml", "gitlab-ci.yml", "Jenkinsfile");
    /** How each CI hands deployctl the namespace's signing key from its secret store, and for how many calls. */
    static final Map<String, String> SIGNING_KEY_FROM_SECRET = Map.of(
            "github-actions.yml", "DEPLOYCTL_SIGNING_KEY: ${{ secrets.DEPLOYCTL_SIGNING_KEY }}",
            "Jenkinsfile", "variable: 'DEPLOYCTL_SIGNING_KEY')]) {",
            "gitlab-ci.yml", "DEPLOYCTL_SIGNING_KEY, masked and protected, scoped to each environment");

    @Test
    void theExampleDescriptorIsValidInEveryNamespaceItIsPromotedTo() throws Exception {
        for (String namespace : List.of("test", "production")) {
            var descriptor = DescriptorFile.read(EXAMPLES.resolve("descriptor.json"), Optional.of(namespace),
                    List.of("image=" + BUILT_IMAGE));
            assertThat(DescriptorFile.problems(descriptor)).as(namespace).isEmpty();
        }
    }

    @Test
    void everyDeployctlCallDeploysTheBuiltImageToTestThenProduction() throws Exception {
        for (String file : CI_FILES) {
            String text = Files.readString(EXAMPLES.resolve(file));
            assertThat(text).as("%s edits no descriptor with sed", file).doesNotContain("sed ");
            List<List<String>> calls = deployctlCalls(text);
            assertThat(calls).as(file).hasSizeGreaterThanOrEqualTo(2);
            List<String> namespaces = new ArrayList<>();
            for (List<String> args : calls) {
                DeployCommand deploy = parse(args);
                Descriptor sent = DescriptorFile.read(EXAMPLES.resolve(deploy.descriptor.getFileName()),
                        Optional.ofNullable(deploy.namespace), deploy.overrides);
                assertThat(sent.podspec().get("containers").get(0).get("image").asText()).as(file).isEqualTo(BUILT_IMAGE);
                assertThat(DescriptorFile.problems(sent)).as(file).isEmpty();
                assertThat(deploy.timeout).as(file).isPositive();
                namespaces.add(sent.namespace());
            }
            assertThat(namespaces).as("%s deploys to test, then production", file).containsSubsequence("test", "production");
        }
    }

    @Test
    void everyDeployctlCallSignsWithTheKeyOfItsEnvironmentFromTheCisSecrets() throws Exception {
        for (String file : CI_FILES) {
            String text = Files.readString(EXAMPLES.resolve(file));
            String fromSecret = SIGNING_KEY_FROM_SECRET.get(file);
            int given = text.split(Pattern.quote(fromSecret), -1).length - 1;
            int calls = deployctlCalls(text).size();
            assertThat(given).as("%s hands deployctl DEPLOYCTL_SIGNING_KEY from a secret (%s)", file, fromSecret)
                    .isEqualTo(file.equals("gitlab-ci.yml") ? 1 : calls);
            assertThat(text).as("%s never holds a key itself", file).doesNotContainPattern("DEPLOYCTL_SIGNING_KEY\\s*[:=]\\s*[a-z-]+/");
        }
    }

    private static DeployCommand parse(List<String> args) {
        CommandLine cl = Main.commandLine(new Terminal(Map.of(), System.out, System.err));
        return (DeployCommand) cl.parseArgs(args.toArray(String[]::new)).subcommand().commandSpec().userObject();
    }

    /**
     * The arguments after "deployctl.jar" of every deploy call, continuation lines joined, the CI's
     * variables filled in ($IMAGE with the built image, GitLab's $NAMESPACE with the job's value,
     * anything else with a placeholder) and the shell's quotes removed.
     */
    static List<List<String>> deployctlCalls(String ci) {
        String joined = ci.replaceAll("\\\\\\n\\s*", " ").replaceAll("\\n\\s{8,}--", " --");
        List<String> gitlabNamespaces = new ArrayList<>();
        Matcher ns = Pattern.compile("NAMESPACE: (\\w+)").matcher(ci);
        while (ns.find()) {
            gitlabNamespaces.add(ns.group(1));
        }
        List<List<String>> calls = new ArrayList<>();
        Matcher m = Pattern.compile("java -jar deployctl\\.jar (deploy[^\\n']*)").matcher(joined);
        while (m.find()) {
            String line = m.group(1).replaceAll("\\$\\{\\{[^}]*}}", "x").replace("$IMAGE", BUILT_IMAGE)
                    .replaceAll(">.*$", "");
            List<String> variants = line.contains("$NAMESPACE")
                    ? gitlabNamespaces.stream().map(n -> line.replace("$NAMESPACE", n)).toList() : List.of(line);
            for (String call : variants) {
                calls.add(words(call.replaceAll("\\$\\w+", "x")));
            }
        }
        return calls;
    }

    /** Splits a shell command line into words: quotes group and are removed. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
