package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.logshipper.gelf.GelfMessage;
import io.bgdeploy.logshipper.gelf.GelfUdpEncoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;

/**
 * GELF over UDP: gzip, chunked per the specification with at most 128 chunks (see
 * {@link GelfUdpEncoder}). UDP has no acknowledgement, so delivery is best effort: the channel is
 * connected so that an ICMP "port unreachable" (no input listening) fails {@link #verify()} and the
 * unconfirmed messages are sent again, but a datagram dropped on the way is lost. Use TCP or HTTP
 * where every line matters.
 */
public final class UdpGelfTransport implements GelfTransport {

    private final InetSocketAddress address;
    private final GelfUdpEncoder encoder;
    private final Duration confirmDelay;
    private final ByteBuffer probe = ByteBuffer.allocate(64);
    private DatagramChannel channel;
    private long truncated;

    public UdpGelfTransport(String host, int port, int datagramBytes, Duration confirmDelay) {
        this.address = InetSocketAddress.createUnresolved(host, port);
        this.encoder = new GelfUdpEncoder(datagramBytes);
        this.confirmDelay = confirmDelay;
    }

    @Override
    public void send(GelfMessage message) throws IOException {
        GelfUdpEncoder.Encoded encoded = encoder.encode(message);
        if (encoded.message() != message) {
            truncated++;
        }
        DatagramChannel ch = channel();
        try {
            for (byte[] datagram : encoded.datagrams()) {
                ch.write(ByteBuffer.wrap(datagram));
            }
        } catch (IOException e) {
            throw new IOException("GELF UDP send to " + describe() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void flush() {
        // every datagram is written when sent
    }

    @Override
    public void verify() throws IOException {
        if (channel == null) {
            return;
        }
        probe.clear();
        try {
            channel.read(probe);
        } catch (PortUnreachableException e) {
            throw new IOException("no GELF UDP input listens on " + describe(), e);
        }
    }

    @Override
    public Duration confirmDelay() {
        return confirmDelay;
    }

    private DatagramChannel channel() throws IOException {
        if (channel == null) {
            InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
            if (resolved.isUnresolved()) {
                throw new IOException("cannot resolve GELF host " + address.getHostString());
            }
            DatagramChannel ch = DatagramChannel.open();
            ch.connect(resolved);
            ch.configureBlocking(false);
            channel = ch;
        }
        return channel;
    }

    @Override
    public long truncatedByTransport() {
        return truncated;
    }

    @Override
    public void reset() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a failed channel
            }
            channel = null;
        }
    }

    @Override
    public String describe() {
        return "udp://" + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public void close() {
        reset();
    }
}
