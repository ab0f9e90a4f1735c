# shellcheck shell=bash
# Workload identity on a kubeadm control plane (rendered after common.sh, before workload-identity-timer.sh
# and the control-plane script): the apiServer extraArgs (v1beta4: a list of name/value pairs, repeats kept in
# order) that kubeadm-control-plane.sh puts into its ClusterConfiguration. The public issuer signs; the
# default one stays accepted, so tokens issued before the change keep working.
ISSUER_URL='@@ISSUER_URL@@'
JWKS_URI='@@JWKS_URI@@'
PREVIOUS_ISSUER='@@PREVIOUS_ISSUER@@'
KUBEADM_APISERVER_EXTRA_ARGS=$(printf '  extraArgs:\n    - name: service-account-issuer\n      value: "%s"\n    - name: service-account-issuer\n      value: "%s"\n    - name: service-account-jwks-uri\n      value: "%s"' \
  "$ISSUER_URL" "$PREVIOUS_ISSUER" "$JWKS_URI")
export KUBEADM_APISERVER_EXTRA_ARGS
