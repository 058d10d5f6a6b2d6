package io.bgdeploy.deployer.bluegreen;

/** Thrown by the drain step when someone asked to switch back to blue. */
final class RollbackRequested extends RuntimeException {
    final String by;

    RollbackRequested(String by) {
        super("rollback requested by " + by, null, false, false);
        this.by = by;
    }
}
