# shellcheck shell=bash
# kubeadm control-plane bootstrap. Values are rendered at synth; the bootstrap token comes from Secrets
# Manager at boot and lives only in 0600 files. Day-2 work (PKI backup and restore, etcd snapshots, token
# rotation, pre-terminate drain) is the cdk-k8s-platform-kubeadm tool, an S3 asset installed below.
CLUSTER_NAME='@@CLUSTER_NAME@@'
REGION='@@REGION@@'
KUBERNETES_VERSION='@@KUBERNETES_VERSION@@'
API_ENDPOINT='@@API_ENDPOINT@@'
BOOTSTRAP_TOKEN_SECRET_ARN='@@BOOTSTRAP_TOKEN_SECRET_ARN@@'
KUBECONFIG_SECRET_ARN='@@KUBECONFIG_SECRET_ARN@@'
CA_HASH_PARAMETER='@@CA_HASH_PARAMETER@@'
POD_CIDR='@@POD_CIDR@@'
OS_FAMILY='@@OS_FAMILY@@'
STATE_BUCKET='@@STATE_BUCKET@@'
SNAPSHOT_CALENDAR='@@SNAPSHOT_CALENDAR@@'
SNAPSHOT_RETENTION='@@SNAPSHOT_RETENTION@@'
DAY2_TOOL_URL='@@DAY2_TOOL_URL@@'
NETWORK_POLICY_URL='@@NETWORK_POLICY_URL@@'
HELM_CONTROLLER_URL='@@HELM_CONTROLLER_URL@@'
FLANNEL_MANIFEST='@@FLANNEL_MANIFEST@@'
METRICS_SERVER_MANIFEST='@@METRICS_SERVER_MANIFEST@@'
LOCAL_PATH_MANIFEST='@@LOCAL_PATH_MANIFEST@@'
HELM_VERSION='@@HELM_VERSION@@'
TRAEFIK_CHART_REPOSITORY='@@TRAEFIK_CHART_REPOSITORY@@'
TRAEFIK_CHART_VERSION='@@TRAEFIK_CHART_VERSION@@'
ARCH='@@ARCH@@'

KUBE_DIR="${ROOT}/etc/kubernetes"
KC=(kubectl --kubeconfig "$KUBE_DIR/admin.conf")
TOOL="${ROOT}/usr/local/sbin/cdk-k8s-platform-kubeadm"

# The day-2 tool, its settings (names only, no secret) and the pre-terminate command of the lifecycle hook.
install_tool() {
  mkdir -p "${ROOT}/usr/local/sbin" "${ROOT}/etc/cdk-k8s-platform"
  retry aws s3 cp --only-show-errors --region "$REGION" "$DAY2_TOOL_URL" "$TOOL"
  chmod 0700 "$TOOL"
  printf "%s='%s'\n" CLUSTER_NAME "$CLUSTER_NAME" REGION "$REGION" KUBERNETES_VERSION "$KUBERNETES_VERSION" \
    STATE_BUCKET "$STATE_BUCKET" BOOTSTRAP_TOKEN_SECRET_ARN "$BOOTSTRAP_TOKEN_SECRET_ARN" \
    SNAPSHOT_CALENDAR "$SNAPSHOT_CALENDAR" SNAPSHOT_RETENTION "$SNAPSHOT_RETENTION" INSTANCE_ID "$INSTANCE_ID" \
    NODE_IP "$NODE_IP" STACK_NAME "$STACK_NAME" > "${ROOT}/etc/cdk-k8s-platform/kubeadm.env"
  # shellcheck disable=SC2016 # "$@" belongs to the written script
  printf '#!/bin/sh\nexec /usr/local/sbin/cdk-k8s-platform-kubeadm pre-terminate "$@"\n' > "${ROOT}/usr/local/sbin/cdk-k8s-platform-pre-terminate"
  chmod 0700 "${ROOT}/usr/local/sbin/cdk-k8s-platform-pre-terminate"
}

