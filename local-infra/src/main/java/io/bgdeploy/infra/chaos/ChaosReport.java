package io.bgdeploy.infra.chaos;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The chaos run's figures as a Markdown table, one row per fault, and a line of totals. */
public final class ChaosReport {

    private ChaosReport() {
    }

    public static String table(List<FaultResult> rows) {
        StringBuilder out = new StringBuilder();
        out.append("| fault | recovery | deployments DEPLOYED / FAILURE / stuck | versions serving (HAProxy) |"
                + " versions running (pods) | requests sent / failed (req/s) | longest without a 2xx | log lines written / received (lost) |"
                + " notes |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        rows.forEach(r -> out.append(row(r)).append('\n'));
        List<FaultResult> run = rows.stream().filter(FaultResult::wasRun).toList();
        LoadFigures total = run.stream().map(FaultResult::load).reduce(LoadFigures.NONE, LoadFigures::then);
        out.append(String.format(Locale.ROOT, "| **all %d rows run** | | %d / %d / %d | | | %s | %d s | %s | |%n",
                run.size(), run.stream().mapToInt(FaultResult::deployed).sum(),
                run.stream().mapToInt(FaultResult::failed).sum(), run.stream().mapToInt(FaultResult::stuck).sum(),
                load(total), run.stream().mapToLong(FaultResult::longestGap).max().orElse(0), lines(run.stream().mapToLong(FaultResult::linesWritten).sum(),
                        run.stream().mapToLong(FaultResult::linesReceived).sum())));
        return out.toString();
    }

    /** One fault's line of the table. */
    public static String row(FaultResult r) {
        if (!r.wasRun()) {
            return String.format("| %s | %s | - | - | - | - | - | - | %s |", cell(r.fault()), cell(r.recovery()),
                    cell(String.join("; ", r.notes())));
        }
        return String.format(Locale.ROOT, "| %s | %s | %d / %d / %d | %s | %s | %s | %d s | %s | %s |",
                cell(r.fault()), cell(r.recovery()), r.deployed(), r.failed(), r.stuck(), versions(r.serving()),
                versions(r.running()), load(r.load()), r.longestGap(), lines(r.linesWritten(), r.linesReceived()),
                cell(String.join("; ", r.notes())));
    }

    /** Text in a cell: a '|' would end it, a line break the row. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replaceAll("\\s*\\R\\s*", " ");
    }

    private static String versions(Map<String, Set<String>> byApp) {
        if (byApp.isEmpty()) {
            return "none";
        }
        return byApp.entrySet().stream()
                .map(e -> e.getKey() + ": " + (e.getValue().isEmpty() ? "none" : String.join(", ", e.getValue())))
                .collect(Collectors.joining("; "));
    }

    private static String load(LoadFigures l) {
        String figures = String.format(Locale.ROOT, "%,d / %,d (%.0f/s)", l.sent(), l.failed(), l.perSecond());
        return l.refusedConnects() == 0 ? figures
                : figures + String.format(Locale.ROOT, "; %,d connects refused", l.refusedConnects());
    }

    private static String lines(long written, long received) {
        return String.format(Locale.ROOT, "%,d / %,d (%,d)", written, received, written - received);
    }
}
