package io.bgdeploy.deployctl;

import java.io.PrintStream;
import java.util.Map;

/**
 * Where a command reads its environment and writes: standard output for progress and results,
 * standard error for problems. Passed in, so that tests run commands in-process.
 */
record Terminal(Map<String, String> env, PrintStream out, PrintStream err) {

    String env(String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
