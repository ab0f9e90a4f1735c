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

main() {
  log "kubeadm worker $KUBERNETES_VERSION of cluster $CLUSTER_NAME: bootstrap starts"
  ensure_aws_cli
  INSTANCE_ID=$(retry imds instance-id)
  prepare_node "$KUBERNETES_VERSION" "$OS_FAMILY"
  secret_to_file "$BOOTSTRAP_TOKEN_SECRET_ARN" "$KUBE_DIR/cdk-k8s-platform/token-source"
  local raw hash
  raw=$(cat "$KUBE_DIR/cdk-k8s-platform/token-source")
  hash=$(RETRIES=90 retry ca_hash)
  cat > "$KUBE_DIR/cdk-k8s-platform/kubeadm-join.yaml" <<CONFIG
apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: "${API_ENDPOINT}:6443"
    token: "${raw:0:6}.${raw:6:16}"
    caCertHashes: ["${hash}"]
nodeRegistration:
  name: "${INSTANCE_ID}"
CONFIG
  chmod 0600 "$KUBE_DIR/cdk-k8s-platform/kubeadm-join.yaml"
  RETRIES=60 retry kubeadm join --config "$KUBE_DIR/cdk-k8s-platform/kubeadm-join.yaml"
  mark_ready
}

main "$@"
