package io.bgdeploy.lbconfig.messaging;

import io.bgdeploy.events.EventCodec;
import io.bgdeploy.events.EventEnvelope;
import io.bgdeploy.events.MalformedEventException;
import io.bgdeploy.events.Topics;
import io.bgdeploy.events.lb.LbCommand;
import io.bgdeploy.lb.etcd.EtcdLayout;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Reads lb-commands in order, one at a time per partition. A record that is not a valid command
 * is nacked with the reason and lands in lb-commands-dlq; the consumer goes on with the next one.
 */
@ApplicationScoped
public class LbCommandConsumer {

    private final CommandHandler handler;

    public LbCommandConsumer(CommandHandler handler) {
        this.handler = handler;
    }

    @Incoming(Topics.LB_COMMANDS)
    @Blocking
    public void consume(String value) throws MalformedEventException {
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
        handler.handle(command);
    }
}
