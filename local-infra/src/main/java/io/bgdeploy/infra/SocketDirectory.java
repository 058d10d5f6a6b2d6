package io.bgdeploy.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A short, private directory made for one run, for Unix sockets. A socket path is limited to 107
 * bytes by the kernel (HAProxy allows 97, as it binds through {@code <path>.<pid>.tmp}), so sockets
 * never live below the checkout or a build directory, whose path is not ours to choose: they live
 * under {@code $XDG_RUNTIME_DIR} when that is short, else under {@code /tmp}. The directory is
 * removed with everything in it on {@link #close()}, or when the JVM exits.
 */
public final class SocketDirectory implements AutoCloseable {

    /** Longest directory a socket directory is made under; leaves room for the name and a socket file. */
    static final int MAX_BASE_LENGTH = 40;
    /** The longest Unix socket path HAProxy accepts (107 bytes of {@code sun_path} minus {@code .<pid>.tmp}). */
    public static final int HAPROXY_MAX_SOCKET_PATH = 97;

    private final Path path;
    private ExitActions.Registration deleteAtExit;

    private SocketDirectory(Path path) {
        this.path = path;
    }

    /** A fresh directory named {@code bgd-<name>-<random>}, readable only by this user. */
    public static SocketDirectory create(String name) {
        try {
            Path dir = Files.createTempDirectory(base(), "bgd-" + name + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            SocketDirectory sockets = new SocketDirectory(dir);
            sockets.deleteAtExit = ExitActions.atExit(ExitActions.Stage.CLEANUP, "remove-" + dir.getFileName(), () -> delete(dir));
            return sockets;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for Unix sockets under " + base(), e);
        }
    }

    /** {@code $XDG_RUNTIME_DIR} if it is set, exists and is short; else {@code /tmp}. */
    static Path base() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && runtime.length() <= MAX_BASE_LENGTH
                && Files.isDirectory(Path.of(runtime)) && Files.isWritable(Path.of(runtime))) {
            return Path.of(runtime);
        }
        return Path.of("/tmp");
    }

    public Path path() {
        return path;
    }

    /**
     * The path of a socket named {@code fileName} in this directory, checked against HAProxy's limit
     * so that a too long name fails here with the reason instead of in HAProxy.
     */
    public Path socket(String fileName) {
        Path socket = path.resolve(fileName);
        int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > HAPROXY_MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("socket path " + socket + " is " + bytes + " bytes long; HAProxy accepts at most "
                    + HAPROXY_MAX_SOCKET_PATH + ": use a shorter file name");
        }
        return socket;
    }

    @Override
    public void close() {
        delete(path);
        deleteAtExit.cancel();
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not remove socket directory " + dir + ": " + e.getMessage());
        }
    }
}
