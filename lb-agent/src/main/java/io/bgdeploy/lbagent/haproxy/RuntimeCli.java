package io.bgdeploy.lbagent.haproxy;

import java.util.List;

/** A way to HAProxy's Runtime API on the current worker. */
public interface RuntimeCli {

    /** A Runtime API command on the current worker; its answer. */
    String runtime(String command);

    /**
     * Runtime API commands on the current worker, sent in one round trip and run in order; returns
     * the answer to each, in the same order. A command runs whatever the answer to the one before it.
     */
    List<String> runtimeAll(List<String> commands);
}
