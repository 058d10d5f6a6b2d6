package io.bgdeploy.logshipper.receiver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** GELF TCP input: uncompressed JSON frames, each ended by a NUL byte. */
public final class GelfTcpReceiver extends GelfReceiver {

    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;

    @Override
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public synchronized void start() {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            port = s.getLocalPort();
            server = s;
            Thread acceptor = new Thread(() -> acceptLoop(s), "gelf-tcp-accept-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + port, e);
        }
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                clients.add(client);
                Thread reader = new Thread(() -> read(client), "gelf-tcp-read-" + port);
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void read(Socket client) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try (client; InputStream in = client.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == 0) {
                        frame.write(buffer, start, i - start);
                        accept(frame.toByteArray());
                        frame.reset();
                        start = i + 1;
                    }
                }
                frame.write(buffer, start, n - start);
            }
            if (frame.size() > 0) {
                reject("connection closed inside a frame of " + frame.size() + " bytes");
            }
        } catch (IOException e) {
            // connection dropped by stop() or by the peer
        } finally {
            clients.remove(client);
        }
    }

    @Override
    public synchronized void stop() {
        try {
            if (server != null) {
                server.close();
            }
            for (Socket client : clients) {
                client.close();
            }
        } catch (IOException ignored) {
            // stopping
        }
        clients.clear();
    }
}
