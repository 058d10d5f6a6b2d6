package io.bgdeploy.health.model;

import io.bgdeploy.events.pod.ProbeResult;

import java.util.concurrent.CompletionStage;

/** Probes a pod once, without blocking the caller; the stage never completes exceptionally. */
@FunctionalInterface
public interface Prober {

    CompletionStage<ProbeResult> probe(ProbeTarget target);
}