install_addons() {
  retry "${KC[@]}" apply -f "$FLANNEL_MANIFEST"
  # flannel does not enforce NetworkPolicies: kube-router's policy controller (pinned, an S3 asset) does.
  retry aws s3 cp --only-show-errors --region "$REGION" "$NETWORK_POLICY_URL" "$STATE_DIR/network-policy.json"
  retry "${KC[@]}" apply --server-side --field-manager=cdk-k8s-platform --force-conflicts -f "$STATE_DIR/network-policy.json"
  retry "${KC[@]}" apply -f "$LOCAL_PATH_MANIFEST"
  retry "${KC[@]}" annotate storageclass local-path storageclass.kubernetes.io/is-default-class=true --overwrite
  retry "${KC[@]}" apply -f "$METRICS_SERVER_MANIFEST"
  # kubelet serving certificates are self-signed under kubeadm.
  retry "${KC[@]}" -n kube-system patch deployment metrics-server --type json \
    -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'
  retry curl -fsSLo "$STATE_DIR/helm.tgz" "https://get.helm.sh/helm-${HELM_VERSION}-linux-${ARCH}.tar.gz"
  retry curl -fsSLo "$STATE_DIR/helm.tgz.sha256sum" "https://get.helm.sh/helm-${HELM_VERSION}-linux-${ARCH}.tar.gz.sha256sum"
  (cd "$STATE_DIR" && sed 's#  .*#  helm.tgz#' helm.tgz.sha256sum | sha256sum -c -)
  tar -xzf "$STATE_DIR/helm.tgz" -C "$STATE_DIR"
  install -m 0755 "$STATE_DIR/linux-${ARCH}/helm" "${ROOT}/usr/local/bin/helm"
  # A DaemonSet on host ports rolls one node at a time (maxUnavailable 1, maxSurge 0): a surge pod could never bind
  # the ports its predecessor holds, and the chart's default (0/1) never finishes. A release that exists (a restored
  # control plane) keeps its values on the pinned chart's defaults (--reset-then-reuse-values; plain --reuse-values
  # would keep the old chart's defaults), so the ingress endpoint the association set stays published through a roll.
  retry helm --kubeconfig "$KUBE_DIR/admin.conf" upgrade --install traefik traefik --repo "$TRAEFIK_CHART_REPOSITORY" \
    --version "$TRAEFIK_CHART_VERSION" --namespace traefik --create-namespace --reset-then-reuse-values \
    --set deployment.kind=DaemonSet --set ports.web.hostPort=80 --set ports.websecure.hostPort=443 \
    --set service.type=ClusterIP --set ingressClass.isDefaultClass=true \
    --set updateStrategy.rollingUpdate.maxUnavailable=1 --set updateStrategy.rollingUpdate.maxSurge=0
  install_helm_controller
}

# The Helm controller k3s embeds (k3s-io/helm-controller, pinned, an S3 asset): add-ons are HelmChart objects
# in kube-system, as on k3s. The controller creates its CRDs when it starts; the node reports ready only once
# they are established, and the workload sync waits for that: no HelmChart is applied before its kind is served.
install_helm_controller() {
  retry aws s3 cp --only-show-errors --region "$REGION" "$HELM_CONTROLLER_URL" "$STATE_DIR/helm-controller.json"
  retry "${KC[@]}" apply --server-side --field-manager=cdk-k8s-platform --force-conflicts -f "$STATE_DIR/helm-controller.json"
  retry "${KC[@]}" wait --for condition=established --timeout=60s crd/helmcharts.helm.cattle.io crd/helmchartconfigs.helm.cattle.io
}

