package io.bgdeploy.logshipper.delivery;

import io.bgdeploy.events.Names;
import io.bgdeploy.logshipper.model.GelfTransport;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Builds the transport that {@code graylog.gelf.url} names: {@code udp://}, {@code tcp://} or {@code http(s)://…/gelf}. */
public final class GelfTransports {

    /**
     * @param writeTimeout     how long a TCP write or an HTTP request may take
     * @param confirmDelay     how long TCP/UDP wait after a write before they vouch for it
     * @param udpDatagramBytes largest UDP datagram, chunk header included
     * @param httpConcurrency  HTTP requests in flight
     * @param httpBatchBytes   most bytes of GELF JSON in one HTTP request (before gzip)
     * @param httpGzip         whether HTTP requests are gzip-compressed
     * @param httpAuthorization the value of the {@code Authorization} header of every HTTP request, if the input asks for one
     */
    public record Options(Duration connectTimeout, Duration writeTimeout, Duration confirmDelay, int udpDatagramBytes,
                          int httpConcurrency, int httpBatchBytes, boolean httpGzip, Optional<String> httpAuthorization) {
        public static final Options DEFAULTS = new Options(Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofMillis(250), 1420, 4, 512 * 1024, true, Optional.empty());

        public Options {
            httpAuthorization.ifPresent(value -> {
                if (value.isBlank() || value.chars().anyMatch(c -> c < 0x20 || c >= 0x7f)) {
                    throw new IllegalArgumentException("logshipper.shipper.http-authorization must be one line of printable "
                            + "ASCII characters, e.g. 'Bearer <token>'");
                }
            });
        }
    }

    private GelfTransports() {
    }

    public static GelfTransport fromUrl(String url, Options options) {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.trim());
        } catch (URISyntaxException e) {
            throw invalid(url, e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || !(Names.isHostName(host) || Names.isIpAddress(host.replace("[", "").replace("]", "")))) {
            throw invalid(url, "missing or invalid host");
        }
        int port = uri.getPort();
        switch (scheme) {
            case "tcp", "udp" -> {
                if (!Names.isPort(port)) {
                    throw invalid(url, "a port is required, e.g. " + scheme + "://graylog:12201");
                }
                return scheme.equals("tcp")
                        ? new TcpGelfTransport(host, port, options.connectTimeout(), options.writeTimeout(), options.confirmDelay())
                        : new UdpGelfTransport(host, port, options.udpDatagramBytes(), options.confirmDelay());
            }
            case "http", "https" -> {
                if (uri.getPath() == null || uri.getPath().isEmpty() || uri.getRawQuery() != null || uri.getUserInfo() != null) {
                    throw invalid(url, "expected " + scheme + "://host:port/gelf");
                }
                return new HttpGelfTransport(uri, new HttpGelfTransport.Settings(options.connectTimeout(),
                        options.writeTimeout(), options.httpConcurrency(), options.httpBatchBytes(), options.httpGzip(),
                        options.httpAuthorization()));
            }
            default -> throw invalid(url, "the scheme must be udp, tcp, http or https");
        }
    }

    private static IllegalArgumentException invalid(String url, String why) {
        return new IllegalArgumentException("graylog.gelf.url '" + Names.printable(url) + "' is invalid: " + why
                + " (examples: http://graylog:12202/gelf, tcp://graylog:12201, udp://graylog:12201)");
    }
}
