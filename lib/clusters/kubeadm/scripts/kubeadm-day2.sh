#!/bin/bash
# shellcheck shell=bash
# cdk-k8s-platform-kubeadm: day-2 tool of a kubeadm control plane, shipped as an S3 asset and installed by the
# bootstrap as /usr/local/sbin/cdk-k8s-platform-kubeadm. It reads /etc/cdk-k8s-platform/kubeadm.env (written
# at boot: no secrets, only names) and never prints a token, a key or a join command.
#
#   restore                       PKI + newest usable etcd snapshot from the state bucket (exit 10: no backup,
#                                 first boot; exit 1: the bucket cannot be listed or no snapshot can be restored)
#   backup-pki                    upload the cluster's CA, service-account and front-proxy/etcd CA keys once
#   snapshot [KIND]               etcdctl snapshot save, upload, keep the newest SNAPSHOT_RETENTION
#   rotate-token                  new bootstrap token (24 h), published to Secrets Manager, older ones deleted
#   remove-stale-control-planes   delete the Nodes of control planes other than this one
#   remove-lost-nodes             delete the Nodes of instances that left the cluster's Auto Scaling groups
#   pre-terminate [INSTANCE_ID]   snapshot (once this node finished booting), then cordon and drain this node;
#                                 another instance: only drain
#                                 its Node (safe to run twice; exit 1 when a step failed, after trying all)
#   install-units                 systemd timers: hourly snapshots, token rotation every 12 h, lost Nodes every 5 min
set -euo pipefail
umask 077
ROOT="${CDK_K8S_ROOT:-}"
# shellcheck source=/dev/null
. "${ROOT}/etc/cdk-k8s-platform/kubeadm.env"
KUBE_DIR="${ROOT}/etc/kubernetes"
WORK="${ROOT}/var/lib/cdk-k8s-platform"
KC=(kubectl --kubeconfig "$KUBE_DIR/admin.conf")
PKI_KEY=pki/kubernetes-pki.tar.gz
SNAPSHOTS=etcd-snapshots/
# What `kubeadm init` cannot re-create without changing the cluster's identity.
PKI_FILES=(ca.crt ca.key sa.key sa.pub front-proxy-ca.crt front-proxy-ca.key etcd/ca.crt etcd/ca.key)
TOKEN_DESCRIPTION='cdk-k8s-platform bootstrap token'
NO_BACKUP=10
# Created by an operator (never by the library): a replacement may start with the backed-up CA and an EMPTY etcd.
ALLOW_EMPTY_ETCD="${ROOT}/etc/cdk-k8s-platform/allow-empty-etcd"
mkdir -p "$WORK/etcd"

