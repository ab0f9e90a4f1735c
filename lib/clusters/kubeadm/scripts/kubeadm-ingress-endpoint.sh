#!/bin/bash
# Makes the control plane's Traefik release (installed with helm at boot, on host ports 80/443, so its Ingress
# status is otherwise empty) publish the ingress load balancer's DNS name in every Ingress status, so that
# external-dns makes records for Ingress hosts and points them at the NLB. Run on the control plane by an SSM
# State Manager association: when the name changes, on every new control plane and every 30 minutes (a new
# control plane installs the release with its boot values; this run then adds the endpoint back). Idempotent:
# no upgrade when the release's values already hold.
#
# Values: `providers.kubernetesIngress.publishedService.enabled: false` (Traefik prefers a published Service
# over a hostname) and `--providers.kubernetesingress.ingressendpoint.hostname=<NLB>` in `additionalArguments`
# (chart 35 has no value for it), merged into the release's own values (`helm get values`), with the chart
# version the control plane installs.
set -euo pipefail
umask 077
INGRESS_HOSTNAME='@@INGRESS_HOSTNAME@@'
read -r -a KC <<< '@@KUBECTL@@'
TRAEFIK_CHART_REPOSITORY='@@TRAEFIK_CHART_REPOSITORY@@'
TRAEFIK_CHART_VERSION='@@TRAEFIK_CHART_VERSION@@'
ROOT="${CDK_K8S_ROOT:-}"
STATE_DIR="${ROOT}/var/lib/cdk-k8s-platform"
HELM=("${ROOT}/usr/local/bin/helm" --kubeconfig "${ROOT}/etc/kubernetes/admin.conf" --namespace traefik)

log() { printf '%(%Y-%m-%dT%H:%M:%SZ)T cdk-k8s-platform ingress endpoint: %s\n' -1 "$*" >&2; }

# until_ok CMD...: up to 90 attempts 10 s apart (a control plane still booting, an API server restarting).
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

# retry CMD...: up to 4 attempts 10 s apart, its output shown (the chart repository over the network).
retry() {
  local n=1
  until "$@"; do
    if [ "$n" -ge 4 ]; then log "giving up after $n attempts: $*"; return 1; fi
    sleep "${RETRY_DELAY:-10}"
    n=$((n + 1))
  done
}

main() {
  if [[ ! "$INGRESS_HOSTNAME" =~ ^[A-Za-z0-9.-]+$ ]]; then log "not a DNS name: $INGRESS_HOSTNAME"; return 1; fi
  # the bootstrap installs Traefik before it writes the ready marker: no upgrade races the boot's install
  wait_for_bootstrap
  until_ok "${KC[@]}" get namespace kube-system
  until_ok "${HELM[@]}" status traefik
  local result
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  "${HELM[@]}" get values traefik -o json > "$WORK/current.json"
  result=$(python3 -c '@@MERGE_VALUES@@' "$WORK/current.json" "$INGRESS_HOSTNAME" values "$WORK/values.json")
  if [ "$result" = unchanged ]; then
    log "Traefik already publishes $INGRESS_HOSTNAME"
    return 0
  fi
  # --reuse-values with the merged values on top: the release keeps every value it had
  retry "${HELM[@]}" upgrade traefik traefik --repo "$TRAEFIK_CHART_REPOSITORY" --version "$TRAEFIK_CHART_VERSION" \
    --reuse-values -f "$WORK/values.json"
  log "Traefik now publishes $INGRESS_HOSTNAME in the Ingress status"
}

main "$@"
