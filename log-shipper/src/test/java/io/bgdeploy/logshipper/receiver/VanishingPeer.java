package io.bgdeploy.logshipper.receiver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a receiver that plays a peer which vanishes: while it forwards, it is
 * transparent; after {@link #vanish()} it still accepts connections and reads every byte sent to it
 * (so the sender's writes succeed and its kernel sees them acknowledged) but delivers nothing,
 * either way, as a host that crashed behind a load balancer or a Graylog whose input died would;
 * {@link #reset()} then drops every connection with a TCP reset, and {@link #forward()} makes it
 * transparent again.
 */
public final class VanishingPeer implements AutoCloseable {

    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong swallowed = new AtomicLong();
    private volatile boolean vanished;

    public VanishingPeer(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        daemon("vanishing-peer-accept", this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Bytes read from senders and never delivered. */
    public long swallowedBytes() {
        return swallowed.get();
    }

    /** From now on: take every byte, deliver none. */
    public void vanish() {
        vanished = true;
    }

    /** Drops every open connection with a TCP reset (RST), as the peer's host coming back would. */
    public void reset() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        sockets.clear();
    }

    /** Transparent again for new connections. */
    public void forward() {
        vanished = false;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                if (vanished) {
                    daemon("vanishing-peer-swallow", () -> pump(client, null));
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(upstream);
                daemon("vanishing-peer-up", () -> pump(client, upstream));
                daemon("vanishing-peer-down", () -> pump(upstream, client));
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    /** Copies from one socket to the other while forwarding; swallows while vanished. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to == null ? null : to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (vanished || out == null) {
                    swallowed.addAndGet(n);
                } else {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            if (!vanished && to != null) {
                to.shutdownOutput();
            }
        } catch (IOException e) {
            // reset or closed: the other pump notices too
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        reset();
    }
}
