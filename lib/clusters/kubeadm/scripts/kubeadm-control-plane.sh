# shellcheck shell=bash
# kubeadm control-plane bootstrap. Values are rendered at synth; the bootstrap token comes from Secrets
# Manager at boot and lives only in 0600 files.
CLUSTER_NAME='@@CLUSTER_NAME@@'
REGION='@@REGION@@'
KUBERNETES_VERSION='@@KUBERNETES_VERSION@@'
API_ENDPOINT='@@API_ENDPOINT@@'
BOOTSTRAP_TOKEN_SECRET_ARN='@@BOOTSTRAP_TOKEN_SECRET_ARN@@'
KUBECONFIG_SECRET_ARN='@@KUBECONFIG_SECRET_ARN@@'
CA_HASH_PARAMETER='@@CA_HASH_PARAMETER@@'
POD_CIDR='@@POD_CIDR@@'
OS_FAMILY='@@OS_FAMILY@@'
FLANNEL_MANIFEST='@@FLANNEL_MANIFEST@@'
METRICS_SERVER_MANIFEST='@@METRICS_SERVER_MANIFEST@@'
LOCAL_PATH_MANIFEST='@@LOCAL_PATH_MANIFEST@@'
HELM_VERSION='@@HELM_VERSION@@'
TRAEFIK_CHART_VERSION='@@TRAEFIK_CHART_VERSION@@'
ARCH='@@ARCH@@'

KUBE_DIR="${ROOT}/etc/kubernetes"
KC=(kubectl --kubeconfig "$KUBE_DIR/admin.conf")

# The 24 h bootstrap token is re-created twice a day so that replaced workers can always join.
install_token_refresh() {
  local unit_dir="${ROOT}/etc/systemd/system" refresh="${ROOT}/usr/local/sbin/cdk-k8s-platform-refresh-token"
  mkdir -p "$unit_dir" "$(dirname "$refresh")"
  cat > "$refresh" <<'REFRESH'
#!/bin/sh
set -eu
t=$(cat /etc/kubernetes/cdk-k8s-platform/bootstrap-token)
kubeadm token delete "${t%.*}" || true
kubeadm token create "$t" --ttl 24h --description cdk-k8s-platform
REFRESH
  chmod 0700 "$refresh"
  cat > "$unit_dir/cdk-k8s-platform-token.service" <<UNIT
[Unit]
Description=Re-create the kubeadm bootstrap token of cluster ${CLUSTER_NAME}
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/cdk-k8s-platform-refresh-token
UNIT
  cat > "$unit_dir/cdk-k8s-platform-token.timer" <<UNIT
[Unit]
Description=Re-create the kubeadm bootstrap token every 12 hours
[Timer]
OnBootSec=1h
OnUnitActiveSec=12h
[Install]
WantedBy=timers.target
UNIT
  chmod 0644 "$unit_dir/cdk-k8s-platform-token.service" "$unit_dir/cdk-k8s-platform-token.timer"
  systemctl daemon-reload
  systemctl enable --now cdk-k8s-platform-token.timer
}

install_addons() {
  retry "${KC[@]}" apply -f "$FLANNEL_MANIFEST"
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
  retry helm --kubeconfig "$KUBE_DIR/admin.conf" upgrade --install traefik traefik --repo https://traefik.github.io/charts \
    --version "$TRAEFIK_CHART_VERSION" --namespace traefik --create-namespace \
    --set deployment.kind=DaemonSet --set ports.web.hostPort=80 --set ports.websecure.hostPort=443 \
    --set service.type=ClusterIP --set ingressClass.isDefaultClass=true
}

main() {
  log "kubeadm control plane $KUBERNETES_VERSION of cluster $CLUSTER_NAME: bootstrap starts"
  ensure_aws_cli
  INSTANCE_ID=$(retry imds instance-id)
  prepare_node "$KUBERNETES_VERSION" "$OS_FAMILY"
  secret_to_file "$BOOTSTRAP_TOKEN_SECRET_ARN" "$KUBE_DIR/cdk-k8s-platform/token-source"
  local raw token
  raw=$(cat "$KUBE_DIR/cdk-k8s-platform/token-source")
  token="${raw:0:6}.${raw:6:16}"
  printf '%s' "$token" > "$KUBE_DIR/cdk-k8s-platform/bootstrap-token"
  chmod 0600 "$KUBE_DIR/cdk-k8s-platform/bootstrap-token"
  cat > "$KUBE_DIR/cdk-k8s-platform/kubeadm-init.yaml" <<CONFIG
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
  - token: "${token}"
    ttl: 24h0m0s
    usages: [signing, authentication]
    groups: ["system:bootstrappers:kubeadm:default-node-token"]
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
networking:
  podSubnet: "${POD_CIDR}"
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
CONFIG
  chmod 0600 "$KUBE_DIR/cdk-k8s-platform/kubeadm-init.yaml"
  kubeadm init --config "$KUBE_DIR/cdk-k8s-platform/kubeadm-init.yaml" --upload-certs
  local hash
  hash=$(openssl x509 -pubkey -in "$KUBE_DIR/pki/ca.crt" | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex | sed 's/^.* //')
  retry aws ssm put-parameter --region "$REGION" --name "$CA_HASH_PARAMETER" --type String --overwrite --value "sha256:${hash}" >/dev/null
  install_token_refresh
  install_addons
  sed 's#server: https://.*#server: https://127.0.0.1:6443#' "$KUBE_DIR/admin.conf" > "$KUBE_DIR/cdk-k8s-platform/admin-local.conf"
  chmod 0600 "$KUBE_DIR/cdk-k8s-platform/admin-local.conf"
  retry aws secretsmanager put-secret-value --region "$REGION" --secret-id "$KUBECONFIG_SECRET_ARN" \
    --secret-string "file://$KUBE_DIR/cdk-k8s-platform/admin-local.conf" >/dev/null
  mark_ready
}

main "$@"
