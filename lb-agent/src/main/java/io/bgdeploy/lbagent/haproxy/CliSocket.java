package io.bgdeploy.lbagent.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One exchange with an HAProxy CLI socket (the master's or a worker's): one connection per call,
 * half-closed after sending so HAProxy answers and closes.
 */
final class CliSocket {

    /** What a command may contain: no line breaks or ';', which would start another command. */
    private static final Pattern SAFE = Pattern.compile("[@A-Za-z0-9 ._:/\\[\\]-]{1,2000}");

    private CliSocket() {
    }

    /** {@code command} when it is one command that cannot be read as more; else refused. */
    static String safe(String command) {
        if (!SAFE.matcher(command).matches()) {
            throw new IllegalArgumentException("refusing to send an unexpected command to HAProxy: " + command);
        }
        return command;
    }

    /** Sends {@code line} (commands already checked) and returns everything HAProxy answered. */
    static String exchange(Path socket, String line) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("HAProxy socket " + socket + ": " + e.getMessage(), e);
        }
    }
}
