#!/usr/bin/env bash
# What deployctl --via-rest does, with curl only, as the reference deployer's scripts did it:
# store the descriptor, deploy it, poll the deployment until DEPLOYED or FAILURE.
#
#   DEPLOYER_URL=http://deployer:8080 DEPLOYER_TOKEN=... ./deploy-with-curl.sh descriptor.json test
#
# The deployment JSON has exactly one line containing "status", so grep finds the status without jq.
set -euo pipefail

deployer="${DEPLOYER_URL:?set DEPLOYER_URL, e.g. http://deployer:8080}"
descriptor_file="${1:?usage: $0 descriptor.json namespace}"
namespace="${2:?usage: $0 descriptor.json namespace}"
auth=(-H "Authorization: Bearer ${DEPLOYER_TOKEN:?set DEPLOYER_TOKEN}")

descriptor_id=$(curl -fsS "${auth[@]}" -H 'Content-Type: application/json' --data-binary "@$descriptor_file" \
  "$deployer/descriptors/?namespace=$namespace" | grep '"id"' | head -1 | cut -d'"' -f4)
echo "descriptor $descriptor_id stored in $namespace"

location=$(curl -fsS -o /dev/null -w '%header{location}' -X POST "${auth[@]}" \
  "$deployer/deployments/?namespace=$namespace&descriptorId=$descriptor_id")
echo "deployment started: $deployer$location"

for _ in $(seq 1 600); do
  status=$(curl -fsS "$deployer$location" | grep '"status"' | cut -d'"' -f4)
  case "$status" in
    DEPLOYED) echo "DEPLOYED"; exit 0 ;;
    FAILURE)  echo "FAILURE"; curl -fsS "$deployer${location%%\?*}logs?namespace=$namespace"; exit 1 ;;
  esac
  sleep 1
done
echo "still $status after 10 minutes"
exit 3
