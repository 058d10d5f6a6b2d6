#!/usr/bin/env bash
# The Kafka ACLs bgdeploy needs on a cluster that authenticates its clients (SASL or mTLS) and
# authorizes them (authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer,
# allow.everyone.if.no.acl.found=false). One principal per service, each allowed exactly the topics
# and consumer group its code uses (Read includes Describe; Write also covers the idempotent
# producers); nothing else, no wildcards, no prefixes.
#
# CI may only write deploy-requests and read deploy-events. Which namespace a request deploys to is
# not a Kafka matter (a topic has no namespaces): the deployer verifies each request's signature
# against the keys registered per namespace (common-events' README, "Signed deploy requests"). The
# ACLs keep everyone else from writing deploy-requests at all, and from reading it (no one but
# the deployer sees a signed request that might be replayed before it is answered).
#
#   KAFKA_BOOTSTRAP_SERVERS=kafka-1:9093 KAFKA_ADMIN_CONFIG=admin.properties deploy/kafka/acls.sh
#
# admin.properties: the admin client's security settings (security.protocol, sasl.*, ssl.*).
# Principals are User:<name>; map your SASL users or certificate subjects to these names, or edit
# them here. system-tests' KafkaAclsTest checks this file against the services' code.
set -euo pipefail

bootstrap="${KAFKA_BOOTSTRAP_SERVERS:?set KAFKA_BOOTSTRAP_SERVERS}"
admin="${KAFKA_ADMIN_CONFIG:?set KAFKA_ADMIN_CONFIG to the admin client properties}"

# allow <principal> <operation> topic|group <name>
allow() {
  kafka-acls.sh --bootstrap-server "$bootstrap" --command-config "$admin" --add \
    --allow-principal "User:$1" --operation "$2" "--$3" "$4"
}

# deployer-service: deploy requests in its group; the answers of health-service and lb-config-service
# read from their end in no group; its events, pod events, LB commands and the local platform's pod
# output; records it cannot read go to the DLQs.
allow deployer-service Read  topic deploy-requests
allow deployer-service Read  group deployer-service
allow deployer-service Read  topic pod-health
allow deployer-service Read  topic lb-events
allow deployer-service Write topic deploy-events
allow deployer-service Write topic pod-events
allow deployer-service Write topic lb-commands
allow deployer-service Write topic container-logs
allow deployer-service Write topic deploy-requests-dlq
allow deployer-service Write topic pod-health-dlq
allow deployer-service Write topic lb-events-dlq

# lb-config-service: load-balancer commands in its group, their answers.
allow lb-config-service Read  topic lb-commands
allow lb-config-service Read  group lb-config-service
allow lb-config-service Write topic lb-events
allow lb-config-service Write topic lb-commands-dlq

# lb-agent, beside each HAProxy: reads etcd, not Kafka; it only reports its failures on lb-events.
allow lb-agent Write topic lb-events

# health-service: pod events in its group; deploy-events (which version should serve) and the
# other instances' reports read from their end in no group; its answers and its own reports.
allow health-service Read  topic pod-events
allow health-service Read  group health-service
allow health-service Read  topic deploy-events
allow health-service Read  topic health-reports
allow health-service Write topic pod-health
allow health-service Write topic health-reports
allow health-service Write topic pod-events-dlq

# log-shipper: the shipper reads container-logs in its group; the collector on each node writes it.
allow log-shipper Read  topic container-logs
allow log-shipper Read  group log-shipper
allow log-shipper Write topic container-logs-dlq
allow log-collector Write topic container-logs

# CI (deployctl, examples/ci/deploy-with-kcat.sh): requests, and their answers read in no group.
allow ci Write topic deploy-requests
allow ci Read  topic deploy-events
