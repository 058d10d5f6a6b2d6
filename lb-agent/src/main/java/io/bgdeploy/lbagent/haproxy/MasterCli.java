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
 * HAProxy's master CLI (the {@code -S} socket of master-worker mode): one connection per command,
 * half-closed after sending so the master answers and closes. {@code @1 <cmd>} reaches the Runtime
 * API of the current worker.
 */
public final class MasterCli {

    /** What a command may contain: no line breaks or ';', which would start another command. */
    private static final Pattern SAFE = Pattern.compile("[@A-Za-z0-9 ._:/\\[\\]-]{1,2000}");

    private final Path socket;

    public MasterCli(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public String send(String command) {
        if (!SAFE.matcher(command).matches()) {
            throw new IllegalArgumentException("refusing to send an unexpected command to HAProxy: " + command);
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16384);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("HAProxy master socket " + socket + ": " + e.getMessage(), e);
        }
    }

    public ProcStatus showProc() {
        return ProcStatus.parse(send("show proc"));
    }

    /** A Runtime API command on the current worker. */
    public String runtime(String command) {
        return send("@1 " + command);
    }
}
