package io.bgdeploy.lbconfig.testing;

import io.bgdeploy.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/** Creates this service's topics up front, so readers can be assigned their partitions at once. */
public final class KafkaTopics {

    private KafkaTopics() {
    }

    public static void ensure(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = List.of(Topics.LB_COMMANDS, Topics.LB_EVENTS, Topics.LB_COMMANDS_DLQ).stream()
                    .filter(t -> !existing.contains(t)).map(t -> new NewTopic(t, 4, (short) 1)).toList();
            admin.createTopics(missing).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
