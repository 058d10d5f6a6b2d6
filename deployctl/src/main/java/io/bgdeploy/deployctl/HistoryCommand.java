package io.bgdeploy.deployctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code deployctl history APP}: the app's deployments, newest first. */
@Command(name = "history", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false, usageHelpAutoWidth = true,
        description = "Lists the app's deployments, newest first: id, version, status, last phase, who asked, why it failed.")
final class HistoryCommand extends AppCommand {

    private static final List<String> FIELDS = List.of("id", "version", "status", "phase", "created", "lastModified",
            "requestedBy", "reason");

    @Option(names = "--limit", paramLabel = "N", defaultValue = "10", description = "At most N deployments. Default: ${DEFAULT-VALUE}")
    int limit;

    HistoryCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    Outcome run(DeployerApi api, Printer printer)
            throws IOException, InterruptedException, DeployerApi.UnexpectedAnswer, DeployerApi.Refused {
        JsonNode deployments = deployments(api, printer, Math.max(1, Math.min(limit, 1000)));
        List<Map<String, String>> rows = new ArrayList<>();
        for (JsonNode d : deployments) {
            Map<String, String> row = new LinkedHashMap<>();
            FIELDS.forEach(f -> row.put(f, text(d, f)));
            rows.add(row);
            printer.progress().accept(String.format("%-24s %-18s version %-6s %-10s %-18s by %s%s", row.get("created"),
                    row.get("id"), row.get("version"), row.get("status"), row.get("phase") == null ? "" : row.get("phase"),
                    row.get("requestedBy"), row.get("reason") == null ? "" : ": " + row.get("reason")));
        }
        String summary = rows.size() + " deployment(s) of " + key();
        printer.progress().accept(summary);
        return Outcome.ok(summary).with("key", key()).with("deployments", rows);
    }
}
