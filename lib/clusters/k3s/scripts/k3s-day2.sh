# shellcheck shell=bash
# k3s server day-2 functions. The bootstrap installs them as commands (install_command), so they also run
# later: from a systemd timer (node cleanup) and before the server terminates (pre-terminate).

# The instances of the cluster's Auto Scaling groups (servers and agents): `id state`. By the cluster tag and
# the stack name CloudFormation tags them with: another stack's cluster may have the same name.
group_instances() {
  aws autoscaling describe-auto-scaling-groups --region "$REGION" \
    --filters "Name=tag:platform.cdk-k8s.io/cluster,Values=$CLUSTER_NAME" "Name=tag:aws:cloudformation:stack-name,Values=$STACK_NAME" \
    --query 'AutoScalingGroups[].Instances[].[InstanceId,LifecycleState]' --output text
}

# Deletes (normally: k3s's finalizer then removes a server's etcd member) the Node of every instance that
# left the cluster's groups (absent, Terminating, Terminated, Detached) and is not Ready. Never this node,
# never an instance Pending, InService or in Standby (a rebooting server stays), never a Ready Node.
# Fails when it cannot decide or a lost Node is still Ready, so `retry` and the timer try again.
remove_lost_nodes() {
  local groups nodes name ready state rc=0
  groups=$(group_instances) || return 1
  if ! grep -q "^${INSTANCE_ID}[[:space:]]" <<< "$groups"; then
    log "$INSTANCE_ID is not listed in the cluster's groups: no Node removed"; return 1
  fi
  nodes=$(k3s kubectl get nodes -l "platform.cdk-k8s.io/cluster=$CLUSTER_NAME" \
    -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}') || return 1
  while read -r name ready; do
    case "$name" in "$INSTANCE_ID" | "") continue ;; esac
    state=$(awk -v id="$name" '$1 == id { print $2; exit }' <<< "$groups")
    case "$state" in Pending* | InService | *Standby | Warmed*) continue ;; esac
    if [ "$ready" = True ]; then log "Node $name (${state:-not in a group}) is still Ready: left for later"; rc=1; continue; fi
    log "removing the Node of $name (${state:-not in a group})"
    k3s kubectl delete node "$name" --ignore-not-found --wait=false >/dev/null || rc=1
  done <<< "$nodes"
  return "$rc"
}

# pre_terminate [ID]: before this server goes: an etcd snapshot to the bucket (once per 30 minutes), then
# cordon and drain, then (HA) it leaves etcd. Only a server whose bootstrap finished ($STATE_DIR/ready)
# snapshots or leaves: a new server that failed must not write the newest snapshot (an older replacement
# would restore it). With another node's ID: only cordon and drain it. Safe to run twice.
pre_terminate() {
  local node="${1:-$INSTANCE_ID}" mark="$STATE_DIR/pre-terminate-snapshot" rc=0 booted=true
  [ -f "$STATE_DIR/ready" ] || booted=false
  if [ "$node" = "$INSTANCE_ID" ] && [ "$booted" = false ]; then
    log "no etcd snapshot: this server never finished its bootstrap ($STATE_DIR/ready is missing); the newest snapshot stays"
  elif [ "$node" = "$INSTANCE_ID" ]; then
    if [ -n "$(find "$mark" -mmin -30 2>/dev/null)" ]; then
      log "snapshot already taken at $(cat "$mark")"
    elif RETRIES=3 retry k3s etcd-snapshot save --name "pre-terminate-$INSTANCE_ID" --etcd-s3 --etcd-s3-bucket "$SNAPSHOT_BUCKET" \
      --etcd-s3-folder "$SNAPSHOT_FOLDER" --etcd-s3-region "$REGION"; then
      date -u +%FT%TZ > "$mark"
    else
      log "the etcd snapshot failed"; rc=1
    fi
  fi
  local found
  found=$(RETRIES=5 retry k3s kubectl get node "$node" --ignore-not-found -o name) || return 1
  if [ -z "$found" ]; then log "no Node $node to drain"; return "$rc"; fi
  RETRIES=5 retry k3s kubectl cordon "$node" >/dev/null || rc=1
  k3s kubectl drain "$node" --ignore-daemonsets --delete-emptydir-data --timeout="${DRAIN_TIMEOUT:-300s}" || rc=1
  if [ "$node" = "$INSTANCE_ID" ] && [ "$HIGH_AVAILABILITY" = true ] && [ "$booted" = true ]; then leave_etcd || rc=1; fi
  log "pre-terminate of $node done (exit $rc)"
  return "$rc"
}

# HA: this server's etcd member goes with it, so its replacement joins three members, not four: the
# annotation makes k3s remove the member (the Node stays until the cleanup removes it). Only while two other
# servers are Ready (they keep the quorum); otherwise the member stays for the replacement's cleanup.
leave_etcd() {
  local nodes others
  nodes=$(RETRIES=5 retry k3s kubectl get nodes -l "platform.cdk-k8s.io/cluster=$CLUSTER_NAME" \
    -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}') || return 1
  others=$(awk -v me="$INSTANCE_ID" '$1 != me && $2 == "True"' <<< "$nodes" | wc -l)
  if [ "$others" -lt 2 ]; then
    log "not leaving etcd: only $others other server(s) Ready; the replacement's cleanup removes this member"; return 0
  fi
  RETRIES=5 retry k3s kubectl annotate node "$INSTANCE_ID" --overwrite etcd.k3s.cattle.io/remove=true >/dev/null || return 1
  log "left etcd: the Node of $INSTANCE_ID is annotated etcd.k3s.cattle.io/remove=true"
}

# install_command NAME 'VAR...' FUNCTION...: /usr/local/sbin/NAME runs the first FUNCTION with this node's VARs.
# shellcheck disable=SC2016 # the command's own variables, expanded when it runs
install_command() {
  local f="${ROOT}/usr/local/sbin/$1" vars
  read -ra vars <<< "$2"
  shift 2
  mkdir -p "${ROOT}/usr/local/sbin"
  {
    printf '#!/bin/bash\nset -euo pipefail\n'
    printf 'ROOT="${CDK_K8S_ROOT:-}"\nSTATE_DIR="${ROOT}/var/lib/cdk-k8s-platform"\nmkdir -p "$STATE_DIR"\n'
    declare -p "${vars[@]}"
    declare -f log retry "$@"
    printf '%s "$@"\n' "$1"
  } > "$f.new"
  chmod 0700 "$f.new"
  mv "$f.new" "$f"
}

install_day2_commands() {
  local units="${ROOT}/etc/systemd/system" name=cdk-k8s-platform-node-cleanup
  install_command "$name" 'REGION CLUSTER_NAME STACK_NAME INSTANCE_ID' remove_lost_nodes group_instances
  install_command cdk-k8s-platform-pre-terminate 'REGION CLUSTER_NAME INSTANCE_ID SNAPSHOT_BUCKET SNAPSHOT_FOLDER HIGH_AVAILABILITY' \
    pre_terminate leave_etcd
  mkdir -p "$units"
  printf '[Unit]\nDescription=Remove the Nodes of instances that left the cluster\nAfter=k3s.service\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/%s\n' \
    "$name" > "$units/$name.service"
  printf '[Unit]\nDescription=Remove lost Nodes every 5 minutes\n[Timer]\nOnActiveSec=5min\nOnUnitActiveSec=5min\n[Install]\nWantedBy=timers.target\n' \
    > "$units/$name.timer"
  retry systemctl daemon-reload
  retry systemctl enable --now "$name.timer"
}
