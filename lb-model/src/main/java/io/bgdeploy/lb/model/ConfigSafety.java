package io.bgdeploy.lb.model;

import io.bgdeploy.events.lb.BackendSpec;
import io.bgdeploy.events.lb.FrontendSpec;
import io.bgdeploy.events.lb.HttpHeader;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Rules that HAProxy's file syntax needs on top of the shared validators. An HTTP token (a header
 * name) may contain {@code #}, {@code '}, {@code $} or {@code %}: in haproxy.cfg these start a
 * comment, a quoted string, an environment variable or a sample expression. Header names that
 * reach the file are therefore limited to letters, digits, '-', '_' and '.', which every real
 * header name uses.
 */
public final class ConfigSafety {

    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private ConfigSafety() {
    }

    public static boolean isSafeHeaderName(String name) {
        return name != null && HEADER_NAME.matcher(name).matches();
    }

    public static String requireSafeHeaderName(String name) {
        if (!isSafeHeaderName(name)) {
            throw new IllegalArgumentException(problem(name));
        }
        return name;
    }

    /** What in a frontend cannot be written into haproxy.cfg; empty when all of it can. */
    public static List<String> problems(FrontendSpec frontend) {
        return headerProblems("frontend " + frontend.host(), frontend.headers());
    }

    /** What in a backend cannot be written into haproxy.cfg; empty when all of it can. */
    public static List<String> problems(BackendSpec backend) {
        return headerProblems("backend " + backend.id(), backend.headers());
    }

    /** Every problem of a whole model, for data that reached etcd by another way than a command. */
    public static List<String> problems(LbModel model) {
        List<String> problems = new ArrayList<>();
        model.frontends().forEach(f -> problems.addAll(problems(f.spec())));
        model.backends().forEach(b -> problems.addAll(problems(b.spec())));
        return problems;
    }

    private static List<String> headerProblems(String owner, List<HttpHeader> headers) {
        List<String> problems = new ArrayList<>();
        for (HttpHeader h : headers) {
            if (!isSafeHeaderName(h.name())) {
                problems.add(owner + ": " + problem(h.name()));
            }
        }
        return problems;
    }

    private static String problem(String name) {
        return "header name '" + io.bgdeploy.events.Names.printable(name)
                + "' is not allowed in the load balancer: use letters, digits, '-', '_' and '.'";
    }
}
