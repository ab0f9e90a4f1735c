# shellcheck shell=bash
# Shared part of the cdk-k8s-platform node bootstrap scripts (prepended to every boot script at synth).
# Paths live under $CDK_K8S_ROOT (empty on a node) so tests can run the script in a temporary directory.
set -euo pipefail
umask 077
ROOT="${CDK_K8S_ROOT:-}"
# The stack and the Auto Scaling group (logical id) this node reports its bootstrap result to.
STACK_NAME='@@STACK_NAME@@'
NODE_GROUP_RESOURCE='@@NODE_GROUP_RESOURCE@@'
STATE_DIR="${ROOT}/var/lib/cdk-k8s-platform"
mkdir -p "$STATE_DIR" "${ROOT}/var/log"
exec > >(tee -a "${ROOT}/var/log/cdk-k8s-platform-bootstrap.log") 2>&1

log() { printf '%s cdk-k8s-platform: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

# retry CMD...: runs CMD until it succeeds, at most RETRIES attempts (default 10), sleeping between them
# with exponential backoff: RETRY_DELAY seconds first (default 2), doubled each time, capped at
# RETRY_MAX_DELAY (default 60): 2, 4, 8, 16, 32, 60, 60 ... Returns 1 after the last failure, so under
# `set -e` the bootstrap stops and signals FAILURE. Logs the command's first two words only (never its
# arguments, which may name a secret). A shell function passed as CMD runs without `set -e`: chain its
# steps with && or `|| return 1`.
retry() {
  local n=0 delay="${RETRY_DELAY:-2}" max="${RETRY_MAX_DELAY:-60}" attempts="${RETRIES:-10}"
  until "$@"; do
    n=$((n + 1))
    if [ "$n" -ge "$attempts" ]; then log "giving up after $n attempts: $1 ${2:-}"; return 1; fi
    log "attempt $n of $attempts failed: $1 ${2:-}; next in ${delay}s"
    sleep "$delay"
    delay=$((delay * 2 > max ? max : delay * 2))
  done
}

# imds PATH: reads instance metadata with an IMDSv2 session token (IMDSv1 is disabled).
imds() {
  local t
  t=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
  curl -sf -H "X-aws-ec2-metadata-token: $t" "http://169.254.169.254/latest/meta-data/$1"
}

ensure_aws_cli() {
  command -v aws >/dev/null 2>&1 && return 0
  log "installing the AWS CLI"
  if command -v snap >/dev/null 2>&1; then retry snap install aws-cli --classic; else retry dnf install -y awscli-2; fi
}

# secret_to_file ARN FILE: writes a Secrets Manager value, without a trailing newline, to a 0600 file.
secret_to_file() {
  local value
  value=$(retry aws secretsmanager get-secret-value --region "$REGION" --secret-id "$1" --query SecretString --output text)
  mkdir -p "$(dirname "$2")"
  chmod 0700 "$(dirname "$2")"
  printf '%s' "$value" > "$2"
  chmod 0600 "$2"
}

# On exit: SUCCESS when the bootstrap reached mark_ready, FAILURE otherwise. CloudFormation waits for one
# signal per node (CreationPolicy, rolling updates), so `cdk deploy` fails when a node does not come up.
# Outside a stack operation the call is refused; that is harmless and only logged.
signal_bootstrap() {
  local rc=$? status=FAILURE id
  if [ "$rc" -eq 0 ] && [ -f "$STATE_DIR/ready" ]; then status=SUCCESS; fi
  id=$(imds instance-id 2>/dev/null) || id=unknown
  log "bootstrap result $status (exit $rc); log: /var/log/cdk-k8s-platform-bootstrap.log on $id"
  aws cloudformation signal-resource --region "$REGION" --stack-name "$STACK_NAME" --logical-resource-id "$NODE_GROUP_RESOURCE" \
    --unique-id "$id" --status "$status" >/dev/null 2>&1 || log "no stack operation is waiting for this node's signal"
}
trap signal_bootstrap EXIT

mark_ready() {
  date -u +%FT%TZ > "$STATE_DIR/ready"
  log "bootstrap complete"
}
