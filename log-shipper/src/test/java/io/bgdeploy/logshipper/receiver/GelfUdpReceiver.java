package io.bgdeploy.logshipper.receiver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * GELF UDP input: single datagrams or chunks (magic {@code 0x1e 0x0f}, 8-byte id, sequence number,
 * count ≤ 128), all chunks of a message within 5 seconds; payloads gzip, zlib or uncompressed.
 */
public final class GelfUdpReceiver extends GelfReceiver {

    public static final long CHUNK_WINDOW_NANOS = 5_000_000_000L;

    private static final class Partial {
        final long firstSeen = System.nanoTime();
        final byte[][] chunks;
        int received;

        Partial(int count) {
            chunks = new byte[count][];
        }
    }

    private final Map<Long, Partial> partials = new HashMap<>();
    private volatile DatagramSocket socket;
    private volatile long chunkedMessages;

    @Override
    public String url() {
        return "udp://127.0.0.1:" + port;
    }

    public long chunkedMessages() {
        return chunkedMessages;
    }

    @Override
    public synchronized void start() {
        try {
            DatagramSocket s = new DatagramSocket(null);
            s.setReuseAddress(true);
            s.setReceiveBufferSize(8 * 1024 * 1024);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            port = s.getLocalPort();
            socket = s;
            Thread reader = new Thread(() -> receive(s), "gelf-udp-" + port);
            reader.setDaemon(true);
            reader.start();
        } catch (SocketException e) {
            throw new IllegalStateException("cannot listen on " + port, e);
        }
    }

    private void receive(DatagramSocket s) {
        byte[] buffer = new byte[65_536];
        while (!s.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                s.receive(packet);
            } catch (IOException e) {
                return;
            }
            byte[] data = new byte[packet.getLength()];
            System.arraycopy(packet.getData(), packet.getOffset(), data, 0, data.length);
            handle(data);
        }
    }

    void handle(byte[] data) {
        expire();
        if (data.length >= 2 && data[0] == 0x1e && data[1] == 0x0f) {
            chunk(data);
            return;
        }
        payload(data);
    }

    private void payload(byte[] payload) {
        try {
            accept(GelfSpec.decompress(payload));
        } catch (GelfSpec.InvalidGelfException e) {
            reject(e.getMessage());
        }
    }

    private void chunk(byte[] data) {
        if (data.length < 13) {
            reject("chunk of " + data.length + " bytes is shorter than its header");
            return;
        }
        ByteBuffer header = ByteBuffer.wrap(data);
        header.position(2);
        long id = header.getLong();
        int seq = header.get() & 0xff;
        int count = header.get() & 0xff;
        if (count < 1 || count > 128) {
            partials.remove(id);
            reject("message " + id + " announces " + count + " chunks; at most 128 are allowed");
            return;
        }
        if (seq >= count) {
            reject("chunk " + seq + " of message " + id + " is beyond its count " + count);
            return;
        }
        Partial partial = partials.computeIfAbsent(id, k -> new Partial(count));
        if (partial.chunks.length != count) {
            partials.remove(id);
            reject("chunks of message " + id + " disagree on the count");
            return;
        }
        if (partial.chunks[seq] == null) {
            partial.chunks[seq] = java.util.Arrays.copyOfRange(data, 12, data.length);
            partial.received++;
        }
        if (partial.received == count) {
            partials.remove(id);
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            for (byte[] c : partial.chunks) {
                whole.writeBytes(c);
            }
            chunkedMessages++;
            payload(whole.toByteArray());
        }
    }

    private void expire() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Long, Partial>> it = partials.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Partial> e = it.next();
            if (now - e.getValue().firstSeen > CHUNK_WINDOW_NANOS) {
                it.remove();
                reject("message " + e.getKey() + " incomplete after 5 s (" + e.getValue().received + " of "
                        + e.getValue().chunks.length + " chunks)");
            }
        }
    }

    @Override
    public synchronized void stop() {
        if (socket != null) {
            socket.close();
        }
    }
}
