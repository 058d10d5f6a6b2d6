package io.bgdeploy.deployctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bgdeploy.events.EventCodec;

import java.util.Map;
import java.util.function.Consumer;

/**
 * How a command reports, per {@code --output}. {@code text}: progress lines on standard output, as
 * a CI log shows them, one line per step. {@code json}: the progress lines go to standard error and
 * standard output carries only JSON (one document per command; one per line for {@code watch}),
 * for {@code jq} and the like.
 */
final class Printer {

    private final Terminal terminal;
    private final OutputOption.Format format;

    Printer(Terminal terminal, OutputOption.Format format) {
        this.terminal = terminal;
        this.format = format;
    }

    boolean json() {
        return format == OutputOption.Format.JSON;
    }

    /** A progress line. */
    Consumer<String> progress() {
        return json() ? terminal.err()::println : terminal.out()::println;
    }

    /** A line about something that went wrong but did not end the command. */
    Consumer<String> warnings() {
        return terminal.err()::println;
    }

    /** One JSON document on a line of standard output. */
    void jsonLine(Map<String, Object> document) {
        try {
            terminal.out().println(EventCodec.mapper().writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** Ends the command: the result as JSON, or the reason it could not run; returns the exit status. */
    int end(Outcome outcome) {
        if (json()) {
            jsonLine(outcome.asJson());
        } else if (outcome.exitCode() == Outcome.CANNOT_RUN) {
            terminal.err().println("deployctl: " + outcome.summary());
        }
        terminal.out().flush();
        return outcome.exitCode();
    }
}