say() { printf '%s cdk-k8s-platform-kubeadm: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

# try CMD...: runs CMD until it succeeds, RETRIES attempts (default 5) with a doubling delay.
try() {
  local n=1 delay="${RETRY_DELAY:-5}"
  until "$@"; do
    if [ "$n" -ge "${RETRIES:-5}" ]; then say "giving up after $n attempts: $1 $2"; return 1; fi
    sleep "$delay"
    n=$((n + 1)); delay=$((delay * 2))
  done
}

# keys PREFIX: the object keys under PREFIX, one a line, oldest first (names start with a UTC timestamp).
# Fails when the bucket cannot be listed: callers run it in $(...), where `set -e` does not apply, and must
# check it (`list=$(keys P) || ...`), never read a failed listing as "no objects".
keys() {
  local out
  out=$(try aws s3api list-objects-v2 --region "$REGION" --bucket "$STATE_BUCKET" --prefix "$1" --query 'Contents[].Key' --output text) || return 1
  if [ "$out" = None ] || [ -z "$out" ]; then return 0; fi
  printf '%s\n' "$out" | tr '\t' '\n' | sed '/^$/d' | sort
}

get() { try aws s3 cp --only-show-errors --region "$REGION" "s3://$STATE_BUCKET/$1" "$2"; }
put() { try aws s3 cp --only-show-errors --region "$REGION" "$1" "s3://$STATE_BUCKET/$2"; }

# The etcd image of this node's kubeadm release (it holds etcdctl and etcdutl: no extra download).
etcd_image() { kubeadm config images list --kubernetes-version "v$KUBERNETES_VERSION" 2>/dev/null | grep '/etcd:' | head -n 1; }

# in_etcd_image NAME CMD...: runs CMD in the etcd image with the host network, $WORK/etcd as /work and the etcd
# PKI as /pki (read only).
in_etcd_image() {
  local name="$1" image
  shift
  image=$(etcd_image)
  [ -n "$image" ] || { say "kubeadm names no etcd image for v$KUBERNETES_VERSION"; return 1; }
  try ctr -n k8s.io images pull "$image" >/dev/null
  ctr -n k8s.io run --rm --net-host \
    --mount "type=bind,src=$WORK/etcd,dst=/work,options=rbind:rw" \
    --mount "type=bind,src=$KUBE_DIR/pki/etcd,dst=/pki,options=rbind:ro" \
    "$image" "cdk-k8s-platform-$name-$$" "$@"
}

minor() { local m="${1#*.}"; echo "${m%%.*}"; }

# check_upgrade FROM TO: kubeadm moves one minor version at a time and never down.
check_upgrade() {
  local from="$1" to="$2"
  if [ "$(minor "$to")" -gt $(($(minor "$from") + 1)) ]; then
    say "REFUSED: the newest snapshot is from Kubernetes $from and this node runs $to; kubeadm upgrades one minor version at a time: deploy 1.$(($(minor "$from") + 1)).x first"
    return 1
  fi
  if [ "$(minor "$to")" -lt "$(minor "$from")" ]; then
    say "REFUSED: the newest snapshot is from Kubernetes $from and this node runs $to: kubeadm cannot downgrade; deploy $from again"
    return 1
  fi
  if [ "$(minor "$to")" -gt "$(minor "$from")" ]; then
    say "upgrade $from -> $to: kubeadm init $to runs on the restored data and PKI (the control-plane side of kubeadm upgrade apply); workers follow as they are replaced"
  fi
}

# version_of KEY: the Kubernetes version in a snapshot's name (`<time>_v<version>_<instance>_<kind>.db`).
version_of() {
  local v="${1#"$SNAPSHOTS"}"
  v="${v#*_v}"
  v="${v%%_*}"
  if [[ "$v" =~ ^1\.[0-9]+\.[0-9]+$ ]]; then echo "$v"; fi
}

# pick_snapshot: of the keys on stdin (oldest first), the newest this node can start from: of its own minor
# version or one older (an upgrade). A newer one (a newer release's, which a rollback replaces) is skipped with a
# log line; when the newest usable one is older than that, it refuses (exit 1). Prints nothing when none is usable.
pick_snapshot() {
  local key from mine newer=""
  mine=$(minor "$KUBERNETES_VERSION")
  while read -r key; do
    [ -n "$key" ] || continue
    from=$(version_of "$key")
    if [ -z "$from" ]; then say "skipping $key: no Kubernetes version in its name"; continue; fi
    if [ "$(minor "$from")" -gt "$mine" ]; then
      say "skipping $key: Kubernetes $from is newer than this node's $KUBERNETES_VERSION (kubeadm cannot downgrade)"
      newer="${newer:-$from}"
      continue
    fi
    check_upgrade "$from" "$KUBERNETES_VERSION" || return 1
    echo "$key"
    return 0
  done < <(tac)
  if [ -n "$newer" ]; then
    say "REFUSED: the newest snapshot is from Kubernetes $newer and this node runs $KUBERNETES_VERSION: kubeadm cannot downgrade; deploy $newer again"
  fi
}

restore_pki() {
  mkdir -p "$WORK/restore" "$KUBE_DIR/pki"
  get "$PKI_KEY" "$WORK/restore/pki.tar.gz" || return 1
  tar -xzf "$WORK/restore/pki.tar.gz" -C "$KUBE_DIR/pki" || return 1
  chmod 0600 "$KUBE_DIR/pki/"*.key "$KUBE_DIR/pki/etcd/"*.key
  rm -f "$WORK/restore/pki.tar.gz"
  say "restored the cluster CA, service-account keys, front-proxy CA and etcd CA"
}

# restore: nothing is changed on this node before every listing succeeded and a snapshot was chosen. A bucket
# that cannot be listed fails (never a new CA, never an empty etcd, by accident); a PKI backup without a usable
# snapshot fails too, unless an operator created $ALLOW_EMPTY_ETCD.
restore() {
  local pki list snapshot from
  pki=$(keys "$PKI_KEY") || { say "REFUSED: cannot list s3://$STATE_BUCKET/$PKI_KEY: no new cluster over a backup that may exist"; return 1; }
  if [ -z "$pki" ]; then say "no PKI backup in s3://$STATE_BUCKET: a new cluster starts"; return "$NO_BACKUP"; fi
  list=$(keys "$SNAPSHOTS") || { say "REFUSED: cannot list s3://$STATE_BUCKET/$SNAPSHOTS: no empty etcd over snapshots that may exist"; return 1; }
  snapshot=$(pick_snapshot <<< "$list") || return 1
  if [ -z "$snapshot" ]; then
    if [ ! -e "$ALLOW_EMPTY_ETCD" ]; then
      say "REFUSED: a PKI backup but no etcd snapshot this node can restore in s3://$STATE_BUCKET/$SNAPSHOTS: the cluster's objects would be lost. To start with the same CA and an EMPTY cluster, create /etc/cdk-k8s-platform/allow-empty-etcd on this node and run the bootstrap again"
      return 1
    fi
    restore_pki || return 1
    say "WARNING: /etc/cdk-k8s-platform/allow-empty-etcd exists: same CA, but the cluster's objects start empty"
    return 0
  fi
  restore_pki || return 1
  from=$(version_of "$snapshot")
  get "$snapshot" "$WORK/etcd/snapshot.db" || return 1
  rm -rf "$WORK/etcd/data"
  in_etcd_image restore etcdutl snapshot restore /work/snapshot.db --data-dir /work/data --name "$INSTANCE_ID" \
    --initial-cluster "$INSTANCE_ID=https://$NODE_IP:2380" --initial-advertise-peer-urls "https://$NODE_IP:2380" || return 1
  # Never delete etcd data: a leftover directory is kept aside.
  if [ -e "${ROOT}/var/lib/etcd" ]; then mv "${ROOT}/var/lib/etcd" "${ROOT}/var/lib/etcd.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"; fi
  mv "$WORK/etcd/data" "${ROOT}/var/lib/etcd"
  chmod 0700 "${ROOT}/var/lib/etcd"
  rm -f "$WORK/etcd/snapshot.db"
  say "restored etcd from $snapshot (Kubernetes $from)"
}

backup_pki() {
  local existing
  existing=$(keys "$PKI_KEY") || { say "cannot list s3://$STATE_BUCKET/$PKI_KEY: the PKI backup is written once, never over one that may exist"; return 1; }
  if [ -n "$existing" ]; then say "PKI already backed up (written once)"; return 0; fi
  tar -czf "$WORK/pki.tar.gz" -C "$KUBE_DIR/pki" "${PKI_FILES[@]}"
  put "$WORK/pki.tar.gz" "$PKI_KEY"
  rm -f "$WORK/pki.tar.gz"
  say "PKI backed up to s3://$STATE_BUCKET/$PKI_KEY"
}

snapshot() {
  local kind="${1:-scheduled}" name old list
  name="$(date -u +%Y%m%dT%H%M%SZ)_v${KUBERNETES_VERSION}_${INSTANCE_ID}_${kind}.db"
  rm -f "$WORK/etcd/snapshot.db" "$WORK/etcd/snapshot.db.part"
  # Explicit returns: pre-terminate calls this in a condition, where `set -e` does not apply.
  try in_etcd_image snapshot etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/pki/ca.crt \
    --cert=/pki/healthcheck-client.crt --key=/pki/healthcheck-client.key snapshot save /work/snapshot.db >/dev/null || return 1
  put "$WORK/etcd/snapshot.db" "$SNAPSHOTS$name" || return 1
  rm -f "$WORK/etcd/snapshot.db"
  say "etcd snapshot s3://$STATE_BUCKET/$SNAPSHOTS$name"
  # Retention: older snapshots become noncurrent versions (kept 30 days by the bucket's lifecycle).
  list=$(keys "$SNAPSHOTS") || { say "cannot list s3://$STATE_BUCKET/$SNAPSHOTS: no old snapshot deleted"; return 1; }
  printf '%s\n' "$list" | sed '/^$/d' | head -n "-$SNAPSHOT_RETENTION" | while read -r old; do
    try aws s3 rm --only-show-errors --region "$REGION" "s3://$STATE_BUCKET/$old" || say "could not delete the old snapshot $old"
  done
}

# Bootstrap tokens of this library: `bootstrap-token-<id>` Secrets whose description is ours.
library_token_ids() {
  local want line name
  want=$(printf '%s' "$TOKEN_DESCRIPTION" | base64 | tr -d '\n')
  "${KC[@]}" -n kube-system get secrets --field-selector type=bootstrap.kubernetes.io/token \
    -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.data.description}{"\n"}{end}' | while read -r line; do
    name="${line%% *}"
    if [ "${line#* }" = "$want" ]; then echo "${name#bootstrap-token-}"; fi
  done
}

