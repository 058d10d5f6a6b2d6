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
                + " versions running (pods) | requests sent / failed (req/s) | log lines written / received (lost) |"
                + " notes |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (FaultResult r : rows) {
            if (!r.wasRun()) {
                out.append(String.format("| %s | %s | - | - | - | - | - | %s |%n", r.fault(), r.recovery(),
                        String.join("; ", r.notes())));
                continue;
            }
            out.append(String.format(Locale.ROOT, "| %s | %s | %d / %d / %d | %s | %s | %s | %s | %s |%n",
                    r.fault(), r.recovery(), r.deployed(), r.failed(), r.stuck(), versions(r.serving()),
                    versions(r.running()), load(r.load()), lines(r.linesWritten(), r.linesReceived()),
                    r.notes().isEmpty() ? "" : String.join("; ", r.notes())));
        }
        List<FaultResult> run = rows.stream().filter(FaultResult::wasRun).toList();
        LoadFigures total = run.stream().map(FaultResult::load).reduce(LoadFigures.NONE, ChaosReport::sequential);
        out.append(String.format(Locale.ROOT, "| **all %d rows run** | | %d / %d / %d | | | %s | %s | |%n",
                run.size(), run.stream().mapToInt(FaultResult::deployed).sum(),
                run.stream().mapToInt(FaultResult::failed).sum(), run.stream().mapToInt(FaultResult::stuck).sum(),
                load(total), lines(run.stream().mapToLong(FaultResult::linesWritten).sum(),
                        run.stream().mapToLong(FaultResult::linesReceived).sum())));
        return out.toString();
    }

    /** Rows run one after the other: their times add up. */
    private static LoadFigures sequential(LoadFigures a, LoadFigures b) {
        return new LoadFigures(a.answered() + b.answered(), a.non2xx() + b.non2xx(), a.unanswered() + b.unanswered(),
                a.seconds() + b.seconds());
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
        return String.format(Locale.ROOT, "%,d / %,d (%.0f/s)", l.sent(), l.failed(), l.perSecond());
    }

    private static String lines(long written, long received) {
        return String.format(Locale.ROOT, "%,d / %,d (%,d)", written, received, written - received);
    }
}
