package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.logshipper.gelf.GelfUdpEncoder;
import io.bgdeploy.logshipper.model.GelfMessage;
import io.bgdeploy.logshipper.model.GelfTransport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * GELF over UDP: plain JSON in one datagram, or gzip (chunked per the specification, at most
 * 128 chunks) for a message that does not fit one (see {@link GelfUdpEncoder}). UDP has no acknowledgement, so delivery is best effort: the channel is
 * connected so that an ICMP "port unreachable" (no input listening) fails {@link #settle()} and the
 * unsettled messages are sent again, but a datagram dropped on the way, or by a receiver that
 * cannot keep up, is lost. Use GELF HTTP where every line must arrive.
 */
public final class UdpGelfTransport implements GelfTransport {

    private final InetSocketAddress address;
    private final GelfUdpEncoder encoder;
    private final long confirmDelayNanos;
    private final ByteBuffer probe = ByteBuffer.allocate(64);
    /** Send times of the messages not settled yet. */
    private final ArrayDeque<Long> unsettled = new ArrayDeque<>();
    private DatagramChannel channel;
    /** Counted by {@link #encode(GelfMessage)}, which runs on several threads. */
    private final AtomicLong truncated = new AtomicLong();

    public UdpGelfTransport(String host, int port, int datagramBytes, Duration confirmDelay) {
        this.address = InetSocketAddress.createUnresolved(host, port);
        this.encoder = new GelfUdpEncoder(datagramBytes);
        this.confirmDelayNanos = confirmDelay.toNanos();
    }

    @Override
    public byte[] encode(GelfMessage message) {
        GelfUdpEncoder.Payload payload = encoder.payload(message);
        if (payload.message() != message) {
            truncated.incrementAndGet();
        }
        return payload.bytes();
    }

    @Override
    public void send(byte[] encoded) throws IOException {
        DatagramChannel ch = channel();
        try {
            for (byte[] datagram : encoder.chunk(encoded)) {
                ch.write(ByteBuffer.wrap(datagram));
            }
        } catch (IOException e) {
            throw new IOException("GELF UDP send to " + describe() + " failed: " + e.getMessage(), e);
        }
        unsettled.addLast(System.nanoTime());
    }

    @Override
    public void flush() {
        // every datagram is written when sent
    }

    @Override
    public Receipt settle() throws IOException {
        long now = System.nanoTime();
        if (unsettled.isEmpty() || now - unsettled.peekFirst() < confirmDelayNanos) {
            return Receipt.NOTHING;
        }
        probe.clear();
        try {
            channel.read(probe);
        } catch (PortUnreachableException e) {
            throw new IOException("no GELF UDP input listens on " + describe(), e);
        }
        int settled = 0;
        while (!unsettled.isEmpty() && now - unsettled.peekFirst() >= confirmDelayNanos) {
            unsettled.removeFirst();
            settled++;
        }
        return Receipt.delivered(settled);
    }

    @Override
    public Duration settleWait() {
        if (unsettled.isEmpty()) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, unsettled.peekFirst() + confirmDelayNanos - System.nanoTime()));
    }

    @Override
    public Proof proof() {
        return Proof.SENT;
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
        return truncated.get();
    }

    @Override
    public void reset() {
        unsettled.clear();
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
