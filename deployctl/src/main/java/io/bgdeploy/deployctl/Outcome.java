package io.bgdeploy.deployctl;

/**
 * How a deployctl run ended, and its exit status.
 *
 * @param exitCode one of the constants below
 * @param summary  the last line printed, saying what happened
 */
public record Outcome(int exitCode, String summary) {

    public static final int DEPLOYED = 0;
    public static final int FAILURE = 1;
    public static final int REJECTED = 2;
    public static final int TIMED_OUT = 3;
    public static final int CANNOT_RUN = 4;

    public static Outcome deployed(String summary) {
        return new Outcome(DEPLOYED, summary);
    }

    public static Outcome failure(String summary) {
        return new Outcome(FAILURE, summary);
    }

    public static Outcome rejected(String summary) {
        return new Outcome(REJECTED, summary);
    }

    public static Outcome timedOut(String summary) {
        return new Outcome(TIMED_OUT, summary);
    }

    public static Outcome cannotRun(String summary) {
        return new Outcome(CANNOT_RUN, summary);
    }
}
