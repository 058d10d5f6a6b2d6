package io.bgdeploy.infra.chaos;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The figures of one row of the chaos run: one fault injected under load while deployments ran.
 *
 * @param recovery        how the suite came back (or did not), with the time it took
 * @param deployed        deployments that ended DEPLOYED
 * @param failed          deployments that ended FAILURE, or whose request was refused
 * @param stuck           deployments with no final status by their deadline
 * @param serving         per app, the versions HAProxy answered with at the end of the row
 * @param running         per app, the versions with a live pod process at the end of the row
 * @param longestGap      the longest time an app went without a 2xx answer, in seconds
 * @param linesWritten    log lines the pods wrote for the requests answered 2xx
 * @param linesReceived   of those, the lines the GELF receiver got
 */
public record FaultResult(String fault, String recovery, int deployed, int failed, int stuck,
                          Map<String, Set<String>> serving, Map<String, Set<String>> running, LoadFigures load, long longestGap,
                          long linesWritten, long linesReceived, List<String> notes) {

    /** A row that was not run, with the reason. */
    public static FaultResult notRun(String fault, String reason) {
        return new FaultResult(fault, "not run", 0, 0, 0, Map.of(), Map.of(), LoadFigures.NONE, 0, 0, 0,
                List.of(reason));
    }

    public int deployments() {
        return deployed + failed + stuck;
    }

    public boolean wasRun() {
        return deployments() > 0 || load.sent() > 0;
    }
}
