package io.bgdeploy.logshipper.sink;

import io.bgdeploy.logshipper.config.LogShipperConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.util.Optional;

/** Starts the local GELF sink when {@code logshipper.sink.enabled=true}. */
@ApplicationScoped
public class GelfSinkService {

    private final LogShipperConfig config;
    private GelfFileSink sink;

    public GelfSinkService(LogShipperConfig config) {
        this.config = config;
    }

    void start(@Observes StartupEvent event) throws IOException {
        LogShipperConfig.Sink s = config.sink();
        if (s.enabled()) {
            sink = GelfFileSink.start(s.bindAddress(), s.tcpPort(), s.udpPort(), s.file());
        }
    }

    /** The running sink, if enabled; the HTTP endpoint writes through it. */
    public Optional<GelfFileSink> sink() {
        return Optional.ofNullable(sink);
    }

    void stop(@Observes ShutdownEvent event) throws IOException {
        if (sink != null) {
            sink.close();
        }
    }
}
