package io.bgdeploy.deployer.bluegreen;

/** Failure of a step, with a message for the user. */
final class StepFailed extends Exception {
    StepFailed(String message) {
        super(message);
    }
}
