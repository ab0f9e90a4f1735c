#!/bin/bash
# shellcheck shell=bash
# cdk-k8s-platform-identity: run by a systemd timer on every server of a cluster with workload identity.
#  1. Publishes what the API server serves at /.well-known/openid-configuration and /openid/v1/jwks to the
#     issuer's bucket (CloudFront serves them to STS) when they changed: after the first start, and after a
#     signing-key change. A server whose API server does not sign with the public issuer yet publishes nothing.
#  2. Keeps the pod identity webhook's serving certificate current without cert-manager: a self-signed P-256
#     certificate for <service>.<namespace>.svc, valid 365 days, replaced 30 days before it expires. The
#     Secret keeps the replaced certificate as previous.crt and the webhook's caBundle trusts both, so the
#     API server accepts the webhook while its pods reload the new files. The ConfigMap <name>-settings holds
#     the region the webhook gives the mutated pods (the instance's region).
#  3. Once the webhook is available, deletes the controller-owned pods that should carry AWS credentials but
#     started without them, so they come back injected.
# Settings come from /etc/cdk-k8s-platform/workload-identity.env. Paths live under $CDK_K8S_ROOT (tests).
set -euo pipefail
umask 077
ROOT="${CDK_K8S_ROOT:-}"
# shellcheck source=/dev/null
. "${ROOT}/etc/cdk-k8s-platform/workload-identity.env"
WEBHOOK_NAMESPACE='pod-identity-webhook'
WEBHOOK_NAME='pod-identity-webhook'
STATE="${ROOT}/var/lib/cdk-k8s-platform/workload-identity"
RENEW_BEFORE=$((30 * 86400))

