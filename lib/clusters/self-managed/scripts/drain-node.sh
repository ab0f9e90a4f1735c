#!/bin/bash
# shellcheck shell=bash
# Runs before an Auto Scaling group terminates a node (termination lifecycle hook -> EventBridge -> the
# cluster's drain runbook -> SSM Run Command). Paths live under $CDK_K8S_ROOT (empty on a node) for tests.
#   ROLE=server: runs ON the terminating server: the server bootstrap's pre-terminate command (etcd snapshot,
#                then cordon and drain of this node); without that command (a node bootstrapped before it
#                existed, or one whose bootstrap failed before installing it) a snapshot (k3s, only when
#                the bootstrap finished) and a drain here.
#   ROLE=agent:  runs on the servers: cordons and drains the terminating agent's Node (named by instance id).
# Every step is safe to run twice. A failure is reported; the runbook completes the lifecycle action anyway.
set -euo pipefail
ROOT="${CDK_K8S_ROOT:-}"
MODE='@@MODE@@'
ROLE='@@ROLE@@'
NODE='@@NODE@@'
DRAIN_TIMEOUT='@@DRAIN_TIMEOUT@@'
PRE_TERMINATE="${ROOT}/usr/local/sbin/cdk-k8s-platform-pre-terminate"
READY="${ROOT}/var/lib/cdk-k8s-platform/ready"

log() { printf '%s cdk-k8s-platform drain: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

kube() {
  if [ "$MODE" = k3s ]; then k3s kubectl "$@"; else kubectl --kubeconfig "${ROOT}/etc/kubernetes/admin.conf" "$@"; fi
}

drain() {
  if ! kube get node "$1" >/dev/null 2>&1; then
    log "no Node $1 in the cluster: nothing to drain"
    return 0
  fi
  kube cordon "$1"
  kube drain "$1" --ignore-daemonsets --delete-emptydir-data --timeout="$DRAIN_TIMEOUT"
  log "Node $1 drained"
}

case "$NODE" in
  i-*) ;;
  *) log "refusing to drain \"$NODE\": not an instance id"; exit 2 ;;
esac

if [ "$ROLE" = server ]; then
  if [ -x "$PRE_TERMINATE" ]; then
    log "server $NODE terminates: running $PRE_TERMINATE"
    DRAIN_TIMEOUT="$DRAIN_TIMEOUT" exec "$PRE_TERMINATE"
  fi
  log "server $NODE terminates: no pre-terminate command on this node (an older bootstrap): snapshot and drain here"
  # Only a server whose bootstrap finished: a new server that failed must not write the newest snapshot.
  if [ "$MODE" = k3s ] && [ ! -f "$READY" ]; then
    log "no etcd snapshot: $NODE never finished its bootstrap ($READY is missing); the newest snapshot stays"
  elif [ "$MODE" = k3s ]; then
    k3s etcd-snapshot save --name "pre-terminate-$NODE"
  fi
  drain "$NODE"
else
  log "agent $NODE terminates: draining it from this server"
  drain "$NODE"
fi
