package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.logshipper.gelf.GelfJson;
import io.bgdeploy.logshipper.gelf.GelfMessage;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * GELF over TCP: uncompressed JSON frames ended by a NUL byte, written in batches. Unlike
 * logstash-gelf's TCP sender, a write is not taken as delivery: the connection is checked for
 * end-of-stream or reset (what a stopped or restarted Graylog input leaves behind) before any
 * batch and again in {@link #verify()} after the confirm delay, so records written into a dead
 * socket are sent again. Keep-alive probes make a vanished peer (half-open connection) fail too.
 */
public final class TcpGelfTransport implements GelfTransport {

    private static final int BATCH_BYTES = 64 * 1024;

    private final InetSocketAddress address;
    private final Duration connectTimeout;
    private final Duration writeTimeout;
    private final Duration confirmDelay;
    private final ByteBuffer probe = ByteBuffer.allocate(512);

    private SocketChannel channel;
    private Selector selector;
    private ByteBuffer batch = ByteBuffer.allocate(BATCH_BYTES);
    private boolean unverifiedWrites;

    public TcpGelfTransport(String host, int port, Duration connectTimeout, Duration writeTimeout, Duration confirmDelay) {
        this.address = InetSocketAddress.createUnresolved(host, port);
        this.connectTimeout = connectTimeout;
        this.writeTimeout = writeTimeout;
        this.confirmDelay = confirmDelay;
    }

    @Override
    public void send(GelfMessage message) throws IOException {
        byte[] json = GelfJson.encode(message);
        if (batch.remaining() < json.length + 1) {
            flush();
            if (batch.capacity() < json.length + 1) {
                batch = ByteBuffer.allocate(json.length + 1);
            }
        }
        batch.put(json).put((byte) 0);
    }

    @Override
    public void flush() throws IOException {
        if (batch.position() == 0) {
            return;
        }
        ensureConnected();
        batch.flip();
        unverifiedWrites = true;
        long deadline = System.nanoTime() + writeTimeout.toNanos();
        while (batch.hasRemaining()) {
            if (channel.write(batch) == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || selector.select(Math.max(1, left / 1_000_000)) == 0 && System.nanoTime() >= deadline) {
                    throw new IOException("GELF TCP write to " + describe() + " timed out after " + writeTimeout.toMillis()
                            + " ms: the receiver does not read");
                }
                selector.selectedKeys().clear();
            }
        }
        batch.clear();
    }

    @Override
    public void verify() throws IOException {
        flush();
        if (channel == null) {
            if (unverifiedWrites) {
                throw new IOException("GELF TCP connection to " + describe() + " is gone");
            }
            return;
        }
        checkAlive();
        unverifiedWrites = false;
    }

    @Override
    public Duration confirmDelay() {
        return confirmDelay;
    }

    /** Throws if the peer closed or reset the connection; Graylog never sends anything on a GELF input. */
    private void checkAlive() throws IOException {
        probe.clear();
        int n = channel.read(probe);
        if (n < 0) {
            throw new IOException("GELF TCP receiver " + describe() + " closed the connection");
        }
    }

    private void ensureConnected() throws IOException {
        if (channel != null) {
            try {
                checkAlive();
                return;
            } catch (IOException e) {
                closeChannel();
                if (unverifiedWrites) {
                    throw e;
                }
            }
        }
        SocketChannel ch = SocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            setKeepAlive(ch);
            InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
            if (resolved.isUnresolved()) {
                throw new IOException("cannot resolve GELF host " + address.getHostString());
            }
            ch.socket().connect(resolved, (int) connectTimeout.toMillis());
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            ch.register(sel, SelectionKey.OP_WRITE);
            channel = ch;
            selector = sel;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException("cannot connect to GELF TCP receiver " + describe() + ": " + e.getMessage(), e);
        }
    }

    private static void setKeepAlive(SocketChannel ch) {
        try {
            ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 10);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 5);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        } catch (IOException | UnsupportedOperationException e) {
            // platform without per-socket keep-alive tuning: the system defaults apply
        }
    }

    @Override
    public void reset() {
        closeChannel();
        batch.clear();
        unverifiedWrites = false;
    }

    private void closeChannel() {
        try {
            if (selector != null) {
                selector.close();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing a broken connection
        }
        channel = null;
        selector = null;
    }

    @Override
    public String describe() {
        return "tcp://" + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public void close() {
        reset();
    }
}
