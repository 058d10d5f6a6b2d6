#!/bin/sh
# Creates the global GELF TCP input that log-shipper sends to (GRAYLOG_GELF_URL=tcp://graylog:12201),
# so container logs are searchable as soon as they arrive. Safe to run again: an input with the
# same title is left alone.
set -eu

api="${GRAYLOG_API:-http://graylog:9000/api}"
auth="admin:${GRAYLOG_ROOT_PASSWORD:-admin}"
port="${GELF_TCP_PORT:-12201}"
title="bgdeploy GELF TCP"

echo "waiting for Graylog at ${api}"
until curl -fsS "${api}/system/lbstatus" >/dev/null 2>&1; do
  sleep 3
done

if curl -fsS -u "${auth}" -H 'Accept: application/json' "${api}/system/inputs" | grep -q "\"title\":\"${title}\""; then
  echo "the input '${title}' exists already"
  exit 0
fi

curl -fsS -u "${auth}" -X POST "${api}/system/inputs" \
  -H 'Content-Type: application/json' -H 'Accept: application/json' -H 'X-Requested-By: bgdeploy-init' \
  -d "{
        \"title\": \"${title}\",
        \"type\": \"org.graylog2.inputs.gelf.tcp.GELFTCPInput\",
        \"global\": true,
        \"configuration\": {
          \"bind_address\": \"0.0.0.0\",
          \"port\": ${port},
          \"use_null_delimiter\": true,
          \"max_message_size\": 2097152,
          \"recv_buffer_size\": 1048576,
          \"number_worker_threads\": 2,
          \"tls_enable\": false,
          \"tcp_keepalive\": true,
          \"decompress_size_limit\": 8388608
        }
      }"
echo
echo "created the input '${title}' on port ${port}"
