# shellcheck shell=bash
# Shared part of the cdk-k8s-platform node bootstrap scripts (prepended to every boot script at synth).
# Paths live under $CDK_K8S_ROOT (empty on a node) so tests can run the script in a temporary directory.
set -euo pipefail
umask 077
ROOT="${CDK_K8S_ROOT:-}"
STATE_DIR="${ROOT}/var/lib/cdk-k8s-platform"
mkdir -p "$STATE_DIR" "${ROOT}/var/log"
exec > >(tee -a "${ROOT}/var/log/cdk-k8s-platform-bootstrap.log") 2>&1

log() { printf '%s cdk-k8s-platform: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

# retry CMD...: runs CMD until it succeeds (RETRIES attempts, RETRY_DELAY seconds apart).
retry() {
  local n=0
  until "$@"; do
    n=$((n + 1))
    if [ "$n" -ge "${RETRIES:-30}" ]; then log "giving up after $n attempts: $1 $2"; return 1; fi
    sleep "${RETRY_DELAY:-10}"
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

mark_ready() {
  date -u +%FT%TZ > "$STATE_DIR/ready"
  log "bootstrap complete"
}
