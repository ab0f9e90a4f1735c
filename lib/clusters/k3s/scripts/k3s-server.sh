# shellcheck shell=bash
# k3s server bootstrap. Values are rendered at synth; no secret is written here (tokens come from
# Secrets Manager at boot, read with the instance role).
CLUSTER_NAME='@@CLUSTER_NAME@@'
REGION='@@REGION@@'
K3S_VERSION='@@K3S_VERSION@@'
API_ENDPOINT='@@API_ENDPOINT@@'
SERVER_TOKEN_SECRET_ARN='@@SERVER_TOKEN_SECRET_ARN@@'
AGENT_TOKEN_SECRET_ARN='@@AGENT_TOKEN_SECRET_ARN@@'
KUBECONFIG_SECRET_ARN='@@KUBECONFIG_SECRET_ARN@@'
SNAPSHOT_BUCKET='@@SNAPSHOT_BUCKET@@'
SNAPSHOT_FOLDER='@@SNAPSHOT_FOLDER@@'
SNAPSHOT_CRON='@@SNAPSHOT_CRON@@'
SNAPSHOT_RETENTION='@@SNAPSHOT_RETENTION@@'
HIGH_AVAILABILITY='@@HIGH_AVAILABILITY@@'
OS_FAMILY='@@OS_FAMILY@@'

K3S_CONFIG_DIR="${ROOT}/etc/rancher/k3s"
K3S_DATA_DIR="${ROOT}/var/lib/rancher/k3s"

api_answers() { curl -sfk --max-time 5 "https://${API_ENDPOINT}:6443/ping" >/dev/null; }

# HA only: join when the API answers (asked several times, and again after the group settled). Otherwise the
# first server of a new cluster initialises it: the lowest instance id of the group's InService/Pending
# servers, so no lock is needed and a cluster that lost all its servers is restored by exactly one of the
# replacements. Never init next to a live cluster: when another InService server was launched before this
# one (older_servers), this one joins or fails its bootstrap. Runs in $(...), without set -e: `|| return 1`.
elect_role() {
  if RETRIES="${PING_ATTEMPTS:-6}" RETRY_MAX_DELAY=10 retry api_answers; then echo join; return; fi
  local group first older
  group=$(retry aws autoscaling describe-auto-scaling-instances --region "$REGION" --instance-ids "$INSTANCE_ID" \
    --query 'AutoScalingInstances[0].AutoScalingGroupName' --output text) || return 1
  sleep "${SETTLE_DELAY:-30}"
  if api_answers; then echo join; return; fi
  # shellcheck disable=SC2016 # backticks are a JMESPath literal
  first=$(retry aws autoscaling describe-auto-scaling-groups --region "$REGION" --auto-scaling-group-names "$group" \
    --query 'AutoScalingGroups[0].Instances[?LifecycleState==`InService` || starts_with(LifecycleState, `Pending`)].InstanceId' --output text | tr '\t' '\n' | sort | head -n 1) || return 1
  older=$(older_servers "$group") || return 1
  if [ "$first" = "$INSTANCE_ID" ] && [ -z "$older" ]; then echo init; return; fi
  if [ -n "$older" ]; then
    log "servers launched before this one are in service ($(paste -sd ' ' <<< "$older")): a cluster exists, this server joins it and never initialises one"
  fi
  log "waiting for the first server ($first) to answer on $API_ENDPOINT"
  RETRY_MAX_DELAY=10 RETRIES=90 retry api_answers || return 1
  echo join
}

# older_servers GROUP: the other InService servers of GROUP launched more than ELECTION_MARGIN seconds (600)
# before this instance (servers of a new cluster launch together). Fails when the group or EC2 cannot be read.
older_servers() {
  local ids launches mine id at
  # shellcheck disable=SC2016 # backticks are a JMESPath literal
  ids=$(retry aws autoscaling describe-auto-scaling-groups --region "$REGION" --auto-scaling-group-names "$1" \
    --query 'AutoScalingGroups[0].Instances[?LifecycleState==`InService`].InstanceId' --output text \
    | tr '\t' '\n' | awk '/^i-/' | paste -sd ,) || return 1
  launches=$(retry aws ec2 describe-instances --region "$REGION" --filters "Name=instance-id,Values=$INSTANCE_ID${ids:+,$ids}" \
    --query 'Reservations[].Instances[].[InstanceId,LaunchTime]' --output text) || return 1
  mine=$(awk -v id="$INSTANCE_ID" '$1 == id { print $2 }' <<< "$launches")
  mine=$(date -d "${mine:-now}" +%s) || return 1
  while read -r id at; do
    case "$id" in "$INSTANCE_ID" | "" | None) continue ;; esac
    at=$(date -d "$at" +%s) || return 1
    if [ $((mine - at)) -gt "${ELECTION_MARGIN:-600}" ]; then echo "$id"; fi
  done <<< "$launches"
}

