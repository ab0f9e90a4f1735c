#!/bin/bash
# Delivers the cluster's workloads on a server (run by an SSM State Manager association whenever they
# change, and on every new server). k3s: copies each delivery into the auto-deploy manifests directory;
# kubeadm: server-side apply. Then deletes every object this library manages that no delivery lists any more.
set -euo pipefail
umask 077
MODE='@@MODE@@'
REGION='@@REGION@@'
# One delivery per line: <id> <S3 URL of its manifest file (format v1: an '# object: ' header line per object)>
DELIVERIES='@@DELIVERIES@@'

ROOT="${CDK_K8S_ROOT:-}"
STATE_DIR="${ROOT}/var/lib/cdk-k8s-platform"
WORK="$STATE_DIR/deliveries"
MANIFESTS_DIR="${ROOT}/var/lib/rancher/k3s/server/manifests"
MANAGED='app.kubernetes.io/managed-by=cdk-k8s-platform'

log() { printf '%s cdk-k8s-platform sync: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }
kc() {
  if [ "$MODE" = k3s ]; then k3s kubectl "$@"; else kubectl --kubeconfig "${ROOT}/etc/kubernetes/admin.conf" "$@"; fi
}

# A new server runs this before its bootstrap is done: wait for it.
n=0
until [ -f "$STATE_DIR/ready" ]; do
  n=$((n + 1))
  if [ "$n" -gt "${READY_ATTEMPTS:-180}" ]; then log "the node bootstrap did not finish"; exit 1; fi
  sleep "${RETRY_DELAY:-10}"
done

mkdir -p "$WORK" "$MANIFESTS_DIR"
: > "$WORK/desired"
ids=' '
while read -r id manifests; do
  [ -n "$id" ] || continue
  aws s3 cp --region "$REGION" --only-show-errors "$manifests" "$WORK/$id.yaml"
  # '# object: <apiVersion>|<kind>|<namespace>|<name>' -> '<kind>|<namespace>|<name>'
  { grep '^# object: ' "$WORK/$id.yaml" || true; } | cut -d ' ' -f 3- | cut -d '|' -f 2- >> "$WORK/desired"
  ids="$ids$id "
  if [ "$MODE" = k3s ]; then
    target="$MANIFESTS_DIR/cdk-k8s-platform-$id.yaml"
    if ! cmp -s "$WORK/$id.yaml" "$target"; then
      log "delivery $id changed: updating $target"
      install -m 0600 "$WORK/$id.yaml" "$target"
    fi
  else
    log "applying delivery $id"
    kc apply --server-side --force-conflicts --field-manager=cdk-k8s-platform -f "$WORK/$id.yaml"
  fi
done <<< "$DELIVERIES"

# Deliveries removed from the code: their files go (k3s does not delete objects when a file goes: see below).
for f in "$MANIFESTS_DIR"/cdk-k8s-platform-*.yaml; do
  [ -e "$f" ] || continue
  id=${f##*/cdk-k8s-platform-}
  id=${id%.yaml}
  case "$ids" in
    *" $id "*) ;;
    *) log "delivery $id was removed: deleting $f"; rm -f "$f" ;;
  esac
done

# Objects removed from the code: every managed object that no inventory lists is deleted. Objects owned by
# another object (ReplicaSets, Pods, Jobs of CronJobs) are left to their owner.
kc api-resources --verbs=list,delete -o name | while read -r resource; do
  kc get "$resource" --all-namespaces -l "$MANAGED" --ignore-not-found \
    -o jsonpath='{range .items[*]}{.kind}{"|"}{.metadata.namespace}{"|"}{.metadata.name}{"|"}{.metadata.ownerReferences[0].uid}{"\n"}{end}' \
    | sed "s#^#${resource}|#" || true
done > "$WORK/live"
sort -u "$WORK/live" | while IFS='|' read -r resource kind ns name owner; do
  if [ -z "$name" ] || [ -n "$owner" ]; then continue; fi
  if grep -qxF "$kind|$ns|$name" "$WORK/desired"; then continue; fi
  if [ "$ns" = default ] && grep -qxF "$kind||$name" "$WORK/desired"; then continue; fi
  log "deleting $kind ${ns:+$ns/}$name: no longer in the code"
  if [ -n "$ns" ]; then kc delete "$resource" "$name" -n "$ns" --ignore-not-found --wait=false; else kc delete "$resource" "$name" --ignore-not-found --wait=false; fi
done
log "workloads in sync ($(wc -l < "$WORK/desired") objects)"