# rotate_token: the new token goes to kubeadm in a 0600 file (`token create --config` creates the file's
# bootstrapTokens), never on a command line, where `ps` would show it.
rotate_token() {
  local token id old cfg="$WORK/token-create.yaml"
  token=$(kubeadm token generate)
  id="${token%%.*}"
  printf 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nbootstrapTokens:\n  - token: "%s"\n    description: "%s"\n    ttl: 24h0m0s\n    usages: [signing, authentication]\n    groups: ["system:bootstrappers:kubeadm:default-node-token"]\n' \
    "$token" "$TOKEN_DESCRIPTION" > "$cfg"
  chmod 0600 "$cfg"
  if ! try kubeadm token create --config "$cfg" >/dev/null; then rm -f "$cfg"; say "could not create a new bootstrap token"; return 1; fi
  rm -f "$cfg"
  printf '%s' "${token/./}" > "$WORK/token-next"
  if ! try aws secretsmanager put-secret-value --region "$REGION" --secret-id "$BOOTSTRAP_TOKEN_SECRET_ARN" \
    --secret-string "file://$WORK/token-next" >/dev/null; then
    rm -f "$WORK/token-next"
    kubeadm token delete "$id" >/dev/null 2>&1 || true
    say "could not publish the new bootstrap token: the current one stays"
    return 1
  fi
  rm -f "$WORK/token-next"
  say "bootstrap token $id published (valid 24 h)"
  library_token_ids | while read -r old; do
    if [ "$old" != "$id" ]; then kubeadm token delete "$old" >/dev/null; say "bootstrap token $old deleted"; fi
  done
}

