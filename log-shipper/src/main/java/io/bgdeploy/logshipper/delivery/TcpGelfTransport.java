package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.logshipper.gelf.GelfJson;
import io.bgdeploy.logshipper.model.GelfMessage;
import io.bgdeploy.logshipper.model.GelfTransport;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * GELF over TCP: uncompressed JSON frames ended by a NUL byte, written in batches.
 * <p>
 * GELF TCP has no acknowledgement, so this transport can only vouch that a message was written
 * and that the connection was still open {@code confirmDelay} later (no end-of-stream, no reset,
 * which is what a stopped or restarted Graylog input leaves behind). Every write since the last
 * reset belongs to the connection it went out on: if that connection dies before the writes are
 * settled, the next flush or settle fails instead of reconnecting, and the caller sends them again.
 * A peer that accepts the bytes and then vanishes or drops them cannot be noticed: those messages
 * are lost. Use GELF HTTP where every line must arrive.
 */
public final class TcpGelfTransport implements GelfTransport {

    private static final int BATCH_BYTES = 64 * 1024;

    /** Messages written in one flush, and when. */
    private record Written(int messages, long at) {
    }

    private final InetSocketAddress address;
    private final Duration connectTimeout;
    private final Duration writeTimeout;
    private final long confirmDelayNanos;
    private final ByteBuffer probe = ByteBuffer.allocate(512);
    private final ArrayDeque<Written> unsettled = new ArrayDeque<>();

    private SocketChannel channel;
    private Selector selector;
    private ByteBuffer batch = ByteBuffer.allocate(BATCH_BYTES);
    private int batched;

    public TcpGelfTransport(String host, int port, Duration connectTimeout, Duration writeTimeout, Duration confirmDelay) {
        this.address = InetSocketAddress.createUnresolved(host, port);
        this.connectTimeout = connectTimeout;
        this.writeTimeout = writeTimeout;
        this.confirmDelayNanos = confirmDelay.toNanos();
    }

    @Override
    public byte[] encode(GelfMessage message) {
        return GelfJson.encode(message);
    }

    @Override
    public void send(byte[] json) throws IOException {
        if (batch.remaining() < json.length + 1) {
            flush();
            if (batch.capacity() < json.length + 1) {
                batch = ByteBuffer.allocate(json.length + 1);
            }
        }
        batch.put(json).put((byte) 0);
        batched++;
    }

    @Override
    public void flush() throws IOException {
        if (batched == 0) {
            return;
        }
        ensureConnected();
        batch.flip();
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
        unsettled.addLast(new Written(batched, System.nanoTime()));
        batch.clear();
        batched = 0;
    }

    @Override
    public Receipt settle() throws IOException {
        if (unsettled.isEmpty()) {
            return Receipt.NOTHING;
        }
        long now = System.nanoTime();
        if (now - unsettled.peekFirst().at() < confirmDelayNanos) {
            return Receipt.NOTHING;
        }
        if (channel == null) {
            throw new IOException("GELF TCP connection to " + describe() + " is gone with unconfirmed messages on it");
        }
        checkAlive();
        int settled = 0;
        while (!unsettled.isEmpty() && now - unsettled.peekFirst().at() >= confirmDelayNanos) {
            settled += unsettled.removeFirst().messages();
        }
        return Receipt.delivered(settled);
    }

    @Override
    public Duration settleWait() {
        if (unsettled.isEmpty()) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, unsettled.peekFirst().at() + confirmDelayNanos - System.nanoTime()));
    }

    @Override
    public Proof proof() {
        return Proof.WRITTEN_AND_CONNECTION_KEPT;
    }

    /** Throws if the peer closed or reset the connection; Graylog never sends anything on a GELF input. */
    private void checkAlive() throws IOException {
        probe.clear();
        int n = channel.read(probe);
        if (n < 0) {
            throw new IOException("GELF TCP receiver " + describe() + " closed the connection");
        }
    }

    /**
     * Reuses a live connection. A dead one is replaced only when nothing written on it is still
     * unsettled: otherwise those writes may be lost and the caller must know.
     */
    private void ensureConnected() throws IOException {
        if (channel != null) {
            try {
                checkAlive();
                return;
            } catch (IOException e) {
                closeChannel();
                if (!unsettled.isEmpty()) {
                    throw new IOException(e.getMessage() + " with unconfirmed messages on it", e);
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
        batched = 0;
        unsettled.clear();
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
