package io.bgdeploy.lb.etcd;

import io.bgdeploy.events.HostName;
import io.bgdeploy.events.lb.TlsMode;
import io.bgdeploy.lb.etcd.StoredJson.BackendOptions;
import io.bgdeploy.lb.etcd.StoredJson.FrontendOptions;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceFrontend;
import io.bgdeploy.lb.etcd.StoredJson.ReferenceServer;
import io.bgdeploy.lb.model.Snapshot;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decoding only the keys that changed gives what decoding everything gives: the same model and
 * the same problems, whatever is written or deleted, valid or not.
 */
class SnapshotDecoderTest {

    private static byte[] json(Object value) {
        return EtcdAccess.json(value).getBytes();
    }

    @Test
    void aChangedFrontendIsTheOnlyThingDecodedAgain() {
        TreeMap<String, byte[]> entries = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            entries.put(EtcdLayout.PROXY_BACKENDS + "default-app" + i + "-1/s1", json(new ReferenceServer("10.0.0." + (i + 1), 8080,
                    false, null)));
            entries.put(EtcdLayout.PROXY_FRONTENDS + "app" + i + ".example.com", json(new ReferenceFrontend(
                    "app" + i + ".example.com", "http", "default-app" + i + "-1", false)));
        }
        SnapshotDecoder decoder = new SnapshotDecoder();
        decoder.read(1, entries);
        String key = EtcdLayout.PROXY_FRONTENDS + "app7.example.com";
        entries.put(key, json(new ReferenceFrontend("app7.example.com", "http", "default-app8-1", false)));

        Snapshot snapshot = decoder.update(2, entries, Set.of(key));

        assertThat(decoder.lastChange()).isEqualTo(new SnapshotDecoder.Change(Set.of(HostName.of("app7.example.com")), Set.of(),
                false));
        assertThat(snapshot.model().frontend(HostName.of("app7.example.com")).orElseThrow().backendId()).isEqualTo("default-app8-1");
        assertThat(snapshot).isEqualTo(SnapshotDecoder.decode(2, entries));
    }

    @Test
    void randomWritesAndDeletesDecodeAsAWholeReadDoes() {
        Random random = new Random(7);
        TreeMap<String, byte[]> entries = new TreeMap<>();
        SnapshotDecoder decoder = new SnapshotDecoder();
        decoder.read(0, entries);
        for (int revision = 1; revision <= 300; revision++) {
            String id = "default-app" + random.nextInt(8) + "-" + random.nextInt(3);
            String host = "app" + random.nextInt(8) + ".example.com";
            String key = switch (random.nextInt(6)) {
                case 0 -> EtcdLayout.PROXY_BACKENDS + id + "/s" + random.nextInt(3);
                case 1 -> EtcdLayout.CONFIG_BACKENDS + id;
                case 2 -> EtcdLayout.PROXY_FRONTENDS + host;
                case 3 -> EtcdLayout.CONFIG_FRONTENDS + host;
                case 4 -> EtcdLayout.PROXY_BACKENDS + (random.nextBoolean() ? "Bad_Id/s1" : id + "/bad name");
                default -> EtcdLayout.PROXY_FRONTENDS + (random.nextBoolean() ? "not a host" : host);
            };
            if (random.nextInt(4) == 0) {
                entries.remove(key);
            } else {
                entries.put(key, value(key, id, random));
            }

            Snapshot incremental = decoder.update(revision, entries, Set.of(key));

            Snapshot whole = SnapshotDecoder.decode(revision, entries);
            assertThat(incremental.model()).as("model after %s at %d", key, revision).isEqualTo(whole.model());
            assertThat(incremental.problems()).as("problems after %s at %d", key, revision)
                    .containsExactlyInAnyOrderElementsOf(whole.problems());
        }
    }

    /** A value for the key: valid, unsafe (a header with a line break), or no JSON at all. */
    private static byte[] value(String key, String id, Random random) {
        if (random.nextInt(8) == 0) {
            return "{not json".getBytes(StandardCharsets.UTF_8);
        }
        boolean unsafe = random.nextInt(8) == 0;
        if (key.startsWith(EtcdLayout.PROXY_BACKENDS)) {
            return json(new ReferenceServer(unsafe ? "10.0.0.300" : "10.0.0." + (1 + random.nextInt(9)), 8080, false, null));
        }
        if (key.startsWith(EtcdLayout.CONFIG_BACKENDS)) {
            return json(new BackendOptions(random.nextBoolean(), List.of(), unsafe ? "/health\nx" : "/health",
                    "default/" + id.replaceAll("default-(app[0-9]+)-.*", "$1")));
        }
        if (key.startsWith(EtcdLayout.PROXY_FRONTENDS)) {
            String host = key.substring(EtcdLayout.PROXY_FRONTENDS.length());
            return json(new ReferenceFrontend(host, unsafe ? "tcp" : "http", id, random.nextBoolean()));
        }
        return json(new FrontendOptions(random.nextBoolean(), List.of(), random.nextBoolean(), TlsMode.HTTP_ONLY, null));
    }
}
