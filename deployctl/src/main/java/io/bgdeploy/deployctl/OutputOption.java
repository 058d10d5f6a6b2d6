package io.bgdeploy.deployctl;

import picocli.CommandLine.Option;

/** {@code -o/--output text|json}, on every command. */
final class OutputOption {

    enum Format {
        TEXT, JSON
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (progress lines for a CI log) or json (progress on stderr, the result as JSON on stdout)."
                    + " Default: ${DEFAULT-VALUE}")
    Format format = Format.TEXT;

    @Option(names = "--verbose", description = "Also print the Kafka client's warnings.")
    boolean verbose;

    Printer printer(Terminal terminal) {
        return new Printer(terminal, format);
    }
}
