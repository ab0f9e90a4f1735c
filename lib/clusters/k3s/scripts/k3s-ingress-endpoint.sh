#!/bin/bash
# (server-task.sh is prepended at synth: log, until_ok, wait_for_bootstrap, ROOT, STATE_DIR; set -euo pipefail.)
# Makes k3s's packaged Traefik publish the ingress load balancer's DNS name in every Ingress status, so that
# external-dns (and anyone reading `kubectl get ingress`) points at the NLB, not at the nodes' private addresses
# ServiceLB reports. Run on the servers by an SSM State Manager association: when the name changes, on every
# new server and every 30 minutes (drift repair). Idempotent: nothing is applied when the values already hold.
# Every run ends by waiting (up to 10 minutes) until Traefik's Deployment runs with the flag, and fails naming
# the Helm controller's job when it does not (a failed helm-install-traefik would otherwise go unnoticed).
#
# The values go into the HelmChartConfig kube-system/traefik, k3s's own way to configure its packaged charts:
# `providers.kubernetesIngress.publishedService.enabled: false` (Traefik prefers a published Service over a
# hostname) and `--providers.kubernetesingress.ingressendpoint.hostname=<NLB>` in `additionalArguments`
# (Traefik's charts before 40.0.0, those of the pinned k3s releases among them, have no value for it; the
# `ingressEndpoint` value of later charts is dropped, so that the flag is given once). A HelmChartConfig that
# already exists keeps every other value: its valuesContent is merged (YAML, by python3 with PyYAML, which
# cloud-init needs on every supported image), never replaced.
INGRESS_HOSTNAME='@@INGRESS_HOSTNAME@@'
read -r -a KC <<< '@@KUBECTL@@'
FIELD_MANAGER=cdk-k8s-platform
CONFIG=helmchartconfigs.helm.cattle.io
FLAG=--providers.kubernetesingress.ingressendpoint.hostname

# Writes the merged HelmChartConfig; the Helm controller then upgrades the release (its job helm-install-traefik).
apply_config() {
  local addon
  # k3s's deploy controller marks what it applies from /var/lib/rancher/k3s/server/manifests with its Addon's name
  addon=$("${KC[@]}" -n kube-system get "$CONFIG" traefik --ignore-not-found \
    -o jsonpath='{.metadata.annotations.objectset\.rio\.cattle\.io/owner-name}')
  if [ -n "$addon" ]; then
    log "warning: HelmChartConfig kube-system/traefik comes from /var/lib/rancher/k3s/server/manifests/$addon.yaml, which k3s" \
      "applies again when it starts: add providers.kubernetesIngress.publishedService.enabled=false and the additionalArguments" \
      "entry $FLAG=$INGRESS_HOSTNAME to that file (this run merges them meanwhile)"
  fi
  # force: the merged valuesContent keeps what the previous owner of the field wrote
  "${KC[@]}" apply --server-side --field-manager="$FIELD_MANAGER" --force-conflicts -f "$WORK/traefik.json"
  log "HelmChartConfig kube-system/traefik now publishes $INGRESS_HOSTNAME (the Helm controller upgrades the release)"
}

# True when Traefik's Deployment passes the flag with this host name.
traefik_publishes() {
  local args
  args=$("${KC[@]}" -n kube-system get deployment traefik --ignore-not-found -o jsonpath='{.spec.template.spec.containers[0].args}')
  [[ "$args" == *"\"$FLAG=$INGRESS_HOSTNAME\""* ]]
}

# Up to 10 minutes for the Helm controller's upgrade; a failed or stuck job fails the run (the association reports it).
wait_for_traefik() {
  local n=1 failed
  until traefik_publishes; do
    if [ "$n" -ge "${ROLLOUT_ATTEMPTS:-60}" ]; then
      failed=$("${KC[@]}" -n kube-system get job helm-install-traefik --ignore-not-found -o jsonpath='{.status.failed}')
      log "Traefik's Deployment kube-system/traefik does not run with $FLAG=$INGRESS_HOSTNAME: the Helm controller's job" \
        "kube-system/helm-install-traefik has ${failed:-0} failed pod(s); see kubectl -n kube-system logs job/helm-install-traefik"
      return 1
    fi
    sleep "${RETRY_DELAY:-10}"
    n=$((n + 1))
  done
}

main() {
  if [[ ! "$INGRESS_HOSTNAME" =~ ^[A-Za-z0-9.-]+$ ]]; then log "not a DNS name: $INGRESS_HOSTNAME"; return 1; fi
  wait_for_bootstrap
  # then the API serves the Helm controller's kinds
  until_ok "${KC[@]}" -n kube-system get "$CONFIG" -o name
  local result
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  "${KC[@]}" -n kube-system get "$CONFIG" traefik --ignore-not-found -o jsonpath='{.spec.valuesContent}' > "$WORK/current.yaml"
  result=$(python3 -c '@@MERGE_VALUES@@' "$WORK/current.yaml" "$INGRESS_HOSTNAME" helmchartconfig "$WORK/traefik.json")
  if [ "$result" = unchanged ]; then
    log "Traefik's values already publish $INGRESS_HOSTNAME"
  else
    apply_config
  fi
  wait_for_traefik
  log "Traefik publishes $INGRESS_HOSTNAME in the Ingress status"
}

main "$@"
