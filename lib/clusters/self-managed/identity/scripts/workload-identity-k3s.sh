# shellcheck shell=bash
# Workload identity on a k3s server (rendered after common.sh, before workload-identity-timer.sh and the k3s
# script): the API server signs service-account tokens with the public issuer (first
# --service-account-issuer) and still accepts the default one, so tokens issued before the change keep
# working; --service-account-jwks-uri points the discovery document at the published JWKS. A drop-in next to
# config.yaml (k3s reads config.yaml.d/*.yaml after it); kube-apiserver-arg keeps repeated flags in order.
ISSUER_URL='@@ISSUER_URL@@'
JWKS_URI='@@JWKS_URI@@'
PREVIOUS_ISSUER='@@PREVIOUS_ISSUER@@'
IDENTITY_DROP_IN="${ROOT}/etc/rancher/k3s/config.yaml.d/50-workload-identity.yaml"
mkdir -p "$(dirname "$IDENTITY_DROP_IN")"
printf 'kube-apiserver-arg:\n  - "service-account-issuer=%s"\n  - "service-account-issuer=%s"\n  - "service-account-jwks-uri=%s"\n' \
  "$ISSUER_URL" "$PREVIOUS_ISSUER" "$JWKS_URI" > "$IDENTITY_DROP_IN"
chmod 0600 "$IDENTITY_DROP_IN"
