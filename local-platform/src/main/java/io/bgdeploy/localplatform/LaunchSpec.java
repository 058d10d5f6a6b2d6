package io.bgdeploy.localplatform;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: the identical pods of one workload, each a set of containers that share the pod's
 * ports. Values are used as given, apart from {@code $(VAR)} references in the containers'
 * commands, args and env values, which are expanded as the kubelet expands them.
 *
 * @param name         the workload's name, unique in its namespace
 * @param appName      the app the workload is a version of: pods are taken over by app
 * @param version      recorded with every pod and every log line
 * @param deploymentId recorded with every pod and every log line
 * @param env          variables every container gets, in this order, before its own
 * @param ports        container ports of the pod that get a local port besides the containers' own
 *                     (a health-check port nobody declares), in order
 */
public record LaunchSpec(String namespace, String name, String appName, String version, String deploymentId,
                         int replicas, Map<String, String> env, List<Integer> ports, List<Container> containers) {

    public LaunchSpec {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(appName, "appName");
        if (replicas < 0) {
            throw new IllegalArgumentException("workload " + name + ": replicas " + replicas + " is negative");
        }
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        ports = List.copyOf(ports);
        containers = List.copyOf(containers);
    }

    /**
     * One container of the pod.
     *
     * @param image            what runs when the container has no command: the platform's command for
     *                         the image (its settings), or its built-in HTTP server
     * @param command          the program and its first arguments, never run through a shell; empty
     *                         to run the image's
     * @param env              the container's own variables, in order; each value may refer to the
     *                         ones before it
     * @param ports            the container's own ports, in order: the first is its {@code PORT}
     * @param memoryLimitBytes the resident memory above which the container is killed and started
     *                         again; 0 for none
     */
    public record Container(String name, String image, List<String> command, List<String> args, List<EnvVar> env,
                            List<Integer> ports, long memoryLimitBytes) {

        public Container {
            Objects.requireNonNull(name, "container name");
            command = List.copyOf(command);
            args = List.copyOf(args);
            env = List.copyOf(env);
            ports = List.copyOf(ports);
        }
    }

    /** A variable of a container; its value may hold {@code $(VAR)} references. */
    public record EnvVar(String name, String value) {

        public EnvVar {
            Objects.requireNonNull(name, "variable name");
            Objects.requireNonNull(value, "value of " + name);
        }
    }
}
