package io.bgdeploy.deployctl;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** How a command reaches the deployer's REST API: its URL and the bearer token. */
final class DeployerOptions {

    static final String URL_VARIABLE = "DEPLOYER_URL";
    static final String TOKEN_VARIABLE = "DEPLOYCTL_TOKEN";

    @Option(names = "--deployer", paramLabel = "URL", converter = Converters.BaseUrlConverter.class,
            description = "The deployer's base URL, e.g. http://deployer:8080. Default: $" + URL_VARIABLE)
    URI url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Bearer token for the REST API: the file's first non-empty line. Default: the token in $" + TOKEN_VARIABLE)
    Path tokenFile;

    /** The URL given or from the environment; empty when neither. */
    Optional<URI> url(Terminal terminal) {
        if (url != null) {
            return Optional.of(url);
        }
        String fromEnv = terminal.env(URL_VARIABLE, null);
        return fromEnv == null ? Optional.empty() : Optional.of(new Converters.BaseUrlConverter().convert(fromEnv));
    }

    /** The token: from --token-file, else from the environment; none for a deployer without auth. */
    Optional<String> token(Terminal terminal) throws IOException {
        if (tokenFile != null) {
            return Optional.of(readToken(tokenFile));
        }
        return Optional.ofNullable(terminal.env(TOKEN_VARIABLE, null)).map(String::strip);
    }

    /** The first non-empty line of the token file. */
    static String readToken(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(l -> !l.isEmpty()).findFirst()
                .orElseThrow(() -> new IOException("token file " + file + " is empty"));
    }
}