remove_stale_control_planes() {
  local node
  try "${KC[@]}" get --raw /readyz >/dev/null
  "${KC[@]}" get nodes -l node-role.kubernetes.io/control-plane -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' |
    while read -r node; do
      if [ -n "$node" ] && [ "$node" != "$INSTANCE_ID" ]; then
        try "${KC[@]}" delete node "$node" --ignore-not-found >/dev/null
        say "removed the Node of the replaced control plane $node"
      fi
    done
}

# The instances of the cluster's Auto Scaling groups (control plane and workers, by the cluster tag, in this
# cluster's stack: another stack may use the same cluster name): `id state`.
group_instances() {
  aws autoscaling describe-auto-scaling-groups --region "$REGION" \
    --filters "Name=tag:platform.cdk-k8s.io/cluster,Values=$CLUSTER_NAME" "Name=tag:aws:cloudformation:stack-name,Values=${STACK_NAME:-}" \
    --query 'AutoScalingGroups[].Instances[].[InstanceId,LifecycleState]' --output text
}

# Deletes (normally, not forced) the Node of every instance that left the cluster's groups (absent, Terminating,
# Terminated, Detached) and is not Ready. Never this node, never an instance Pending, InService or in Standby,
# never a Ready Node, nothing when this instance is missing from the listing. Fails when it cannot decide or a
# lost Node is still Ready, so the timer tries again. (The same rules as k3s's remove_lost_nodes.)
remove_lost_nodes() {
  local groups nodes name ready state rc=0
  groups=$(try group_instances) || { say "cannot list the cluster's Auto Scaling groups: no Node removed"; return 1; }
  if ! grep -q "^${INSTANCE_ID}[[:space:]]" <<< "$groups"; then
    say "$INSTANCE_ID is not listed in the cluster's groups: no Node removed"; return 1
  fi
  nodes=$("${KC[@]}" get nodes \
    -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}') || {
    say "cannot list the Nodes: none removed"; return 1
  }
  while read -r name ready; do
    case "$name" in "$INSTANCE_ID" | "") continue ;; esac
    state=$(awk -v id="$name" '$1 == id { print $2; exit }' <<< "$groups")
    case "$state" in Pending* | InService | *Standby | Warmed*) continue ;; esac
    if [ "$ready" = True ]; then say "Node $name (${state:-not in a group}) is still Ready: left for later"; rc=1; continue; fi
    say "removing the Node of $name (${state:-not in a group})"
    "${KC[@]}" delete node "$name" --ignore-not-found --wait=false >/dev/null || rc=1
  done <<< "$nodes"
  return "$rc"
}

