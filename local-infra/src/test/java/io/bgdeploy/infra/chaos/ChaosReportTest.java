package io.bgdeploy.infra.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chaos run's pure parts: wrk's figures, the log markers, the pods' environment and the table. */
class ChaosReportTest {

    @Test
    void wrkFiguresCountNon2xxAndRequestsWithoutAnswerAsFailedAndRefusedConnectionsApart() {
        String wrk = """
                Running 60m test @ http://127.0.0.1:8000/
                  2 threads and 2 connections
                  106 requests in 3.96s, 13.87KB read
                CHAOS-LOAD answered=106 non2xx=4 connect=1 read=2 write=3 timeout=5 micros=4000000
                """;

        LoadFigures f = LoadFigures.parse(wrk);

        assertThat(f.sent()).isEqualTo(116);
        assertThat(f.failed()).isEqualTo(14);
        assertThat(f.refusedConnects()).isEqualTo(1);
        assertThat(f.perSecond()).isEqualTo(116 / 4.0);
    }

    @Test
    void wrkOutputWithoutTheScriptsLineIsAnError() {
        assertThatThrownBy(() -> LoadFigures.parse("unable to connect to 127.0.0.1:8000 Connection refused"))
                .hasMessageContaining("no CHAOS-LOAD line").hasMessageContaining("Connection refused");
    }

    @Test
    void longestGapIsBetweenConsecutiveAnswersInAnyOrder() {
        assertThat(KeepAliveLoad.longestGap(List.of(105L, 100L, 101L, 101L, 112L, 113L))).isEqualTo(7);
        assertThat(KeepAliveLoad.longestGap(List.of(100L))).isZero();
    }

    @Test
    void markerIsFoundInAGelfMessageAndNamesItsRow() {
        String gelf = "{\"version\":\"1.1\",\"short_message\":\"2026-12-01T12:35:39Z \\\"GET /?chaos=r3.a.0.54\\\" 200\"}";

        assertThat(LogMarkers.in(gelf)).contains("r3.a.0.54");
        assertThat(LogMarkers.row("r3.a.0.54")).isEqualTo("r3");
        assertThat(LogMarkers.in("\"GET /health\" 200")).isEmpty();
    }

    @Test
    void podOfTheRunIsKnownByItsEnvironment() {
        String environ = "PORT=41000\0APP_NAME=chaos-a\0APP_VERSION=7\0CHAOS_RUN=chaos1\0";

        assertThat(RunningVersions.pod(environ, "chaos1")).get()
                .satisfies(p -> assertThat(p.app()).isEqualTo("chaos-a"))
                .satisfies(p -> assertThat(p.version()).isEqualTo("7"));
        assertThat(RunningVersions.pod(environ, "chaos2")).isEmpty();
        assertThat(RunningVersions.pod("CHAOS_RUN=chaos1\0APP_NAME=chaos-a\0", "chaos1")).isEmpty();
    }

    @Test
    void tableHasARowPerFaultWithItsFiguresAndTotals() {
        FaultResult kill = new FaultResult("kill -9 deployer-service", "restarted, ready after 21.0 s", 2, 1, 0,
                versions("chaos-a", "4", "chaos-b", "3"), versions("chaos-a", "4", "chaos-b", "3"),
                new LoadFigures(1000, 3, 2, 7, 10), 4, 990, 985, List.of("a note", "FAILURE: a | b\n  c"));
        FaultResult etcd = new FaultResult("etcd stopped", "resumed", 3, 0, 0,
                versions("chaos-a", "5", "chaos-b", "4"), versions("chaos-a", "5", "chaos-b", "4"),
                new LoadFigures(2000, 0, 0, 0, 30), 1, 2000, 2000, List.of());
        FaultResult partition = FaultResult.notRun("network partition", "needs a second HAProxy");

        String table = ChaosReport.table(List.of(kill, etcd, partition));

        assertThat(table.lines()).containsExactly(
                "| fault | recovery | deployments DEPLOYED / FAILURE / stuck | versions serving (HAProxy) |"
                        + " versions running (pods) | requests sent / failed (req/s) | longest without a 2xx | log lines written / received (lost) |"
                        + " notes |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
                "| kill -9 deployer-service | restarted, ready after 21.0 s | 2 / 1 / 0 | chaos-a: 4; chaos-b: 3 |"
                        + " chaos-a: 4; chaos-b: 3 | 1,002 / 5 (100/s); 7 connects refused | 4 s | 990 / 985 (5) | a note; FAILURE: a \\| b c |",
                "| etcd stopped | resumed | 3 / 0 / 0 | chaos-a: 5; chaos-b: 4 | chaos-a: 5; chaos-b: 4 |"
                        + " 2,000 / 0 (67/s) | 1 s | 2,000 / 2,000 (0) |  |",
                "| network partition | not run | - | - | - | - | - | - | needs a second HAProxy |",
                "| **all 2 rows run** | | 5 / 1 / 0 | | | 3,002 / 5 (75/s); 7 connects refused | 4 s | 2,990 / 2,985 (5) | |");
    }

    private static Map<String, Set<String>> versions(String app1, String v1, String app2, String v2) {
        Map<String, Set<String>> m = new TreeMap<>();
        m.put(app1, new TreeSet<>(Set.of(v1)));
        m.put(app2, new TreeSet<>(Set.of(v2)));
        return m;
    }
}
