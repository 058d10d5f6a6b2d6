#!/bin/sh
# Installs bgdeploy's Graylog content pack (deploy/graylog/bgdeploy-content-pack.json): the global
# GELF HTTP input that log-shipper sends to (GRAYLOG_GELF_URL=http://graylog:12202/gelf), the
# "bgdeploy container logs" stream and its dashboard. Safe to run again: a pack that is installed
# already is left alone.
set -eu

api="${GRAYLOG_API:-http://graylog:9000/api}"
auth="admin:${GRAYLOG_ROOT_PASSWORD:-admin}"
pack="${CONTENT_PACK:-/bgdeploy-content-pack.json}"
port="${GELF_HTTP_PORT:-12202}"
id=$(sed -n 's/^  "id": "\(.*\)",$/\1/p' "$pack" | head -1)
rev=$(sed -n 's/^  "rev": \([0-9]*\),$/\1/p' "$pack" | head -1)

call() {
  curl -fsS -u "$auth" -H 'Accept: application/json' -H 'X-Requested-By: bgdeploy-graylog-init' "$@"
}

echo "waiting for Graylog at ${api}"
until curl -fsS "${api}/system/lbstatus" >/dev/null 2>&1; do
  sleep 3
done

installed=$(call "${api}/system/content_packs/${id}/installations" 2>/dev/null || echo '"total":0')
case "$installed" in
  *'"total":0'*) ;;
  *) echo "content pack ${id} is installed already"; exit 0 ;;
esac

if ! call "${api}/system/content_packs/${id}/${rev}" >/dev/null 2>&1; then
  call -X POST "${api}/system/content_packs" -H 'Content-Type: application/json' --data-binary "@${pack}" >/dev/null
  echo "uploaded content pack ${id} revision ${rev}"
fi

call -X POST "${api}/system/content_packs/${id}/${rev}/installations" -H 'Content-Type: application/json' \
  -d "{\"parameters\": {\"GELF_HTTP_PORT\": {\"@type\": \"integer\", \"@value\": ${port}}}, \"comment\": \"installed by graylog-init\"}" >/dev/null
echo "installed content pack ${id}: GELF HTTP input on port ${port}, stream and dashboard 'bgdeploy container logs'"
