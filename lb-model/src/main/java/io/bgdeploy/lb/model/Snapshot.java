package io.bgdeploy.lb.model;


import java.util.List;

/**
 * The load-balancer configuration as etcd held it at one revision.
 *
 * @param revision etcd's revision of the read
 * @param model    every frontend and backend that could be read
 * @param problems entries that were skipped because they are not valid (written by another tool)
 */
public record Snapshot(long revision, LbModel model, List<String> problems) {

    public Snapshot {
        problems = List.copyOf(problems);
    }
}
