package io.bgdeploy.infra;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What this JVM does when it exits, in {@link Stage stages}: the actions of one stage run at the same
 * time, each on a thread of its own, and the next stage begins once all of them ended.
 *
 * <p>Java starts all its shutdown hooks at once, in no order. With a hook per managed process, the
 * local run's orderly stop (each service with its grace period, then Kafka and etcd) was overtaken
 * by the processes' own safety nets: every process got SIGTERM in the same moment, the deployer's
 * graceful stop met a broker that was already gone and was killed after 5 s. This is the one hook
 * that runs them in order.
 */
public final class ExitActions {

    /** When an action runs, relative to the others. */
    public enum Stage {
        /** An orderly stop, such as the local run's: services one by one, then the infrastructure. */
        ORDERLY,
        /** Safety nets: every managed process still running is stopped, all at once. */
        PROCESSES,
        /** What the processes used and must not outlive them: socket directories, network namespaces. */
        CLEANUP
    }

    /** An action waiting for the exit; {@link #cancel()} once it was done otherwise. */
    public interface Registration {
        void cancel();
    }

    private static final ExitActions JVM = new ExitActions();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(JVM::runAll, "exit-actions"));
    }

    private final Map<Stage, Set<Action>> waiting = new EnumMap<>(Stage.class);
    private boolean exiting;

    private record Action(String name, Runnable body) {
    }

    ExitActions() {
        for (Stage stage : Stage.values()) {
            waiting.put(stage, new LinkedHashSet<>());
        }
    }

    /**
     * Runs {@code action} when this JVM exits, in {@code stage}; {@code name} names its thread and
     * its failure.
     *
     * @throws IllegalStateException when the JVM is already exiting, as {@link Runtime#addShutdownHook} does
     */
    public static Registration atExit(Stage stage, String name, Runnable action) {
        return JVM.add(stage, name, action);
    }

    synchronized Registration add(Stage stage, String name, Runnable body) {
        if (exiting) {
            throw new IllegalStateException("the JVM is exiting: " + name + " cannot be registered");
        }
        Action action = new Action(name, body);
        waiting.get(stage).add(action);
        return () -> remove(stage, action);
    }

    private synchronized void remove(Stage stage, Action action) {
        waiting.get(stage).remove(action);
    }

    /** Runs every stage in order; an action that throws is reported on stderr and the others go on. */
    void runAll() {
        synchronized (this) {
            exiting = true;
        }
        for (Stage stage : Stage.values()) {
            List<Thread> threads = new ArrayList<>();
            for (Action action : snapshot(stage)) {
                Thread t = new Thread(() -> run(action), action.name());
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                joinUninterruptibly(t);
            }
        }
    }

    private synchronized List<Action> snapshot(Stage stage) {
        return List.copyOf(waiting.get(stage));
    }

    private static void run(Action action) {
        try {
            action.body().run();
        } catch (RuntimeException | Error e) {
            System.err.println("at exit, " + action.name() + " failed: " + e);
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
