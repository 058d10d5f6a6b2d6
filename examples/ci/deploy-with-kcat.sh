#!/usr/bin/env bash
# What deployctl does, with kcat and jq only: publish a DeployRequested CloudEvent on
# deploy-requests, then follow deploy-events for its answer and its deployment.
#
#   KAFKA_BOOTSTRAP_SERVERS=kafka:9092 DEPLOY_SIGNING_KEY="test/ci=<base64 key>" ./deploy-with-kcat.sh descriptor.json [namespace]
#
# DEPLOY_SIGNING_KEY is the namespace's key line as registered with the deployer (the local run
# writes one for default to .suite/signing-keys.properties): the request is signed with it as
# deployctl signs, a JWS (RFC 7515) with a detached payload, HS256 over the record value as sent,
# in the record header bgdeploy-signature. Needs openssl.
#
# Exit status as deployctl: 0 DEPLOYED, 1 FAILURE, 2 rejected, 3 timed out.
set -euo pipefail

bootstrap="${KAFKA_BOOTSTRAP_SERVERS:?set KAFKA_BOOTSTRAP_SERVERS}"
descriptor_file="${1:?usage: $0 descriptor.json [namespace]}"
namespace="${2:-}"
timeout_seconds="${DEPLOY_TIMEOUT_SECONDS:-600}"

descriptor=$(jq --arg ns "$namespace" 'if $ns != "" then .namespace = $ns else . end' "$descriptor_file")
key=$(jq -r '(.namespace // "default") + "/" + .appName' <<<"$descriptor")
request_id=$(cat /proc/sys/kernel/random/uuid)
event=$(jq -cn --arg id "$(cat /proc/sys/kernel/random/uuid)" --arg key "$key" --arg rid "$request_id" \
  --arg by "${CI_JOB_URL:-${GITHUB_RUN_ID:-kcat}}" --arg time "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" \
  --argjson descriptor "$descriptor" \
  '{specversion: "1.0", id: $id, source: "/ci", type: "io.bgdeploy.deploy.requested", subject: $key,
    time: $time, datacontenttype: "application/json",
    data: {requestId: $rid, requestedBy: $by, descriptor: $descriptor}}')

headers=(-H "content-type=application/cloudevents+json; charset=UTF-8")
signed="unsigned"
if [[ -n "${DEPLOY_SIGNING_KEY:-}" ]]; then
  b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
  kid=${DEPLOY_SIGNING_KEY%%=*}
  secret=$(printf '%s' "${DEPLOY_SIGNING_KEY#*=}" | tr '_-' '/+')
  while (( ${#secret} % 4 )); do secret+="="; done
  hexkey=$(printf '%s' "$secret" | openssl base64 -d -A | od -An -tx1 | tr -d ' \n')
  jws_header=$(printf '{"alg":"HS256","kid":"%s"}' "$kid" | b64url)
  mac=$(printf '%s.%s' "$jws_header" "$(printf '%s' "$event" | b64url)" \
    | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | b64url)
  headers+=(-H "bgdeploy-signature=$jws_header..$mac")
  signed="signed with key $kid"
fi

# Read deploy-events from its end before the request goes out, so that its answer cannot be missed:
# kcat tells on stderr when it stands at the end of each partition, and only then is the request
# sent. (Reading from a timestamp after sending is not enough: a partition with no record that new
# yet is read from wherever its end is once the reader starts, past an answer that came meanwhile.)
partitions=$( (kcat -L -b "$bootstrap" -t deploy-events 2>/dev/null || true) | grep -c '^ *partition ' || true)
if (( partitions == 0 )); then
  echo "topic deploy-events not found on $bootstrap" >&2
  exit 3
fi
positions=$(mktemp)
exec 3< <(exec kcat -C -b "$bootstrap" -t deploy-events -o end -u -f '%k\t%s\n' 2>"$positions")
reader=$!
trap 'kill "$reader" 2>/dev/null || true; rm -f "$positions"' EXIT
ready_by=$(( $(date +%s) + 30 ))
until (( $(grep -c 'Reached end of topic' "$positions" || true) >= partitions )); do
  if (( $(date +%s) >= ready_by )); then
    echo "kcat did not reach the end of deploy-events within 30 s: $(cat "$positions")" >&2
    exit 3
  fi
  sleep 0.1
done

printf '%s\x1f%s\n' "$key" "$event" | kcat -P -b "$bootstrap" -t deploy-requests -K $'\x1f' "${headers[@]}"
echo "requested $key (request $request_id, $signed)"

deployment_id=""
deadline=$(( $(date +%s) + timeout_seconds ))
while (( $(date +%s) < deadline )); do
  rc=0
  IFS=$'\t' read -r -t 5 record_key value <&3 || rc=$?
  if (( rc > 128 )); then
    continue
  elif (( rc != 0 )); then
    echo "kcat stopped reading deploy-events (does the topic exist?)" >&2
    exit 3
  fi
  [[ "$record_key" == "$key" ]] || continue
  type=$(jq -r '.type // empty' <<<"$value" 2>/dev/null) || continue
  case "$type" in
    io.bgdeploy.deployment.rejected)
      if [[ -z "$deployment_id" && "$(jq -r .data.requestId <<<"$value")" == "$request_id" ]]; then
        jq -r '"REJECTED: " + .data.reason, (.data.problems[]? | "  - " + .)' <<<"$value"
        exit 2
      fi ;;
    io.bgdeploy.deployment.accepted)
      if [[ -z "$deployment_id" && "$(jq -r .data.requestId <<<"$value")" == "$request_id" ]]; then
        deployment_id=$(jq -r .data.deploymentId <<<"$value")
        echo "accepted: deployment $deployment_id, version $(jq -r .data.version <<<"$value")"
      fi ;;
    io.bgdeploy.deployment.phase-changed)
      if [[ -n "$deployment_id" && "$(jq -r .data.deploymentId <<<"$value")" == "$deployment_id" ]]; then
        jq -r '"phase " + .data.phase
               + (if .data.previousPhaseMillis then " (previous phase took \(.data.previousPhaseMillis) ms)" else "" end)
               + (if .data.message then ": " + .data.message else "" end)' <<<"$value"
      fi ;;
    io.bgdeploy.deployment.finished)
      if [[ -n "$deployment_id" && "$(jq -r .data.deploymentId <<<"$value")" == "$deployment_id" ]]; then
        jq -r '.data.status + " after \(.data.durationMillis) ms" + (if .data.reason then ": " + .data.reason else "" end)' <<<"$value"
        [[ "$(jq -r .data.status <<<"$value")" == "DEPLOYED" ]] && exit 0 || exit 1
      fi ;;
  esac
done
echo "no outcome within ${timeout_seconds}s${deployment_id:+ for deployment $deployment_id}"
exit 3
