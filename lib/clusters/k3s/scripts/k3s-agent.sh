# shellcheck shell=bash
# k3s agent bootstrap. Values are rendered at synth; the agent token comes from Secrets Manager at boot.
CLUSTER_NAME='@@CLUSTER_NAME@@'
REGION='@@REGION@@'
K3S_VERSION='@@K3S_VERSION@@'
API_ENDPOINT='@@API_ENDPOINT@@'
AGENT_TOKEN_SECRET_ARN='@@AGENT_TOKEN_SECRET_ARN@@'
OS_FAMILY='@@OS_FAMILY@@'

K3S_CONFIG_DIR="${ROOT}/etc/rancher/k3s"

main() {
  log "k3s agent $K3S_VERSION of cluster $CLUSTER_NAME: bootstrap starts"
  ensure_aws_cli
  INSTANCE_ID=$(retry imds instance-id)
  secret_to_file "$AGENT_TOKEN_SECRET_ARN" "$K3S_CONFIG_DIR/token"
  {
    echo "node-name: \"$INSTANCE_ID\""
    echo "server: \"https://${API_ENDPOINT}:6443\""
    echo "token-file: \"$K3S_CONFIG_DIR/token\""
    echo "node-label:"
    echo "  - \"platform.cdk-k8s.io/cluster=$CLUSTER_NAME\""
  } > "$K3S_CONFIG_DIR/config.yaml"
  chmod 0600 "$K3S_CONFIG_DIR/config.yaml"
  install_k3s INSTALL_K3S_EXEC=agent
  retry systemctl enable k3s-agent
  # The agent retries until the server answers; a replaced server is reached again through the same endpoint.
  retry systemctl start --no-block k3s-agent
  mark_ready
}

main "$@"
