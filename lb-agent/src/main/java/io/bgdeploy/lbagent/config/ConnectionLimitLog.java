package io.bgdeploy.lbagent.config;

import io.bgdeploy.lbagent.render.FileDescriptorBudget.ConnectionLimit;
import org.jboss.logging.Logger;

import java.util.function.Consumer;

/**
 * Tells the operator when the open-files limit changes the {@code maxconn} HAProxy is given: one
 * line when the rendered maximum changes, none while it stays; the latest is kept for a gauge.
 */
final class ConnectionLimitLog implements Consumer<ConnectionLimit> {

    private static final Logger LOG = Logger.getLogger(ConnectionLimitLog.class);

    private final String agentId;
    private volatile ConnectionLimit last;

    ConnectionLimitLog(String agentId) {
        this.agentId = agentId;
    }

    @Override
    public void accept(ConnectionLimit limit) {
        ConnectionLimit was = last;
        last = limit;
        if (was != null && was.effective() == limit.effective() && was.fits() == limit.fits()) {
            return;
        }
        if (!limit.fits()) {
            LOG.warnf("agent %s: HAProxy needs %d open files for this configuration even with maxconn %d, and its limit is %d;"
                            + " it will refuse the configuration: raise the nofile limit of the HAProxy container or process",
                    agentId, limit.effectiveNeed(), limit.effective(), limit.limit());
        } else if (limit.lowered()) {
            LOG.warnf("agent %s: maxconn %d needs %d open files for this configuration, HAProxy's limit is %d;"
                            + " HAProxy gets maxconn %d instead: raise the nofile limit of the HAProxy container or process,"
                            + " or lower lbagent.haproxy.max-connections",
                    agentId, limit.configured(), limit.need(), limit.limit(), limit.effective());
        } else if (was != null) {
            LOG.infof("agent %s: the configuration fits HAProxy's open-files limit %d again; HAProxy gets maxconn %d",
                    agentId, limit.limit(), limit.effective());
        }
    }

    /** The {@code maxconn} of the latest file rendered; NaN before the first. */
    double effectiveMaxConnections() {
        ConnectionLimit l = last;
        return l == null ? Double.NaN : l.effective();
    }
}
