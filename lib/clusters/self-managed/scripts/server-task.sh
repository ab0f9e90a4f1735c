# shellcheck shell=bash
# Shared part of the scripts SSM associations run on the servers after their bootstrap (prepended at synth).
# Paths live under $CDK_K8S_ROOT (empty on a node) so tests can run a script in a temporary directory.
set -euo pipefail
umask 077
ROOT="${CDK_K8S_ROOT:-}"
STATE_DIR="${ROOT}/var/lib/cdk-k8s-platform"
TASK='@@TASK@@'

log() { printf '%(%Y-%m-%dT%H:%M:%SZ)T cdk-k8s-platform %s: %s\n' -1 "$TASK" "$*" >&2; }

# until_ok CMD...: up to 90 attempts 10 s apart (a server still booting, an API server restarting).
until_ok() {
  local n=1
  until "$@" >/dev/null 2>&1; do
    if [ "$n" -ge "${WAIT_ATTEMPTS:-90}" ]; then log "gave up waiting for: $*"; return 1; fi
    sleep "${RETRY_DELAY:-10}"
    n=$((n + 1))
  done
}

# The bootstrap writes the ready marker last (up to 30 minutes, like the workload sync waits).
wait_for_bootstrap() {
  local n=0
  until [ -f "$STATE_DIR/ready" ]; do
    n=$((n + 1))
    if [ "$n" -gt "${READY_ATTEMPTS:-180}" ]; then log "the node bootstrap did not finish"; return 1; fi
    sleep "${RETRY_DELAY:-10}"
  done
}
