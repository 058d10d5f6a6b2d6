package io.bgdeploy.events;

/**
 * Record keys. Every deploy-related record is keyed {@code <namespace>/<appName>} so that one
 * app's records stay in one partition, in order, owned by one consumer at a time. Log records are
 * keyed {@code <namespace>/<pod>} so that one pod's lines stay in order.
 */
public final class Keys {

    private Keys() {
    }

    /** Key of every deploy-related record of one app. */
    public static String app(String namespace, String appName) {
        Names.requireNamespace(namespace);
        Names.requireAppName(appName);
        return namespace + "/" + appName;
    }

    /** Key of a container log record. */
    public static String pod(String namespace, String podName) {
        Names.requireNamespace(namespace);
        return namespace + "/" + podName;
    }

    /** Splits a key made by {@link #app} into namespace and app name. */
    public static AppRef parseApp(String key) {
        if (key == null) {
            throw new IllegalArgumentException("record key is missing: expected <namespace>/<appName>");
        }
        int slash = key.indexOf('/');
        if (slash <= 0 || slash != key.lastIndexOf('/')) {
            throw new IllegalArgumentException("record key '" + Names.printable(key)
                    + "' is not of the form <namespace>/<appName>");
        }
        return new AppRef(key.substring(0, slash), key.substring(slash + 1));
    }

    /** A namespace and an app name, both validated. */
    public record AppRef(String namespace, String appName) {
        public AppRef {
            Names.requireNamespace(namespace);
            Names.requireAppName(appName);
        }

        public String key() {
            return namespace + "/" + appName;
        }
    }
}