# pre_terminate [NODE]: this node: snapshot, then cordon and drain; another instance's Node: cordon and drain.
# A node that never finished its bootstrap (no $WORK/ready) takes no snapshot: a failed upgrade's control plane
# must not leave the newest snapshot at a version the rollback cannot restore.
pre_terminate() {
  local node="${1:-$INSTANCE_ID}" rc=0
  if [ "$node" = "$INSTANCE_ID" ] && [ ! -f "$WORK/ready" ]; then
    say "no pre-terminate snapshot: this node never finished its bootstrap (no $WORK/ready); the newest snapshot stays"
  elif [ "$node" = "$INSTANCE_ID" ]; then
    snapshot pre-terminate || { rc=1; say "pre-terminate snapshot FAILED: the newest scheduled snapshot stays"; }
  fi
  if ! "${KC[@]}" get node "$node" >/dev/null 2>&1; then say "no Node $node: nothing to drain"; return "$rc"; fi
  "${KC[@]}" cordon "$node" >/dev/null || rc=1
  "${KC[@]}" drain "$node" --ignore-daemonsets --delete-emptydir-data --timeout="${DRAIN_TIMEOUT:-300s}" >/dev/null || {
    rc=1; say "drain of $node did not finish"
  }
  say "pre-terminate of $node done (status $rc)"
  return "$rc"
}

# The snapshot service runs only once the bootstrap finished (ConditionPathExists): never a snapshot of a node
# that failed to come up.
install_units() {
  local dir="${ROOT}/etc/systemd/system" tool=/usr/local/sbin/cdk-k8s-platform-kubeadm lost=cdk-k8s-platform-remove-lost-nodes
  mkdir -p "$dir"
  printf '[Unit]\nDescription=etcd snapshot of %s to S3\nConditionPathExists=/var/lib/cdk-k8s-platform/ready\n[Service]\nType=oneshot\nExecStart=%s snapshot scheduled\n' \
    "$CLUSTER_NAME" "$tool" > "$dir/cdk-k8s-platform-etcd-snapshot.service"
  printf '[Unit]\nDescription=etcd snapshots of %s\n[Timer]\nOnCalendar=%s\nRandomizedDelaySec=120\nPersistent=true\n[Install]\nWantedBy=timers.target\n' \
    "$CLUSTER_NAME" "$SNAPSHOT_CALENDAR" > "$dir/cdk-k8s-platform-etcd-snapshot.timer"
  printf '[Unit]\nDescription=Rotate the kubeadm bootstrap token of %s\n[Service]\nType=oneshot\nExecStart=%s rotate-token\n' \
    "$CLUSTER_NAME" "$tool" > "$dir/cdk-k8s-platform-token.service"
  printf '[Unit]\nDescription=Rotate the bootstrap token every 12 hours (tokens live 24 h)\n[Timer]\nOnBootSec=15min\nOnUnitActiveSec=12h\n[Install]\nWantedBy=timers.target\n' \
    > "$dir/cdk-k8s-platform-token.timer"
  printf '[Unit]\nDescription=Remove the Nodes of instances that left %s\n[Service]\nType=oneshot\nExecStart=%s remove-lost-nodes\n' \
    "$CLUSTER_NAME" "$tool" > "$dir/$lost.service"
  printf '[Unit]\nDescription=Remove lost Nodes every 5 minutes\n[Timer]\nOnActiveSec=5min\nOnUnitActiveSec=5min\n[Install]\nWantedBy=timers.target\n' \
    > "$dir/$lost.timer"
  chmod 0644 "$dir"/cdk-k8s-platform-etcd-snapshot.* "$dir"/cdk-k8s-platform-token.* "$dir/$lost".*
  systemctl daemon-reload
  systemctl enable --now cdk-k8s-platform-etcd-snapshot.timer cdk-k8s-platform-token.timer
  systemctl enable --now "$lost.timer"
}

case "${1:-}" in
  restore) restore ;;
  backup-pki) backup_pki ;;
  snapshot) snapshot "${2:-scheduled}" ;;
  rotate-token) rotate_token ;;
  remove-stale-control-planes) remove_stale_control_planes ;;
  remove-lost-nodes) remove_lost_nodes ;;
  pre-terminate) pre_terminate "${2:-}" ;;
  install-units) install_units ;;
  *) echo "usage: $0 restore|backup-pki|snapshot [KIND]|rotate-token|remove-stale-control-planes|remove-lost-nodes|pre-terminate [INSTANCE_ID]|install-units" >&2; exit 2 ;;
esac