# The init configuration (0600): the bootstrap token of the secret, this node's name and address.
write_init_config() {
  local raw
  raw=$(cat "$KUBE_DIR/cdk-k8s-platform/token-source")
  cat > "$KUBE_DIR/cdk-k8s-platform/kubeadm-init.yaml" <<CONFIG
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
  - token: "${raw:0:6}.${raw:6:16}"
    description: "cdk-k8s-platform bootstrap token"
    ttl: 24h0m0s
    usages: [signing, authentication]
    groups: ["system:bootstrappers:kubeadm:default-node-token"]
localAPIEndpoint:
  advertiseAddress: "${NODE_IP}"
nodeRegistration:
  name: "${INSTANCE_ID}"
  taints: []
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
clusterName: "${CLUSTER_NAME}"
kubernetesVersion: "v${KUBERNETES_VERSION}"
controlPlaneEndpoint: "${API_ENDPOINT}:6443"
apiServer:
  certSANs: ["${API_ENDPOINT}", "127.0.0.1", "localhost"]
${KUBEADM_APISERVER_EXTRA_ARGS:-}
networking:
  podSubnet: "${POD_CIDR}"
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
CONFIG
  chmod 0600 "$KUBE_DIR/cdk-k8s-platform/kubeadm-init.yaml"
}

# kubeadm init with one control plane (no certificate upload) and without printing the token; its own output,
# which still holds the join command, goes to a 0600 file, never to this log or the console.
kubeadm_init() {
  local out="${ROOT}/var/log/cdk-k8s-platform-kubeadm-init.log"
  : > "$out"
  chmod 0600 "$out"
  if ! kubeadm init --config "$KUBE_DIR/cdk-k8s-platform/kubeadm-init.yaml" --skip-token-print "$@" >> "$out" 2>&1; then
    log "kubeadm init failed: its output is in /var/log/cdk-k8s-platform-kubeadm-init.log (mode 0600)"
    return 1
  fi
}

main() {
  log "kubeadm control plane $KUBERNETES_VERSION of cluster $CLUSTER_NAME: bootstrap starts"
  ensure_aws_cli
  INSTANCE_ID=$(retry imds instance-id)
  NODE_IP=$(retry imds local-ipv4)
  prepare_node "$KUBERNETES_VERSION" "$OS_FAMILY"
  install_tool
  secret_to_file "$BOOTSTRAP_TOKEN_SECRET_ARN" "$KUBE_DIR/cdk-k8s-platform/token-source"
  write_init_config
  # A replacement restores the cluster's identity (PKI) and its newest etcd snapshot; exit 10: a first boot.
  local restored=0 rc=0
  "$TOOL" restore || rc=$?
  case "$rc" in
    0) restored=1; kubeadm_init --ignore-preflight-errors=DirAvailable--var-lib-etcd ;;
    10) kubeadm_init; retry "$TOOL" backup-pki ;;
    *) log "restore failed (exit $rc): see the messages above"; return 1 ;;
  esac
  local hash
  hash=$(openssl x509 -pubkey -in "$KUBE_DIR/pki/ca.crt" | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex | sed 's/^.* //')
  retry aws ssm put-parameter --region "$REGION" --name "$CA_HASH_PARAMETER" --type String --overwrite --value "sha256:${hash}" >/dev/null
  "$TOOL" install-units
  install_addons
  if [ "$restored" = 1 ]; then "$TOOL" remove-stale-control-planes; fi
  sed 's#server: https://.*#server: https://127.0.0.1:6443#' "$KUBE_DIR/admin.conf" > "$KUBE_DIR/cdk-k8s-platform/admin-local.conf"
  chmod 0600 "$KUBE_DIR/cdk-k8s-platform/admin-local.conf"
  retry aws secretsmanager put-secret-value --region "$REGION" --secret-id "$KUBECONFIG_SECRET_ARN" \
    --secret-string "file://$KUBE_DIR/cdk-k8s-platform/admin-local.conf" >/dev/null
  mark_ready
  # Only a control plane that came up snapshots (a failed upgrade's must not leave the newest snapshot at a
  # version its rollback cannot restore).
  "$TOOL" snapshot boot || log "first etcd snapshot failed: the hourly timer retries"
}

main "$@"
