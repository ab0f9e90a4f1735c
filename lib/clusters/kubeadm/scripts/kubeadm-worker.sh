# shellcheck shell=bash
# kubeadm worker bootstrap: joins with the bootstrap token (from Secrets Manager) and the pinned CA hash
# (from an SSM parameter the control plane publishes), passed in a 0600 JoinConfiguration file.
CLUSTER_NAME='@@CLUSTER_NAME@@'
REGION='@@REGION@@'
KUBERNETES_VERSION='@@KUBERNETES_VERSION@@'
API_ENDPOINT='@@API_ENDPOINT@@'
BOOTSTRAP_TOKEN_SECRET_ARN='@@BOOTSTRAP_TOKEN_SECRET_ARN@@'
CA_HASH_PARAMETER='@@CA_HASH_PARAMETER@@'
OS_FAMILY='@@OS_FAMILY@@'

KUBE_DIR="${ROOT}/etc/kubernetes"

ca_hash() {
  local h
  h=$(aws ssm get-parameter --region "$REGION" --name "$CA_HASH_PARAMETER" --query Parameter.Value --output text)
  case "$h" in sha256:*) echo "$h" ;; *) return 1 ;; esac
}

# join_once: reads the CURRENT bootstrap token (the control plane rotates it every 12 h) and joins; a failed
# attempt is reset first. kubeadm's output goes to a 0600 file, never to the bootstrap log.
join_once() {
  local raw out="${ROOT}/var/log/cdk-k8s-platform-kubeadm-join.log"
  if [ -f "$STATE_DIR/join-attempted" ]; then kubeadm reset -f >> "$out" 2>&1 || true; fi
  touch "$STATE_DIR/join-attempted"
  secret_to_file "$BOOTSTRAP_TOKEN_SECRET_ARN" "$KUBE_DIR/cdk-k8s-platform/token-source"
  raw=$(cat "$KUBE_DIR/cdk-k8s-platform/token-source")
  cat > "$KUBE_DIR/cdk-k8s-platform/kubeadm-join.yaml" <<CONFIG
apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: "${API_ENDPOINT}:6443"
    token: "${raw:0:6}.${raw:6:16}"
    caCertHashes: ["${CA_HASH}"]
nodeRegistration:
  name: "${INSTANCE_ID}"
CONFIG
  chmod 0600 "$KUBE_DIR/cdk-k8s-platform/kubeadm-join.yaml"
  kubeadm join --config "$KUBE_DIR/cdk-k8s-platform/kubeadm-join.yaml" >> "$out" 2>&1
}

main() {
  log "kubeadm worker $KUBERNETES_VERSION of cluster $CLUSTER_NAME: bootstrap starts"
  ensure_aws_cli
  INSTANCE_ID=$(retry imds instance-id)
  prepare_node "$KUBERNETES_VERSION" "$OS_FAMILY"
  mkdir -p "$KUBE_DIR/cdk-k8s-platform"
  CA_HASH=$(RETRY_MAX_DELAY=10 RETRIES=90 retry ca_hash)
  RETRY_MAX_DELAY=10 RETRIES=60 retry join_once
  mark_ready
}

main "$@"
