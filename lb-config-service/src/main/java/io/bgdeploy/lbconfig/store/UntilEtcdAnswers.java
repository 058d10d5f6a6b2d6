package io.bgdeploy.lbconfig.store;

import io.bgdeploy.lb.etcd.EtcdUnavailableException;

import java.util.function.Consumer;
import java.util.function.Supplier;

/** Runs an etcd action again, with {@link Backoff}, for as long as etcd does not answer. */
public final class UntilEtcdAnswers {

    private UntilEtcdAnswers() {
    }

    /**
     * @param waiting told of every failed attempt (to say what waits)
     * @throws EtcdUnavailableException when interrupted while waiting for etcd
     */
    public static <T> T run(Supplier<T> action, Consumer<EtcdUnavailableException> waiting) {
        Backoff backoff = new Backoff();
        while (true) {
            try {
                return action.get();
            } catch (EtcdUnavailableException e) {
                waiting.accept(e);
                if (!backoff.pause()) {
                    throw e;
                }
            }
        }
    }
}