# The name of the newest etcd snapshot in the bucket by LastModified ("" when there is none; fails when the
# bucket cannot be listed). Only objects right in the folder count, not its .metadata/ ones.
newest_snapshot() {
  retry aws s3api list-objects-v2 --region "$REGION" --bucket "$SNAPSHOT_BUCKET" --prefix "$SNAPSHOT_FOLDER/" \
    --query 'Contents[].[LastModified,Key]' --output text \
    | awk -F '\t' -v p="$SNAPSHOT_FOLDER/" 'NF == 2 && index($2, p) == 1 && substr($2, length(p) + 1) ~ /^[^\/]+$/' \
    | sort | tail -n 1 | cut -f 2 | sed 's#.*/##'
}

write_config() {
  local f="$K3S_CONFIG_DIR/config.yaml"
  {
    echo "node-name: \"$INSTANCE_ID\""
    echo "token-file: \"$K3S_CONFIG_DIR/token\""
    echo "agent-token-file: \"$K3S_CONFIG_DIR/agent-token\""
    if [ "$1" = init ]; then echo "cluster-init: true"; else echo "server: \"https://${API_ENDPOINT}:6443\""; fi
    echo "tls-san:"
    echo "  - \"$API_ENDPOINT\""
    echo "secrets-encryption: true"
    echo "write-kubeconfig-mode: \"0600\""
    echo "etcd-s3: true"
    echo "etcd-s3-bucket: \"$SNAPSHOT_BUCKET\""
    echo "etcd-s3-folder: \"$SNAPSHOT_FOLDER\""
    echo "etcd-s3-region: \"$REGION\""
    echo "etcd-snapshot-schedule-cron: \"$SNAPSHOT_CRON\""
    echo "etcd-snapshot-retention: $SNAPSHOT_RETENTION"
    echo "node-label:"
    echo "  - \"platform.cdk-k8s.io/cluster=$CLUSTER_NAME\""
  } > "$f"
  chmod 0600 "$f"
}

# Two CoreDNS replicas on different nodes, so cluster DNS survives the loss of the server.
spread_coredns() {
  retry k3s kubectl -n kube-system patch deployment coredns --type merge -p \
    '{"spec":{"replicas":2,"template":{"spec":{"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{"topologyKey":"kubernetes.io/hostname","labelSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}}]}}}}}}'
}

main() {
  log "k3s server $K3S_VERSION of cluster $CLUSTER_NAME: bootstrap starts"
  ensure_aws_cli
  INSTANCE_ID=$(retry imds instance-id)
  secret_to_file "$SERVER_TOKEN_SECRET_ARN" "$K3S_CONFIG_DIR/token"
  secret_to_file "$AGENT_TOKEN_SECRET_ARN" "$K3S_CONFIG_DIR/agent-token"
  local role=init restore=""
  if [ "$HIGH_AVAILABILITY" = true ]; then role=$(elect_role); fi
  if [ "$role" = init ] && [ ! -d "$K3S_DATA_DIR/server/db/etcd" ]; then restore=$(newest_snapshot); fi
  log "role: $role; snapshot to restore: ${restore:-none}"
  write_config "$role"
  install_k3s INSTALL_K3S_EXEC=server
  if [ -n "$restore" ]; then
    log "restoring etcd snapshot $restore from s3://$SNAPSHOT_BUCKET/$SNAPSHOT_FOLDER"
    RETRIES=3 retry k3s server --cluster-reset --cluster-reset-restore-path="$restore"
  fi
  retry systemctl enable k3s
  retry systemctl start k3s
  RETRY_MAX_DELAY=10 RETRIES=90 retry k3s kubectl get --raw=/readyz >/dev/null
  retry aws secretsmanager put-secret-value --region "$REGION" --secret-id "$KUBECONFIG_SECRET_ARN" \
    --secret-string "file://$K3S_CONFIG_DIR/k3s.yaml" >/dev/null
  # The Nodes (and etcd members) of lost servers and agents: a restored or joined cluster still lists them.
  RETRIES=8 retry remove_lost_nodes || log "lost Nodes remain; the cleanup timer retries every 5 minutes"
  spread_coredns
  install_day2_commands
  mark_ready
}

main "$@"