log() { printf '%s cdk-k8s-platform-identity: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }

kc() {
  if [ "$IDENTITY_MODE" = k3s ]; then k3s kubectl "$@"; else kubectl --kubeconfig "${ROOT}/etc/kubernetes/admin.conf" "$@"; fi
}

# publish NAME KEY FILE: uploads FILE as s3://bucket/KEY unless it equals what this server published last.
publish() {
  if cmp -s "$3" "$STATE/$1"; then return 0; fi
  aws s3 cp --only-show-errors --region "$REGION" "$3" "s3://$ISSUER_BUCKET/$2" \
    --content-type application/json --cache-control max-age=300
  cp "$3" "$STATE/$1"
  log "published $2"
}

publish_documents() {
  kc get --raw /.well-known/openid-configuration > "$WORK/discovery"
  if ! grep -qF "\"issuer\":\"$ISSUER_URL\"" "$WORK/discovery"; then
    log "the API server does not sign with $ISSUER_URL yet: nothing published"
    return 1
  fi
  kc get --raw /openid/v1/jwks > "$WORK/jwks"
  publish discovery .well-known/openid-configuration "$WORK/discovery"
  publish jwks openid/v1/jwks "$WORK/jwks"
}

# secret_field KEY: a data field of the webhook's TLS Secret, decoded ("" when the Secret or field is absent).
secret_field() {
  kc -n "$WEBHOOK_NAMESPACE" get secret "$WEBHOOK_NAME-tls" -o "jsonpath={.data.${1//./\\.}}" 2>/dev/null | base64 -d
}

new_certificate() {
  local service="$WEBHOOK_NAME.$WEBHOOK_NAMESPACE.svc"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
    -keyout "$WORK/tls.key" -out "$WORK/tls.crt" -subj "/CN=$service" \
    -addext "subjectAltName=DNS:$service,DNS:$service.cluster.local" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyCertSign" \
    -addext "extendedKeyUsage=serverAuth" 2>/dev/null
  secret_field tls.crt > "$WORK/previous.crt" || true
  kc -n "$WEBHOOK_NAMESPACE" create secret generic "$WEBHOOK_NAME-tls" --type kubernetes.io/tls \
    --from-file=tls.crt="$WORK/tls.crt" --from-file=tls.key="$WORK/tls.key" --from-file=previous.crt="$WORK/previous.crt" \
    --dry-run=client -o yaml | kc apply -f - >/dev/null
  log "new webhook certificate for $service"
}

ensure_webhook_certificate() {
  if ! kc get namespace "$WEBHOOK_NAMESPACE" >/dev/null 2>&1; then
    log "namespace $WEBHOOK_NAMESPACE is not there yet (the workload sync creates it)"
    return 1
  fi
  kc -n "$WEBHOOK_NAMESPACE" create configmap "$WEBHOOK_NAME-settings" --from-literal=region="$REGION" \
    --dry-run=client -o yaml | kc apply -f - >/dev/null
  secret_field tls.crt > "$WORK/current.crt" || true
  if ! [ -s "$WORK/current.crt" ] || ! openssl x509 -checkend "$RENEW_BEFORE" -noout -in "$WORK/current.crt" >/dev/null 2>&1; then
    new_certificate
  fi
  # The bundle from what the Secret holds now (another server may have renewed it at the same time).
  { secret_field tls.crt; secret_field previous.crt || true; } > "$WORK/bundle"
  local bundle current
  bundle=$(base64 -w0 < "$WORK/bundle")
  current=$(kc get mutatingwebhookconfiguration "$WEBHOOK_NAME" -o 'jsonpath={.webhooks[0].clientConfig.caBundle}')
  if [ "$bundle" != "$current" ]; then
    kc patch mutatingwebhookconfiguration "$WEBHOOK_NAME" --type json \
      -p "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$bundle\"}]" >/dev/null
    log "caBundle of $WEBHOOK_NAME updated"
  fi
}

# Pods whose ServiceAccount names a role but that started without the webhook's injection (it was not ready
# yet, or down: failurePolicy Ignore) have no AWS credentials. Once the webhook is available, delete those
# that a ReplicaSet, StatefulSet or DaemonSet owns, so they come back injected. Bare pods and Jobs are left.
repair_uninjected() {
  local available ns sa pod owner phase role
  available=$(kc -n "$WEBHOOK_NAMESPACE" get deployment "$WEBHOOK_NAME" -o 'jsonpath={.status.availableReplicas}' 2>/dev/null) || return 0
  if [ "${available:-0}" -lt 1 ]; then return 0; fi
  kc get serviceaccounts --all-namespaces \
    -o 'jsonpath={range .items[?(@.metadata.annotations.eks\.amazonaws\.com/role-arn)]}{.metadata.namespace}{" "}{.metadata.name}{"\n"}{end}' > "$WORK/accounts"
  while read -r ns sa; do
    [ -n "$sa" ] || continue
    kc -n "$ns" get pods -o "jsonpath={range .items[?(@.spec.serviceAccountName==\"$sa\")]}{.metadata.name}{\" \"}{.metadata.ownerReferences[0].kind}{\" \"}{.status.phase}{\" \"}{.spec.containers[0].env[?(@.name==\"AWS_ROLE_ARN\")].name}{\"\\n\"}{end}" > "$WORK/pods"
    while read -r pod owner phase role; do
      case "$owner:$phase:${role:-}" in
        ReplicaSet:Running: | ReplicaSet:Pending: | StatefulSet:Running: | StatefulSet:Pending: | DaemonSet:Running: | DaemonSet:Pending:)
          kc -n "$ns" delete pod "$pod" --wait=false >/dev/null && log "deleted $ns/$pod: it started without AWS credentials (its owner recreates it)" ;;
      esac
    done < "$WORK/pods"
  done < "$WORK/accounts"
}

main() {
  mkdir -p "$STATE"
  WORK=$(mktemp -d "$STATE/run.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  local rc=0
  publish_documents || rc=1
  ensure_webhook_certificate || rc=1
  repair_uninjected || rc=1
  return "$rc"
}

main "$@"
