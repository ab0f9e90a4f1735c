#!/bin/bash
# (server-task.sh is prepended at synth: log, until_ok, wait_for_bootstrap, ROOT, STATE_DIR; set -euo pipefail.)
# Makes the control plane's Traefik release (installed with helm at boot, on host ports 80/443, so its Ingress
# status is otherwise empty) publish the ingress load balancer's DNS name in every Ingress status, so that
# external-dns makes records for Ingress hosts and points them at the NLB. Run on the control plane by an SSM
# State Manager association: when the name changes, on every new control plane and every 30 minutes (drift
# repair). Idempotent: no upgrade when the release's values hold, its latest revision is deployed and the
# DaemonSet runs with the flag; every run ends by waiting for the DaemonSet's rollout and fails if it does not end.
#
# Values: `providers.kubernetesIngress.publishedService.enabled: false` (Traefik prefers a published Service
# over a hostname), `--providers.kubernetesingress.ingressendpoint.hostname=<NLB>` in `additionalArguments`
# (chart 35 has no value for it) and a DaemonSet-safe update strategy (maxUnavailable 1, maxSurge 0: a surge pod
# can never bind the host ports its predecessor holds, so the chart's default 0/1 never finishes a rollout),
# merged into the release's own values (`helm get values`), with the chart version the release runs (`helm get
# metadata`): chart upgrades are the boot's, which installs the library's pinned version.
INGRESS_HOSTNAME='@@INGRESS_HOSTNAME@@'
read -r -a KC <<< '@@KUBECTL@@'
TRAEFIK_CHART_REPOSITORY='@@TRAEFIK_CHART_REPOSITORY@@'
FLAG=--providers.kubernetesingress.ingressendpoint.hostname
HELM=("${ROOT}/usr/local/bin/helm" --kubeconfig "${ROOT}/etc/kubernetes/admin.conf" --namespace traefik)

# retry CMD...: up to 4 attempts 10 s apart, its output shown (the chart repository over the network).
retry() {
  local n=1
  until "$@"; do
    if [ "$n" -ge 4 ]; then log "giving up after $n attempts: $*"; return 1; fi
    sleep "${RETRY_DELAY:-10}"
    n=$((n + 1))
  done
}

# True when the DaemonSet's pod template passes the flag with this host name.
daemonset_publishes() {
  local args
  args=$("${KC[@]}" -n traefik get daemonset traefik --ignore-not-found -o jsonpath='{.spec.template.spec.containers[0].args}')
  [[ "$args" == *"\"$FLAG=$INGRESS_HOSTNAME\""* ]]
}

# The latest revision's chart version and status (helm get metadata: the newest revision, failed or not).
release_metadata() {
  "${HELM[@]}" get metadata traefik -o json | python3 -c 'import json, sys; m = json.load(sys.stdin); print(m["version"], m["status"])'
}

main() {
  if [[ ! "$INGRESS_HOSTNAME" =~ ^[A-Za-z0-9.-]+$ ]]; then log "not a DNS name: $INGRESS_HOSTNAME"; return 1; fi
  # the bootstrap installs Traefik before it writes the ready marker: no upgrade races the boot's install
  wait_for_bootstrap
  until_ok "${KC[@]}" get namespace kube-system
  until_ok "${HELM[@]}" status traefik
  local result meta version status
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  "${HELM[@]}" get values traefik -o json > "$WORK/current.json"
  result=$(python3 -c '@@MERGE_VALUES@@' "$WORK/current.json" "$INGRESS_HOSTNAME" values "$WORK/values.json")
  meta=$(release_metadata)
  read -r version status <<< "$meta"
  if [ "$result" = unchanged ] && [ "$status" = deployed ] && daemonset_publishes; then
    log "Traefik's values already publish $INGRESS_HOSTNAME (chart $version, deployed)"
  else
    if [[ "$status" == pending-* ]]; then
      log "the traefik release is $status: another helm operation runs or was interrupted; see helm -n traefik history traefik" \
        "(an interrupted one: helm -n traefik rollback traefik), then this association runs again"
      return 1
    fi
    log "upgrading the traefik release (chart $version, latest revision $status; values $result)"
    # --reuse-values with the merged values on top: the release keeps every value it had, and its chart version
    retry "${HELM[@]}" upgrade traefik traefik --repo "$TRAEFIK_CHART_REPOSITORY" --version "$version" \
      --reuse-values -f "$WORK/values.json"
  fi
  # helm does not wait (no --wait): the DaemonSet rolls node by node, and a rollout that does not finish fails the run
  if ! "${KC[@]}" -n traefik rollout status daemonset/traefik --timeout="${ROLLOUT_TIMEOUT:-10m}"; then
    log "the Traefik DaemonSet did not finish its rollout: see kubectl -n traefik get pods,daemonset -o wide"
    return 1
  fi
  log "Traefik publishes $INGRESS_HOSTNAME in the Ingress status"
}

main "$@"
