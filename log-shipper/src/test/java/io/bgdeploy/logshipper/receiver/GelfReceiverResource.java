package io.bgdeploy.logshipper.receiver;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** For {@code @QuarkusTestResource}: a GELF HTTP receiver in place of Graylog; sets {@code graylog.gelf.url}. */
public class GelfReceiverResource implements QuarkusTestResourceLifecycleManager {

    public static final GelfHttpReceiver RECEIVER = new GelfHttpReceiver();

    @Override
    public Map<String, String> start() {
        RECEIVER.start();
        return Map.of("graylog.gelf.url", RECEIVER.url(), "logshipper.shipper.write-timeout", "3s");
    }

    @Override
    public void stop() {
        RECEIVER.stop();
    }
}
