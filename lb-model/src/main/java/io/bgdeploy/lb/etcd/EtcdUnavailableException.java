package io.bgdeploy.lb.etcd;

/** etcd did not answer, or answered with an error: the caller may retry later. */
public class EtcdUnavailableException extends RuntimeException {

    public EtcdUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
