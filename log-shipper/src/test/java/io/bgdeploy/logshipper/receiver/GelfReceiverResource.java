package io.bgdeploy.logshipper.receiver;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** For {@code @QuarkusTestResource}: a GELF TCP receiver in place of Graylog; sets {@code graylog.gelf.url}. */
public class GelfReceiverResource implements QuarkusTestResourceLifecycleManager {

    public static final GelfTcpReceiver RECEIVER = new GelfTcpReceiver();

    @Override
    public Map<String, String> start() {
        RECEIVER.start();
        return Map.of("graylog.gelf.url", RECEIVER.url(), "logshipper.shipper.confirm-delay", "100ms");
    }

    @Override
    public void stop() {
        RECEIVER.stop();
    }
}
