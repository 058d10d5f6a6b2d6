package io.bgdeploy.lbconfig.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.bgdeploy.lbconfig.messaging.CommandHandler.AnswerNotSentException;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads lb-commands in order, one at a time per partition. A command is acknowledged (its offset
 * may be committed) once its answer is sent and recorded in etcd; the next command does not wait
 * for that record. A record that is not a valid command,
 * and a command whose answer Kafka did not take, are nacked with the reason and land in
 * lb-commands-dlq; the consumer goes on with the next one. Both are expected failures: one log
 * line each, no stack trace.
 */
@ApplicationScoped
public class LbCommandConsumer {

    private static final Logger LOG = Logger.getLogger(LbCommandConsumer.class);

    private final CommandHandler handler;

    public LbCommandConsumer(CommandHandler handler) {
        this.handler = handler;
    }

    @Incoming(Topics.LB_COMMANDS)
    @Blocking
    public CompletionStage<Void> consume(Message<String> message) {
        LbCommand command;
        try {
            command = command(message.getPayload());
        } catch (MalformedEventException e) {
            LOG.warnf("malformed record on %s sent to %s: %s", Topics.LB_COMMANDS, Topics.LB_COMMANDS_DLQ, e.getMessage());
            return message.nack(e);
        }
        long sentAt = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(IncomingKafkaRecordMetadata::getTimestamp).map(Instant::toEpochMilli)
                .orElseGet(System::currentTimeMillis);
        CompletionStage<Void> recorded;
        try {
            recorded = handler.handle(command, sentAt);
        } catch (AnswerNotSentException e) {
            LOG.warnf("deployment %s: command %s sent to %s: %s", command.deploymentId(), command.commandId(),
                    Topics.LB_COMMANDS_DLQ, e.getMessage());
            return message.nack(e);
        }
        recorded.whenComplete((done, failure) -> {
            if (failure != null) {
                // answered all the same: the command is done, only a redelivery would be answered again
                LOG.warnf("deployment %s: command %s is answered but etcd does not record it: %s", command.deploymentId(),
                        command.commandId(), failure.getMessage());
            }
            message.ack();
        });
        return CompletableFuture.completedFuture(null);
    }

    private static LbCommand command(String value) throws MalformedEventException {
        EventEnvelope<?> envelope = EventCodec.decode(value);
        if (!(envelope.data() instanceof LbCommand command)) {
            throw new MalformedEventException("expected a load-balancer command on " + Topics.LB_COMMANDS + " but got "
                    + envelope.type());
        }
        try {
            EtcdLayout.command(command.commandId());
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException(e.getMessage(), e);
        }
        return command;
    }
}
