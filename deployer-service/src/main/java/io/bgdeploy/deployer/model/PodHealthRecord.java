package io.bgdeploy.deployer.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bgdeploy.events.pod.PodHealthState;
import io.bgdeploy.events.pod.ProbeResult;

import java.time.Instant;

/** The last health transition of one pod of a deployment, as health-service reported it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodHealthRecord(String pod, PodHealthState state, ProbeResult lastProbe, Instant updated) {
}
